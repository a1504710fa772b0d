// SPDX-License-Identifier: MIT
// The control channel's commands and replies (docs/protocol.md, "Commands").
#include <afterwork/protocol/command.h>
#include <afterwork/protocol/json.h>
#include <afterwork/protocol/wire.h>

#include "namelookup.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <array>
#include <cmath>

namespace afterwork::protocol {

namespace {

using namespace Qt::StringLiterals;

constexpr std::array commandNames{"cancel"_L1, "cancel_matching"_L1, "drain"_L1};
constexpr std::array replyNames{"accepted"_L1, "refused"_L1, "unknown_task"_L1, "error"_L1};
static_assert(commandNames.size() == size_t(CommandKind::Drain) + 1);
static_assert(replyNames.size() == size_t(ReplyResult::Error) + 1);

using detail::lookUp;
using detail::nameOf;

//! A JSON number that is a whole number in [0, 2^53]: what ids and milliseconds are.
std::optional<quint64> wholeNumber(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || number < 0 || number > 9007199254740992.0 || std::floor(number) != number)
        return std::nullopt;
    return quint64(number);
}

ParsedInput invalid(ParsedInput parsed, QString reason)
{
    parsed.verdict = ParsedInput::Invalid;
    parsed.reason = std::move(reason);
    return parsed;
}

} // namespace

QLatin1StringView wireName(CommandKind kind) noexcept
{
    return nameOf(commandNames, kind);
}

QLatin1StringView wireName(ReplyResult result) noexcept
{
    return nameOf(replyNames, result);
}

std::optional<CommandKind> commandFromWireName(QStringView name) noexcept
{
    return lookUp<CommandKind>(commandNames, name);
}

std::optional<ReplyResult> replyResultFromWireName(QStringView name) noexcept
{
    return lookUp<ReplyResult>(replyNames, name);
}

ParsedInput parseSubscriberLine(QByteArrayView line) noexcept
{
    ParsedInput parsed;
    try {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            parsed.reason = u"a line that is not a JSON object"_s;
            return parsed;
        }
        const QJsonObject object = document.object();
        const QJsonValue cmd = object.value("cmd"_L1);
        if (cmd.isUndefined()) {
            parsed.verdict = ParsedInput::Ignored;
            return parsed;
        }
        const QJsonValue ref = object.value("ref"_L1);
        if (!ref.isUndefined() && (!ref.isString() || ref.toString().size() > maxRefLength))
            return invalid(parsed, u"'ref' must be a string of at most %1 characters"_s.arg(maxRefLength));
        parsed.command.ref = ref.toString();
        const QJsonValue v = object.value("v"_L1);
        if (!v.isUndefined() && v.toDouble() != version)
            return invalid(parsed, u"unsupported protocol version (this publisher speaks %1)"_s.arg(version));
        if (!cmd.isString())
            return invalid(parsed, u"'cmd' must be a string"_s);
        parsed.commandName = cmd.toString().left(64);
        const std::optional<CommandKind> kind = commandFromWireName(parsed.commandName);
        if (!kind)
            return invalid(parsed, u"unknown command '%1' (one of: cancel, cancel_matching, drain)"_s.arg(parsed.commandName));
        parsed.command.kind = *kind;
        switch (*kind) {
        case CommandKind::Cancel: {
            const QJsonValue ids = object.value("ids"_L1);
            if (!ids.isArray() || ids.toArray().isEmpty())
                return invalid(parsed, u"'ids' must be a non-empty array of task ids"_s);
            const QJsonArray array = ids.toArray();
            if (array.size() > maxIdsPerCommand)
                return invalid(parsed, u"more than %1 ids in one command"_s.arg(maxIdsPerCommand));
            for (const QJsonValue &id : array) {
                const std::optional<quint64> number = wholeNumber(id);
                if (!number || *number == 0)
                    return invalid(parsed, u"'ids' must hold task ids (positive integers)"_s);
                parsed.command.ids.append(*number);
            }
            break;
        }
        case CommandKind::CancelMatching: {
            const QJsonValue filter = object.value("filter"_L1);
            if (!filter.isString() || filter.toString().trimmed().isEmpty())
                return invalid(parsed, u"'filter' must be a non-empty filter expression"_s);
            parsed.command.filter = filter.toString();
            break;
        }
        case CommandKind::Drain: {
            const std::optional<quint64> deadline = wholeNumber(object.value("deadline_ms"_L1));
            if (!deadline || *deadline > quint64(24 * 3600 * 1000))
                return invalid(parsed, u"'deadline_ms' must be a whole number of milliseconds, at most a day"_s);
            parsed.command.deadline = std::chrono::milliseconds(qint64(*deadline));
            break;
        }
        }
        parsed.verdict = ParsedInput::IsCommand;
        return parsed;
    } catch (...) { // (allocation failure on a hostile line)
        ParsedInput malformed;
        malformed.reason = u"a line that could not be read"_s;
        return malformed;
    }
}

QByteArray encodeCommand(const Command &command)
{
    QByteArray out;
    FieldWriter fields(out);
    out.append('{');
    fields.integer("v"_L1, version).string("cmd"_L1, wireName(command.kind));
    if (!command.ref.isEmpty())
        fields.string("ref"_L1, command.ref);
    switch (command.kind) {
    case CommandKind::Cancel: {
        QByteArray ids("[");
        for (qsizetype i = 0; i < command.ids.size(); ++i) {
            if (i > 0)
                ids.append(',');
            json::appendUnsigned(ids, command.ids[i]);
        }
        ids.append(']');
        fields.raw("ids"_L1, ids);
        break;
    }
    case CommandKind::CancelMatching:
        fields.string("filter"_L1, command.filter);
        break;
    case CommandKind::Drain:
        fields.integer("deadline_ms"_L1, command.deadline.count());
        break;
    }
    out.append("}\n");
    return out;
}

} // namespace afterwork::protocol
