// SPDX-License-Identifier: MIT
#pragma once

// Helpers for the dashboard's tests: protocol lines built by hand (docs/protocol.md), and a way
// to feed a TaskStore or a recording file, and what a timeline layout draws. testing::FakePublisher
// plays them to a subscriber like a publisher would (or vanishes like a killed one).

#include "../support/fakepublisher.h"

#include "core/timelinelayout.h"

#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskstore.h>

#include <QtCore/QByteArray>
#include <QtCore/QFile>
#include <QtCore/QList>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QUuid>

namespace afterwork::monitortest {

//! When the runs the tests write by hand start (LineWriter's default), in microseconds: the base
//! that a test's timestamps are offsets from.
inline constexpr qint64 T0 = 1'700'000'000'000'000;

//! Protocol lines with contiguous seq, as one connection of a publisher numbers them.
class LineWriter
{
public:
    explicit LineWriter(QString instance = QUuid::createUuid().toString(QUuid::WithoutBraces), qint64 startUs = T0)
        : m_instance(std::move(instance)), m_startUs(startUs)
    {
    }

    QByteArray hello(qint64 tsUs, const QString &app = QStringLiteral("test-app"), qint64 pid = 4242)
    {
        m_seq = 0;
        return line(tsUs, "hello",
                    QStringLiteral(R"("source":{"app":"%1","pid":%2,"host":"h","instance":"%3","started_us":%4})")
                        .arg(app)
                        .arg(pid)
                        .arg(m_instance)
                        .arg(m_startUs)
                        .toUtf8());
    }
    QByteArray snapshot(qint64 tsUs, const QList<QByteArray> &taskObjects = {})
    {
        return line(tsUs, "snapshot", "\"tasks\":[" + taskObjects.join(',') + "]");
    }
    //! One task step. \a extra: more members, e.g. R"("error":{"type":"E","message":"m"},"run_us":5)".
    QByteArray task(qint64 tsUs, quint64 id, const char *phase, const QByteArray &name = {}, const QByteArray &extra = {})
    {
        return line(tsUs, "task", taskFields(tsUs, id, phase, name, extra));
    }
    static QByteArray taskFields(qint64 tsUs, quint64 id, const char *phase, const QByteArray &name = {}, const QByteArray &extra = {})
    {
        QByteArray fields = QStringLiteral(R"("id":%1,"name":"%2","phase":"%3")")
                                .arg(id)
                                .arg(name.isEmpty() ? QStringLiteral("task-%1").arg(id) : QString::fromUtf8(name))
                                .arg(QLatin1StringView(phase))
                                .toUtf8();
        if (!extra.contains("\"shielded\""))
            fields += R"(,"shielded":false)";
        if (!extra.contains("\"mode\""))
            fields += R"(,"mode":"immediate")";
        if (!extra.contains("\"work\""))
            fields += R"(,"work":"sync")";
        if (!extra.contains("\"attempt\""))
            fields += R"(,"attempt":1)";
        if (!extra.contains("\"scheduled_us\""))
            fields += ",\"scheduled_us\":" + QByteArray::number(tsUs - 1000);
        if (!extra.isEmpty())
            fields += ',' + extra;
        return fields;
    }
    static QByteArray taskObject(qint64 tsUs, quint64 id, const char *phase, const QByteArray &name = {}, const QByteArray &extra = {})
    {
        return "{\"ts_us\":" + QByteArray::number(tsUs) + ',' + taskFields(tsUs, id, phase, name, extra) + '}';
    }
    QByteArray heartbeat(qint64 tsUs, qint64 live = 0)
    {
        return line(tsUs, "heartbeat",
                    R"("counters":{"scheduled":1,"started":1,"retrying":0,"succeeded":0,"failed":0,"cancelled":0,"abandoned":0,"dropped":0,"handler_errors":0},"live":)"
                        + QByteArray::number(live) + R"(,"pool":{"busy":1,"max":4},"events_dropped":0,"subscribers":1)");
    }
    QByteArray shutdown(qint64 tsUs, const char *stage, qint64 deadlineUs, qint64 pending, qint64 cancelled, qint64 finished,
                        qint64 abandoned, bool deadlineReached = false)
    {
        QByteArray fields = QStringLiteral(R"("stage":"%1","deadline_us":%2,"pending":%3,"cancelled":%4,"finished":%5,"abandoned":%6)")
                                .arg(QLatin1StringView(stage))
                                .arg(deadlineUs)
                                .arg(pending)
                                .arg(cancelled)
                                .arg(finished)
                                .arg(abandoned)
                                .toUtf8();
        if (qstrcmp(stage, "finished") == 0)
            fields += QByteArray(R"(,"dropped":0,"deadline_reached":)") + (deadlineReached ? "true" : "false");
        return line(tsUs, "shutdown", fields);
    }
    QByteArray request(qint64 tsUs, quint64 requestId, int status = 200)
    {
        return line(tsUs, "request",
                    QStringLiteral(R"("request":%1,"method":"POST","path":"/x","stage":"response_written","status":%2)").arg(requestId).arg(status).toUtf8());
    }
    //! How far task \a id has come; \a message is left out when empty.
    QByteArray progress(qint64 tsUs, quint64 id, qint64 done, qint64 total, const QByteArray &message = {})
    {
        QByteArray fields = "\"id\":" + QByteArray::number(id) + ",\"done\":" + QByteArray::number(done) + ",\"total\":" + QByteArray::number(total);
        if (!message.isEmpty())
            fields += ",\"message\":\"" + message + '"';
        return line(tsUs, "progress", fields);
    }
    QByteArray gap(qint64 tsUs, qint64 missed)
    {
        m_seq += missed;
        return line(tsUs, "gap", "\"missed\":" + QByteArray::number(missed));
    }
    QByteArray bye(qint64 tsUs) { return line(tsUs, "bye", {}); }

    const QString &instance() const noexcept { return m_instance; }

private:
    QByteArray line(qint64 tsUs, const char *kind, const QByteArray &fields)
    {
        QByteArray out = "{\"v\":1,\"seq\":" + QByteArray::number(m_seq++) + ",\"ts_us\":" + QByteArray::number(tsUs) + ",\"kind\":\"" + kind + '"';
        if (!fields.isEmpty())
            out += ',' + fields;
        return out + '}';
    }

    QString m_instance;
    qint64 m_startUs;
    quint64 m_seq = 0;
};

//! Parses \a lines as a source would (line numbers from 1).
inline QList<client::StreamLine> parsed(const QList<QByteArray> &lines)
{
    QList<client::StreamLine> out;
    qint64 number = 0;
    for (const QByteArray &bytes : lines)
        out.append(client::StreamLine{++number, bytes, client::parseLine(bytes)});
    return out;
}

//! Which tasks \a layout draws, as (source, id).
inline QSet<std::pair<int, quint64>> timelineTasks(const monitor::TimelineLayout &layout)
{
    QSet<std::pair<int, quint64>> tasks;
    for (const monitor::TimelineBar &bar : layout.bars)
        tasks.insert({bar.source, bar.id});
    return tasks;
}

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

//! Moves every `*_us` timestamp in \a lines by \a offsetUs (to replay a recording "now").
inline QList<QByteArray> shiftTimes(const QList<QByteArray> &lines, qint64 offsetUs)
{
    static const QRegularExpression stamp(QStringLiteral(R"(("(?:ts|scheduled|started|deadline)_us":)(\d+))"));
    QList<QByteArray> out;
    for (const QByteArray &line : lines) {
        QString text = QString::fromUtf8(line);
        QString result;
        qsizetype last = 0;
        auto it = stamp.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch match = it.next();
            result += text.mid(last, match.capturedStart(2) - last);
            result += QString::number(match.captured(2).toLongLong() + offsetUs);
            last = match.capturedEnd(2);
        }
        result += text.mid(last);
        out.append(result.toUtf8());
    }
    return out;
}

} // namespace afterwork::monitortest
