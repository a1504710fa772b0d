// SPDX-License-Identifier: MIT
#include "metricsregistry.h"

#include <afterwork/taskengine.h>

#include <QtCore/QByteArrayView>

#include <algorithm>
#include <charconv>
#include <mutex>

namespace afterwork::http::detail {

namespace {

constexpr int outcomeCount = int(Phase::Dropped) - int(Phase::Succeeded) + 1;
// One count per bound, and one for durations above every bound (only `+Inf` includes those).
constexpr int bucketCount = int(durationBoundsUs.size()) + 1;
static_assert(isTerminal(Phase::Succeeded) && isTerminal(Phase::Dropped) && outcomeCount == 5,
              "the outcomes are the terminal phases, Succeeded to Dropped");

using Counter = std::atomic<quint64>;

// The single writer's increment (see the header): nobody else writes the counter, so a relaxed
// load and store cannot lose an increment, and costs no locked instruction.
inline void bump(Counter &counter, quint64 by = 1)
{
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

inline quint64 read(const Counter &counter)
{
    return counter.load(std::memory_order_relaxed);
}

void appendUnsigned(QByteArray &out, quint64 value)
{
    char digits[24];
    const std::to_chars_result end = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end.ptr - digits);
}

void appendSigned(QByteArray &out, qint64 value)
{
    char digits[24];
    const std::to_chars_result end = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end.ptr - digits);
}

// Whole microseconds as decimal seconds, exactly and without trailing zeros: "0", "0.001", "2.5",
// "70.002001". Integers keep the sums exact; no floating point is formatted.
void appendSeconds(QByteArray &out, quint64 us)
{
    appendUnsigned(out, us / 1'000'000);
    quint64 fraction = us % 1'000'000;
    if (fraction == 0)
        return;
    char digits[7];
    digits[0] = '.';
    for (int i = 6; i >= 1; --i) {
        digits[i] = char('0' + fraction % 10);
        fraction /= 10;
    }
    int length = 7;
    while (digits[length - 1] == '0')
        --length;
    out.append(digits, length);
}

// The `le` values, built once: "0.001" ... "60", "+Inf".
const std::array<QByteArray, bucketCount> &boundTexts()
{
    static const std::array<QByteArray, bucketCount> texts = [] {
        std::array<QByteArray, bucketCount> result;
        for (std::size_t i = 0; i < durationBoundsUs.size(); ++i)
            appendSeconds(result[i], quint64(durationBoundsUs[i]));
        result.back() = QByteArrayLiteral("+Inf");
        return result;
    }();
    return texts;
}

void appendFamily(QByteArray &out, QByteArrayView metric, QByteArrayView type, QByteArrayView help)
{
    out += "# HELP ";
    out += metric;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += metric;
    out += ' ';
    out += type;
    out += '\n';
}

void appendSample(QByteArray &out, QByteArrayView metric, qint64 value)
{
    out += metric;
    out += ' ';
    appendSigned(out, value);
    out += '\n';
}

} // namespace

int durationBucket(qint64 us)
{
    return int(std::lower_bound(durationBoundsUs.begin(), durationBoundsUs.end(), us) - durationBoundsUs.begin());
}

struct MetricsHistogram
{
    std::array<Counter, bucketCount> counts{}; // per bucket, not cumulative: one bump per observation
    Counter sumUs{0};

    void observe(qint64 us)
    {
        const qint64 value = std::max<qint64>(us, 0);
        bump(counts[std::size_t(durationBucket(value))]);
        bump(sumUs, quint64(value));
    }
};

struct MetricsRegistry::Slot
{
    explicit Slot(QStringView name) { appendLabelValue(label, name); }

    QByteArray label; // the name, escaped for the text format; written before the slot is published
    std::array<Counter, outcomeCount> outcomes{};
    MetricsHistogram wait;
    MetricsHistogram run;

    bool used() const
    {
        return std::any_of(outcomes.begin(), outcomes.end(), [](const Counter &c) { return read(c) != 0; });
    }
};

void appendLabelValue(QByteArray &out, QStringView value)
{
    const QByteArray utf8 = value.toUtf8();
    out.reserve(out.size() + utf8.size());
    for (const char c : utf8) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out += c; break;
        }
    }
}

QString nameLabelOf(const TaskEvent &event)
{
    static const QString unnamed = QStringLiteral("unnamed");
    const QString &name = event.name;
    const QString &label = event.functionLabel;
    // A generated name is exactly label + '#' + the id's digits (TaskState::name()).
    const qsizetype hashAt = label.size();
    const qsizetype digitCount = name.size() - hashAt - 1;
    if (digitCount >= 1 && digitCount <= 20 && name.at(hashAt) == u'#' && QStringView(name).left(hashAt) == label) {
        quint64 id = 0;
        bool digits = true;
        for (const QChar c : QStringView(name).sliced(hashAt + 1)) {
            if (c < u'0' || c > u'9') {
                digits = false;
                break;
            }
            id = id * 10 + quint64(c.unicode() - u'0');
        }
        if (digits && id == event.taskId)
            return label.isEmpty() ? unnamed : label;
    }
    return name.isEmpty() ? unnamed : name;
}

EngineReadings readEngine(const TaskEngine &engine)
{
    EngineReadings readings;
    readings.counters = engine.counters();
    for (const TaskEvent &task : engine.liveTasks()) {
        switch (task.phase) {
        case Phase::Scheduled: ++readings.queued; break;
        case Phase::Started: ++readings.running; break;
        case Phase::Retrying: ++readings.retrying; break;
        case Phase::ShutdownPending: ++readings.shutdownPending; break;
        default: break; // liveTasks() leaves terminal steps out
        }
    }
    return readings;
}

MetricsRegistry::MetricsRegistry(int maxNames)
    : m_maxNames(std::max(maxNames, 0))
    , m_other(std::make_unique<Slot>(u"other"))
{
    // A task named "other" shares the overflow's series rather than taking a slot of its own.
    m_byName.insert(QStringLiteral("other"), m_other.get());
    // Room for the usual few names only: a huge cap (INT_MAX for "no cap") must not allocate it.
    const qsizetype expected = std::min<qsizetype>(m_maxNames, 256) + 1;
    m_byName.reserve(expected);
    m_slots.reserve(std::size_t(expected));
}

MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Slot &MetricsRegistry::slotFor(const QString &name)
{
    // Past the cap a new name costs this one failed look-up and nothing else.
    if (const auto found = m_byName.constFind(name); found != m_byName.cend())
        return **found;
    if (m_named >= m_maxNames)
        return *m_other;
    auto slot = std::make_unique<Slot>(name);
    Slot *published = slot.get();
    {
        const std::lock_guard lock(m_slotsMutex);
        m_slots.push_back(std::move(slot));
    }
    m_byName.insert(name, published);
    ++m_named;
    return *published;
}

void MetricsRegistry::record(const TaskEvent &event)
{
    if (!isTerminal(event.phase))
        return;
    Slot &slot = slotFor(nameLabelOf(event));
    bump(slot.outcomes[std::size_t(int(event.phase) - int(Phase::Succeeded))]);
    // Durations belong to tasks that started: one that never did has waited, but not for a start.
    if (event.runUs >= 0) {
        slot.wait.observe(event.waitUs);
        slot.run.observe(event.runUs);
    }
}

int MetricsRegistry::nameCount() const
{
    const std::lock_guard lock(m_slotsMutex);
    return int(m_slots.size());
}

namespace {

void appendHistogram(QByteArray &out, QByteArrayView metric, const QByteArray &label, const MetricsHistogram &histogram)
{
    const std::array<QByteArray, bucketCount> &bounds = boundTexts();
    // Each count is read once; `+Inf` and `_count` are the same total of what was read, so a
    // scrape taken while tasks end is still a consistent histogram (cumulative, +Inf == count).
    quint64 cumulative = 0;
    for (int i = 0; i < bucketCount; ++i) {
        cumulative += read(histogram.counts[std::size_t(i)]);
        out += metric;
        out += "_bucket{name=\"";
        out += label;
        out += "\",le=\"";
        out += bounds[std::size_t(i)];
        out += "\"} ";
        appendUnsigned(out, cumulative);
        out += '\n';
    }
    out += metric;
    out += "_sum{name=\"";
    out += label;
    out += "\"} ";
    appendSeconds(out, read(histogram.sumUs));
    out += '\n';
    out += metric;
    out += "_count{name=\"";
    out += label;
    out += "\"} ";
    appendUnsigned(out, cumulative);
    out += '\n';
}

} // namespace

QByteArray MetricsRegistry::render(const EngineReadings &engine) const
{
    std::vector<const Slot *> ordered;
    {
        const std::lock_guard lock(m_slotsMutex);
        ordered.reserve(m_slots.size() + 1);
        for (const auto &slot : m_slots)
            ordered.push_back(slot.get());
    }
    std::sort(ordered.begin(), ordered.end(), [](const Slot *a, const Slot *b) { return a->label < b->label; });
    if (m_other->used())
        ordered.push_back(m_other.get()); // last, whatever its spelling sorts as

    QByteArray out;
    // About 80 bytes a line, 41 lines a name, plus the engine's dozen.
    out.reserve(qsizetype(ordered.size()) * 41 * 80 + 2048);

    appendFamily(out, "afterwork_tasks_total", "counter",
                 "Tasks that ended, by task name and outcome (the terminal phase).");
    for (const Slot *slot : ordered) {
        for (int i = 0; i < outcomeCount; ++i) {
            out += "afterwork_tasks_total{name=\"";
            out += slot->label;
            out += "\",outcome=\"";
            const QLatin1StringView outcome = wireName(Phase(int(Phase::Succeeded) + i));
            out.append(outcome.data(), outcome.size());
            out += "\"} ";
            appendUnsigned(out, read(slot->outcomes[std::size_t(i)]));
            out += '\n';
        }
    }

    appendFamily(out, "afterwork_task_wait_seconds", "histogram",
                 "Time from schedule to first start, of tasks that started, by task name.");
    for (const Slot *slot : ordered)
        appendHistogram(out, "afterwork_task_wait_seconds", slot->label, slot->wait);

    appendFamily(out, "afterwork_task_run_seconds", "histogram",
                 "Time from first start to end (retries included), of tasks that started, by task name.");
    for (const Slot *slot : ordered)
        appendHistogram(out, "afterwork_task_run_seconds", slot->label, slot->run);

    appendFamily(out, "afterwork_tasks_live", "gauge", "Tasks not yet ended, by what they are doing now.");
    appendSample(out, "afterwork_tasks_live{state=\"queued\"}", engine.queued);
    appendSample(out, "afterwork_tasks_live{state=\"running\"}", engine.running);
    appendSample(out, "afterwork_tasks_live{state=\"retrying\"}", engine.retrying);
    appendSample(out, "afterwork_tasks_live{state=\"shutdown_pending\"}", engine.shutdownPending);

    const EngineCounters &c = engine.counters;
    appendFamily(out, "afterwork_tasks_scheduled_total", "counter", "Tasks the engine accepted since it started.");
    appendSample(out, "afterwork_tasks_scheduled_total", qint64(c.scheduled));
    appendFamily(out, "afterwork_task_retries_total", "counter",
                 "Failed attempts that a retry policy ran again, since the engine started.");
    appendSample(out, "afterwork_task_retries_total", qint64(c.retried));
    appendFamily(out, "afterwork_handler_errors_total", "counter",
                 "Error handlers that threw, since the engine started.");
    appendSample(out, "afterwork_handler_errors_total", qint64(c.handlerErrors));
    appendFamily(out, "afterwork_pool_threads_busy", "gauge", "Threads of the engine's pool that are busy now.");
    appendSample(out, "afterwork_pool_threads_busy", c.poolActive);
    appendFamily(out, "afterwork_pool_threads_max", "gauge", "The size of the engine's pool (its maxThreadCount).");
    appendSample(out, "afterwork_pool_threads_max", c.poolMax);
    return out;
}

} // namespace afterwork::http::detail
