// SPDX-License-Identifier: MIT
// The plain geometry the painted views rely on: the timeline's time/row mapping, zoom and
// follow-live, its lane packing (one source's, and several sources' lanes under one budget) and
// its progress shading, the bar charts' layout and the layouts of the phase and progress cells.
#include "monitortestsupport.h"

#include "core/timelinelayout.h"
#include "widgets/chartgeometry.h"
#include "widgets/phasedelegate.h"
#include "widgets/progressdelegate.h"
#include "widgets/timelinegeometry.h"

#include <afterwork/client/lineparser.h>

#include <QtCore/QSet>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;
using monitortest::LineWriter;
using monitortest::T0;
using monitortest::parsed;

class tst_Geometry : public QObject
{
    Q_OBJECT

private:
    static TimelineGeometry geometry()
    {
        TimelineGeometry g;
        g.originUs = 1'000'000;
        g.usPerPixel = 1000; // 1 ms per pixel
        g.labelWidth = 100;
        g.axisHeight = 20;
        g.rowHeight = 10;
        g.width = 600;  // plot: 500 px = 500 ms
        g.height = 120; // plot: 100 px = 10 rows
        return g;
    }
    //! Task \a id of \a writer's source, scheduled at \a fromUs and ended (succeeded) at \a toUs.
    static QList<QByteArray> finishedTask(LineWriter &writer, quint64 id, qint64 fromUs, qint64 toUs, const QByteArray &extra = {})
    {
        const QByteArray scheduled = "\"scheduled_us\":" + QByteArray::number(fromUs) + (extra.isEmpty() ? QByteArray() : ',' + extra);
        return {writer.task(fromUs, id, "scheduled", {}, scheduled), writer.task(toUs, id, "succeeded", {}, scheduled)};
    }
    static TimelineBar bar(quint64 id, qint64 from, qint64 to, const QString &group = QStringLiteral("g"))
    {
        TimelineBar b;
        b.id = id;
        b.scheduledUs = from;
        b.startedUs = from;
        b.endUs = to;
        b.phase = Phase::Succeeded;
        b.group = group;
        return b;
    }

private Q_SLOTS:
    void timeMapsToXAndBack_data()
    {
        QTest::addColumn<qint64>("us");
        QTest::addColumn<double>("x");
        QTest::newRow("origin at the plot's left edge") << qint64(1'000'000) << 100.0;
        QTest::newRow("one pixel per ms") << qint64(1'001'000) << 101.0;
        QTest::newRow("right edge") << qint64(1'500'000) << 600.0;
        QTest::newRow("before the origin: in the label column") << qint64(900'000) << 0.0;
    }
    void timeMapsToXAndBack()
    {
        QFETCH(qint64, us);
        QFETCH(double, x);
        const TimelineGeometry g = geometry();
        QCOMPARE(g.timeToX(us), x);
        QCOMPARE(g.xToTime(x), us);
    }

    void rowsMapToYAndBack()
    {
        TimelineGeometry g = geometry();
        QCOMPARE(g.rowTop(0), 20);
        QCOMPARE(g.rowTop(3), 50);
        QCOMPARE(g.rowAt(19, 100), -1); // the axis
        QCOMPARE(g.rowAt(20, 100), 0);
        QCOMPARE(g.rowAt(29, 100), 0);
        QCOMPARE(g.rowAt(30, 100), 1);
        QCOMPARE(g.rowAt(30, 1), -1); // no such row
        QCOMPARE(g.visibleRows(100), (std::pair<int, int>{0, 9}));
        QCOMPARE(g.visibleRows(4), (std::pair<int, int>{0, 3}));
        QCOMPARE(g.maxScrollY(100), 900);
        QCOMPARE(g.maxScrollY(5), 0);
        g.scrollY = 25; // half-way into row 2
        QCOMPARE(g.rowTop(2), 15);
        QCOMPARE(g.rowAt(20, 100), 2);
        QCOMPARE(g.visibleRows(100), (std::pair<int, int>{2, 12}));
        const auto none = g.visibleRows(0);
        QVERIFY(none.first > none.second);
    }

    void barsAreClippedAndNeverVanish()
    {
        const TimelineGeometry g = geometry();
        const QRectF inside = g.barRect(1, 1'010'000, 1'030'000);
        QCOMPARE(inside.left(), 110.0);
        QCOMPARE(inside.width(), 20.0);
        QVERIFY(inside.top() > g.rowTop(1) && inside.bottom() < g.rowTop(2)); // padded inside its row
        QCOMPARE(g.barRect(0, 1'010'000, 1'010'000).width(), 2.0);           // an instant task
        QCOMPARE(g.barRect(0, 900'000, 1'020'000).left(), 100.0);             // clipped at the plot
        QCOMPARE(g.barRect(0, 1'400'000, 9'000'000).right(), 600.0);
        QVERIFY(g.barRect(0, 100'000, 200'000).isEmpty());   // entirely before
        QVERIFY(g.barRect(0, 2'000'000, 3'000'000).isEmpty()); // entirely after
        QCOMPARE(g.visibleEndUs(), 1'500'000);
    }

    void progressShadesTheDonePartOfTheRun()
    {
        const TimelineGeometry g = geometry();
        // A run from 1.010 s to 1.110 s (x 110 … 210), 30 % done: x 110 … 140, in the bar's row.
        const QRectF done = g.progressRect(1, 1'010'000, 1'110'000, 0.3);
        const QRectF run = g.barRect(1, 1'010'000, 1'110'000);
        QCOMPARE(done.left(), 110.0);
        QCOMPARE(done.width(), 30.0);
        QCOMPARE(done.top(), run.top());
        QCOMPARE(done.height(), run.height());
        QCOMPARE(g.progressRect(1, 1'010'000, 1'110'000, 1.0), run);
        QCOMPARE(g.progressRect(1, 1'010'000, 1'110'000, 7.0), run); // clamped: never past the run
        // Nothing to shade: no progress yet, an unknown total, an empty run.
        QVERIFY(g.progressRect(1, 1'010'000, 1'110'000, 0.0).isEmpty());
        QVERIFY(g.progressRect(1, 1'010'000, 1'110'000, -1.0).isEmpty());
        QVERIFY(g.progressRect(1, 1'010'000, 1'010'000, 0.5).isEmpty());
        // Clipped like the bar: a run that began off the left edge keeps its fraction of the time,
        // so only the visible part of the done part shows (or none of it).
        const QRectF clipped = g.progressRect(0, 800'000, 1'200'000, 0.75); // done until 1.100 s
        QCOMPARE(clipped.left(), 100.0);
        QCOMPARE(clipped.right(), 200.0);
        QVERIFY(g.progressRect(0, 800'000, 1'200'000, 0.25).isEmpty()); // done until 0.900 s: off-screen
    }

    void onlyRunningBarsWithAKnownTotalAreShaded()
    {
        TimelineBar running = bar(1, 1'000'000, 2'000'000);
        running.live = true;
        running.phase = Phase::Started;
        QCOMPARE(running.shadedFraction(), -1.0); // no progress yet
        running.progress = client::ProgressEvent{1, 1, 4, {}};
        QCOMPARE(running.shadedFraction(), 0.25);
        TimelineBar unknownTotal = running;
        unknownTotal.progress = client::ProgressEvent{1, 9, 0, {}};
        QCOMPARE(unknownTotal.shadedFraction(), -1.0);
        TimelineBar queued = running;
        queued.startedUs = 0;
        QCOMPARE(queued.shadedFraction(), -1.0);
        TimelineBar ended = running;
        ended.live = false;
        ended.phase = Phase::Failed;
        QCOMPARE(ended.shadedFraction(), -1.0); // an ended bar shows its outcome

        // The store's progress reaches the bars.
        client::TaskStore store;
        store.apply(QList<client::StreamEvent>{
            std::get<client::StreamEvent>(client::parseLine(R"({"v":1,"seq":0,"ts_us":5,"kind":"hello","source":{"instance":"i"}})")),
            std::get<client::StreamEvent>(client::parseLine(
                R"({"v":1,"seq":1,"ts_us":9,"kind":"snapshot","tasks":[{"id":3,"phase":"started","scheduled_us":5,"started_us":6,"progress":{"done":1,"total":2}},{"id":4,"phase":"started","scheduled_us":5,"started_us":6}]})"))});
        const TimelineLayout layout = TimelineLayout::fromStore(store, TimelineGrouping::Mode, 20);
        QCOMPARE(layout.bars.size(), 2);
        for (const TimelineBar &b : layout.bars)
            QCOMPARE(b.shadedFraction(), b.id == 3 ? 0.5 : -1.0);
    }

    void zoomKeepsTheTimeUnderThePointer()
    {
        TimelineGeometry g = geometry();
        const qint64 anchor = g.xToTime(350);
        g.zoomAt(350, 2);
        QCOMPARE(g.usPerPixel, 500.0);
        QCOMPARE(g.xToTime(350), anchor);
        g.zoomAt(350, 0.25);
        QCOMPARE(g.usPerPixel, 2000.0);
        QCOMPARE(g.xToTime(350), anchor);
        g.zoomAt(100, 1e12); // clamped
        QCOMPARE(g.usPerPixel, TimelineGeometry::MinUsPerPixel);
        g.zoomAt(100, 1e-12);
        QCOMPARE(g.usPerPixel, TimelineGeometry::MaxUsPerPixel);
        g.zoomAt(100, 0); // ignored
        QCOMPARE(g.usPerPixel, TimelineGeometry::MaxUsPerPixel);
    }

    void followLiveAndFit()
    {
        TimelineGeometry g = geometry();
        g.followLive(5'000'000, 20);
        QCOMPARE(g.timeToX(5'000'000), 580.0); // 20 px from the right edge
        QCOMPARE(g.usPerPixel, 1000.0);        // the zoom is kept
        g.fit(2'000'000, 3'000'000);
        QVERIFY(g.timeToX(2'000'000) > g.plotLeft());
        QVERIFY(g.timeToX(3'000'000) < g.width);
        QVERIFY(g.timeToX(2'000'000) - g.plotLeft() < 0.05 * g.plotWidth()); // a small margin only
        g.scrollByPixels(10);
        QCOMPARE(g.xToTime(g.plotLeft()), g.originUs);
    }

    void ticksAreRound_data()
    {
        QTest::addColumn<double>("usPerPixel");
        QTest::addColumn<qint64>("step");
        QTest::newRow("1 ms/px, 100 px apart") << 1000.0 << qint64(100'000);
        QTest::newRow("3 ms/px") << 3000.0 << qint64(500'000);
        QTest::newRow("seconds") << 20'000.0 << qint64(2'000'000);
        QTest::newRow("half minutes") << 250'000.0 << qint64(30'000'000);
        QTest::newRow("microseconds") << 1.0 << qint64(100);
    }
    void ticksAreRound()
    {
        QFETCH(double, usPerPixel);
        QFETCH(qint64, step);
        TimelineGeometry g = geometry();
        g.usPerPixel = usPerPixel;
        g.originUs = 1'234'567;
        qint64 actual = 0;
        const QList<qint64> ticks = g.ticks(100, &actual);
        QCOMPARE(actual, step);
        QVERIFY(!ticks.isEmpty());
        for (const qint64 tick : ticks) {
            QCOMPARE(tick % step, 0);
            QVERIFY(tick >= g.originUs && tick <= g.visibleEndUs());
        }
    }

    void lanesPackNonOverlappingBars()
    {
        // a: 0-10, b: 5-15, c: 12-20 (fits after a), d: 30-40 in another group.
        const TimelineLayout layout = TimelineLayout::pack({bar(1, 0, 10), bar(2, 5, 15), bar(3, 12, 20), bar(4, 30, 40, QStringLiteral("other"))});
        QCOMPARE(layout.rows.size(), 5); // header g, 2 lanes, header other, 1 lane
        QVERIFY(layout.rows.at(0).header);
        QCOMPARE(layout.rows.at(0).label, QStringLiteral("g"));
        QCOMPARE(layout.rows.at(1).bars, (QList<int>{0, 2}));
        QCOMPARE(layout.rows.at(2).bars, (QList<int>{1}));
        QVERIFY(layout.rows.at(3).header);
        QCOMPARE(layout.rows.at(3).label, QStringLiteral("other"));
        QCOMPARE(layout.firstUs, 0);
        QCOMPARE(layout.lastUs, 40);
        QCOMPARE(layout.barAt(1, 15, 0), 2);
        QCOMPARE(layout.barAt(1, 11, 0), -1);
        QCOMPARE(layout.barAt(1, 11, 1), 2); // with slack
        QCOMPARE(layout.barAt(0, 5, 0), -1); // a header
        QCOMPARE(layout.rowOfBar(1), 2);
    }

    void groupOrderAndLaneLimit()
    {
        QList<TimelineBar> bars;
        for (quint64 id = 1; id <= 5; ++id)
            bars.append(bar(id, 0, 100, QStringLiteral("after_response")));
        bars.append(bar(6, 0, 1, QStringLiteral("immediate")));
        const TimelineLayout layout = TimelineLayout::pack(bars, {QStringLiteral("immediate"), QStringLiteral("after_route"), QStringLiteral("after_response")}, 3);
        QCOMPARE(layout.rows.at(0).label, QStringLiteral("immediate")); // the given order first
        QCOMPARE(layout.rows.at(2).label, QStringLiteral("after_response"));
        QCOMPARE(layout.rows.size(), 2 + 1 + 3); // five overlapping bars share three lanes
        int placed = 0;
        for (const TimelineRow &row : layout.rows)
            placed += int(row.bars.size());
        QCOMPARE(placed, 6);
    }

    void severalSourcesHaveALaneEach()
    {
        // api: a finished task and a running one; worker: one task of each of two modes; idle:
        // no task yet. Task ids 1 and 2 are in both api and worker.
        LineWriter a;
        LineWriter w;
        LineWriter i;
        client::TaskStore api;
        client::TaskStore worker;
        client::TaskStore idle;
        api.apply(parsed(QList<QByteArray>{a.hello(T0)} + finishedTask(a, 1, T0 + 10, T0 + 20)
                         + QList<QByteArray>{a.task(T0 + 31, 2, "started", {}, "\"scheduled_us\":" + QByteArray::number(T0 + 30) + ",\"started_us\":" + QByteArray::number(T0 + 31))}));
        worker.apply(parsed(QList<QByteArray>{w.hello(T0)} + finishedTask(w, 1, T0 + 10, T0 + 40)
                            + finishedTask(w, 2, T0 + 15, T0 + 50, R"("mode":"after_response")")));
        idle.apply(parsed({i.hello(T0)}));
        const qint64 now = T0 + 1000;
        const TimelineLayout layout = TimelineLayout::fromSources({{&api, QStringLiteral("api"), {}, now},
                                                                   {&worker, QStringLiteral("worker"), QStringLiteral("lost"), now + 5},
                                                                   {&idle, QStringLiteral("idle"), {}, now}},
                                                                  TimelineGrouping::Mode, 10'000);

        // Each source's header, then its groups (and lanes); a source with no task has its header.
        QList<std::pair<QString, int>> headers;
        for (const TimelineRow &row : layout.rows) {
            if (row.header)
                headers.append({row.label, row.source});
        }
        const QList<std::pair<QString, int>> expected = {{QStringLiteral("api"), 0},       {QStringLiteral("immediate"), -1},
                                                         {QStringLiteral("worker"), 1},    {QStringLiteral("immediate"), -1},
                                                         {QStringLiteral("after_response"), -1}, {QStringLiteral("idle"), 2}};
        QCOMPARE(headers, expected);
        QCOMPARE(layout.sources.size(), 3);
        QCOMPARE(layout.sources.at(1).label, QStringLiteral("worker"));
        QCOMPARE(layout.sources.at(1).state, QStringLiteral("lost"));
        QVERIFY(layout.sources.at(0).state.isEmpty());

        // Every bar sits under its own source's header, and the same id is two tasks.
        int source = -1;
        for (const TimelineRow &row : layout.rows) {
            if (row.source >= 0)
                source = row.source;
            for (const int index : row.bars)
                QCOMPARE(layout.bars.at(index).source, source);
        }
        QCOMPARE(monitortest::timelineTasks(layout), (QSet<std::pair<int, quint64>>{{0, 1}, {0, 2}, {1, 1}, {1, 2}}));
        // A live bar ends at its own source's now; the span is every source's.
        for (const TimelineBar &b : layout.bars) {
            if (b.live)
                QCOMPARE(b.endUs, now);
        }
        QCOMPARE(layout.firstUs, T0 + 10);
        QCOMPARE(layout.lastUs, now);

        // One source's layout has no source header: it is what the timeline always drew.
        const TimelineLayout one = TimelineLayout::fromStore(api, TimelineGrouping::Mode, now);
        QVERIFY(one.sources.isEmpty());
        for (const TimelineRow &row : one.rows)
            QCOMPARE(row.source, -1);
        QCOMPARE(one.rows.constFirst().label, QStringLiteral("immediate"));
    }

    void finishedTasksShareOneBudgetAcrossSources()
    {
        // Finishes: api at +10, +20, +30; worker at +15, +25, +35, and a live task 4.
        LineWriter a;
        LineWriter w;
        client::TaskStore api;
        client::TaskStore worker;
        QList<QByteArray> apiLines{a.hello(T0)};
        QList<QByteArray> workerLines{w.hello(T0)};
        for (quint64 id = 1; id <= 3; ++id) {
            apiLines += finishedTask(a, id, T0 + 1, T0 + 10 * qint64(id));
            workerLines += finishedTask(w, id, T0 + 1, T0 + 10 * qint64(id) + 5);
        }
        workerLines += w.task(T0 + 3, 4, "started", {}, "\"scheduled_us\":" + QByteArray::number(T0 + 2) + ",\"started_us\":" + QByteArray::number(T0 + 3));
        api.apply(parsed(apiLines));
        worker.apply(parsed(workerLines));
        const QList<TimelineSourceInput> both = {{&api, QStringLiteral("api"), {}, T0 + 100}, {&worker, QStringLiteral("worker"), {}, T0 + 100}};

        // The three latest finishes across both, and every live task: not three per source.
        QCOMPARE(monitortest::timelineTasks(TimelineLayout::fromSources(both, TimelineGrouping::Mode, 3)),
                 (QSet<std::pair<int, quint64>>{{1, 3}, {0, 3}, {1, 2}, {1, 4}}));
        QCOMPARE(monitortest::timelineTasks(TimelineLayout::fromSources(both, TimelineGrouping::Mode, 0)), (QSet<std::pair<int, quint64>>{{1, 4}}));
        // Within the budget, everything.
        QCOMPARE(TimelineLayout::fromSources(both, TimelineGrouping::Mode, 6).bars.size(), 7);
    }

    void barChartLayout()
    {
        const BarChartGeometry chart = BarChartGeometry::compute(QRectF(0, 0, 440, 220), 10, 37, 40, 20, 20);
        QCOMPARE(chart.plot, QRectF(40, 20, 396, 180));
        QCOMPARE(chart.maxValue, 50.0);
        QCOMPARE(chart.valueToY(0), 200.0);
        QCOMPARE(chart.valueToY(50), 20.0);
        QCOMPARE(chart.valueToY(500), 20.0); // clamped
        const QRectF first = chart.barRect(0, 0, 25);
        QVERIFY(first.left() > 40 && first.right() < 40 + chart.slotWidth());
        QCOMPARE(first.bottom(), 200.0);
        QCOMPARE(first.top(), 110.0);
        QVERIFY(chart.barRect(10, 0, 1).isNull());
        QCOMPARE(chart.barAt(41), 0);
        QCOMPARE(chart.barAt(435), 9);
        QCOMPARE(chart.barAt(10), -1);
        QCOMPARE(chart.gridSteps(), 5);
        QCOMPARE(BarChartGeometry::niceCeiling(0), 1.0);
        QCOMPARE(BarChartGeometry::niceCeiling(1), 1.0);
        QCOMPARE(BarChartGeometry::niceCeiling(1.2), 2.0);
        QCOMPARE(BarChartGeometry::niceCeiling(2.5), 5.0);
        QCOMPARE(BarChartGeometry::niceCeiling(7000), 10000.0);
        QCOMPARE(BarChartGeometry::niceCeiling(0.03), 0.05);
    }

    void phaseBadgeLayout()
    {
        const PhaseBadgeGeometry badge = PhaseBadgeGeometry::compute(QRect(10, 100, 150, 24), 14, 3);
        QCOMPARE(badge.glyph, QRect(13, 105, 14, 14)); // left, vertically centred
        QCOMPARE(badge.text.left(), 30);
        QCOMPARE(badge.text.right(), 156);
        QCOMPARE(badge.text.height(), 24);
        const PhaseBadgeGeometry tight = PhaseBadgeGeometry::compute(QRect(0, 0, 40, 10), 14, 3);
        QCOMPARE(tight.glyph.height(), 4); // shrinks to the row
        const PhaseBadgeGeometry narrow = PhaseBadgeGeometry::compute(QRect(0, 0, 10, 24), 14, 3);
        QCOMPARE(narrow.text.width(), 0);
    }

    void progressBarLayout()
    {
        const ProgressBarGeometry bar = ProgressBarGeometry::compute(QRect(10, 100, 106, 24), 0.25, 3);
        QCOMPARE(bar.track, QRectF(13, 103, 100, 18)); // inset by the padding
        QCOMPARE(bar.done, QRectF(13, 103, 25, 18));   // the first quarter, from the left
        QCOMPARE(ProgressBarGeometry::compute(QRect(10, 100, 106, 24), 1.5, 3).done, bar.track);
        QVERIFY(ProgressBarGeometry::compute(QRect(10, 100, 106, 24), 0, 3).done.isEmpty());
        QVERIFY(ProgressBarGeometry::compute(QRect(10, 100, 106, 24), -1, 3).done.isEmpty()); // unknown total
        QVERIFY(ProgressBarGeometry::compute(QRect(0, 0, 4, 4), 0.5, 3).track.isEmpty());    // no room
    }
};

QTEST_MAIN(tst_Geometry)
#include "tst_geometry.moc"
