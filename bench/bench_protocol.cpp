// SPDX-License-Identifier: MIT
// Target 3: task events serialised to protocol lines on one core. Each line is the publisher's
// work for one event: the per-connection prefix (`{"v":1,"seq":N`) and the shared task body. The
// events are a task's real mix (scheduled, started, succeeded; one in 50 fails with an error
// object), with a name, a function label and a request id as the HTTP layer produces them.
#include "support/benchsupport.h"

#include <afterwork/eventencoder.h>

#include <QtCore/QCoreApplication>

using namespace afterwork;
using namespace afterwork::bench;

namespace {

std::vector<TaskEvent> sampleEvents()
{
    std::vector<TaskEvent> events;
    const qint64 base = 1'718'000'000'000'000;
    for (quint64 task = 1; task <= 50; ++task) {
        TaskEvent event;
        event.taskId = 1000 + task;
        event.name = task % 3 ? QStringLiteral("send_welcome_email") : QStringLiteral("process_payment#%1").arg(task);
        event.functionLabel = QStringLiteral("sendWelcomeEmail");
        event.requestId = 700 + task;
        event.mode = task % 2 ? Mode::AfterResponse : Mode::Immediate;
        event.scheduledUs = base + qint64(task) * 100;
        event.timestampUs = event.scheduledUs;
        event.phase = Phase::Scheduled;
        events.push_back(event);
        event.phase = Phase::Started;
        event.startedUs = event.scheduledUs + 35;
        event.timestampUs = event.startedUs;
        events.push_back(event);
        event.timestampUs = event.startedUs + 1200;
        event.waitUs = 35;
        event.runUs = 1200;
        if (task == 50) {
            event.phase = Phase::Failed;
            event.error = TaskError{QStringLiteral("std::runtime_error"), QStringLiteral("SMTP server said \"no\""), {}};
        } else {
            event.phase = Phase::Succeeded;
        }
        events.push_back(event);
    }
    return events;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options =
        parseOptions(argc, argv, 5, "[EVENTS]", "Target 3: task events encoded to protocol lines per second, one thread.");
    const qint64 count = options.size(100'000, 4'000'000);
    announce(options, QStringLiteral("%1 events per run, %2 runs").arg(count).arg(options.runs));

    const std::vector<TaskEvent> events = sampleEvents();
    // Lines go into a 64 KiB buffer that is reused, as a publisher's write buffer would be.
    QByteArray buffer;
    buffer.reserve(64 * 1024 + 4096);
    quint64 bytes = 0;
    std::vector<double> rates;
    std::vector<double> lineBytes;
    for (int run = 0; run < options.runs; ++run) {
        quint64 seq = 0;
        bytes = 0;
        const qint64 start = nowNs();
        for (qint64 i = 0; i < count; ++i) {
            protocol::appendLinePrefix(buffer, ++seq);
            protocol::appendTaskBody(buffer, events[size_t(i) % events.size()]);
            if (buffer.size() >= 64 * 1024) {
                bytes += quint64(buffer.size());
                buffer.resize(0); // keeps the capacity
            }
        }
        bytes += quint64(buffer.size());
        buffer.resize(0);
        const double elapsed = double(nowNs() - start) / 1e9;
        rates.push_back(double(count) / elapsed);
        lineBytes.push_back(double(bytes) / double(count));
    }

    // Guard against an encoder that "got fast" by writing nothing.
    QByteArray check;
    protocol::appendLinePrefix(check, 1);
    protocol::appendTaskBody(check, events[2]);
    if (!check.endsWith("}\n") || !check.contains("\"kind\":\"task\"") || !check.contains("send_welcome_email"))
        fail(QStringLiteral("unexpected line: %1").arg(QString::fromUtf8(check)));

    const auto eventsPerSecond = [](double v) { return formatRate(v, QStringLiteral("events/s")); };
    const Summary s = summarize(rates);
    report({QStringLiteral("3"), QStringLiteral("task events encoded to lines, one core"), eventsPerSecond(s.median),
            QStringLiteral(">= 2 M/s"), verdict(s.median >= 2e6, options),
            formatSpread(s, eventsPerSecond) + QStringLiteral("; %1 B/line; %2x the target")
                                                   .arg(summarize(lineBytes).median, 0, 'f', 0)
                                                   .arg(s.median / 2e6, 0, 'f', 1)});
    return 0;
}
