// SPDX-License-Identifier: MIT
#pragma once

// How the protocol's enums map to their spellings and back: a table indexed by the enum's values
// (wire.cpp, command.cpp). Internal.

#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QStringView>

#include <array>
#include <optional>

namespace afterwork::protocol::detail {

//! The spelling of \a value; the table's last entry for a value beyond it.
template<typename Enum, size_t N>
QLatin1StringView nameOf(const std::array<QLatin1StringView, N> &names, Enum value) noexcept
{
    const auto index = size_t(value);
    return index < N ? names[index] : names[N - 1];
}

//! The value spelled \a name, or std::nullopt.
template<typename Enum, size_t N>
std::optional<Enum> lookUp(const std::array<QLatin1StringView, N> &names, QStringView name) noexcept
{
    for (size_t i = 0; i < N; ++i) {
        if (name == names[i])
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

template<typename Enum, size_t N>
std::optional<Enum> lookUp(const std::array<QLatin1StringView, N> &names, QByteArrayView name) noexcept
{
    for (size_t i = 0; i < N; ++i) {
        if (name == QByteArrayView(names[i].data(), names[i].size()))
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

} // namespace afterwork::protocol::detail
