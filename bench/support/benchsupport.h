// SPDX-License-Identifier: MIT
#pragma once

// What every benchmark executable shares: its command line, statistics over repeated runs, the
// machine-readable result lines scripts/bench collects, memory probes and a bounded event-loop wait.

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace afterwork::bench {

struct Options
{
    bool smoke = false; //!< tiny sizes, one run: only checks that the benchmark still works
    int runs = 5;       //!< repetitions whose median is reported
    QStringList positional;
    QString program;    //!< the executable's file name, which its messages start with

    //! How much work one run does: the first positional argument when there is one, otherwise
    //! \a smokeSize in smoke mode and \a fullSize in a real run.
    qint64 size(qint64 smokeSize, qint64 fullSize) const;
};

//! `--smoke`, `--runs N` and positional arguments; \a defaultRuns when `--runs` is absent (1 in
//! smoke mode). Prints usage and exits on `--help` or a bad option. The usage is the program's
//! name with the shared options, then \a arguments (the benchmark's own, "" for none), and on
//! the next lines \a about: what it measures, and other ways to call it.
Options parseOptions(int argc, char *argv[], int defaultRuns, const char *arguments, const char *about);

//! The opening line on stderr: the program's name, \a settings (sizes, runs, threads) and the
//! machine (describeMachine()).
void announce(const Options &options, const QString &settings);

//! The median and range of repeated measurements.
struct Summary
{
    double median = 0;
    double min = 0;
    double max = 0;
    int count = 0;
};
Summary summarize(std::vector<double> values);
//! The \a p-th percentile (0..100) by nearest rank; 0 for no values.
double percentile(std::vector<double> values, double p);
//! Sorts in place, then returns the \a p-th percentile of the sorted values.
double percentileSorted(const std::vector<double> &sorted, double p);

enum class Verdict { Met, Missed, Reported, Skipped };

//! One row of the results table.
struct Figure
{
    QString id;      //!< the issue's target number and a letter: "1a"
    QString name;    //!< what was measured
    QString value;   //!< formatted, with its unit
    QString target;  //!< "≥ 0.8", or "-" when only reported
    Verdict verdict = Verdict::Reported;
    QString spread;  //!< "min–max over N runs", or other context
};

//! Prints \a figure as a `RESULT\t...` line on stdout (what scripts/bench collects) and as a
//! readable line on stderr.
void report(const Figure &figure);
//! Met when \a ok, Missed otherwise; in smoke mode every target is only Reported (tiny sizes
//! measure nothing, they keep the code running).
Verdict verdict(bool ok, const Options &options);

QString formatRate(double perSecond, const QString &unit); //!< "1.23 M tasks/s"
QString formatRatio(double ratio);                          //!< "0.83×"
QString formatMicros(double us);                            //!< "87 µs" / "2.41 ms"
QString formatBytes(double bytes);                          //!< "612 B" / "3.4 MiB"
//! "min–max, N runs" using \a format for both ends.
QString formatSpread(const Summary &summary, const std::function<QString(double)> &format);

//! Bytes malloc has handed out and not taken back (all arenas, mmapped blocks included).
qint64 heapInUseBytes();
qint64 residentBytes();
qint64 peakResidentBytes();

//! Runs the event loop until \a done returns true (checked every \a poll) or \a timeout passes.
//! Returns whether \a done became true.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll = std::chrono::milliseconds(1));

//! Monotonic nanoseconds.
qint64 nowNs();
//! CPU time (user + system) this process has used so far, all threads, in nanoseconds. Unlike
//! wall time it hardly changes when other processes compete for the cores.
qint64 processCpuNs();
//! Context switches (voluntary and not) of every live thread of this process so far: how often
//! threads slept and were woken. Threads that have exited are not counted.
qint64 contextSwitches();

//! Notices when the machine stops running this process: a thread sleeps in steps of 5 ms and
//! counts the wake-ups that come at least a threshold late. A virtual machine whose host takes its
//! CPUs away now and then (docs/performance.md, "The machine") shows up here, so that a run's
//! outliers can be told apart from the code's. A wake-up 20 ms late can also be ordinary scheduling
//! delay on a machine whose cores are all busy, and a stall shorter than the 5 ms step may be
//! missed: the count is a hint, its ~100 ms entries are the host's. It costs about 200 wake-ups a
//! second.
class StallProbe
{
public:
    struct Stalls
    {
        int count = 0;       //!< wake-ups at least the threshold late
        qint64 longestUs = 0; //!< how late the latest of them was
    };

    explicit StallProbe(std::chrono::milliseconds threshold = std::chrono::milliseconds(20));
    ~StallProbe();
    StallProbe(const StallProbe &) = delete;
    StallProbe &operator=(const StallProbe &) = delete;

    //! The stalls since the last take() (or since the start); counting starts afresh.
    Stalls take();

private:
    void run();

    const std::chrono::milliseconds m_threshold;
    std::mutex m_lock;
    std::condition_variable m_wake; // only to stop the thread
    bool m_stop = false;            // guarded by m_lock
    Stalls m_stalls;                // guarded by m_lock
    std::thread m_thread;
};

//! The machine, for the record: CPU model, core count, load average, kernel.
QString describeMachine();

//! A local socket name no other process (nor another run of this benchmark) uses:
//! "afterwork-bench-TAG-PID-RANDOM".
QString uniqueSocketName(const char *tag);

//! Exits with status 1 after printing \a message: a benchmark whose results are wrong must fail
//! (the smoke test relies on it), a target that is missed must not.
[[noreturn]] void fail(const QString &message);

} // namespace afterwork::bench
