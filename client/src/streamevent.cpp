// SPDX-License-Identifier: MIT
#include <afterwork/client/streamevent.h>

#include "wirenames.h"

#include <array>

namespace afterwork::client {

namespace {

using namespace Qt::StringLiterals;

// Indexed by the enums' values; the last entry is the Unknown/Other spelling.
constexpr std::array<QLatin1StringView, 12> PhaseNames{
    "scheduled"_L1, "started"_L1,  "retrying"_L1,  "progress"_L1,  "shutdown_pending"_L1, "succeeded"_L1,
    "failed"_L1,    "cancelled"_L1, "abandoned"_L1, "dropped"_L1,   "lost"_L1,             "unknown"_L1,
};
constexpr std::array<QLatin1StringView, 4> ModeNames{"immediate"_L1, "after_route"_L1, "after_response"_L1,
                                                     "unknown"_L1};
constexpr std::array<QLatin1StringView, 3> WorkNames{"sync"_L1, "async"_L1, "unknown"_L1};
constexpr std::array<QLatin1StringView, 9> KindNames{"hello"_L1,    "snapshot"_L1, "task"_L1,
                                                     "heartbeat"_L1, "gap"_L1,     "shutdown"_L1,
                                                     "bye"_L1,      "request"_L1,  "other"_L1};

static_assert(PhaseNames.size() == size_t(TaskPhase::Unknown) + 1);
static_assert(ModeNames.size() == size_t(TaskMode::Unknown) + 1);
static_assert(WorkNames.size() == size_t(TaskWork::Unknown) + 1);
static_assert(KindNames.size() == size_t(EventKind::Other) + 1);

template<typename Enum, size_t N>
Enum lookUpBytes(const std::array<QLatin1StringView, N> &names, QByteArrayView name, Enum fallback) noexcept
{
    for (size_t i = 0; i + 1 < N; ++i) {
        if (QByteArrayView(names[i].data(), names[i].size()) == name)
            return static_cast<Enum>(i);
    }
    return fallback;
}

template<typename Enum, size_t N>
std::optional<Enum> lookUpText(const std::array<QLatin1StringView, N> &names, QStringView name,
                               size_t count) noexcept
{
    for (size_t i = 0; i < count; ++i) {
        if (name == names[i])
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

} // namespace

QLatin1StringView wireName(TaskPhase phase) noexcept
{
    return PhaseNames[size_t(phase)];
}

QLatin1StringView wireName(TaskMode mode) noexcept
{
    return ModeNames[size_t(mode)];
}

QLatin1StringView wireName(TaskWork work) noexcept
{
    return WorkNames[size_t(work)];
}

QLatin1StringView wireName(EventKind kind) noexcept
{
    return KindNames[size_t(kind)];
}

// "lost" is a phase the filter may name; "unknown" is not (it is no spelling).
std::optional<TaskPhase> phaseFromName(QStringView name) noexcept
{
    return lookUpText<TaskPhase>(PhaseNames, name, PhaseNames.size() - 1);
}

std::optional<TaskMode> modeFromName(QStringView name) noexcept
{
    return lookUpText<TaskMode>(ModeNames, name, ModeNames.size() - 1);
}

std::optional<TaskWork> workFromName(QStringView name) noexcept
{
    return lookUpText<TaskWork>(WorkNames, name, WorkNames.size() - 1);
}

qint64 HeartbeatEvent::counter(QStringView name) const
{
    for (const auto &[counterName, value] : counters) {
        if (counterName == name)
            return value;
    }
    return -1;
}

QString ParseError::toString() const
{
    return QStringLiteral("%1 (at byte %2)").arg(message).arg(offset);
}

namespace detail {

TaskPhase phaseFromBytes(QByteArrayView name) noexcept
{
    // "lost" is the observer's conclusion, never a phase a source reports.
    const TaskPhase phase = lookUpBytes(PhaseNames, name, TaskPhase::Unknown);
    return phase == TaskPhase::Lost ? TaskPhase::Unknown : phase;
}

TaskMode modeFromBytes(QByteArrayView name) noexcept
{
    return lookUpBytes(ModeNames, name, TaskMode::Unknown);
}

TaskWork workFromBytes(QByteArrayView name) noexcept
{
    return lookUpBytes(WorkNames, name, TaskWork::Unknown);
}

EventKind kindFromBytes(QByteArrayView name) noexcept
{
    return lookUpBytes(KindNames, name, EventKind::Other);
}

} // namespace detail

} // namespace afterwork::client
