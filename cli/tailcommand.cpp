// SPDX-License-Identifier: MIT
// `afterwork tail`: follow live sources in the terminal, one or several at once.
#include "clicommon.h"
#include "commands.h"
#include "lineformatter.h"

#include <afterwork/client/taskfilter.h>
#include <afterwork/client/taskstore.h>
#include <afterwork/protocol/json.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QSet>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! The member `--json` puts first in each line of a labelled source: `{"source_label":"A",...`.
//! Not `source`, which a hello already has (the publisher's description).
constexpr QLatin1StringView SourceLabelMember("source_label");

struct TailOptions
{
    TaskFilter filter;
    bool json = false;
    bool wait = false;
    bool heartbeats = false;
    Style style;
};

//! Follows one source and prints what it says, each line labelled when there are several;
//! tells \a onEnded its exit status when it ends.
class Tail : public QObject
{
public:
    Tail(TailOptions options, LabelledSource source, bool labelled, std::function<void(int)> onEnded)
        : m_options(std::move(options)),
          m_address(std::move(source.address)),
          m_sourceOwner(std::move(source.source)),
          m_source(*m_sourceOwner),
          m_format(m_options.style),
          m_prefix(labelled ? labelPrefix(source.label) : QString()),
          m_errors(u"tail"_s, m_prefix, m_address, m_options.wait),
          m_onEnded(std::move(onEnded))
    {
        if (labelled) {
            m_jsonMember = "{";
            protocol::FieldWriter(m_jsonMember).string(SourceLabelMember, source.label);
            m_jsonMember.append(',');
        }
        m_store.attach(&m_source);
        connect(&m_source, &EventSource::linesReceived, this, &Tail::onLines);
        connect(&m_source, &EventSource::connected, this, [this] { m_everConnected = true; });
        connect(&m_source, &EventSource::errorOccurred, this, &Tail::onError);
        connect(&m_source, &EventSource::disconnected, this, &Tail::onDisconnected);
        connect(&m_source, &EventSource::sequenceGap, this, [this](quint64 expected, quint64 received, qint64) {
            note(u"seq jumped from %1 to %2: the stream is damaged"_s.arg(expected - 1).arg(received));
        });
        connect(&m_source, &EventSource::instanceChanged, this, [this](const SourceInfo &, const SourceInfo &current) {
            note(u"the source restarted (new instance %1): a new run"_s.arg(current.instance));
        });
        connect(&m_source, &EventSource::finished, this, [this] {
            if (!m_done)
                finish(m_everConnected ? ExitOk : ExitFailure);
        });
    }

    void start() { m_source.start(); }
    void stop() { finish(ExitOk); }

private:
    void onLines(const QList<StreamLine> &lines)
    {
        Output &out = Output::out();
        QByteArray buffer;
        for (const StreamLine &line : lines) {
            const StreamEvent *event = line.event();
            if (!event) {
                printError(u"tail"_s, m_prefix + u"line %1 from the source is malformed (%2); skipped"_s.arg(line.lineNumber)
                                                     .arg(line.error()->toString()));
                continue;
            }
            noteShown(*event);
            if (m_options.json) {
                // Verbatim; task and progress lines only if their task matches, the rest as is.
                const TaskRecord *task = event->as<TaskRecord>();
                const ProgressEvent *progress = event->as<ProgressEvent>();
                if (progress ? showsProgressOf(progress->taskId) : (!task || m_options.filter.matches(*task)))
                    appendJson(line.bytes, buffer);
                continue;
            }
            appendHuman(*event, buffer);
        }
        out.write(buffer);
        out.flush();
        // bye ends the stream; without --wait, so does tail (the connection closes right after).
        if (!m_options.wait) {
            for (const StreamLine &line : lines) {
                if (const StreamEvent *event = line.event(); event && event->kind() == EventKind::Bye)
                    return finish(ExitOk);
            }
        }
    }

    //! A progress line carries only its task's id: it is shown when the filter is empty, or when
    //! the task's latest step matched it (the live tasks that matched are remembered).
    bool showsProgressOf(quint64 taskId) const
    {
        return m_options.filter.isEmpty() || m_matchingLive.contains(taskId);
    }
    void noteShown(const StreamEvent &event)
    {
        if (m_options.filter.isEmpty())
            return;
        const auto note = [this](const TaskRecord &task) {
            if (!isTerminal(task.phase) && m_options.filter.matches(task))
                m_matchingLive.insert(task.id);
            else
                m_matchingLive.remove(task.id);
        };
        if (const TaskRecord *task = event.as<TaskRecord>())
            note(*task);
        else if (const SnapshotEvent *snapshot = event.as<SnapshotEvent>()) {
            m_matchingLive.clear();
            for (const TaskRecord &live : snapshot->tasks)
                note(live);
        }
    }

    //! The line as received; a labelled source's gets its label as the first member (a line that
    //! parsed is an object with members, so the label is followed by a comma).
    void appendJson(const QByteArray &bytes, QByteArray &buffer) const
    {
        const qsizetype brace = m_jsonMember.isEmpty() ? -1 : bytes.indexOf('{');
        if (brace < 0) {
            buffer.append(bytes);
        } else {
            buffer.append(QByteArrayView(bytes).first(brace));
            buffer.append(m_jsonMember);
            buffer.append(QByteArrayView(bytes).sliced(brace + 1));
        }
        buffer.append('\n');
    }

    void appendHuman(const StreamEvent &event, QByteArray &buffer)
    {
        const auto add = [this, &buffer](const QString &text) {
            buffer.append(m_prefix.toUtf8());
            buffer.append(text.toUtf8());
            buffer.append('\n');
        };
        switch (event.kind()) {
        case EventKind::Task:
            if (m_options.filter.matches(*event.as<TaskRecord>()))
                add(m_format.task(*event.as<TaskRecord>()));
            break;
        case EventKind::Snapshot:
            add(m_format.event(event));
            for (const TaskRecord &task : event.as<SnapshotEvent>()->tasks) {
                if (m_options.filter.matches(task))
                    add(m_format.task(task, u"live"_s));
            }
            break;
        case EventKind::Heartbeat:
            if (m_options.heartbeats)
                add(m_format.event(event));
            break;
        case EventKind::Progress:
            if (showsProgressOf(event.as<ProgressEvent>()->taskId))
                add(m_format.event(event));
            break;
        case EventKind::Request:
            // Requests are context for tasks: shown when nothing narrows the view.
            if (m_options.filter.isEmpty())
                add(m_format.event(event));
            break;
        default:
            add(m_format.event(event));
            break;
        }
    }

    void note(const QString &text)
    {
        if (m_options.json) {
            printError(u"tail"_s, m_prefix + text);
            return;
        }
        Output::out().line(m_prefix + m_format.note(QDateTime::currentMSecsSinceEpoch() * 1000, text));
        Output::out().flush();
    }

    void onError(EventSource::Error error, const QString &message)
    {
        if (m_errors.report(error, message, m_everConnected, [this](const QString &text) { note(text); }))
            finish(ExitUsage);
    }

    void onDisconnected(bool byeSeen)
    {
        m_errors.connectionEnded();
        if (byeSeen) {
            if (!m_options.wait)
                finish(ExitOk);
            else
                note(u"the source said bye; waiting for it to come back"_s);
            return;
        }
        const qint64 lost = m_store.count(Phase::Lost);
        const QString message = u"the source on '%1' vanished without bye; %2 live task(s) lost"_s.arg(m_address).arg(lost);
        if (!m_options.wait) {
            printError(u"tail"_s, m_prefix + message);
            finish(ExitFailure);
        } else {
            note(message + u"; waiting for it to come back"_s);
        }
    }

    void finish(int code)
    {
        if (m_done)
            return;
        m_done = true;
        m_source.stop();
        Output::out().flush();
        m_onEnded(code);
    }

    TailOptions m_options;
    QString m_address;
    std::unique_ptr<EventSource> m_sourceOwner;
    EventSource &m_source;
    TaskStore m_store{TaskStoreOptions{.finishedLimit = 0}};
    LineFormatter m_format;
    QString m_prefix;        //!< "[LABEL] " before each human line and message; empty for one source
    ConnectErrors m_errors;
    QByteArray m_jsonMember; //!< `{"source_label":"LABEL",` in place of a --json line's "{"; empty for one source
    std::function<void(int)> m_onEnded;
    QSet<quint64> m_matchingLive; //!< live tasks whose latest step matched the filter (their progress shows)
    bool m_everConnected = false;
    bool m_done = false;
};

//! Every source's Tail: exits with the worst of their statuses (2 over 1 over 0) once all of
//! them have ended.
class TailGroup
{
public:
    TailGroup(const TailOptions &options, std::vector<LabelledSource> sources) : m_group(qsizetype(sources.size()))
    {
        const bool labelled = sources.size() > 1;
        for (LabelledSource &source : sources)
            m_tails.push_back(std::make_unique<Tail>(options, std::move(source), labelled, [this](int code) { ended(code); }));
    }

    void start()
    {
        for (const auto &tail : m_tails)
            tail->start();
    }
    void stop()
    {
        for (const auto &tail : m_tails)
            tail->stop();
    }

private:
    void ended(int code)
    {
        if (m_group.ended(code))
            QCoreApplication::exit(m_group.worst());
    }

    std::vector<std::unique_ptr<Tail>> m_tails;
    SourceGroup m_group;
};

} // namespace

int runTail(const QStringList &arguments)
{
    QCommandLineParser parser;
    const SourceOptions sourceOptions;
    const QCommandLineOption filterOption(u"filter"_s, u"Show only tasks matching EXPR (see docs/filter.md), e.g. 'name~email phase:failed'."_s,
                                          u"EXPR"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"Pass the NDJSON lines through verbatim (task lines filtered)."_s);
    const QCommandLineOption noColorOption(u"no-color"_s, u"Never colour the output (NO_COLOR is respected too)."_s);
    const QCommandLineOption waitOption(u"wait"_s, u"Wait for the source to appear, and follow it across restarts."_s);
    const QCommandLineOption heartbeatOption(u"heartbeats"_s, u"Show heartbeat lines too."_s);
    sourceOptions.addTo(parser);
    parser.addOptions({filterOption, jsonOption, noColorOption, waitOption, heartbeatOption});
    if (const int code = parseSubcommand(parser, u"tail"_s, arguments,
                                         u"Follow the task events of running Afterwork applications (--connect more than once: several at once)."_s);
        code >= 0)
        return code;
    if (!noPositionalArguments(parser, u"tail"_s))
        return ExitUsage;

    TailOptions options;
    if (parser.isSet(filterOption)) {
        auto parsed = TaskFilter::parse(parser.value(filterOption));
        if (const auto *error = std::get_if<FilterError>(&parsed)) {
            printError(u"tail"_s, u"bad filter: %1"_s.arg(error->toString()));
            printError(u"tail"_s, u"the filter grammar is described in docs/filter.md"_s);
            return ExitUsage;
        }
        options.filter = std::get<TaskFilter>(std::move(parsed));
    }
    options.json = parser.isSet(jsonOption);
    options.wait = parser.isSet(waitOption);
    options.heartbeats = parser.isSet(heartbeatOption);
    options.style.enabled = !options.json && useColour(parser.isSet(noColorOption));

    std::optional<std::vector<LabelledSource>> sources = openSources(parser, sourceOptions, u"tail"_s, options.wait);
    if (!sources)
        return ExitUsage;
    TailGroup tails(options, std::move(*sources));
    onTerminationSignal([&tails] { tails.stop(); });
    // From the event loop: a failure reported at once must still end exec().
    QMetaObject::invokeMethod(QCoreApplication::instance(), [&tails] { tails.start(); }, Qt::QueuedConnection);
    return QCoreApplication::exec();
}

} // namespace afterwork::cli
