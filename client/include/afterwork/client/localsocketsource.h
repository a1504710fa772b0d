// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>

#include <QtCore/QString>

#include <chrono>

QT_BEGIN_NAMESPACE
class QLocalSocket;
QT_END_NAMESPACE

namespace afterwork::client {

//! How a LocalSocketSource connects; the second argument of its constructor.
struct LocalSocketSourceOptions
{
    //! Keep trying after a failed attempt or a lost connection (also after bye: the application
    //! may start again). Off: one attempt, one connection, then finished().
    bool reconnect = true;
    //! Delay before the first retry; doubled on each failure in a row up to maxBackoff, and reset
    //! once a connection delivers its hello.
    std::chrono::milliseconds initialBackoff{100};
    std::chrono::milliseconds maxBackoff{2000}; //!< the longest delay between two attempts
};

//! A live source: the local socket an EventPublisher listens on, by name (or path).
class LocalSocketSource final : public EventSource
{
    Q_OBJECT
public:
    //! A source that will connect to \a socketName (what EventPublisher::listen() was given, or
    //! its socket file's path) once start() is called.
    explicit LocalSocketSource(QString socketName, LocalSocketSourceOptions options = {}, QObject *parent = nullptr);
    //! Closes the connection without reporting it (see stop()).
    ~LocalSocketSource() override;

    void start() override;
    void stop() override;
    QString description() const override;
    bool canSendCommands() const override;
    bool sendCommand(const protocol::Command &command) override;

    const QString &socketName() const noexcept { return m_socketName; }          //!< as given
    const LocalSocketSourceOptions &options() const noexcept { return m_options; } //!< as given

private:
    void connectNow();
    void retryNow() override { connectNow(); }
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onSocketError();
    RetryPolicy retryPolicy() const; //!< from the options

    QString m_socketName;
    LocalSocketSourceOptions m_options;
    QLocalSocket *m_socket = nullptr; // Owning (child).
    bool m_connectionOpen = false;
};

} // namespace afterwork::client
