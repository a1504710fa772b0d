// SPDX-License-Identifier: MIT
#include <afterwork/client/streamevent.h>

namespace afterwork::client {

qint64 HeartbeatEvent::counter(QStringView name) const
{
    for (const auto &[counterName, value] : counters) {
        if (counterName == name)
            return value;
    }
    return -1;
}

double ProgressEvent::fraction() const
{
    return progressFraction(done, total);
}

QString ParseError::toString() const
{
    return QStringLiteral("%1 (at byte %2)").arg(message).arg(offset);
}

} // namespace afterwork::client
