// SPDX-License-Identifier: MIT
#pragma once

// SIGINT and SIGTERM as a Qt signal, for the programs (afterwork, afterwork-demo). The POSIX
// handler only write()s the signal number to a pipe (async-signal-safe); a QSocketNotifier on the
// other end emits on the thread that created the watcher, where the program can stop cleanly.

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace afterwork::apps {

class SignalWatcher final : public QObject
{
    Q_OBJECT
public:
    //! Installs the handlers for SIGINT and SIGTERM. One instance at a time per process.
    explicit SignalWatcher(QObject *parent = nullptr);
    //! Restores the default handlers.
    ~SignalWatcher() override;

    //! False when the pipe could not be made; no handler is installed then.
    bool isValid() const { return m_notifier != nullptr; }

    //! From now on, a second SIGINT or SIGTERM ends the process at once with \a status, inside the
    //! handler: the way out when the clean stop the first one started hangs, since that stop may
    //! be what keeps the event loop (and so received()) from running. Without it every signal is
    //! reported through received().
    void exitOnSecondSignal(int status);

    static const char *signalName(int signalNumber); //!< "SIGINT", "SIGTERM"

Q_SIGNALS:
    void received(int signalNumber);

private:
    void drain();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace afterwork::apps
