// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>

namespace afterwork::monitor {

//! An Afterwork event socket that answered with a hello.
struct DiscoveredSource
{
    QString name; //!< what to connect to: the file name in the temporary directory, else the path
    QString app;
    qint64 pid = 0;
    QString instance;
    qint64 startedUs = 0;
};

//! Finds Afterwork publishers on this machine: socket files we own in a directory (the system
//! temporary directory, where EventPublisher puts plain names), each probed by connecting and
//! reading its first line, which must be an Afterwork hello. Nothing is ever written to them.
class SocketDiscovery final : public QObject
{
    Q_OBJECT
public:
    explicit SocketDiscovery(QObject *parent = nullptr);

    //! Default: QDir::tempPath().
    void setDirectory(const QString &directory) { m_directory = directory; }
    //! How long a scan waits for hellos (default 1 s).
    void setTimeout(int ms) { m_timeout.setInterval(ms); }

    //! Starts a scan; finished() reports it. A scan already running is left to finish.
    void scan();
    bool isScanning() const noexcept { return m_pending > 0; }

    //! Socket files owned by the current user in \a directory (at most \a limit), newest first.
    static QStringList candidateSockets(const QString &directory, int limit = 64);

Q_SIGNALS:
    void finished(const QList<afterwork::monitor::DiscoveredSource> &sources);

private:
    void probe(const QString &path);
    void probeDone();

    QString m_directory;
    QTimer m_timeout;
    int m_pending = 0;
    QList<DiscoveredSource> m_found;
    QList<QObject *> m_probes;
};

} // namespace afterwork::monitor

Q_DECLARE_METATYPE(afterwork::monitor::DiscoveredSource)
