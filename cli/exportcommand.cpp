// SPDX-License-Identifier: MIT
// `afterwork export --chrome`: a recording as a Chrome trace-event file (Perfetto, chrome://tracing).
#include "clicommon.h"
#include "commands.h"
#include "recording.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSaveFile>
#include <QtCore/QSet>

#include <map>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! Async slices are matched by id; tasks and requests get disjoint ranges. Hex strings, as both
//! Perfetto and chrome://tracing read them.
QString traceId(const QString &cat, quint64 id)
{
    const quint64 space = cat == u"request"_s ? (quint64(1) << 60) : 0;
    return u"0x%1"_s.arg(id | space, 0, 16);
}

QJsonObject errorJson(const ErrorInfo &error)
{
    return QJsonObject{{u"type"_s, error.type}, {u"message"_s, error.message}};
}

//! Builds the trace: each task one async slice ("b" … "e", keyed by cat "task" + its id) from its
//! scheduling to its end, with an instant "n" per phase change; each request one slice on its own
//! category; shutdown stages and gaps as global instants; heartbeats as a counter track.
class TraceBuilder
{
public:
    void add(const StreamEvent &event)
    {
        m_lastUs = std::max(m_lastUs, event.tsUs);
        switch (event.kind()) {
        case EventKind::Hello: {
            const SourceInfo &source = event.as<HelloEvent>()->source;
            if (source.instance != m_instance && !m_instance.isEmpty())
                closeAll(event.tsUs, u"restarted"_s); // a new run: the old one's tasks are gone
            m_instance = source.instance;
            m_pid = source.pid;
            m_app = source.app;
            metadata(u"process_name"_s, u"%1 (pid %2)"_s.arg(source.app).arg(source.pid));
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
            instant(u"shutdown %1"_s.arg(s.stage), event.tsUs,
                    QJsonObject{{u"pending"_s, s.pending}, {u"cancelled"_s, s.cancelled}, {u"finished"_s, s.finished},
                                {u"abandoned"_s, s.abandoned}, {u"deadline_us"_s, s.deadlineUs}});
            break;
        }
        case EventKind::Gap:
            instant(u"gap"_s, event.tsUs, QJsonObject{{u"missed"_s, event.as<GapEvent>()->missed}});
            break;
        case EventKind::Bye:
            instant(u"bye"_s, event.tsUs, {});
            break;
        case EventKind::Heartbeat:
            counter(*event.as<HeartbeatEvent>(), event.tsUs);
            break;
        case EventKind::Other:
            break;
        }
    }

    QJsonDocument finish()
    {
        closeAll(m_lastUs, u"unfinished"_s);
        for (auto it = m_requests.begin(); it != m_requests.end(); ++it)
            end(u"request"_s, u"request %1"_s.arg(it.key()), it.key(), m_lastUs, QJsonObject{{u"stage"_s, u"unfinished"_s}});
        m_requests.clear();
        QJsonObject root;
        root.insert(u"traceEvents"_s, m_events);
        root.insert(u"displayTimeUnit"_s, u"ms"_s);
        root.insert(u"otherData"_s, QJsonObject{{u"generator"_s, u"afterwork export --chrome"_s},
                                                 {u"app"_s, m_app},
                                                 {u"instance"_s, m_instance}});
        return QJsonDocument(root);
    }

    qsizetype taskCount() const noexcept { return m_taskCount; }

private:
    struct OpenTask
    {
        QString name;
        TaskPhase phase = TaskPhase::Unknown;
    };

    // Absolute µs since the epoch: a snapshot's tasks may predate the first line, and both viewers
    // show times relative to the trace's start anyway.
    static double rel(qint64 tsUs) { return double(tsUs); }

    QJsonObject base(const QString &ph, const QString &cat, const QString &name, qint64 tsUs) const
    {
        return QJsonObject{{u"ph"_s, ph}, {u"cat"_s, cat}, {u"name"_s, name}, {u"ts"_s, rel(tsUs)},
                           {u"pid"_s, m_pid}, {u"tid"_s, 0}};
    }

    void metadata(const QString &name, const QString &value)
    {
        QJsonObject event{{u"ph"_s, u"M"_s}, {u"name"_s, name}, {u"pid"_s, m_pid}, {u"tid"_s, 0},
                          {u"args"_s, QJsonObject{{u"name"_s, value}}}};
        m_events.append(event);
    }

    void begin(const QString &cat, const QString &name, quint64 id, qint64 tsUs, const QJsonObject &args)
    {
        QJsonObject event = base(u"b"_s, cat, name, tsUs);
        event.insert(u"id"_s, traceId(cat, id));
        event.insert(u"args"_s, args);
        m_events.append(event);
    }
    void mark(const QString &cat, const QString &name, quint64 id, qint64 tsUs, const QJsonObject &args)
    {
        QJsonObject event = base(u"n"_s, cat, name, tsUs);
        event.insert(u"id"_s, traceId(cat, id));
        event.insert(u"args"_s, args);
        m_events.append(event);
    }
    void end(const QString &cat, const QString &name, quint64 id, qint64 tsUs, const QJsonObject &args)
    {
        QJsonObject event = base(u"e"_s, cat, name, tsUs);
        event.insert(u"id"_s, traceId(cat, id));
        event.insert(u"args"_s, args);
        m_events.append(event);
    }
    void instant(const QString &name, qint64 tsUs, const QJsonObject &args)
    {
        QJsonObject event = base(u"i"_s, u"stream"_s, name, tsUs);
        event.insert(u"s"_s, u"g"_s);
        event.insert(u"args"_s, args);
        m_events.append(event);
    }
    void counter(const HeartbeatEvent &heartbeat, qint64 tsUs)
    {
        QJsonObject event = base(u"C"_s, u"engine"_s, u"engine"_s, tsUs);
        QJsonObject args{{u"live"_s, heartbeat.live}};
        if (heartbeat.poolBusy >= 0)
            args.insert(u"pool busy"_s, heartbeat.poolBusy);
        event.insert(u"args"_s, args);
        m_events.append(event);
    }

    static QJsonObject taskArgs(const TaskRecord &task)
    {
        QJsonObject args{{u"id"_s, QString::number(task.id)}, {u"phase"_s, QString(wireName(task.phase))},
                         {u"mode"_s, QString(wireName(task.mode))}, {u"work"_s, QString(wireName(task.work))},
                         {u"shielded"_s, task.shielded}, {u"attempt"_s, task.attempt}};
        if (task.requestId)
            args.insert(u"request"_s, QString::number(task.requestId));
        if (!task.function.isEmpty())
            args.insert(u"function"_s, task.function);
        if (task.error)
            args.insert(u"error"_s, errorJson(*task.error));
        if (task.handlerError)
            args.insert(u"handler_error"_s, errorJson(*task.handlerError));
        if (task.waitUs >= 0)
            args.insert(u"wait_us"_s, task.waitUs);
        if (task.runUs >= 0)
            args.insert(u"run_us"_s, task.runUs);
        return args;
    }

    void step(const TaskRecord &task)
    {
        if (m_ended.contains(task.id))
            return; // one terminal per task; anything later is not drawn
        auto it = m_open.find(task.id);
        if (it == m_open.end()) {
            const qint64 startUs = task.scheduledUs > 0 ? std::min(task.scheduledUs, task.tsUs) : task.tsUs;
            begin(u"task"_s, task.name, task.id, startUs, taskArgs(task));
            if (task.startedUs > 0 && task.startedUs < task.tsUs && task.phase != TaskPhase::Started)
                mark(u"task"_s, u"started"_s, task.id, task.startedUs, {});
            it = m_open.insert(task.id, OpenTask{task.name, TaskPhase::Unknown});
            ++m_taskCount;
        }
        if (it->phase != task.phase)
            mark(u"task"_s, QString(wireName(task.phase)), task.id, task.tsUs, taskArgs(task));
        it->phase = task.phase;
        if (isTerminal(task.phase)) {
            end(u"task"_s, it->name, task.id, task.tsUs, taskArgs(task));
            m_open.erase(it);
            m_ended.insert(task.id);
        }
    }

    void request(const RequestEvent &request, qint64 tsUs)
    {
        const QString name = u"%1 %2"_s.arg(request.method, request.path);
        QJsonObject args{{u"stage"_s, request.stage}, {u"request"_s, QString::number(request.requestId)}};
        if (request.status > 0)
            args.insert(u"status"_s, request.status);
        if (!m_requests.contains(request.requestId)) {
            begin(u"request"_s, u"request %1"_s.arg(request.requestId), request.requestId, tsUs,
                  QJsonObject{{u"method"_s, request.method}, {u"path"_s, request.path}});
            m_requests.insert(request.requestId, name);
        }
        mark(u"request"_s, request.stage, request.requestId, tsUs, args);
        // The request's last word: its response is out, it failed, or its client left.
        if (request.stage == u"response_written"_s || request.stage == u"failed"_s || request.stage == u"client_gone"_s) {
            end(u"request"_s, u"request %1"_s.arg(request.requestId), request.requestId, tsUs, args);
            m_requests.remove(request.requestId);
        }
    }

    void closeAll(qint64 tsUs, const QString &why)
    {
        for (auto it = m_open.begin(); it != m_open.end(); ++it) {
            mark(u"task"_s, why, it.key(), tsUs, {});
            end(u"task"_s, it->name, it.key(), tsUs, QJsonObject{{u"phase"_s, why}});
        }
        m_open.clear();
        m_ended.clear();
    }

    QJsonArray m_events;
    QHash<quint64, OpenTask> m_open;
    QSet<quint64> m_ended;
    QHash<quint64, QString> m_requests;
    qint64 m_lastUs = 0;
    qint64 m_pid = 1;
    QString m_app;
    QString m_instance;
    qsizetype m_taskCount = 0;
};

} // namespace

int runExport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"FILE"_s, u"A recording made by 'afterwork record'."_s);
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

    TraceBuilder builder;
    qint64 malformed = 0;
    if (const auto error = readRecording(path, [&](const QList<StreamLine> &lines) {
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
    if (malformed > 0)
        printError(u"export"_s, u"skipped %1 malformed line(s) of '%2' ('afterwork check' names them)"_s.arg(malformed).arg(path));
    const QByteArray json = builder.finish().toJson(QJsonDocument::Compact);

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
                           .arg(builder.taskCount())
                           .arg(outPath));
    return ExitOk;
}

} // namespace afterwork::cli
