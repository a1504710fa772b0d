// SPDX-License-Identifier: MIT
// The lines of the event stream protocol (docs/protocol.md). Keys are literals with their commas
// and quotes already in place; only values are formatted at run time.

#include <afterwork/protocol.h>

#include <QtCore/QJsonValue>

#include <chrono>

namespace afterwork::protocol {

namespace {

template<qsizetype N>
void appendLiteral(QByteArray &out, const char (&text)[N])
{
    out.append(text, N - 1);
}

void appendBodyStart(QByteArray &out, qint64 tsUs, QLatin1StringView kind)
{
    appendLiteral(out, ",\"ts_us\":");
    json::appendInteger(out, tsUs);
    appendLiteral(out, ",\"kind\":\"");
    out.append(kind.data(), kind.size()); // kinds are plain identifiers (checked by the publisher)
    out.append('"');
}

void appendBodyEnd(QByteArray &out)
{
    appendLiteral(out, "}\n");
}

void appendError(QByteArray &out, const TaskError &error)
{
    appendLiteral(out, "{\"type\":");
    json::appendString(out, error.type);
    appendLiteral(out, ",\"message\":");
    json::appendString(out, error.message);
    out.append('}');
}

void appendWireName(QByteArray &out, QLatin1StringView name)
{
    out.append('"');
    out.append(name.data(), name.size()); // wire names are snake_case ASCII
    out.append('"');
}

// Every task member after `ts_us`, each with its leading comma.
void appendTaskMembers(QByteArray &out, const TaskEvent &event)
{
    appendLiteral(out, ",\"id\":");
    json::appendUnsigned(out, event.taskId);
    appendLiteral(out, ",\"name\":");
    json::appendString(out, event.name);
    appendLiteral(out, ",\"phase\":");
    appendWireName(out, wireName(event.phase));
    if (event.shielded)
        appendLiteral(out, ",\"shielded\":true,\"mode\":");
    else
        appendLiteral(out, ",\"shielded\":false,\"mode\":");
    appendWireName(out, wireName(event.mode));
    appendLiteral(out, ",\"work\":");
    appendWireName(out, wireName(event.work));
    appendLiteral(out, ",\"attempt\":");
    json::appendInteger(out, event.attempt);
    appendLiteral(out, ",\"scheduled_us\":");
    json::appendInteger(out, event.scheduledUs);
    if (event.startedUs > 0) {
        appendLiteral(out, ",\"started_us\":");
        json::appendInteger(out, event.startedUs);
    }
    if (!event.functionLabel.isEmpty()) {
        appendLiteral(out, ",\"function\":");
        json::appendString(out, event.functionLabel);
    }
    if (event.requestId != 0) {
        appendLiteral(out, ",\"request\":");
        json::appendUnsigned(out, event.requestId);
    }
    if (event.error) {
        appendLiteral(out, ",\"error\":");
        appendError(out, *event.error);
    }
    if (event.handlerError) {
        appendLiteral(out, ",\"handler_error\":");
        appendError(out, *event.handlerError);
    }
    if (isTerminal(event.phase)) {
        if (event.waitUs >= 0) {
            appendLiteral(out, ",\"wait_us\":");
            json::appendInteger(out, event.waitUs);
        }
        if (event.runUs >= 0) {
            appendLiteral(out, ",\"run_us\":");
            json::appendInteger(out, event.runUs);
        }
    }
}

void appendShutdownCounts(QByteArray &out, qint64 deadlineUs, int pending, int cancelled, int finished, int abandoned)
{
    appendLiteral(out, ",\"deadline_us\":");
    json::appendInteger(out, deadlineUs);
    appendLiteral(out, ",\"pending\":");
    json::appendInteger(out, pending);
    appendLiteral(out, ",\"cancelled\":");
    json::appendInteger(out, cancelled);
    appendLiteral(out, ",\"finished\":");
    json::appendInteger(out, finished);
    appendLiteral(out, ",\"abandoned\":");
    json::appendInteger(out, abandoned);
}

} // namespace

qint64 nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

QLatin1StringView wireName(ShutdownStage stage) noexcept
{
    switch (stage) {
    case ShutdownStage::Started: return QLatin1StringView("started");
    case ShutdownStage::Progress: return QLatin1StringView("progress");
    case ShutdownStage::Finished: return QLatin1StringView("finished");
    }
    return QLatin1StringView("progress");
}

// ---------------------------------------------------------------------------------------------
// FieldWriter

void FieldWriter::key(QLatin1StringView name)
{
    if (!m_first)
        m_out.append(',');
    m_first = false;
    json::appendString(m_out, name);
    m_out.append(':');
}

FieldWriter &FieldWriter::integer(QLatin1StringView name, qint64 value)
{
    key(name);
    json::appendInteger(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::unsignedInteger(QLatin1StringView name, quint64 value)
{
    key(name);
    json::appendUnsigned(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::boolean(QLatin1StringView name, bool value)
{
    key(name);
    m_out.append(value ? "true" : "false");
    return *this;
}

FieldWriter &FieldWriter::string(QLatin1StringView name, QStringView value)
{
    key(name);
    json::appendString(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::string(QLatin1StringView name, QLatin1StringView value)
{
    key(name);
    json::appendString(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::value(QLatin1StringView name, const QJsonValue &value)
{
    key(name);
    json::appendValue(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::raw(QLatin1StringView name, QByteArrayView json)
{
    key(name);
    m_out.append(json.data(), json.size());
    return *this;
}

FieldWriter &FieldWriter::beginObject(QLatin1StringView name)
{
    key(name);
    m_out.append('{');
    m_first = true;
    return *this;
}

FieldWriter &FieldWriter::endObject()
{
    m_out.append('}');
    m_first = false;
    return *this;
}

// ---------------------------------------------------------------------------------------------
// Lines

void appendLinePrefix(QByteArray &out, quint64 seq)
{
    appendLiteral(out, "{\"v\":1,\"seq\":");
    json::appendUnsigned(out, seq);
}

void appendHelloBody(QByteArray &out, qint64 tsUs, const SourceInfo &source)
{
    appendBodyStart(out, tsUs, QLatin1StringView("hello"));
    appendLiteral(out, ",\"source\":{\"app\":");
    json::appendString(out, source.app);
    appendLiteral(out, ",\"pid\":");
    json::appendInteger(out, source.pid);
    appendLiteral(out, ",\"host\":");
    json::appendString(out, source.host);
    appendLiteral(out, ",\"instance\":");
    json::appendString(out, QLatin1StringView(source.instance.toByteArray(QUuid::WithoutBraces)));
    appendLiteral(out, ",\"started_us\":");
    json::appendInteger(out, source.startedUs);
    out.append('}');
    appendBodyEnd(out);
}

void appendTaskFields(QByteArray &out, const TaskEvent &event)
{
    appendLiteral(out, "\"ts_us\":");
    json::appendInteger(out, event.timestampUs);
    appendTaskMembers(out, event);
}

void appendSnapshotBody(QByteArray &out, qint64 tsUs, const QList<TaskEvent> &liveTasks)
{
    appendBodyStart(out, tsUs, QLatin1StringView("snapshot"));
    appendLiteral(out, ",\"tasks\":[");
    bool first = true;
    for (const TaskEvent &task : liveTasks) {
        if (!first)
            out.append(',');
        first = false;
        out.append('{');
        appendTaskFields(out, task);
        out.append('}');
    }
    out.append(']');
    appendBodyEnd(out);
}

void appendTaskBody(QByteArray &out, const TaskEvent &event)
{
    appendBodyStart(out, event.timestampUs, QLatin1StringView("task"));
    appendTaskMembers(out, event);
    appendBodyEnd(out);
}

void appendHeartbeatBody(QByteArray &out, qint64 tsUs, const HeartbeatInfo &info)
{
    const EngineCounters &c = info.counters;
    appendBodyStart(out, tsUs, QLatin1StringView("heartbeat"));
    appendLiteral(out, ",\"counters\":{\"scheduled\":");
    json::appendUnsigned(out, c.scheduled);
    appendLiteral(out, ",\"started\":");
    json::appendUnsigned(out, c.started);
    appendLiteral(out, ",\"retrying\":");
    json::appendUnsigned(out, c.retried);
    appendLiteral(out, ",\"succeeded\":");
    json::appendUnsigned(out, c.succeeded);
    appendLiteral(out, ",\"failed\":");
    json::appendUnsigned(out, c.failed);
    appendLiteral(out, ",\"cancelled\":");
    json::appendUnsigned(out, c.cancelled);
    appendLiteral(out, ",\"abandoned\":");
    json::appendUnsigned(out, c.abandoned);
    appendLiteral(out, ",\"dropped\":");
    json::appendUnsigned(out, c.dropped);
    appendLiteral(out, ",\"handler_errors\":");
    json::appendUnsigned(out, c.handlerErrors);
    appendLiteral(out, "},\"live\":");
    json::appendInteger(out, c.live);
    appendLiteral(out, ",\"pool\":{\"busy\":");
    json::appendInteger(out, c.poolActive);
    appendLiteral(out, ",\"max\":");
    json::appendInteger(out, c.poolMax);
    appendLiteral(out, "},\"events_dropped\":");
    json::appendUnsigned(out, info.eventsDropped);
    appendLiteral(out, ",\"subscribers\":");
    json::appendInteger(out, info.subscribers);
    appendBodyEnd(out);
}

void appendGapBody(QByteArray &out, qint64 tsUs, quint64 missed)
{
    appendBodyStart(out, tsUs, QLatin1StringView("gap"));
    appendLiteral(out, ",\"missed\":");
    json::appendUnsigned(out, missed);
    appendBodyEnd(out);
}

void appendShutdownBody(QByteArray &out, qint64 tsUs, ShutdownStage stage, const ShutdownProgress &progress)
{
    appendBodyStart(out, tsUs, QLatin1StringView("shutdown"));
    appendLiteral(out, ",\"stage\":");
    appendWireName(out, wireName(stage));
    appendShutdownCounts(out, progress.deadlineUs, progress.pending, progress.cancelled, progress.finished,
                         progress.abandoned);
    appendBodyEnd(out);
}

void appendShutdownFinishedBody(QByteArray &out, qint64 tsUs, qint64 deadlineUs, const ShutdownReport &report)
{
    appendBodyStart(out, tsUs, QLatin1StringView("shutdown"));
    appendLiteral(out, ",\"stage\":\"finished\"");
    appendShutdownCounts(out, deadlineUs, 0, report.cancelled, report.finished, report.abandoned);
    appendLiteral(out, ",\"dropped\":");
    json::appendInteger(out, report.dropped);
    if (report.deadlineReached)
        appendLiteral(out, ",\"deadline_reached\":true");
    else
        appendLiteral(out, ",\"deadline_reached\":false");
    appendLiteral(out, ",\"elapsed_ms\":");
    json::appendInteger(out, report.elapsedMs);
    appendBodyEnd(out);
}

void appendByeBody(QByteArray &out, qint64 tsUs)
{
    appendBodyStart(out, tsUs, QLatin1StringView("bye"));
    appendBodyEnd(out);
}

void appendEventBody(QByteArray &out, qint64 tsUs, QLatin1StringView kind, QByteArrayView encodedFields)
{
    appendBodyStart(out, tsUs, kind);
    if (!encodedFields.isEmpty()) {
        out.append(',');
        out.append(encodedFields.data(), encodedFields.size());
    }
    appendBodyEnd(out);
}

QByteArray makeLine(quint64 seq, QByteArrayView body)
{
    QByteArray line;
    line.reserve(32 + body.size());
    appendLinePrefix(line, seq);
    line.append(body.data(), body.size());
    return line;
}

} // namespace afterwork::protocol
