// SPDX-License-Identifier: MIT
#include <afterwork/taskconfig.h>

#include <algorithm>
#include <cmath>

namespace afterwork {

TaskConfig TaskConfig::merge(const TaskConfig &overrides) const
{
    TaskConfig merged = *this;
    if (overrides.name)
        merged.name = overrides.name;
    if (overrides.shield)
        merged.shield = overrides.shield;
    if (overrides.onError)
        merged.onError = overrides.onError;
    if (overrides.timeout)
        merged.timeout = overrides.timeout;
    if (overrides.retry)
        merged.retry = overrides.retry;
    return merged;
}

const ErrorHandler *TaskConfig::effectiveHandler() const
{
    if (!onError || onError->isSwitchedOff())
        return nullptr;
    return &*onError;
}

std::chrono::milliseconds RetryPolicy::backoffBefore(int nextAttempt, double unitRandom) const
{
    const int exponent = std::max(0, nextAttempt - 2);
    double delay = double(initialBackoff.count()) * std::pow(std::max(1.0, multiplier), exponent);
    delay = std::min(delay, double(maxBackoff.count()));
    const double spread = std::clamp(jitter, 0.0, 1.0);
    delay *= 1.0 + spread * (2.0 * std::clamp(unitRandom, 0.0, 1.0) - 1.0);
    return std::chrono::milliseconds(std::max<qint64>(0, std::llround(delay)));
}

bool RetryPolicy::shouldRetry(int failedAttempt, const TaskError &error) const
{
    return failedAttempt < maxAttempts && (!retryIf || retryIf(error));
}

} // namespace afterwork
