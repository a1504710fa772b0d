// SPDX-License-Identifier: MIT
// libFuzzer entry point for the stream's line parser (scripts/fuzz.sh runs it).
//
// Whatever the bytes: no crash, no sanitizer report, no exception, and a result that is either an
// event or an error whose offset lies inside the line. Valid events must survive the checks the
// CLI and the store rely on (a task has a known kind, enum values are in range), and
// findTopLevelValue() must return spans inside the line.
#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskfilter.h>

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
    // The filter grammar shares the box with whatever a user types: fuzz it with the same bytes.
    const auto filter = TaskFilter::parse(QString::fromUtf8(line));
    if (const auto *error = std::get_if<FilterError>(&filter))
        require(error->position >= 0 && error->position <= QString::fromUtf8(line).size());
    return 0;
}
