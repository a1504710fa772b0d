// SPDX-License-Identifier: MIT
// formatDuration(): the one rule for durations that `afterwork` and the dashboard both print
// (client/include/afterwork/client/durationformat.h, docs/cli.md, docs/monitor.md). Every unit
// boundary, both sides of it, and the roundings that would otherwise show "1000 ms" or "60.0 s".

#include <afterwork/client/durationformat.h>

#include <QtTest/QTest>

using afterwork::client::formatDuration;

class DurationFormatTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void formats_data()
    {
        QTest::addColumn<qint64>("us");
        QTest::addColumn<QString>("text");
        const auto row = [](const char *name, qint64 us, const char *text) {
            QTest::newRow(name) << us << QString::fromUtf8(text);
        };
        // Unknown.
        row("negative", -1, "—");
        row("very negative", -3'600'000'000, "—");
        // Microseconds.
        row("zero", 0, "0 µs");
        row("1 µs", 1, "1 µs");
        row("last µs", 999, "999 µs");
        // Milliseconds, three significant digits.
        row("first ms", 1'000, "1.00 ms");
        row("1.25 ms", 1'250, "1.25 ms");
        row("1.256 ms", 1'256, "1.26 ms");
        row("9.994 ms", 9'994, "9.99 ms");
        row("9.995 ms rounds into the next digit", 9'995, "10.0 ms");
        row("12.34 ms", 12'340, "12.3 ms");
        row("50 ms", 50'000, "50.0 ms");
        row("99.94 ms", 99'940, "99.9 ms");
        row("99.95 ms rounds into the next digit", 99'950, "100 ms");
        row("350 ms", 350'000, "350 ms");
        row("999.4 ms", 999'400, "999 ms");
        // Seconds: 999.5 ms and up would read "1000 ms".
        row("999.5 ms is a second", 999'500, "1.00 s");
        row("first s", 1'000'000, "1.00 s");
        row("4.2 s", 4'200'000, "4.20 s");
        row("9.995 s", 9'995'000, "10.0 s");
        row("12.34 s", 12'340'000, "12.3 s");
        row("59.94 s", 59'940'000, "59.9 s");
        // Minutes and seconds: 59.95 s and up would read "60.0 s".
        row("59.95 s is a minute", 59'950'000, "1 min 00 s");
        row("first min", 60'000'000, "1 min 00 s");
        row("3 min 12 s", 192'000'000, "3 min 12 s");
        row("3 min 12.5 s rounds to the second", 192'500'000, "3 min 13 s");
        row("last min", 3'599'400'000, "59 min 59 s");
        // Hours and minutes: 3599.5 s and up would read "60 min 00 s".
        row("3599.5 s is an hour", 3'599'500'000, "1 h 00 min");
        row("first h", 3'600'000'000, "1 h 00 min");
        row("2 h 05 min", 7'500'000'000, "2 h 05 min");
        row("2 h 05 min 30 s rounds to the minute", 7'530'000'000, "2 h 06 min");
        row("a day", 86'400'000'000, "24 h 00 min");
    }
    void formats()
    {
        QFETCH(qint64, us);
        QFETCH(QString, text);
        QCOMPARE(formatDuration(us), text);
    }
};

QTEST_GUILESS_MAIN(DurationFormatTest)
#include "tst_durationformat.moc"
