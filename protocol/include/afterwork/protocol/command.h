// SPDX-License-Identifier: MIT
#pragma once

// The control channel's vocabulary (docs/protocol.md, "Commands"): what a subscriber may ask of a
// publisher, how a command line is parsed and written, and the reply it gets. Defined once for the
// publisher, the command-line tool, the dashboard and the fuzz target.

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringView>

#include <chrono>
#include <optional>

namespace afterwork::protocol {

//! What a command asks for: its `cmd` member.
enum class CommandKind : quint8 {
    Cancel,         //!< cancel the live tasks `ids`
    CancelMatching, //!< cancel every live task that the filter expression `filter` matches
    Drain,          //!< a graceful shutdown of the publisher's engine within `deadline_ms`
};

//! How the publisher answered a command: the `result` of its `reply` line.
enum class ReplyResult : quint8 {
    Accepted,    //!< done; `affected` says how many tasks it touched
    Refused,     //!< not done, and nothing changed; `reason` says why (control off, rate, ...)
    UnknownTask, //!< a cancel by id that found none of its ids live
    Error,       //!< the command was not understood (unknown `cmd`, a bad member); `reason` says how
};

//! The spellings of CommandKind and ReplyResult on the wire, and their strict look-ups.
//! @{
QLatin1StringView wireName(CommandKind kind) noexcept;
QLatin1StringView wireName(ReplyResult result) noexcept;
std::optional<CommandKind> commandFromWireName(QStringView name) noexcept;
std::optional<ReplyResult> replyResultFromWireName(QStringView name) noexcept;
//! @}

//! One command, as a subscriber sends it.
struct Command
{
    CommandKind kind = CommandKind::Cancel; //!< what it asks for
    QString ref{};                          //!< the subscriber's own tag, echoed in the reply (may be empty)
    QList<quint64> ids{};                   //!< Cancel: the task ids (at least one)
    QString filter{};                       //!< CancelMatching: the expression (docs/filter.md), not empty
    std::chrono::milliseconds deadline{0};  //!< Drain: how long the shutdown may wait, >= 0
};

//! What the publisher makes of one line a subscriber sent.
struct ParsedInput
{
    //! What kind of line it was.
    enum Verdict : quint8 {
        IsCommand, //!< `command` holds it
        Ignored,   //!< a JSON object without `cmd`: reserved, accepted and ignored (as version 1 began)
        Invalid,   //!< has a `cmd` but is not a valid command: an `error` reply with `reason`
        Malformed, //!< not a JSON object (or not UTF-8): the publisher closes that connection
    };
    Verdict verdict = Malformed; //!< what kind of line it was
    Command command;       //!< IsCommand: the command; Invalid: its `ref` (and kind, when known)
    QString commandName;   //!< Invalid: the `cmd` as sent, for the reply
    QString reason;        //!< Invalid and Malformed: why
};

//! Parses one line a subscriber sent (without its newline). Never throws, whatever the bytes.
ParsedInput parseSubscriberLine(QByteArrayView line) noexcept;

//! One command line, newline included: what `afterwork cancel`/`drain` and the dashboard send.
QByteArray encodeCommand(const Command &command);

//! What a `reply` line says (besides `v`, `seq`, `ts_us` and `kind`).
struct Reply
{
    QString ref{};                            //!< the command's `ref`, as sent
    QString command{};                        //!< its `cmd`, as sent (empty if it had none)
    ReplyResult result = ReplyResult::Error;  //!< the answer
    int affected = 0;                         //!< Accepted: how many tasks it touched
    QString reason{};                         //!< Refused and Error: why; empty otherwise
};

//! The largest number of commands one connection may send per second; beyond it each command is
//! refused ("rate limited") and nothing changes, until the second is over; beyond twice as many,
//! the publisher closes the connection.
inline constexpr int maxCommandsPerSecond = 20;
//! How long a subscriber waits for the reply to a command before it gives up (`afterwork cancel`,
//! the dashboard). A publisher answers at once; one that predates commands never does.
inline constexpr std::chrono::milliseconds replyTimeout{5000};
//! The longest `ref` a command may carry: a tag, not a payload.
inline constexpr int maxRefLength = 64;
//! The largest number of ids one `cancel` may carry.
inline constexpr int maxIdsPerCommand = 1000;

} // namespace afterwork::protocol
