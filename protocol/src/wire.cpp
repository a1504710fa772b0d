// SPDX-License-Identifier: MIT
// The one place where the protocol's enums are spelled (docs/protocol.md).
#include <afterwork/protocol/wire.h>

#include "namelookup.h"

#include <array>
#include <chrono>

namespace afterwork {

namespace {

using namespace Qt::StringLiterals;

// Indexed by the enums' values, reader-only values included.
constexpr std::array phaseNames{"scheduled"_L1, "started"_L1,   "retrying"_L1,  "shutdown_pending"_L1,
                                "succeeded"_L1, "failed"_L1,    "cancelled"_L1, "abandoned"_L1,
                                "dropped"_L1,   "lost"_L1,      "unknown"_L1};
constexpr std::array modeNames{"immediate"_L1, "after_route"_L1, "after_response"_L1, "unknown"_L1};
constexpr std::array workNames{"sync"_L1, "async"_L1, "unknown"_L1};
constexpr std::array kindNames{"hello"_L1, "snapshot"_L1, "task"_L1,    "heartbeat"_L1, "gap"_L1,
                               "shutdown"_L1, "bye"_L1,   "request"_L1, "progress"_L1, "reply"_L1,
                               "other"_L1};
constexpr std::array shutdownStageNames{"started"_L1, "progress"_L1, "finished"_L1, "unknown"_L1};
constexpr std::array requestStageNames{"received"_L1, "route_returned"_L1, "response_written"_L1,
                                       "failed"_L1,   "client_gone"_L1,    "unknown"_L1};

static_assert(phaseNames.size() == size_t(Phase::Unknown) + 1);
static_assert(modeNames.size() == size_t(Mode::Unknown) + 1);
static_assert(workNames.size() == size_t(WorkKind::Unknown) + 1);
static_assert(kindNames.size() == size_t(EventKind::Other) + 1);
static_assert(shutdownStageNames.size() == size_t(ShutdownStage::Unknown) + 1);
static_assert(requestStageNames.size() == size_t(RequestStage::Unknown) + 1);


} // namespace

using protocol::detail::lookUp;
using protocol::detail::nameOf;

QLatin1StringView wireName(Phase phase) noexcept { return nameOf(phaseNames, phase); }
QLatin1StringView wireName(Mode mode) noexcept { return nameOf(modeNames, mode); }
QLatin1StringView wireName(WorkKind work) noexcept { return nameOf(workNames, work); }
QLatin1StringView wireName(EventKind kind) noexcept { return nameOf(kindNames, kind); }
QLatin1StringView wireName(ShutdownStage stage) noexcept { return nameOf(shutdownStageNames, stage); }
QLatin1StringView wireName(RequestStage stage) noexcept { return nameOf(requestStageNames, stage); }

std::optional<Phase> phaseFromWireName(QStringView name) noexcept { return lookUp<Phase>(phaseNames, name); }
std::optional<Phase> phaseFromWireName(QByteArrayView name) noexcept { return lookUp<Phase>(phaseNames, name); }
std::optional<Mode> modeFromWireName(QStringView name) noexcept { return lookUp<Mode>(modeNames, name); }
std::optional<Mode> modeFromWireName(QByteArrayView name) noexcept { return lookUp<Mode>(modeNames, name); }
std::optional<WorkKind> workFromWireName(QStringView name) noexcept { return lookUp<WorkKind>(workNames, name); }
std::optional<WorkKind> workFromWireName(QByteArrayView name) noexcept { return lookUp<WorkKind>(workNames, name); }
std::optional<EventKind> kindFromWireName(QStringView name) noexcept { return lookUp<EventKind>(kindNames, name); }
std::optional<EventKind> kindFromWireName(QByteArrayView name) noexcept { return lookUp<EventKind>(kindNames, name); }

std::optional<ShutdownStage> shutdownStageFromWireName(QStringView name) noexcept
{
    return lookUp<ShutdownStage>(shutdownStageNames, name);
}

std::optional<ShutdownStage> shutdownStageFromWireName(QByteArrayView name) noexcept
{
    return lookUp<ShutdownStage>(shutdownStageNames, name);
}

std::optional<RequestStage> requestStageFromWireName(QStringView name) noexcept
{
    return lookUp<RequestStage>(requestStageNames, name);
}

std::optional<RequestStage> requestStageFromWireName(QByteArrayView name) noexcept
{
    return lookUp<RequestStage>(requestStageNames, name);
}

namespace protocol {

qint64 nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace protocol

} // namespace afterwork
