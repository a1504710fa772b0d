// SPDX-License-Identifier: MIT
#include "benchsupport.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QSysInfo>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUuid>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace afterwork::bench {

Options parseOptions(int argc, char *argv[], int defaultRuns, const char *arguments, const char *about)
{
    Options options;
    options.program = QFileInfo(QString::fromLocal8Bit(argv[0])).fileName();
    const QByteArray usage = QStringLiteral("%1 [--smoke] [--runs N]%2\n%3")
                                 .arg(options.program,
                                      *arguments ? QStringLiteral(" ") + QString::fromUtf8(arguments) : QString(),
                                      QString::fromUtf8(about))
                                 .toLocal8Bit();
    bool runsGiven = false;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--smoke")) {
            options.smoke = true;
        } else if (arg == QLatin1String("--runs") && i + 1 < argc) {
            bool ok = false;
            options.runs = QString::fromLocal8Bit(argv[++i]).toInt(&ok);
            if (!ok || options.runs < 1) {
                std::fprintf(stderr, "--runs needs a positive number\n");
                std::exit(2);
            }
            runsGiven = true;
        } else if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            std::printf("%s\n", usage.constData());
            std::exit(0);
        } else if (arg.startsWith(QLatin1String("--"))) {
            std::fprintf(stderr, "unknown option %s\n%s\n", argv[i], usage.constData());
            std::exit(2);
        } else {
            options.positional << arg;
        }
    }
    if (!runsGiven)
        options.runs = options.smoke ? 1 : defaultRuns;
    return options;
}

qint64 Options::size(qint64 smokeSize, qint64 fullSize) const
{
    if (!positional.isEmpty())
        return positional.first().toLongLong();
    return smoke ? smokeSize : fullSize;
}

void announce(const Options &options, const QString &settings)
{
    std::fprintf(stderr, "%s: %s; %s\n", qPrintable(options.program), qPrintable(settings), qPrintable(describeMachine()));
}

Summary summarize(std::vector<double> values)
{
    Summary summary;
    if (values.empty())
        return summary;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    summary.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    summary.min = values.front();
    summary.max = values.back();
    summary.count = int(n);
    return summary;
}

double percentileSorted(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    const double rank = std::ceil(p / 100.0 * double(sorted.size()));
    const size_t index = size_t(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
    return sorted[index];
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return percentileSorted(values, p);
}

namespace {

const char *verdictText(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Met: return "met";
    case Verdict::Missed: return "NOT MET";
    case Verdict::Reported: return "reported";
    case Verdict::Skipped: return "skipped";
    }
    return "?";
}

QByteArray tabFree(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    bytes.replace('\t', ' ');
    bytes.replace('\n', ' ');
    return bytes;
}

} // namespace

void report(const Figure &figure)
{
    std::printf("RESULT\t%s\t%s\t%s\t%s\t%s\t%s\n", tabFree(figure.id).constData(), tabFree(figure.name).constData(),
                tabFree(figure.value).constData(), tabFree(figure.target).constData(), verdictText(figure.verdict),
                tabFree(figure.spread).constData());
    std::fflush(stdout);
    std::fprintf(stderr, "  %-4s %-58s %-16s target %-10s %-8s %s\n", tabFree(figure.id).constData(),
                 tabFree(figure.name).constData(), tabFree(figure.value).constData(),
                 tabFree(figure.target).constData(), verdictText(figure.verdict), tabFree(figure.spread).constData());
}

Verdict verdict(bool ok, const Options &options)
{
    if (options.smoke)
        return Verdict::Reported;
    return ok ? Verdict::Met : Verdict::Missed;
}

QString formatRate(double perSecond, const QString &unit)
{
    if (perSecond >= 1e6)
        return QStringLiteral("%1 M %2").arg(perSecond / 1e6, 0, 'f', 2).arg(unit);
    if (perSecond >= 1e4)
        return QStringLiteral("%1 k %2").arg(perSecond / 1e3, 0, 'f', 1).arg(unit);
    return QStringLiteral("%1 %2").arg(perSecond, 0, 'f', 0).arg(unit);
}

QString formatRatio(double ratio)
{
    return QStringLiteral("%1x").arg(ratio, 0, 'f', 2);
}

QString formatMicros(double us)
{
    if (us >= 10'000)
        return QStringLiteral("%1 ms").arg(us / 1000, 0, 'f', 1);
    if (us >= 1000)
        return QStringLiteral("%1 ms").arg(us / 1000, 0, 'f', 2);
    return QStringLiteral("%1 us").arg(us, 0, 'f', 0);
}

QString formatBytes(double bytes)
{
    const double magnitude = std::fabs(bytes);
    if (magnitude >= 1024.0 * 1024.0)
        return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024.0), 0, 'f', 1);
    if (magnitude >= 10 * 1024.0)
        return QStringLiteral("%1 KiB").arg(bytes / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(bytes, 0, 'f', 0);
}

QString formatSpread(const Summary &summary, const std::function<QString(double)> &format)
{
    if (summary.count <= 1)
        return QStringLiteral("1 run");
    return QStringLiteral("%1 .. %2, %3 runs").arg(format(summary.min), format(summary.max)).arg(summary.count);
}

qint64 heapInUseBytes()
{
    const struct mallinfo2 info = mallinfo2(); // sums every arena, the pool threads' included
    return qint64(info.uordblks + info.hblkhd);
}

qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

qint64 peakResidentBytes()
{
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_maxrss) * 1024; // kilobytes on Linux
}

bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout, std::chrono::milliseconds poll)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer check;
    check.setTimerType(Qt::PreciseTimer);
    check.setInterval(poll);
    bool reached = false;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            reached = true;
            loop.quit();
        }
    });
    // A timer object of our own, not QTimer::singleShot: a single-shot timer outlives this call
    // until it fires, and 8c (memory over 1,000,000 tasks) would count one per call as growth.
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(timeout);
    check.start();
    loop.exec();
    return reached || done();
}

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

qint64 processCpuNs()
{
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto ns = [](const timeval &t) { return qint64(t.tv_sec) * 1'000'000'000 + qint64(t.tv_usec) * 1000; };
    return ns(usage.ru_utime) + ns(usage.ru_stime);
}

qint64 contextSwitches()
{
    qint64 total = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile status(tasks.filePath(task + QStringLiteral("/status")));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:"))
                total += line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
        }
    }
    return total;
}

StallProbe::StallProbe(std::chrono::milliseconds threshold)
    : m_threshold(threshold)
    , m_thread([this] { run(); })
{
}

StallProbe::~StallProbe()
{
    {
        std::lock_guard lock(m_lock);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

StallProbe::Stalls StallProbe::take()
{
    std::lock_guard lock(m_lock);
    return std::exchange(m_stalls, Stalls{});
}

void StallProbe::run()
{
    using Clock = std::chrono::steady_clock;
    constexpr auto step = std::chrono::milliseconds(5);
    std::unique_lock lock(m_lock);
    while (!m_stop) {
        const auto due = Clock::now() + step;
        if (m_wake.wait_until(lock, due, [this] { return m_stop; }))
            return;
        const auto late = Clock::now() - due;
        if (late >= m_threshold) {
            ++m_stalls.count;
            m_stalls.longestUs =
                std::max<qint64>(m_stalls.longestUs, std::chrono::duration_cast<std::chrono::microseconds>(late).count());
        }
    }
}

QString describeMachine()
{
    QString cpu = QStringLiteral("unknown CPU");
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                cpu = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
        }
    }
    QString load;
    QFile loadavg(QStringLiteral("/proc/loadavg"));
    if (loadavg.open(QIODevice::ReadOnly))
        load = QString::fromUtf8(loadavg.readAll()).section(QLatin1Char(' '), 0, 2);
    return QStringLiteral("%1, %2 cores, kernel %3, Qt %4, load %5")
        .arg(cpu)
        .arg(QThread::idealThreadCount())
        .arg(QSysInfo::kernelVersion(), QString::fromLatin1(qVersion()), load);
}

void fail(const QString &message)
{
    std::fprintf(stderr, "BENCHMARK FAILED: %s\n", qPrintable(message));
    std::fflush(nullptr);
    std::exit(1);
}

QString uniqueSocketName(const char *tag)
{
    return QStringLiteral("afterwork-bench-%1-%2-%3")
        .arg(QLatin1StringView(tag))
        .arg(QCoreApplication::applicationPid())
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
}

} // namespace afterwork::bench
