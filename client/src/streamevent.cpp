// SPDX-License-Identifier: MIT
#include <afterwork/client/streamevent.h>

#include <limits>

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

int ProgressEvent::percent() const
{
    if (total <= 0)
        return -1;
    if (done <= 0)
        return 0;
    if (done >= total)
        return 100;
    // done < total here, so done * 100 fits unless done is beyond 2^63 / 100; then the ratio of
    // two such large numbers is exact enough in long double.
    if (done <= std::numeric_limits<qint64>::max() / 100)
        return int(done * 100 / total);
    return int((long double)(done) * 100 / (long double)(total));
}

QString ParseError::toString() const
{
    return QStringLiteral("%1 (at byte %2)").arg(message).arg(offset);
}

} // namespace afterwork::client
