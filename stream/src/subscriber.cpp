// SPDX-License-Identifier: MIT
#include "subscriber.h"

#include "streamsocket.h"

#include <QtCore/QIODevice>

#include <utility>

namespace afterwork::detail {

namespace {
// A subscriber has nothing to say in protocol version 1 beyond the odd command line; more than
// this within one second is a flood, and is treated like malformed input.
constexpr qint64 maxInputBytesPerSecond = 64 * 1024;
constexpr qsizetype initialPendingCapacity = 16 * 1024;
} // namespace

Subscriber::Subscriber(QIODevice *socket, qsizetype maxQueuedBytes)
    : m_socket(socket)
    , m_maxQueuedBytes(maxQueuedBytes)
    , m_budget(maxQueuedBytes)
{
    m_inputWindow.start();
    m_commandWindow.start();
}

quint64 Subscriber::overflow()
{
    const quint64 lost = m_pendingEvents + 1;
    m_missed += lost;
    ++m_nextSeq;
    m_pending = QByteArray(); // release the memory, not just the contents
    m_pendingEvents = 0;
    m_lagging = true;
    return lost;
}

void Subscriber::pushOwn(QByteArrayView body)
{
    appendLine(body);
}

void Subscriber::resume(QByteArrayView snapshotBody)
{
    QByteArray gap;
    protocol::appendGapBody(gap, protocol::nowUs(), m_missed);
    m_lagging = false;
    m_missed = 0;
    pushOwn(gap);
    pushOwn(snapshotBody);
    allowSnapshot(snapshotBody.size());
    for (const QByteArray &reply : std::exchange(m_deferredReplies, {}))
        pushOwn(reply);
}

void Subscriber::pushReply(QByteArrayView body)
{
    if (m_lagging)
        m_deferredReplies.append(body.toByteArray());
    else
        pushOwn(body);
}

bool Subscriber::takeCommandToken()
{
    if (m_commandWindow.elapsed() >= 1000) {
        m_commandWindow.restart();
        m_commandsInWindow = 0;
    }
    return ++m_commandsInWindow <= protocol::maxCommandsPerSecond;
}

void Subscriber::writePending()
{
    if (!m_pending.isEmpty()) {
        // QIODevice::write(const QByteArray &) keeps a reference instead of copying; start a
        // fresh buffer rather than detach this one.
        m_socket->write(m_pending);
        m_pending = QByteArray();
        m_pending.reserve(initialPendingCapacity);
        m_pendingEvents = 0;
    }
    flushSocket(m_socket); // write what the kernel takes now, not on the next loop iteration
    updateBacklog();
}

void Subscriber::updateBacklog()
{
    m_backlog = socketBacklog(m_socket);
}

bool Subscriber::readInput(QString *reason, std::vector<protocol::ParsedInput> *commands)
{
    const QByteArray data = m_socket->readAll();
    if (m_inputWindow.elapsed() >= 1000) {
        m_inputWindow.restart();
        m_inputWindowBytes = 0;
    }
    m_inputWindowBytes += data.size();
    if (m_inputWindowBytes > maxInputBytesPerSecond) {
        *reason = QStringLiteral("sent more than %1 bytes in a second").arg(maxInputBytesPerSecond);
        return false;
    }
    m_input.append(data);

    qsizetype lineStart = 0;
    for (;;) {
        const qsizetype newline = m_input.indexOf('\n', lineStart);
        if (newline < 0)
            break;
        const qsizetype lineBytes = newline + 1 - lineStart;
        if (lineBytes > protocol::maxInputLineBytes) {
            *reason = QStringLiteral("sent a line longer than %1 bytes").arg(protocol::maxInputLineBytes);
            return false;
        }
        protocol::ParsedInput input =
            protocol::parseSubscriberLine(QByteArrayView(m_input).sliced(lineStart, lineBytes - 1));
        if (input.verdict == protocol::ParsedInput::Malformed) {
            *reason = QStringLiteral("sent ") + input.reason;
            return false;
        }
        if (input.verdict != protocol::ParsedInput::Ignored) // an object without `cmd` is reserved
            commands->push_back(std::move(input));
        lineStart = newline + 1;
    }
    m_input.remove(0, lineStart);
    if (m_input.size() >= protocol::maxInputLineBytes) {
        *reason = QStringLiteral("sent more than %1 bytes without a newline").arg(protocol::maxInputLineBytes);
        return false;
    }
    return true;
}

} // namespace afterwork::detail
