// SPDX-License-Identifier: MIT
#include "core/socketdiscovery.h"

#include <afterwork/client/lineparser.h>

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtNetwork/QLocalSocket>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace afterwork::monitor {

namespace {
constexpr qsizetype MaxHelloBytes = 64 * 1024;
} // namespace

SocketDiscovery::SocketDiscovery(QObject *parent) : QObject(parent), m_directory(QDir::tempPath())
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(1000);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        // Whoever has not said hello by now is not an Afterwork publisher (or is stuck).
        const QList<QObject *> probes = std::exchange(m_probes, {});
        for (QObject *probe : probes)
            probe->deleteLater();
        m_pending = 0;
        Q_EMIT finished(std::exchange(m_found, {}));
    });
}

QStringList SocketDiscovery::candidateSockets(const QString &directory, int limit)
{
    QStringList result;
#ifdef Q_OS_UNIX
    const QFileInfoList entries = QDir(directory).entryInfoList(QDir::System | QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Time); // newest first
    for (const QFileInfo &entry : entries) {
        struct stat info;
        if (::lstat(QFile::encodeName(entry.absoluteFilePath()).constData(), &info) != 0)
            continue;
        if (!S_ISSOCK(info.st_mode) || info.st_uid != ::getuid())
            continue;
        result.append(entry.absoluteFilePath());
        if (result.size() >= limit)
            break;
    }
#else
    Q_UNUSED(directory);
    Q_UNUSED(limit);
#endif
    return result;
}

void SocketDiscovery::scan()
{
    if (isScanning())
        return;
    m_found.clear();
    const QStringList candidates = candidateSockets(m_directory);
    if (candidates.isEmpty()) {
        // Still asynchronous, like a scan that found something.
        QTimer::singleShot(0, this, [this] { Q_EMIT finished({}); });
        return;
    }
    m_pending = int(candidates.size());
    m_timeout.start();
    for (const QString &path : candidates)
        probe(path);
}

void SocketDiscovery::probe(const QString &path)
{
    auto *socket = new QLocalSocket(this);
    m_probes.append(socket);
    auto buffer = std::make_shared<QByteArray>();
    const bool inTemp = QFileInfo(path).absolutePath() == QFileInfo(QDir::tempPath()).absoluteFilePath();
    const QString name = inTemp ? QFileInfo(path).fileName() : path;

    auto done = [this, socket] {
        if (!m_probes.removeOne(socket))
            return; // already counted (an error after the hello, or the timeout)
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        probeDone();
    };
    connect(socket, &QLocalSocket::readyRead, this, [this, socket, buffer, name, done] {
        buffer->append(socket->read(MaxHelloBytes - buffer->size()));
        const qsizetype newline = buffer->indexOf('\n');
        if (newline < 0 && buffer->size() < MaxHelloBytes)
            return;
        const auto parsed = client::parseLine(QByteArrayView(*buffer).first(newline < 0 ? buffer->size() : newline));
        if (const auto *event = std::get_if<client::StreamEvent>(&parsed)) {
            if (const auto *hello = event->as<client::HelloEvent>()) {
                m_found.append(DiscoveredSource{name, hello->source.app, hello->source.pid, hello->source.instance,
                                                hello->source.startedUs});
            }
        }
        done();
    });
    connect(socket, &QLocalSocket::errorOccurred, this, [done] { done(); });
    connect(socket, &QLocalSocket::disconnected, this, [done] { done(); });
    socket->connectToServer(path, QIODevice::ReadOnly);
}

void SocketDiscovery::probeDone()
{
    if (--m_pending > 0)
        return;
    m_timeout.stop();
    m_pending = 0;
    std::sort(m_found.begin(), m_found.end(), [](const DiscoveredSource &a, const DiscoveredSource &b) { return a.name < b.name; });
    Q_EMIT finished(std::exchange(m_found, {}));
}

} // namespace afterwork::monitor
