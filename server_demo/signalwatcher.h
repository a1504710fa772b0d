// SPDX-License-Identifier: MIT
#pragma once

// SIGINT/SIGTERM as a Qt signal. The POSIX handler only write()s the signal number to a pipe
// (async-signal-safe); a QSocketNotifier on the other end emits on the main thread.

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace demo {

class SignalWatcher final : public QObject
{
    Q_OBJECT
public:
    //! Installs the handlers for SIGINT and SIGTERM. One instance per process.
    explicit SignalWatcher(QObject *parent = nullptr);
    //! Restores the default handlers.
    ~SignalWatcher() override;

    bool isValid() const { return m_notifier != nullptr; }
    static const char *signalName(int signalNumber);

Q_SIGNALS:
    void received(int signalNumber);

private:
    void drain();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace demo
