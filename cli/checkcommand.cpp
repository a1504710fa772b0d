// SPDX-License-Identifier: MIT
// `afterwork check`: a recording's invariants, per source, each violation named with its line.
#include "clicommon.h"
#include "commands.h"
#include "recording.h"

#include <QtCore/QHash>

#include <algorithm>
#include <memory>
#include <vector>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

struct Violation
{
    qint64 line = 0;
    QString message;
};

//! The invariants of docs/cli.md ("check"), fed line by line.
class RecordingChecker
{
public:
    void add(const StreamLine &line)
    {
        ++m_lines;
        const StreamEvent *event = line.event();
        if (m_byeLine > 0) {
            if (m_afterByeCount++ == 0)
                m_afterByeFirst = line.lineNumber;
            return;
        }
        if (!event) {
            report(line.lineNumber, u"malformed line: %1"_s.arg(line.error()->toString()));
            return;
        }
        if (!m_sawEvent) {
            m_sawEvent = true;
            if (event->kind() != EventKind::Hello)
                report(line.lineNumber, u"the stream starts with a '%1' line, not hello"_s.arg(wireName(event->kind())));
        }
        checkSeq(*event, line.lineNumber);
        switch (event->kind()) {
        case EventKind::Hello: {
            const QString &instance = event->as<HelloEvent>()->source.instance;
            if (instance != m_instance) {
                // A different run: its tasks, requests and shutdown are its own.
                m_tasks.clear();
                m_requests.clear();
                m_afterResponseStarts.clear();
                m_shutdownLine = 0;
                m_instance = instance;
            }
            break;
        }
        case EventKind::Snapshot:
            snapshot(*event->as<SnapshotEvent>(), line.lineNumber);
            break;
        case EventKind::Task:
            task(*event->as<TaskRecord>(), line.lineNumber, false);
            break;
        case EventKind::Shutdown:
            if (event->as<ShutdownEvent>()->stage == wireName(ShutdownStage::Started) && m_shutdownLine == 0)
                m_shutdownLine = line.lineNumber;
            break;
        case EventKind::Request: {
            const RequestEvent &request = *event->as<RequestEvent>();
            RequestInfo &info = m_requests[request.requestId];
            // After-response work may start once the response is out, or once its client left.
            if ((request.stage == wireName(RequestStage::ResponseWritten) || request.stage == wireName(RequestStage::ClientGone)) && info.doneLine == 0)
                info.doneLine = line.lineNumber;
            break;
        }
        case EventKind::Bye:
            m_byeLine = line.lineNumber;
            break;
        case EventKind::Progress:
            progress(*event->as<ProgressEvent>(), line.lineNumber);
            break;
        case EventKind::Heartbeat:
        case EventKind::Gap:
        case EventKind::Reply:
        case EventKind::Other:
            break;
        }
    }

    void finish()
    {
        if (m_lines == 0)
            report(0, u"the recording is empty"_s);
        if (m_afterByeCount > 0)
            report(m_afterByeFirst, u"%1 line(s) after the bye at line %2: nothing may follow bye"_s.arg(m_afterByeCount).arg(m_byeLine));
        if (m_byeLine > 0) {
            QList<quint64> ids = m_tasks.keys();
            std::sort(ids.begin(), ids.end());
            for (const quint64 id : ids) {
                const TaskInfo &info = m_tasks[id];
                if (info.live)
                    report(info.lastLine, u"task %1 (%2) never ended: last seen %3 here, and the stream ended with bye at line %4"_s
                                              .arg(id)
                                              .arg(info.name, wireName(info.lastPhase))
                                              .arg(m_byeLine));
            }
        }
        for (const AfterResponseStart &start : std::as_const(m_afterResponseStarts)) {
            const auto request = m_requests.constFind(start.requestId);
            if (request == m_requests.cend())
                continue; // the stream says nothing about this request
            if (request->doneLine == 0 || request->doneLine > start.line)
                report(start.line, u"after-response task %1 (%2) started before request %3's response was written%4"_s
                                       .arg(start.taskId)
                                       .arg(start.name)
                                       .arg(start.requestId)
                                       .arg(request->doneLine == 0 ? u" (it never was)"_s
                                                                   : u" (at line %1)"_s.arg(request->doneLine)));
        }
        std::stable_sort(m_violations.begin(), m_violations.end(),
                         [](const Violation &a, const Violation &b) { return a.line < b.line; });
    }

    const QList<Violation> &violations() const noexcept { return m_violations; }
    qint64 lineCount() const noexcept { return m_lines; }
    qsizetype taskCount() const noexcept { return m_taskCount; }
    bool endedWithBye() const noexcept { return m_byeLine > 0; }

private:
    struct TaskInfo
    {
        QString name;
        Phase lastPhase = Phase::Unknown;
        qint64 lastLine = 0;
        Phase terminalPhase = Phase::Unknown;
        qint64 terminalLine = 0;
        bool live = false;
    };
    struct RequestInfo
    {
        qint64 doneLine = 0;
    };
    struct AfterResponseStart
    {
        qint64 line;
        quint64 taskId;
        quint64 requestId;
        QString name;
    };

    void report(qint64 line, const QString &message) { m_violations.append({line, message}); }

    void checkSeq(const StreamEvent &event, qint64 line)
    {
        if (event.kind() == EventKind::Hello) {
            if (event.seq != 0)
                report(line, u"hello has seq %1: a connection's hello is seq 0"_s.arg(event.seq));
            m_previousSeq = event.seq;
            m_previousSeqLine = line;
            return;
        }
        if (m_previousSeq) {
            const GapEvent *gap = event.as<GapEvent>();
            const quint64 expected = *m_previousSeq + 1 + (gap ? quint64(gap->missed) : 0);
            if (event.seq != expected) {
                if (gap)
                    report(line, u"gap says %1 event(s) were missed, so its seq should be %2 (line %3 had %4), not %5"_s
                                     .arg(gap->missed)
                                     .arg(expected)
                                     .arg(m_previousSeqLine)
                                     .arg(*m_previousSeq)
                                     .arg(event.seq));
                else if (event.seq > *m_previousSeq)
                    report(line, u"seq jumps from %1 (line %2) to %3 with no gap line saying what was missed"_s
                                     .arg(*m_previousSeq)
                                     .arg(m_previousSeqLine)
                                     .arg(event.seq));
                else
                    report(line, u"seq %1 does not increase (line %2 had %3)"_s.arg(event.seq).arg(m_previousSeqLine).arg(*m_previousSeq));
            }
        }
        m_previousSeq = event.seq;
        m_previousSeqLine = line;
    }

    void snapshot(const SnapshotEvent &snapshot, qint64 line)
    {
        // Tasks it no longer lists ended while the reader was not looking (after a gap).
        QSet<quint64> listed;
        for (const TaskRecord &task : snapshot.tasks)
            listed.insert(task.id);
        for (auto it = m_tasks.begin(); it != m_tasks.end(); ++it) {
            if (it->live && !listed.contains(it.key()))
                it->live = false;
        }
        for (const TaskRecord &record : snapshot.tasks)
            task(record, line, true);
    }

    //! Progress never follows a task's end (invariant 4); one for a task not seen yet is fine (a
    //! recording may start after its task line).
    void progress(const ProgressEvent &progress, qint64 line)
    {
        const auto it = m_tasks.constFind(progress.taskId);
        if (it != m_tasks.cend() && it->terminalLine > 0)
            report(line, u"task %1 (%2) reported progress after it ended (%3 at line %4)"_s.arg(progress.taskId)
                             .arg(it->name, wireName(it->terminalPhase))
                             .arg(it->terminalLine));
    }

    void task(const TaskRecord &task, qint64 line, bool fromSnapshot)
    {
        auto it = m_tasks.find(task.id);
        if (it == m_tasks.end()) {
            it = m_tasks.insert(task.id, TaskInfo{});
            ++m_taskCount;
        }
        TaskInfo &info = *it;
        if (info.terminalLine > 0) {
            if (fromSnapshot)
                report(line, u"the snapshot lists task %1 (%2) as live, but it ended (%3) at line %4"_s.arg(task.id)
                                 .arg(task.name, wireName(info.terminalPhase))
                                 .arg(info.terminalLine));
            else if (isTerminal(task.phase))
                report(line, u"task %1 (%2) ended a second time (%3; it was %4 at line %5): exactly one terminal phase per task"_s
                                 .arg(task.id)
                                 .arg(task.name, wireName(task.phase), wireName(info.terminalPhase))
                                 .arg(info.terminalLine));
            else
                report(line, u"task %1 (%2) reported %3 after it ended (%4 at line %5)"_s.arg(task.id)
                                 .arg(task.name, wireName(task.phase), wireName(info.terminalPhase))
                                 .arg(info.terminalLine));
            return;
        }
        info.name = task.name;
        info.lastPhase = task.phase;
        info.lastLine = line;
        info.live = !isTerminal(task.phase);
        if (isTerminal(task.phase)) {
            info.terminalPhase = task.phase;
            info.terminalLine = line;
        }
        if (fromSnapshot)
            return;
        if (task.phase == Phase::Cancelled && task.shielded && m_shutdownLine > 0)
            report(line, u"shielded task %1 (%2) was cancelled by the shutdown that started at line %3"_s.arg(task.id)
                             .arg(task.name)
                             .arg(m_shutdownLine));
        if (task.phase == Phase::Started && task.mode == Mode::AfterResponse && task.requestId != 0)
            m_afterResponseStarts.append({line, task.id, task.requestId, task.name});
    }

    QList<Violation> m_violations;
    qint64 m_lines = 0;
    bool m_sawEvent = false;
    std::optional<quint64> m_previousSeq;
    qint64 m_previousSeqLine = 0;
    qint64 m_byeLine = 0;
    qint64 m_afterByeFirst = 0;
    qint64 m_afterByeCount = 0;
    qint64 m_shutdownLine = 0;
    QString m_instance;
    QHash<quint64, TaskInfo> m_tasks;
    QHash<quint64, RequestInfo> m_requests;
    QList<AfterResponseStart> m_afterResponseStarts;
    qsizetype m_taskCount = 0;
};

} // namespace

int runCheck(const QStringList &arguments)
{
    QCommandLineParser parser;
    addRecordingArgument(parser);
    if (const int code = parseSubcommand(parser, u"check"_s, arguments,
                                         u"Check a recording's invariants and name each violation with its line.\n"
                                         "Exit status: 0 clean, 1 violations, 2 usage or read error."_s);
        code >= 0)
        return code;
    const std::optional<QString> file = recordingArgument(parser, u"check"_s);
    if (!file)
        return ExitUsage;
    const QString path = *file;
    // Each source is its own stream, checked on its own (a recording of one is one unnamed source),
    // all of them as the file is read once.
    std::vector<std::unique_ptr<RecordingChecker>> checkers; // by source index
    QStringList sources;
    if (const auto error = readRecordingBySource(
            path,
            [&checkers](const QString &, qsizetype index, const QList<StreamLine> &lines) {
                if (index == qsizetype(checkers.size()))
                    checkers.push_back(std::make_unique<RecordingChecker>());
                for (const StreamLine &line : lines)
                    checkers[index]->add(line);
            },
            &sources)) {
        printError(u"check"_s, *error);
        return ExitUsage;
    }
    // The one source of a recording without lines has no checker yet: its checker says it is empty.
    while (checkers.size() < size_t(sources.size()))
        checkers.push_back(std::make_unique<RecordingChecker>());
    struct Named
    {
        Violation violation;
        QString source;
    };
    QList<Named> violations;
    qint64 lines = 0;
    QStringList summaries;
    for (qsizetype index = 0; index < sources.size(); ++index) {
        const QString &source = sources[index];
        RecordingChecker *checker = checkers[index].get();
        checker->finish();
        for (const Violation &violation : checker->violations())
            violations.append({violation, source});
        lines += checker->lineCount();
        summaries << u"%1%2 lines, %3 tasks, %4"_s.arg(labelPrefix(source))
                         .arg(checker->lineCount())
                         .arg(checker->taskCount())
                         .arg(checker->endedWithBye() ? u"ended with bye"_s : u"ended without bye"_s);
    }
    std::stable_sort(violations.begin(), violations.end(),
                     [](const Named &a, const Named &b) { return a.violation.line < b.violation.line; });

    Output &out = Output::out();
    for (const Named &named : std::as_const(violations))
        out.line(u"%1:%2: %3%4"_s.arg(path).arg(named.violation.line).arg(labelPrefix(named.source), named.violation.message));
    if (violations.isEmpty()) {
        out.line(u"%1: ok: %2"_s.arg(path, summaries.join(u"; "_s)));
        return ExitOk;
    }
    out.line(u"%1: %2 violation(s) in %3 lines"_s.arg(path).arg(violations.size()).arg(lines));
    return ExitFailure;
}

} // namespace afterwork::cli
