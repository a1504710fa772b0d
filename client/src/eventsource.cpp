// SPDX-License-Identifier: MIT
#include <afterwork/client/eventsource.h>
#include <afterwork/client/lineparser.h>

#include "linesplitter.h"

#include <QtCore/QPointer>

#include <algorithm>

namespace afterwork::client {

using detail::LineSplitter;

EventSource::EventSource(QObject *parent)
    : QObject(parent), m_splitter(std::make_unique<LineSplitter>(DefaultMaxLineBytes))
{
    qRegisterMetaType<afterwork::client::StreamLine>();
    qRegisterMetaType<QList<afterwork::client::StreamLine>>();
    qRegisterMetaType<afterwork::client::SourceInfo>();
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] { retryNow(); });
}

EventSource::~EventSource() = default;

bool EventSource::sendCommand(const protocol::Command &)
{
    return false;
}

void EventSource::retryOrFinish(const RetryPolicy &policy, bool slowly)
{
    if (!policy.reconnect) {
        setState(State::Finished);
        Q_EMIT finished();
        return;
    }
    // 100 ms, 200 ms, 400 ms, ... capped.
    const int shift = std::min(m_failuresInARow, 20);
    const qint64 delay = slowly ? policy.maxBackoff.count()
                                : std::min<qint64>(policy.initialBackoff.count() << shift, policy.maxBackoff.count());
    ++m_failuresInARow;
    setState(State::Reconnecting);
    Q_EMIT reconnecting(m_failuresInARow, int(delay));
    if (m_state == State::Reconnecting) // a receiver may have stopped it
        m_retryTimer.start(std::chrono::milliseconds(delay));
}

void EventSource::setMaxLineBytes(qsizetype bytes)
{
    m_maxLineBytes = bytes;
    m_splitter->setMaxLineBytes(bytes);
}

void EventSource::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void EventSource::beginConnection()
{
    m_splitter->reset();
    m_previousSeq.reset();
    m_byeSeen = false;
    m_lineNumber = 0;
}

StreamLine EventSource::makeLine(QByteArray bytes)
{
    StreamLine line;
    line.lineNumber = m_lineNumber;
    line.parsed = parseLine(bytes);
    line.bytes = std::move(bytes);
    return line;
}

QList<StreamLine> EventSource::parseBytes(QByteArrayView bytes)
{
    QList<LineSplitter::Line> pieces;
    m_splitter->feed(bytes, pieces);
    QList<StreamLine> lines;
    lines.reserve(pieces.size());
    for (LineSplitter::Line &piece : pieces) {
        ++m_lineNumber;
        if (piece.oversized) {
            StreamLine line;
            line.lineNumber = m_lineNumber;
            line.parsed = ParseError{0, QStringLiteral("line of %1 bytes exceeds the limit of %2 bytes")
                                            .arg(piece.fullSize)
                                            .arg(m_maxLineBytes)};
            line.bytes = std::move(piece.bytes);
            lines.append(std::move(line));
            continue;
        }
        if (detail::isBlankLine(piece.bytes))
            continue;
        lines.append(makeLine(std::move(piece.bytes)));
    }
    return lines;
}

QList<StreamLine> EventSource::takeRemainder()
{
    LineSplitter::Line piece;
    if (!m_splitter->takeRemainder(piece))
        return {};
    ++m_lineNumber;
    StreamLine line;
    if (piece.oversized) {
        line.lineNumber = m_lineNumber;
        line.parsed = ParseError{0, QStringLiteral("line of %1 bytes exceeds the limit of %2 bytes")
                                        .arg(piece.fullSize)
                                        .arg(m_maxLineBytes)};
        line.bytes = std::move(piece.bytes);
    } else {
        line = makeLine(std::move(piece.bytes));
    }
    return {std::move(line)};
}

void EventSource::ingest(QByteArrayView bytes)
{
    deliver(parseBytes(bytes));
}

void EventSource::deliver(QList<StreamLine> lines)
{
    // A slot may stop or delete this source while it handles a signal: stop delivering then.
    const QPointer<EventSource> self(this);
    const State stateAtStart = m_state;
    const auto stillDelivering = [&] { return self && m_state == stateAtStart; };

    // Lines [pending, end) go out as one batch. Usually that is the whole list, handed on as it is;
    // only a gap or a new instance splits it, so that its signal comes between the lines around it.
    qsizetype pending = 0;
    const auto flushBefore = [&](qsizetype end) {
        if (end == pending)
            return true;
        QList<StreamLine> batch;
        if (pending == 0 && end == lines.size()) {
            batch = std::move(lines);
        } else {
            batch.reserve(end - pending);
            for (qsizetype i = pending; i < end; ++i)
                batch.append(std::move(lines[i]));
        }
        pending = end;
        Q_EMIT linesReceived(batch);
        return stillDelivering();
    };

    for (qsizetype index = 0; index < lines.size(); ++index) {
        const StreamLine &line = lines.at(index);
        ++m_lineCount;
        const StreamEvent *event = line.event();
        if (!event) {
            ++m_malformedCount;
        } else if (const auto *hello = event->as<HelloEvent>()) {
            // A hello starts a connection's numbering; a new instance is a restarted source.
            if (m_source && m_source->instance != hello->source.instance) {
                const SourceInfo previous = *m_source;
                m_source = hello->source;
                if (!flushBefore(index))
                    return;
                Q_EMIT instanceChanged(previous, hello->source);
                if (!stillDelivering())
                    return;
            } else {
                m_source = hello->source;
            }
            m_previousSeq = event->seq;
            // A connection that got this far resets the backoff: a server that accepts and drops
            // at once is still retried slowly.
            m_failuresInARow = 0;
        } else {
            if (m_previousSeq) {
                quint64 expected = *m_previousSeq + 1;
                if (const auto *gap = event->as<GapEvent>())
                    expected += quint64(gap->missed);
                if (event->seq != expected) {
                    if (!flushBefore(index))
                        return;
                    Q_EMIT sequenceGap(expected, event->seq, line.lineNumber);
                    if (!stillDelivering())
                        return;
                }
            }
            m_previousSeq = event->seq;
            if (event->kind() == EventKind::Bye)
                m_byeSeen = true;
        }
    }
    flushBefore(lines.size());
}

void EventSource::endConnection()
{
    const QPointer<EventSource> self(this);
    QList<StreamLine> rest = takeRemainder();
    if (!rest.isEmpty()) {
        deliver(std::move(rest));
        if (!self)
            return;
    }
    Q_EMIT disconnected(m_byeSeen);
}

} // namespace afterwork::client
