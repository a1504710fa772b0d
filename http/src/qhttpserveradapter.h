// SPDX-License-Identifier: MIT
#pragma once

// The one place that talks to QtHttpServer, for Qt 6.4 and Qt 6.8 alike. Everything else in the
// HTTP integration sees only IncomingRequest and ResponseChannel. What differs between the two
// QtHttpServer generations is in qhttpserveradapter.cpp, each behind a QT_VERSION_CHECK.

#include "connectionguard.h"

#include <afterwork/http/response.h>

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace afterwork::http::detail {

//! A parsed request, taken out of the server's per-connection request object (which is reused
//! for the connection's next request). Its parts are Qt's implicitly shared values: taking them
//! costs a reference each, not a copy.
struct IncomingRequest
{
    QByteArray method;   //!< "GET", "POST", ...; "UNKNOWN" for others
    QUrl url;
    QString encodedPath; //!< url's path, percent-encoded: what routes are matched against
    HeaderList headers;  //!< as received, in order
    QByteArray body;
    QHostAddress peer;
};

//! Where one response goes. Server thread only. Safe to keep after its socket is gone.
class ResponseChannel
{
public:
    virtual ~ResponseChannel() = default;
    //! The client is still connected.
    virtual bool isOpen() const = 0;
    //! Writes the whole response in one go; false (nothing written) when the client is gone.
    //! \a closeConnection closes the connection once the bytes are out.
    virtual bool write(const Response &response, bool closeConnection) = 0;
    //! Calls \a done once, later, from the event loop: with true once every byte has been handed
    //! to the kernel, with false if the connection closed first. After a successful write().
    virtual void whenWritten(std::function<void(bool written)> done) = 0;
};

struct AdapterCallbacks
{
    //! Whether the router has a route for \a path (percent-encoded), for \a method or another (the router
    //! answers 405 itself). Other paths fall through to the server's other rules, then to its missing
    //! handler, which dispatches too (the router answers 404).
    std::function<bool(const QString &path, const QByteArray &method)> claims;
    std::function<void(IncomingRequest &&request, std::shared_ptr<ResponseChannel> channel)> dispatch;
};

//! Hooks a router into one QHttpServer: one rule, the missing handler, guarded listeners.
class ServerAdapter
{
public:
    ServerAdapter(QHttpServer *server, AdapterCallbacks callbacks, GuardLimits limits);
    //! Detaches: the rule and missing handler stay in the server but answer 503 from then on.
    ~ServerAdapter();
    ServerAdapter(const ServerAdapter &) = delete;
    ServerAdapter &operator=(const ServerAdapter &) = delete;

    quint16 listen(const QHostAddress &address, quint16 port);
    QList<quint16> ports() const;
    //! Closes every listening socket of the server (ours and any it made itself).
    void closeListeners();

private:
    struct Shared;
    QPointer<QHttpServer> m_server;
    std::shared_ptr<Shared> m_shared; // Owning; the server's rule holds a weak_ptr.
    GuardLimits m_limits;
};

} // namespace afterwork::http::detail
