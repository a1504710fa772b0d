// SPDX-License-Identifier: MIT
#include <afterwork/taskenums.h>

#include <array>

namespace afterwork {

namespace {
using namespace Qt::StringLiterals;

constexpr std::array phaseNames{"scheduled"_L1, "started"_L1,   "retrying"_L1,  "shutdown_pending"_L1, "succeeded"_L1,
                                "failed"_L1,    "cancelled"_L1, "abandoned"_L1, "dropped"_L1};
constexpr std::array modeNames{"immediate"_L1, "after_route"_L1, "after_response"_L1};
constexpr std::array workNames{"sync"_L1, "async"_L1};

template<typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<QLatin1StringView, N> &names, QStringView name) noexcept
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == names[i])
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}
} // namespace

QLatin1StringView wireName(Phase phase) noexcept { return phaseNames[static_cast<std::size_t>(phase)]; }
QLatin1StringView wireName(Mode mode) noexcept { return modeNames[static_cast<std::size_t>(mode)]; }
QLatin1StringView wireName(WorkKind work) noexcept { return workNames[static_cast<std::size_t>(work)]; }

std::optional<Phase> phaseFromWireName(QStringView name) noexcept { return lookup<Phase>(phaseNames, name); }
std::optional<Mode> modeFromWireName(QStringView name) noexcept { return lookup<Mode>(modeNames, name); }
std::optional<WorkKind> workFromWireName(QStringView name) noexcept { return lookup<WorkKind>(workNames, name); }

} // namespace afterwork
