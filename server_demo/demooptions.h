// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include <chrono>
#include <optional>

namespace demo {

struct DemoOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    QString hostText = QStringLiteral("127.0.0.1");
    quint16 port = 8000;
    QString events = QStringLiteral("afterwork-demo");
    int threads = 0; //!< 0: QThread::idealThreadCount()
    std::chrono::milliseconds shutdownDeadline{30000};
    bool globalShield = false;
    bool globalHandler = true;
    //! Subscribers of the event stream may cancel tasks and drain the server (off: read-only).
    bool allowControl = false;
    //! --events-listen HOST:PORT: also publish the event stream on TCP (TLS unless insecure, with a
    //! token; EventPublisher::listenRemote()). Empty: the local socket only.
    QString eventsListenHost;
    quint16 eventsListenPort = 0;  //!< 0 picks a free port
    QString tlsCertificate;        //!< --tls-cert FILE
    QString tlsKey;                //!< --tls-key FILE
    QString tokenFile;             //!< --token-file FILE
    bool insecure = false;         //!< --insecure: plain TCP, loopback only
};

//! Parses afterwork-demo's command line. On --help/--version or an error it prints (usage to
//! stdout, errors to stderr) and returns nullopt with \a exitCode set.
std::optional<DemoOptions> parseDemoOptions(const QStringList &arguments, int *exitCode);

} // namespace demo
