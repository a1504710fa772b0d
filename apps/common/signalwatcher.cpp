// SPDX-License-Identifier: MIT
#include "signalwatcher.h"

#include <QtCore/QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace afterwork::apps {

namespace {

int g_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_signalCount = 0;
volatile std::sig_atomic_t g_exitStatusOnSecond = -1; // -1: report every signal

extern "C" void onSignal(int signalNumber)
{
    // Async-signal-safe only: count, maybe _exit, else wake the event loop through the pipe.
    g_signalCount = g_signalCount + 1;
    if (g_signalCount > 1 && g_exitStatusOnSecond >= 0)
        ::_exit(g_exitStatusOnSecond);
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    // A full pipe just loses a duplicate signal.
    [[maybe_unused]] const ssize_t written = ::write(g_pipe[1], &byte, 1);
    errno = savedErrno;
}

void setHandler(int signalNumber, void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(signalNumber, &action, nullptr);
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    if (::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return;
    g_signalCount = 0;
    g_exitStatusOnSecond = -1;
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::drain);
    setHandler(SIGINT, onSignal);
    setHandler(SIGTERM, onSignal);
}

SignalWatcher::~SignalWatcher()
{
    if (!m_notifier)
        return;
    setHandler(SIGINT, SIG_DFL);
    setHandler(SIGTERM, SIG_DFL);
    delete m_notifier;
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
}

void SignalWatcher::exitOnSecondSignal(int status)
{
    g_exitStatusOnSecond = status;
}

const char *SignalWatcher::signalName(int signalNumber)
{
    switch (signalNumber) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
    }
}

void SignalWatcher::drain()
{
    unsigned char byte = 0;
    while (::read(g_pipe[0], &byte, 1) == 1)
        Q_EMIT received(byte);
}

} // namespace afterwork::apps
