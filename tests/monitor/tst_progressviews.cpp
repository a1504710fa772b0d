// SPDX-License-Identifier: MIT
// How the dashboard shows a task's progress, drawn for real under the offscreen platform: the
// table's Progress cells (ProgressDelegate painted into an image, light and dark), the column
// and its delegate in the tasks view, the details pane's line, and the timeline's running bar
// shaded up to the fraction done.
#include "monitortestsupport.h"

#include "app/theme.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/phasestyle.h"
#include "widgets/progressdelegate.h"
#include "widgets/taskdetailspane.h"
#include "widgets/tasksview.h"
#include "widgets/timelinecanvas.h"

#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QApplication>
#include <QtWidgets/QTableView>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace afterwork::monitortest;

namespace {

const QByteArray Started = R"("started_us":1700000000000001)";

//! A store with task 1 at 3 / 10 and running, 2 at an unknown total, 3 without progress, and 4
//! ended (failed) at 6 / 10.
QList<QByteArray> progressRun(LineWriter &w)
{
    return {w.hello(T0),
            w.snapshot(T0 + 1),
            w.task(T0 + 2, 1, "started", "export", Started),
            w.task(T0 + 3, 2, "started", "crawl", Started),
            w.task(T0 + 4, 3, "started", "quiet", Started),
            w.task(T0 + 5, 4, "started", "import", Started),
            w.progress(T0 + 10, 1, 3, 10, "page 3"),
            w.progress(T0 + 11, 2, 41, 0),
            w.progress(T0 + 12, 4, 6, 10),
            w.task(T0 + 20, 4, "failed", "import", Started + R"(,"error":{"type":"E","message":"disk full"})")};
}

QRgb pixel(const QImage &image, const QPointF &at)
{
    return image.pixel(at.toPoint());
}

//! How many pixels of row \a y from \a left to \a right (inclusive) are exactly \a colour.
int countOf(const QImage &image, int y, int left, int right, QColor colour)
{
    int count = 0;
    for (int x = left; x <= right; ++x)
        count += QColor(image.pixel(x, y)).rgb() == colour.rgb() ? 1 : 0;
    return count;
}

} // namespace

class tst_ProgressViews : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    //! The cell of task \a id in the Progress column, painted alone into an image of \a size.
    static QImage paintCell(const TaskTableModel &model, quint64 id, const QPalette &palette, QSize size = {200, 24})
    {
        ProgressDelegate delegate(TaskTableModel::ProgressFractionRole, TaskTableModel::LiveRole);
        QImage image(size, QImage::Format_ARGB32_Premultiplied);
        image.fill(palette.color(QPalette::Base));
        QStyleOptionViewItem option;
        option.rect = QRect(QPoint(0, 0), size);
        option.palette = palette;
        option.state = QStyle::State_Enabled;
        option.fontMetrics = QFontMetrics(QApplication::font());
        QPainter painter(&image);
        delegate.paint(&painter, option, model.index(model.rowOf(id), TaskTableModel::ProgressColumn));
        painter.end();
        return image;
    }

private Q_SLOTS:
    void cleanup()
    {
        applyTheme(Theme::Light);
    }

    void delegateDrawsTheBar_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void delegateDrawsTheBar()
    {
        QFETCH(bool, dark);
        applyTheme(dark ? Theme::Dark : Theme::Light);
        const QPalette palette = QApplication::palette();
        QCOMPARE(phasestyle::isDark(palette), dark);
        client::TaskStore store;
        TaskTableModel model(&store);
        LineWriter w;
        store.apply(parsed(progressRun(w)));
        const QColor fill = phasestyle::progressFill(dark);
        const QColor base = palette.color(QPalette::Base);
        const ProgressBarGeometry at30 = ProgressBarGeometry::compute(QRect(0, 0, 200, 24), 0.3, 3);
        const int y = int(at30.track.center().y());

        // Running, 30 %: the first 30 % filled, the rest the base colour; the text is in the middle.
        const QImage running = paintCell(model, 1, palette);
        QCOMPARE(QColor(pixel(running, {at30.done.left() + 3, qreal(y)})).rgb(), fill.rgb());
        QCOMPARE(QColor(pixel(running, {at30.done.right() - 3, qreal(y)})).rgb(), fill.rgb());
        QCOMPARE(QColor(pixel(running, {at30.done.right() + 3, qreal(y)})).rgb(), base.rgb());
        QCOMPARE(QColor(pixel(running, {at30.track.right() - 3, qreal(y)})).rgb(), base.rgb());
        const int from = int(at30.track.left()) + 2;
        const int to = int(at30.track.right()) - 2;
        const int ink = (to - from + 1) - countOf(running, y, from, to, base) - countOf(running, y, from, to, fill);
        QVERIFY2(ink > 0, "the percentage is written on the bar");

        // Ended at 60 %: the same bar, faded: lighter than the fill in the light theme, darker in
        // the dark one, and not the base colour.
        const ProgressBarGeometry at60 = ProgressBarGeometry::compute(QRect(0, 0, 200, 24), 0.6, 3);
        const QColor faded = pixel(paintCell(model, 4, palette), {at60.done.left() + 3, qreal(y)});
        QVERIFY(faded.rgb() != fill.rgb());
        QVERIFY(faded.rgb() != base.rgb());
        QVERIFY(dark ? faded.lightness() < fill.lightness() : faded.lightness() > fill.lightness());

        // Unknown total: hatched along the whole bar, nothing solid.
        const QImage hatched = paintCell(model, 2, palette);
        const int left = int(at30.track.left()) + 2;
        const int right = int(at30.track.right()) - 2;
        const int plain = countOf(hatched, int(at30.track.top()) + 2, left, right, base);
        QVERIFY2(plain > 0 && plain < right - left + 1, "hatch lines with base between them");
        QCOMPARE(countOf(hatched, int(at30.track.top()) + 2, left, right, fill), 0);

        // No progress: nothing but the (empty) cell.
        const QImage none = paintCell(model, 3, palette);
        QCOMPARE(countOf(none, y, 0, 199, base), 200);
    }

    void tasksViewShowsTheColumnAndTheDetails()
    {
        const QString path = m_dir.filePath(QStringLiteral("progress.ndjson"));
        LineWriter w;
        QList<QByteArray> lines = progressRun(w);
        lines << w.bye(T0 + 30); // in order: the running tasks stay live
        QVERIFY(writeFile(path, testing::Lines::join(lines)));
        MonitorSession session;
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        session.openRecording(path);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);

        SourceSet sources(&session);
        TasksView view(&sources);
        view.resize(1200, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTableView *table = view.table();
        QVERIFY(qobject_cast<ProgressDelegate *>(table->itemDelegateForColumn(TaskTableModel::ProgressColumn)));
        QVERIFY(!table->isColumnHidden(TaskTableModel::ProgressColumn));
        QVERIFY(table->columnWidth(TaskTableModel::ProgressColumn) >= 80);

        // The real table draws the bar in task 1's cell.
        QVERIFY(view.selectTask(3)); // a row without progress selected: task 1's cell is not highlighted
        const QModelIndex cell = view.indexOf(&session, 1, TaskTableModel::ProgressColumn);
        table->scrollTo(cell);
        const QRect rect = table->visualRect(cell);
        QVERIFY(!rect.isEmpty());
        const QImage grabbed = table->viewport()->grab().toImage();
        const ProgressBarGeometry bar = ProgressBarGeometry::compute(rect, 0.3, 3);
        const QColor fill = phasestyle::progressFill(phasestyle::isDark(table->palette()));
        QCOMPARE(QColor(grabbed.pixel(QPoint(int(bar.done.left()) + 2, int(bar.track.center().y())))).rgb(), fill.rgb());

        // The details pane says it, with the message; an ended task's value is its last one.
        QVERIFY(view.selectTask(1));
        QVERIFY2(view.details()->summaryText().contains(QStringLiteral("Progress: 3 / 10 (30 %) — page 3")),
                 qPrintable(view.details()->summaryText()));
        QVERIFY(view.selectTask(2));
        QVERIFY2(view.details()->summaryText().contains(QStringLiteral("Progress: 41 done")), qPrintable(view.details()->summaryText()));
        QVERIFY(view.selectTask(4));
        QVERIFY2(view.details()->summaryText().contains(QStringLiteral("Progress: 6 / 10 (60 %) (the last value reported)")),
                 qPrintable(view.details()->summaryText()));
        QVERIFY(view.selectTask(3));
        QVERIFY(!view.details()->summaryText().contains(QStringLiteral("Progress")));
    }

    void timelineShadesTheDonePart_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void timelineShadesTheDonePart()
    {
        QFETCH(bool, dark);
        applyTheme(dark ? Theme::Dark : Theme::Light);
        // Two tasks running for 10 s, one of them 30 % through its work.
        LineWriter w;
        client::TaskStore store;
        const QByteArray times = R"("scheduled_us":1700000000000000,"started_us":1700000001000000)";
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1), w.task(T0 + 1'000'000, 1, "started", "export", times),
                            w.task(T0 + 1'000'000, 2, "started", "crawl", times), w.progress(T0 + 5'000'000, 1, 3, 10)}));
        const qint64 now = T0 + 11'000'000;

        TimelineCanvas canvas;
        canvas.resize(900, 300);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        canvas.setLayoutData(TimelineLayout::fromStore(store, TimelineGrouping::Name, now), now);
        canvas.setFollowLive(false);
        canvas.fitAll();
        const QImage image = canvas.viewport()->grab().toImage();
        const QColor solid = phasestyle::color(Phase::Started, dark);
        const TimelineGeometry &g = canvas.geometry();
        const qint64 start = T0 + 1'000'000;
        const qint64 span = now - start;
        auto x = [&](double fraction) { return int(g.timeToX(start + qint64(double(span) * fraction))); };

        for (const quint64 id : {quint64(1), quint64(2)}) {
            const QRectF bar = canvas.barRectOf(id);
            QVERIFY(!bar.isEmpty());
            const int y = int(bar.center().y());
            // Solid up to the fraction done (tick lines may cross it), then lighter for the task
            // that reports progress, solid throughout for the one that does not.
            const int doneWidth = x(0.25) - x(0.05) + 1;
            QVERIFY2(countOf(image, y, x(0.05), x(0.25), solid) > doneWidth * 8 / 10, qPrintable(QString::number(id)));
            const int restWidth = x(0.9) - x(0.4) + 1;
            const int solidRest = countOf(image, y, x(0.4), x(0.9), solid);
            if (id == 1) {
                QCOMPARE(solidRest, 0);
                const QColor remaining = image.pixel(x(0.6), y);
                QVERIFY(remaining.rgb() != QApplication::palette().color(QPalette::Base).rgb());
                QVERIFY(dark ? remaining.lightness() < solid.lightness() : remaining.lightness() > solid.lightness());
            } else {
                QVERIFY(solidRest > restWidth * 8 / 10);
            }
        }
    }
};

QTEST_MAIN(tst_ProgressViews)
#include "tst_progressviews.moc"
