// SPDX-License-Identifier: MIT
#include "connectionguard.h"

#include "logging.h"
#include "wire.h"

#include <QtNetwork/QTcpSocket>

#include <cstring>

namespace afterwork::http::detail {

namespace {

//! The two headers the guard acts on, read from a request's header block in one pass.
struct GuardedHeaders
{
    QByteArrayView expect;        //!< trimmed; empty if absent
    QByteArrayView contentLength; //!< trimmed; null if absent
};

//! Where the next '\n' of \a bytes is at or after \a from; -1 if none. memchr: the guard reads
//! every request's header block, and QByteArrayView::indexOf() of a two-byte needle costs several
//! times as much. Lines end at '\n' (the '\r' before it is trimmed with the value), so a bare
//! '\n' ends one too: the guard would rather see a header a lenient parser accepts than miss it.
qsizetype nextNewline(QByteArrayView bytes, qsizetype from)
{
    if (from >= bytes.size())
        return -1;
    const auto *found = static_cast<const char *>(std::memchr(bytes.data() + from, '\n', size_t(bytes.size() - from)));
    return found ? found - bytes.data() : -1;
}

//! Where \a bytes has its first "\r\n\r\n" (the end of a header block); -1 if nowhere.
qsizetype headerBlockEnd(QByteArrayView bytes)
{
    for (qsizetype at = nextNewline(bytes, 0); at >= 0; at = nextNewline(bytes, at + 1)) {
        if (at >= 3 && bytes[at - 1] == '\r' && bytes[at - 2] == '\n' && bytes[at - 3] == '\r')
            return at - 3;
    }
    return -1;
}

GuardedHeaders guardedHeaders(QByteArrayView head)
{
    GuardedHeaders found;
    qsizetype lineStart = nextNewline(head, 0) + 1; // skip the request line
    while (lineStart > 0 && lineStart < head.size()) {
        qsizetype lineEnd = nextNewline(head, lineStart);
        if (lineEnd < 0)
            lineEnd = head.size();
        const QByteArrayView line = head.sliced(lineStart, lineEnd - lineStart); // with its '\r'
        lineStart = lineEnd + 1;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArrayView name = line.first(colon).trimmed();
        // The first of a repeated header counts, as it always has here.
        if (found.contentLength.isNull() && isHeaderNamed(name, "content-length"))
            found.contentLength = line.sliced(colon + 1).trimmed();
        else if (found.expect.isNull() && isHeaderNamed(name, "expect"))
            found.expect = line.sliced(colon + 1).trimmed();
    }
    return found;
}

} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, GuardLimits limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
{
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcHttp) << "a refused request's body did not arrive in time; closing its connection";
        m_socket->abort();
    });
}

void ConnectionGuard::onReadyRead()
{
    if (m_state == State::Draining) {
        drain();
        return;
    }
    // The server keeps a read transaction open while a request is incomplete and commits it
    // once the request is whole, so no transaction means this data starts a new request.
    // Inside a transaction peek() shows only the bytes the server has not read yet: the new ones.
    if (!m_socket->isTransactionStarted()) {
        m_state = State::ReadingHeaders;
        m_head.clear();
    } else if (m_state != State::ReadingHeaders) {
        return; // body bytes of a request already inspected
    }
    const qint64 room = m_limits.maxHeaderBytes + 4 - m_head.size();
    m_head += m_socket->peek(qMax<qint64>(0, qMin(room, m_socket->bytesAvailable())));
    const qsizetype headerEnd = headerBlockEnd(m_head);
    if (headerEnd >= 0)
        inspectHeaders(headerEnd);
    else if (m_head.size() > m_limits.maxHeaderBytes)
        refuse(431, "Request header fields too large", 0);
}

void ConnectionGuard::inspectHeaders(qsizetype headerEnd)
{
    const QByteArrayView head = QByteArrayView(m_head).first(headerEnd + 2);
    m_state = State::Passed;
    const GuardedHeaders headers = guardedHeaders(head);
    const bool expectsContinue = headers.expect.compare("100-continue", Qt::CaseInsensitive) == 0;
    bool lengthOk = true;
    const qint64 length = headers.contentLength.isNull() ? 0 : headers.contentLength.toLongLong(&lengthOk);
    const qint64 requestBytes = headerEnd + 4 + length;
    m_head.clear();
    if (lengthOk && length > m_limits.maxBodyBytes) {
        // A client waiting for `100 Continue` sends no body: nothing to drain.
        refuse(413, "Request body too large (limit " + QByteArray::number(m_limits.maxBodyBytes) + " bytes)",
               expectsContinue ? 0 : requestBytes);
        return;
    }
    // Where the server never answers it, a client waits (curl: 1 s) before sending the body.
    if (expectsContinue && m_limits.sendContinue)
        m_socket->write(continueResponse());
}

void ConnectionGuard::refuse(int status, const QByteArray &detail, qint64 requestBytes)
{
    // From here on this guard owns the connection: the server must not parse what follows, so
    // every other reader is cut (disconnecting during the emission also skips the readers after us).
    QObject::disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    if (m_socket->isTransactionStarted())
        m_socket->rollbackTransaction(); // back to the request's first byte
    const qint64 received = m_socket->skip(m_socket->bytesAvailable());
    m_head.clear();
    m_socket->write(serializeResponse(Response::error(status, QString::fromUtf8(detail)), true));
    qCInfo(lcHttp).noquote() << "refused a request at the header stage:" << status << detail;

    // A client still uploading gets its body read and discarded, so that it sees our answer
    // rather than a connection reset.
    m_drainRemaining = requestBytes - received;
    if (m_drainRemaining <= 0) {
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Draining;
    m_drainTimer.start(m_limits.drainTimeout);
}

void ConnectionGuard::drain()
{
    m_drainRemaining -= m_socket->skip(m_socket->bytesAvailable());
    if (m_drainRemaining <= 0) {
        m_drainTimer.stop();
        m_socket->disconnectFromHost();
    }
}

GuardedTcpServer::GuardedTcpServer(GuardLimits limits, ConnectionAccepted accepted, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_accepted(std::move(accepted))
{
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcHttp) << "could not take an incoming connection:" << socket->errorString();
        delete socket;
        return;
    }
    new ConnectionGuard(socket, m_limits);
    if (m_accepted)
        m_accepted(socket);
    addPendingConnection(socket);
}

} // namespace afterwork::http::detail
