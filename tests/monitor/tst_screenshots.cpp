// SPDX-License-Identifier: MIT
// Every main view renders something (QWidget::grab() of the window showing it is not blank), in
// the light and the dark theme, and the headless `--screenshot` mode of the real executable
// writes a PNG of the asked view and exits.
#include "app/mainwindow.h"
#include "app/viewid.h"
#include "core/monitorsession.h"
#include "widgets/phasestyle.h"

#include <QtCore/QProcess>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;

namespace {

//! Distinct colours, sampling every other pixel (plenty to tell a drawn view from a blank one).
int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); y += 2) {
        const QRgb *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); x += 2)
            colours.insert(line[x]);
    }
    return int(colours.size());
}

const QString Sample = QStringLiteral(AFTERWORK_MONITOR_TEST_DATA "/sample.ndjson");

//! This environment as a machine without any display would have it.
QProcessEnvironment withoutDisplay()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

} // namespace

class tst_Screenshots : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void everyViewRenders_data()
    {
        QTest::addColumn<int>("view");
        QTest::addColumn<int>("minimumColours");
        // The view widget alone: charts and phase colours give many, tables fewer.
        QTest::newRow("overview") << int(ViewId::Overview) << 60;
        QTest::newRow("tasks") << int(ViewId::Tasks) << 40;
        QTest::newRow("failures") << int(ViewId::Failures) << 20;
        QTest::newRow("shutdown") << int(ViewId::Shutdown) << 30;
        QTest::newRow("timeline") << int(ViewId::Timeline) << 40;
        QTest::newRow("log") << int(ViewId::Log) << 15;
    }
    void everyViewRenders()
    {
        QFETCH(int, view);
        QFETCH(int, minimumColours);
        for (const Theme theme : {Theme::Light, Theme::Dark}) {
            MonitorSession session;
            MainWindow window(&session, MainWindowOptions{.settingsPath = m_dir.filePath(QStringLiteral("s.ini")), .restoreState = false, .discoveryDirectory = m_dir.path()});
            window.setTheme(theme);
            window.resize(1280, 800);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QSignalSpy ended(&session, &MonitorSession::recordingEnded);
            window.openRecording(Sample);
            QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
            window.showView(ViewId(view));
            window.refreshAll();

            const QImage whole = window.grab().toImage();
            QCOMPARE(whole.size(), QSize(1280, 800));
            const QImage part = window.viewWidget(ViewId(view))->grab().toImage();
            const int colours = distinctColours(part);
            QVERIFY2(colours >= minimumColours,
                     qPrintable(QStringLiteral("%1 (%2): %3 colours").arg(viewName(ViewId(view)), themeName(theme)).arg(colours)));
            // The theme reached the pixels: the window's background is dark only in the dark theme.
            const bool darkPixels = QColor(whole.pixel(whole.width() - 3, whole.height() - 3)).lightness() < 128;
            QCOMPARE(darkPixels, theme == Theme::Dark);
            QCOMPARE(phasestyle::isDark(window.palette()), theme == Theme::Dark);
            window.setTheme(Theme::System);
        }
    }

    void headlessScreenshotOfTheRealExecutable()
    {
        const QString out = m_dir.filePath(QStringLiteral("timeline.png"));
        QProcess monitor;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        monitor.setProcessEnvironment(environment);
        monitor.start(QStringLiteral(AFTERWORK_MONITOR_EXE),
                      {QStringLiteral("--replay"), Sample, QStringLiteral("--view"), QStringLiteral("timeline"), QStringLiteral("--screenshot"), out,
                       QStringLiteral("--after"), QStringLiteral("100"), QStringLiteral("--size"), QStringLiteral("1000x640"),
                       QStringLiteral("--settings"), m_dir.filePath(QStringLiteral("cli.ini"))});
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitStatus(), QProcess::NormalExit);
        QVERIFY2(monitor.exitCode() == 0, monitor.readAllStandardError().constData());
        const QImage image(out);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1000, 640));
        QVERIFY(distinctColours(image) >= 40);
    }

    void helpNeedsNoDisplay()
    {
        QProcess monitor;
        monitor.setProcessEnvironment(withoutDisplay());
        monitor.start(QStringLiteral(AFTERWORK_MONITOR_EXE), {QStringLiteral("--help")});
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitStatus(), QProcess::NormalExit);
        QVERIFY2(monitor.exitCode() == 0, monitor.readAllStandardError().constData());
        QVERIFY(monitor.readAllStandardOutput().contains("--screenshot"));
    }

    void screenshotChoosesOffscreenWithoutADisplay()
    {
        const QString out = m_dir.filePath(QStringLiteral("nodisplay.png"));
        QProcess monitor;
        monitor.setProcessEnvironment(withoutDisplay());
        monitor.start(QStringLiteral(AFTERWORK_MONITOR_EXE),
                      {QStringLiteral("--replay"), Sample, QStringLiteral("--screenshot"), out, QStringLiteral("--after"),
                       QStringLiteral("100"), QStringLiteral("--settings"), m_dir.filePath(QStringLiteral("nodisplay.ini"))});
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitStatus(), QProcess::NormalExit);
        QVERIFY2(monitor.exitCode() == 0, monitor.readAllStandardError().constData());
        QVERIFY(!QImage(out).isNull());
    }

    void badCommandLineExitsWithTwo()
    {
        QProcess monitor;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        monitor.setProcessEnvironment(environment);
        monitor.start(QStringLiteral(AFTERWORK_MONITOR_EXE), {QStringLiteral("--view"), QStringLiteral("nowhere")});
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitCode(), 2);
        QVERIFY(monitor.readAllStandardError().contains("unknown view 'nowhere'"));
    }
};

QTEST_MAIN(tst_Screenshots)
#include "tst_screenshots.moc"
