// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/enginestatus.h>
#include <afterwork/taskevent.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringView>
#include <QtCore/QUuid>

QT_BEGIN_NAMESPACE
class QJsonObject;
class QJsonValue;
QT_END_NAMESPACE

//! The encoder of the event stream protocol (docs/protocol.md), built by hand for speed.
//!
//! A line is a per-connection prefix followed by a body that every connection shares:
//!     appendLinePrefix(seq)  ->  {"v":1,"seq":N
//!     append*Body(...)       ->  ,"ts_us":T,"kind":"...",...}\n
//! so an event is encoded once and each subscriber only adds its own `seq`.
namespace afterwork::protocol {

inline constexpr int version = 1;
//! The longest line a subscriber may send, newline included.
inline constexpr qsizetype maxInputLineBytes = 4096;

//! Microseconds since the Unix epoch, from the wall clock.
qint64 nowUs();

namespace json {
//! Appends \a text as a JSON string (quoted, escaped, UTF-8; lone surrogates become U+FFFD).
void appendString(QByteArray &out, QStringView text);
void appendString(QByteArray &out, QLatin1StringView text);
void appendInteger(QByteArray &out, qint64 value);
void appendUnsigned(QByteArray &out, quint64 value);
//! Appends any QJsonValue compactly; numbers that are integers print without a fraction,
//! non-finite numbers print as null.
void appendValue(QByteArray &out, const QJsonValue &value);
void appendObject(QByteArray &out, const QJsonObject &object);
} // namespace json

//! Appends `"name":value` members separated by commas: the fields of one JSON object, without its
//! braces. The HTTP layer builds its `request` events' fields with it (EventPublisher::publishEncoded).
class FieldWriter
{
public:
    //! \a continuing: the object already has members, so the first field starts with a comma.
    explicit FieldWriter(QByteArray &out, bool continuing = false) : m_out(out), m_first(!continuing) {}

    FieldWriter &integer(QLatin1StringView name, qint64 value);
    FieldWriter &unsignedInteger(QLatin1StringView name, quint64 value);
    FieldWriter &boolean(QLatin1StringView name, bool value);
    FieldWriter &string(QLatin1StringView name, QStringView value);
    FieldWriter &string(QLatin1StringView name, QLatin1StringView value);
    FieldWriter &value(QLatin1StringView name, const QJsonValue &value);
    //! \a json must be one compact JSON value.
    FieldWriter &raw(QLatin1StringView name, QByteArrayView json);
    //! Opens a nested object: its fields follow, then endObject().
    FieldWriter &beginObject(QLatin1StringView name);
    FieldWriter &endObject();

private:
    void key(QLatin1StringView name);
    QByteArray &m_out;
    bool m_first;
};

//! Who publishes: the `source` object of `hello`.
struct SourceInfo
{
    QString app;
    qint64 pid = 0;
    QString host;
    QUuid instance;
    qint64 startedUs = 0;
};

enum class ShutdownStage : quint8 { Started, Progress, Finished };
QLatin1StringView wireName(ShutdownStage stage) noexcept;

//! What a `heartbeat` says besides the engine's counters.
struct HeartbeatInfo
{
    EngineCounters counters;
    quint64 eventsDropped = 0;
    int subscribers = 0;
};

//! `{"v":1,"seq":N` — opens a line.
void appendLinePrefix(QByteArray &out, quint64 seq);

// Bodies: each starts with `,"ts_us":` and ends the line with `}\n`.
void appendHelloBody(QByteArray &out, qint64 tsUs, const SourceInfo &source);
void appendSnapshotBody(QByteArray &out, qint64 tsUs, const QList<TaskEvent> &liveTasks);
//! The step's own time (TaskEvent::timestampUs) is the line's `ts_us`.
void appendTaskBody(QByteArray &out, const TaskEvent &event);
void appendHeartbeatBody(QByteArray &out, qint64 tsUs, const HeartbeatInfo &info);
void appendGapBody(QByteArray &out, qint64 tsUs, quint64 missed);
void appendShutdownBody(QByteArray &out, qint64 tsUs, ShutdownStage stage, const ShutdownProgress &progress);
void appendShutdownFinishedBody(QByteArray &out, qint64 tsUs, qint64 deadlineUs, const ShutdownReport &report);
void appendByeBody(QByteArray &out, qint64 tsUs);
//! Any other kind: \a encodedFields are compact `"name":value` members (possibly empty), e.g.
//! built with FieldWriter.
void appendEventBody(QByteArray &out, qint64 tsUs, QLatin1StringView kind, QByteArrayView encodedFields);

//! The fields of one task (as in a `task` line, without `kind`), `ts_us` included; used for the
//! `task` line and for each element of a snapshot.
void appendTaskFields(QByteArray &out, const TaskEvent &event);

//! prefix + body: one complete line, for tools and tests.
QByteArray makeLine(quint64 seq, QByteArrayView body);

} // namespace afterwork::protocol
