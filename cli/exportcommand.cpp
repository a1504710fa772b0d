// SPDX-License-Identifier: MIT
// `afterwork export --chrome`: a recording as a Chrome trace-event file (Perfetto, chrome://tracing).
#include "clicommon.h"
#include "commands.h"
#include "recording.h"

#include <afterwork/protocol/json.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QHash>
#include <QtCore/QSaveFile>
#include <QtCore/QSet>

#include <memory>
#include <vector>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! One compact JSON object, written member by member into a buffer (a million tasks make
//! millions of trace events: no DOM), with the event stream's own JSON writer.
class JsonObject
{
public:
    explicit JsonObject(QByteArray &out) : m_out(out), m_fields((out.append('{'), out)) {}
    JsonObject &string(const char *name, QStringView value)
    {
        m_fields.string(QLatin1StringView(name), value);
        return *this;
    }
    JsonObject &string(const char *name, QLatin1StringView value)
    {
        m_fields.string(QLatin1StringView(name), value);
        return *this;
    }
    JsonObject &number(const char *name, qint64 value)
    {
        m_fields.integer(QLatin1StringView(name), value);
        return *this;
    }
    JsonObject &boolean(const char *name, bool value)
    {
        m_fields.boolean(QLatin1StringView(name), value);
        return *this;
    }
    //! \a json: one complete compact JSON value.
    JsonObject &raw(const char *name, QByteArrayView json)
    {
        m_fields.raw(QLatin1StringView(name), json);
        return *this;
    }
    void close() { m_out.append('}'); }

private:
    QByteArray &m_out;
    protocol::FieldWriter m_fields;
};

//! Async slices are matched by id across the whole trace: tasks and requests get disjoint
//! ranges, and so does each source of a recording of several (\a source, from 0; every source
//! numbers its tasks from 1), in the bits above 2^48. Hex strings, as both Perfetto and
//! chrome://tracing read them.
QString traceId(QLatin1StringView cat, quint64 id, quint64 source)
{
    const quint64 space = cat == "request"_L1 ? (quint64(1) << 60) : 0;
    return u"0x%1"_s.arg(id | space | (source << 48), 0, 16);
}

QByteArray errorJson(const ErrorInfo &error)
{
    QByteArray out;
    JsonObject(out).string("type", error.type).string("message", error.message).close();
    return out;
}

//! Builds the trace of one source: each task one async slice ("b" … "e", keyed by cat "task" + its id) from its
//! scheduling to its end, with an instant "n" per phase change; each request one slice on its own
//! category; shutdown stages, gaps and bye as instants (global for the only source, on its
//! process for one of several); heartbeats as a counter track. Times
//! are absolute µs since the epoch: a snapshot's tasks may predate the first line, and both
//! viewers show times relative to the trace's start anyway.
class TraceBuilder
{
public:
    //! The builder of a recording's only source: its events use the source's own pid. Until
    //! finish(), it may turn out to have the first of several (becomeFirstOfSeveral()).
    TraceBuilder() = default;
    //! The builder of the source \a index (from 0) of a recording of several, labelled \a label
    //! (empty for lines before the first marker): its events use pid index + 1, so that sources
    //! never share a process track, its slice ids and instants are its own, and its process is
    //! named after the label too.
    TraceBuilder(QString label, qsizetype index) : m_label(std::move(label)), m_index(index) { m_pid = qint64(index) + 1; }

    void add(const StreamEvent &event)
    {
        m_lastUs = std::max(m_lastUs, event.tsUs);
        switch (event.kind()) {
        case EventKind::Hello: {
            const SourceInfo &source = event.as<HelloEvent>()->source;
            if (source.instance != m_instance && !m_instance.isEmpty())
                closeAll(event.tsUs, u"restarted"_s); // a new run: the old one's tasks are gone
            m_instance = source.instance;
            if (m_index < 0)
                m_pid = source.pid;
            m_app = source.app;
            processName(labelled(u"%1 (pid %2)"_s.arg(source.app).arg(source.pid)));
            break;
        }
        case EventKind::Snapshot:
            for (const TaskRecord &task : event.as<SnapshotEvent>()->tasks)
                step(task);
            break;
        case EventKind::Task:
            step(*event.as<TaskRecord>());
            break;
        case EventKind::Request:
            request(*event.as<RequestEvent>(), event.tsUs);
            break;
        case EventKind::Shutdown: {
            const ShutdownEvent &s = *event.as<ShutdownEvent>();
            QByteArray args;
            JsonObject(args)
                .number("pending", s.pending)
                .number("cancelled", s.cancelled)
                .number("finished", s.finished)
                .number("abandoned", s.abandoned)
                .number("deadline_us", s.deadlineUs)
                .close();
            instant(u"shutdown %1"_s.arg(s.stage), event.tsUs, args);
            break;
        }
        case EventKind::Gap: {
            QByteArray args;
            JsonObject(args).number("missed", event.as<GapEvent>()->missed).close();
            instant(u"gap"_s, event.tsUs, args);
            break;
        }
        case EventKind::Bye:
            instant(u"bye"_s, event.tsUs, "{}");
            break;
        case EventKind::Heartbeat:
            counter(*event.as<HeartbeatEvent>(), event.tsUs);
            break;
        case EventKind::Progress: // the task's slice already spans its run
        case EventKind::Reply:
        case EventKind::Other:
            break;
        }
    }

    //! A second source showed up: this builder, made for the only source, has the first of
    //! several, labelled \a label. Its events so far become what TraceBuilder(label, 0) would
    //! have made of them (pid 1, instants on the process, labelled process names), and it goes on
    //! as that builder.
    //!
    //! So the recording is read once, although whether it has one source or several is known
    //! only at its end: rewriting once costs a copy of the first source's events so far, where
    //! building both ways would double the work of every recording of one source, and keeping the
    //! lines until it is known would keep the file. The places to rewrite are noted as the
    //! events are written (8 bytes per event, dropped by finish()).
    void becomeFirstOfSeveral(QString label)
    {
        Q_ASSERT(m_index < 0);
        m_label = std::move(label);
        m_index = 0;
        m_pid = 1;
        const QByteArrayView old(m_events);
        QByteArray events;
        events.reserve(m_events.size() + m_processNames.size() * (m_label.size() + 2));
        qsizetype from = 0;
        qsizetype named = 0;
        for (const Patch &patch : std::as_const(m_patches)) {
            const auto at = qsizetype(patch.at);
            switch (Patch::Kind(patch.kind)) {
            case Patch::Pid: { // the value ends at `at`, after `"pid":`
                qsizetype value = at;
                while (old[value - 1] != ':')
                    --value;
                events.append(old.sliced(from, value - from)).append(QByteArray::number(m_pid));
                from = at;
                break;
            }
            case Patch::GlobalScope:
                events.append(old.sliced(from, at - from)).append('p');
                from = at + 1;
                break;
            case Patch::ProcessName: {
                const NamedProcess &process = m_processNames[named++];
                events.append(old.sliced(from, at - from));
                writeProcessName(events, labelled(process.text));
                from = process.end;
                break;
            }
            }
        }
        events.append(old.sliced(from));
        m_events = std::move(events);
        m_patches = {};
        m_processNames = {};
    }

    //! The trace's events, comma-separated, once the recording has been read: what is still
    //! open ends where the recording does.
    QByteArray finish()
    {
        m_patches = {};
        m_processNames = {};
        closeAll(m_lastUs, u"unfinished"_s);
        for (auto it = m_requests.begin(); it != m_requests.end(); ++it) {
            QByteArray args;
            JsonObject(args).string("stage", u"unfinished").close();
            slice("e", "request"_L1, u"request %1"_s.arg(it.key()), it.key(), m_lastUs, args);
        }
        m_requests.clear();
        if (m_label.isEmpty() && m_events.isEmpty())
            return {};
        if (!m_label.isEmpty() && m_app.isEmpty())
            processName(m_label); // a source without hello still gets its named track
        return m_events;
    }

    //! Adds this source's members to the trace's `otherData`.
    void describe(JsonObject &otherData) const
    {
        if (!m_label.isEmpty())
            otherData.string("source", m_label);
        otherData.string("app", m_app).string("instance", m_instance);
    }

    qsizetype taskCount() const noexcept { return m_taskCount; }

private:
    struct OpenTask
    {
        QString name;
        Phase phase = Phase::Unknown;
    };
    //! A place in m_events that becomeFirstOfSeveral() rewrites.
    struct Patch
    {
        enum Kind : quint8 {
            Pid,         //!< at: the end of a pid value
            GlobalScope, //!< at: the `g` of an instant's `"s":"g"`
            ProcessName, //!< at: the start of a process_name event (the next of m_processNames)
        };
        quint64 at : 62;
        quint64 kind : 2;
    };
    //! A process_name event written while this builder had the only source.
    struct NamedProcess
    {
        qsizetype end; //!< where it ends in m_events
        QString text;  //!< its name, unlabelled
    };

    //! Notes a place becomeFirstOfSeveral() would rewrite: \a at in m_events, of \a kind.
    void note(Patch::Kind kind, qsizetype at)
    {
        if (m_index >= 0)
            return;
        Patch patch;
        patch.at = quint64(at);
        patch.kind = kind;
        m_patches.append(patch);
    }

    //! Starts one event in the array and returns its writer (the caller adds fields and closes).
    JsonObject event(const char *ph, QLatin1StringView cat, const QString &name, qint64 tsUs)
    {
        if (!m_events.isEmpty())
            m_events.append(',');
        JsonObject object(m_events);
        object.string("ph", QLatin1StringView(ph)).string("cat", cat).string("name", name).number("ts", tsUs);
        object.number("pid", m_pid);
        note(Patch::Pid, m_events.size());
        object.number("tid", 0);
        return object;
    }

    void processName(const QString &value)
    {
        if (!m_events.isEmpty())
            m_events.append(',');
        note(Patch::ProcessName, m_events.size());
        writeProcessName(m_events, value);
        if (m_index < 0)
            m_processNames.append({m_events.size(), value});
    }

    void writeProcessName(QByteArray &out, const QString &value) const
    {
        QByteArray args;
        JsonObject(args).string("name", value).close();
        JsonObject(out).string("ph", u"M").string("name", u"process_name").number("pid", m_pid).number("tid", 0).raw("args", args).close();
    }

    void slice(const char *ph, QLatin1StringView cat, const QString &name, quint64 id, qint64 tsUs, QByteArrayView args)
    {
        event(ph, cat, name, tsUs).string("id", traceId(cat, id, quint64(std::max<qsizetype>(m_index, 0)))).raw("args", args).close();
    }

    void instant(const QString &name, qint64 tsUs, QByteArrayView args)
    {
        JsonObject object = event("i", "stream"_L1, name, tsUs);
        object.string("s", m_index < 0 ? u"g" : u"p");
        note(Patch::GlobalScope, m_events.size() - 2); // before the closing quote
        object.raw("args", args).close();
    }

    void counter(const HeartbeatEvent &heartbeat, qint64 tsUs)
    {
        QByteArray args;
        JsonObject values(args);
        values.number("live", heartbeat.live);
        if (heartbeat.poolBusy >= 0)
            values.number("pool busy", heartbeat.poolBusy);
        values.close();
        event("C", "engine"_L1, u"engine"_s, tsUs).raw("args", args).close();
    }

    static QByteArray taskArgs(const TaskRecord &task)
    {
        QByteArray out;
        JsonObject args(out);
        args.string("id", QString::number(task.id))
            .string("phase", wireName(task.phase))
            .string("mode", wireName(task.mode))
            .string("work", wireName(task.work))
            .boolean("shielded", task.shielded)
            .number("attempt", task.attempt);
        if (task.requestId)
            args.string("request", QString::number(task.requestId));
        if (!task.function.isEmpty())
            args.string("function", task.function);
        if (task.error)
            args.raw("error", errorJson(*task.error));
        if (task.handlerError)
            args.raw("handler_error", errorJson(*task.handlerError));
        if (task.waitUs >= 0)
            args.number("wait_us", task.waitUs);
        if (task.runUs >= 0)
            args.number("run_us", task.runUs);
        args.close();
        return out;
    }

    void step(const TaskRecord &task)
    {
        if (m_ended.contains(task.id))
            return; // one terminal per task; anything later is not drawn
        auto it = m_open.find(task.id);
        if (it == m_open.end()) {
            const qint64 startUs = task.scheduledUs > 0 ? std::min(task.scheduledUs, task.tsUs) : task.tsUs;
            slice("b", "task"_L1, task.name, task.id, startUs, taskArgs(task));
            if (task.startedUs > 0 && task.startedUs < task.tsUs && task.phase != Phase::Started)
                slice("n", "task"_L1, u"started"_s, task.id, task.startedUs, "{}");
            it = m_open.insert(task.id, OpenTask{task.name, Phase::Unknown});
            ++m_taskCount;
        }
        const bool changed = it->phase != task.phase;
        it->phase = task.phase;
        if (!changed && !isTerminal(task.phase))
            return;
        const QByteArray args = taskArgs(task);
        if (changed)
            slice("n", "task"_L1, QString(wireName(task.phase)), task.id, task.tsUs, args);
        if (isTerminal(task.phase)) {
            slice("e", "task"_L1, it->name, task.id, task.tsUs, args);
            m_open.erase(it);
            m_ended.insert(task.id);
        }
    }

    void request(const RequestEvent &request, qint64 tsUs)
    {
        QByteArray out;
        JsonObject args(out);
        args.string("stage", request.stage).string("request", QString::number(request.requestId));
        if (request.status > 0)
            args.number("status", request.status);
        if (request.error)
            args.raw("error", errorJson(*request.error));
        args.close();
        const QString name = u"request %1"_s.arg(request.requestId);
        if (!m_requests.contains(request.requestId)) {
            QByteArray first;
            JsonObject(first).string("method", request.method).string("path", request.path).close();
            slice("b", "request"_L1, name, request.requestId, tsUs, first);
            m_requests.insert(request.requestId, name);
        }
        slice("n", "request"_L1, request.stage, request.requestId, tsUs, out);
        // The request's last word: its response is out, it failed, or its client left.
        if (request.stage == wireName(RequestStage::ResponseWritten) || request.stage == wireName(RequestStage::Failed)
            || request.stage == wireName(RequestStage::ClientGone)) {
            slice("e", "request"_L1, name, request.requestId, tsUs, out);
            m_requests.remove(request.requestId);
        }
    }

    void closeAll(qint64 tsUs, const QString &why)
    {
        QByteArray args;
        JsonObject(args).string("phase", why).close();
        for (auto it = m_open.begin(); it != m_open.end(); ++it) {
            slice("n", "task"_L1, why, it.key(), tsUs, "{}");
            slice("e", "task"_L1, it->name, it.key(), tsUs, args);
        }
        m_open.clear();
        m_ended.clear();
    }

    //! "LABEL: text" for a labelled source's process name.
    QString labelled(const QString &text) const { return m_label.isEmpty() ? text : u"%1: %2"_s.arg(m_label, text); }

    QString m_label;
    qsizetype m_index = -1; // among several sources; -1 for the only one
    QByteArray m_events;
    QHash<quint64, OpenTask> m_open;
    QSet<quint64> m_ended;
    QHash<quint64, QString> m_requests;
    qint64 m_lastUs = 0;
    qint64 m_pid = 1;
    QString m_app;
    QString m_instance;
    qsizetype m_taskCount = 0;
    QList<Patch> m_patches;            // while this builder has the only source, in order
    QList<NamedProcess> m_processNames; // likewise
};

} // namespace

int runExport(const QStringList &arguments)
{
    QCommandLineParser parser;
    addRecordingArgument(parser);
    parser.addPositionalArgument(u"OUT"_s, u"The trace file to write ('-' for standard output)."_s);
    const QCommandLineOption chromeOption(u"chrome"_s, u"Write the Chrome trace-event format (JSON), which Perfetto and chrome://tracing open."_s);
    parser.addOption(chromeOption);
    if (const int code = parseSubcommand(parser, u"export"_s, arguments,
                                         u"Convert a recording for other tools: --chrome for Perfetto / chrome://tracing."_s);
        code >= 0)
        return code;
    if (!parser.isSet(chromeOption)) {
        printError(u"export"_s, u"choose a format: --chrome (the only one so far)"_s);
        return ExitUsage;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2) {
        printError(u"export"_s, u"usage: afterwork export --chrome FILE OUT"_s);
        return ExitUsage;
    }
    const QString path = positional[0];
    const QString outPath = positional[1];

    // Each source of the recording is its own process track (a recording of one keeps its pid),
    // built as the file is read once.
    std::vector<std::unique_ptr<TraceBuilder>> builders; // by source index
    QString firstSource;
    qint64 malformed = 0;
    if (const auto error = readRecordingBySource(
            path,
            [&](const QString &source, qsizetype index, const QList<StreamLine> &lines) {
                if (index == qsizetype(builders.size())) {
                    if (index == 0) {
                        firstSource = source;
                        builders.push_back(std::make_unique<TraceBuilder>());
                    } else {
                        if (index == 1)
                            builders.front()->becomeFirstOfSeveral(firstSource);
                        builders.push_back(std::make_unique<TraceBuilder>(source, index));
                    }
                }
                TraceBuilder &builder = *builders[index];
                for (const StreamLine &line : lines) {
                    if (const StreamEvent *event = line.event())
                        builder.add(*event);
                    else
                        ++malformed;
                }
            })) {
        printError(u"export"_s, *error);
        return ExitUsage;
    }
    if (builders.empty()) // a recording without lines: its one source is empty
        builders.push_back(std::make_unique<TraceBuilder>());
    if (malformed > 0)
        printError(u"export"_s, u"skipped %1 malformed line(s) of '%2' ('afterwork check' names them)"_s.arg(malformed).arg(path));
    QByteArray json = "{\"traceEvents\":[";
    qsizetype taskCount = 0;
    bool first = true;
    for (const auto &builder : builders) {
        const QByteArray events = builder->finish();
        if (events.isEmpty())
            continue;
        if (!std::exchange(first, false))
            json.append(',');
        json.append(events);
        taskCount += builder->taskCount();
    }
    json.append("],\"displayTimeUnit\":\"ms\",\"otherData\":");
    {
        JsonObject otherData(json);
        otherData.string("generator", u"afterwork export --chrome");
        if (builders.size() == 1) {
            builders.front()->describe(otherData);
        } else {
            QByteArray sources = "[";
            for (const auto &builder : builders) {
                if (sources.size() > 1)
                    sources.append(',');
                JsonObject source(sources);
                builder->describe(source);
                source.close();
            }
            sources.append(']');
            otherData.raw("sources", sources);
        }
        otherData.close();
    }
    json.append('}');

    if (outPath == u"-"_s) {
        Output::out().write(json);
        Output::out().write("\n");
        return ExitOk;
    }
    // Written whole or not at all.
    QSaveFile out(outPath);
    if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size() || !out.commit()) {
        printError(u"export"_s, u"cannot write '%1': %2"_s.arg(outPath, out.errorString()));
        return ExitUsage;
    }
    Output::err().line(u"afterwork export: %1 tasks written to %2 (open it in https://ui.perfetto.dev or chrome://tracing)"_s
                           .arg(taskCount)
                           .arg(outPath));
    return ExitOk;
}

} // namespace afterwork::cli
