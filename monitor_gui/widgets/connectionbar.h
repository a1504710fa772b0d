// SPDX-License-Identifier: MIT
#pragma once

#include "core/connectionstatus.h"
#include "core/socketdiscovery.h"

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QPushButton;
class QToolButton;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! The source to watch (an editable list of the Afterwork sockets found on this machine) and
//! what the connection is doing: a coloured state and the source's app, pid, uptime and run.
class ConnectionBar final : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionBar(QWidget *parent = nullptr);

    void setSocketName(const QString &name);
    QString socketName() const;
    void setStatus(const ConnectionStatus &status);
    QString stateText() const;
    QString detailsText() const;
    ConnectionStatus::Level level() const noexcept { return m_level; }

    //! Looks for sockets again (also done once at start).
    void rescan();
    SocketDiscovery *discovery() noexcept { return &m_discovery; }
    QComboBox *socketBox() const noexcept { return m_socket; }
    QPushButton *connectButton() const noexcept { return m_connect; }

Q_SIGNALS:
    void connectRequested(const QString &socketName);

private:
    void onDiscovered(const QList<afterwork::monitor::DiscoveredSource> &sources);

    SocketDiscovery m_discovery;
    QComboBox *m_socket = nullptr;
    QToolButton *m_rescan = nullptr;
    QPushButton *m_connect = nullptr;
    QLabel *m_dot = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_details = nullptr;
    ConnectionStatus::Level m_level = ConnectionStatus::Level::Idle;
};

} // namespace afterwork::monitor
