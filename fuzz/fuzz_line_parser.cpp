// SPDX-License-Identifier: MIT
// libFuzzer entry point for the stream's line parser, the publisher's command parser and the
// remote transport's authentication line (scripts/fuzz.sh runs it): the places that meet
// untrusted bytes.
//
// Whatever the bytes: no crash, no sanitizer report, no exception, and a result that is either an
// event or an error whose offset lies inside the line. Valid events must survive the checks the
// CLI and the store rely on (a task has a known kind, enum values are in range), and
// findTopLevelValue() must return spans inside the line.
#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskfilter.h>
#include <afterwork/protocol/auth.h>
#include <afterwork/protocol/command.h>

#include <cstdint>
#include <cstdlib>

using namespace afterwork;
using namespace afterwork::client;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView line(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto result = parseLine(line);
    if (const auto *error = std::get_if<ParseError>(&result)) {
        require(error->offset >= 0 && error->offset <= line.size());
        require(!error->message.isEmpty());
    } else {
        const StreamEvent &event = std::get<StreamEvent>(result);
        require(event.version == 1);
        require(event.kind() <= EventKind::Other);
        if (const TaskRecord *task = event.as<TaskRecord>()) {
            require(task->phase <= Phase::Unknown && task->phase != Phase::Lost);
            require(task->mode <= Mode::Unknown && task->work <= WorkKind::Unknown);
            // The filter matcher sees what the parser produced.
            static const TaskFilter filter =
                std::get<TaskFilter>(TaskFilter::parse(u"name~a -phase:failed,lost shielded:true error~x id:1,2 request:3"));
            (void)filter.matches(*task);
        }
    }
    if (const auto span = findTopLevelValue(line, "seq")) {
        require(span->offset >= 0 && span->length > 0);
        require(span->offset + span->length <= line.size());
    }
    // What a subscriber sends the publisher: a command is always a valid one, and it survives
    // being written out and read again.
    const protocol::ParsedInput input = protocol::parseSubscriberLine(line);
    require(input.verdict <= protocol::ParsedInput::Malformed);
    if (input.verdict == protocol::ParsedInput::IsCommand) {
        const protocol::Command &command = input.command;
        switch (command.kind) {
        case protocol::CommandKind::Cancel:
            require(!command.ids.isEmpty() && command.ids.size() <= protocol::maxIdsPerCommand);
            break;
        case protocol::CommandKind::CancelMatching: require(!command.filter.trimmed().isEmpty()); break;
        case protocol::CommandKind::Drain: require(command.deadline.count() >= 0); break;
        }
        QByteArray again = protocol::encodeCommand(command);
        require(again.endsWith('\n'));
        again.chop(1);
        const protocol::ParsedInput reread = protocol::parseSubscriberLine(again);
        // (Strings may differ: a lone surrogate is written as U+FFFD.)
        require(reread.verdict == protocol::ParsedInput::IsCommand && reread.command.kind == command.kind
                && reread.command.ids == command.ids && reread.command.deadline == command.deadline);
    } else if (input.verdict != protocol::ParsedInput::Ignored) {
        require(!input.reason.isEmpty());
    }
    // The remote transport's first line, read before the sender is authenticated: a token is
    // always a valid one, and it survives being written out and read again.
    if (const std::optional<QByteArray> token = protocol::parseAuthLine(line)) {
        require(protocol::isValidToken(*token));
        QByteArray again = protocol::encodeAuthLine(*token);
        again.chop(1);
        require(protocol::parseAuthLine(again) == token);
    }
    (void)protocol::parseDeniedLine(line);
    // The filter grammar shares the box with whatever a user types: fuzz it with the same bytes.
    const auto filter = TaskFilter::parse(QString::fromUtf8(line));
    if (const auto *error = std::get_if<FilterError>(&filter))
        require(error->position >= 0 && error->position <= QString::fromUtf8(line).size());
    return 0;
}
