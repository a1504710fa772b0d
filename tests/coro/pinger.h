// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>

namespace afterwork::test {

//! A signal the test emits when it wants: what a coroutine awaits. A public signal: QCoro's signal
//! awaiter binds the arguments of a private one (QTimer::timeout's QPrivateSignal) to a null
//! reference, which UBSan reports.
class Pinger : public QObject
{
    Q_OBJECT
public:
    int connections() const { return receivers(SIGNAL(ping())); }
Q_SIGNALS:
    void ping();
};

} // namespace afterwork::test
