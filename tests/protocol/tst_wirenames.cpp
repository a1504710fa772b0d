// SPDX-License-Identifier: MIT
// The protocol's vocabulary (Afterwork::Protocol): every value of every enum has one spelling, and
// that spelling reads back as the same value, from text and from bytes.

#include <afterwork/protocol/wire.h>

#include <QtCore/QMetaEnum>
#include <QtCore/QSet>
#include <QtTest/QtTest>

using namespace afterwork;

class tst_WireNames : public QObject
{
    Q_OBJECT

private:
    //! Walks every value Q_ENUM_NS declares, so that a value added to an enum is tested too.
    template<typename Enum>
    void roundTrips(std::optional<Enum> (*fromText)(QStringView), std::optional<Enum> (*fromBytes)(QByteArrayView))
    {
        const QMetaEnum meta = QMetaEnum::fromType<Enum>();
        QVERIFY(meta.keyCount() > 0);
        QSet<QString> seen;
        for (int i = 0; i < meta.keyCount(); ++i) {
            const auto value = Enum(meta.value(i));
            const QLatin1StringView name = wireName(value);
            QVERIFY2(!name.isEmpty(), meta.key(i));
            for (const char c : name)
                QVERIFY2((c >= 'a' && c <= 'z') || c == '_', qPrintable(QString(name)));
            QVERIFY2(!seen.contains(QString(name)), qPrintable(QString(name) + QStringLiteral(" is spelled twice")));
            seen.insert(QString(name));
            QCOMPARE(fromText(QString(name)), std::optional<Enum>(value));
            QCOMPARE(fromBytes(QByteArrayView(name.data(), name.size())), std::optional<Enum>(value));
        }
        QCOMPARE(fromText(u"no_such_name"), std::nullopt);
        QCOMPARE(fromBytes("no_such_name"), std::nullopt);
        QCOMPARE(fromText(u""), std::nullopt);
    }

private Q_SLOTS:
    void phases() { roundTrips<Phase>(phaseFromWireName, phaseFromWireName); }
    void modes() { roundTrips<Mode>(modeFromWireName, modeFromWireName); }
    void workKinds() { roundTrips<WorkKind>(workFromWireName, workFromWireName); }
    void eventKinds() { roundTrips<EventKind>(kindFromWireName, kindFromWireName); }
    void shutdownStages() { roundTrips<ShutdownStage>(shutdownStageFromWireName, shutdownStageFromWireName); }
    void requestStages() { roundTrips<RequestStage>(requestStageFromWireName, requestStageFromWireName); }

    void spellingsTheProtocolFixes()
    {
        // docs/protocol.md names these; a reader in the field depends on them.
        QCOMPARE(wireName(Phase::ShutdownPending), "shutdown_pending");
        QCOMPARE(wireName(Mode::AfterResponse), "after_response");
        QCOMPARE(wireName(WorkKind::Async), "async");
        QCOMPARE(wireName(EventKind::Heartbeat), "heartbeat");
        QCOMPARE(wireName(EventKind::Progress), "progress");
        QCOMPARE(wireName(ShutdownStage::Finished), "finished");
        QCOMPARE(wireName(RequestStage::ClientGone), "client_gone");
        QCOMPARE(protocol::version, 1);
    }

    void terminalPhases()
    {
        const QMetaEnum meta = QMetaEnum::fromType<Phase>();
        QStringList terminal;
        for (int i = 0; i < meta.keyCount(); ++i) {
            if (isTerminal(Phase(meta.value(i))))
                terminal.append(wireName(Phase(meta.value(i))));
        }
        // Lost is an observer's conclusion, not an ending the engine reports.
        QCOMPARE(terminal, QStringList({"succeeded", "failed", "cancelled", "abandoned", "dropped"}));
    }
};

QTEST_GUILESS_MAIN(tst_WireNames)
#include "tst_wirenames.moc"
