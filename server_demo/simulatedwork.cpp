// SPDX-License-Identifier: MIT
#include "simulatedwork.h"

#include <afterwork/delay.h>
#include <afterwork/qcoro.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>

namespace demo {

void simulateWork(const afterwork::CancellationToken &token, std::chrono::milliseconds duration)
{
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        token.throwIfCancelled();
        const qint64 left = duration.count() - clock.elapsed();
        if (left <= 0)
            return;
        QThread::msleep(qMin<qint64>(5, left)); // simulated work, not synchronisation
    }
}

QCoro::Task<> simulateWorkAsync(afterwork::CancellationToken token, std::chrono::milliseconds duration)
{
    co_await afterwork::delay(token, duration);
}

} // namespace demo
