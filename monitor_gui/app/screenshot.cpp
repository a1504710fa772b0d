// SPDX-License-Identifier: MIT
#include "app/screenshot.h"

#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "widgets/tasksview.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtGui/QImage>
#include <QtWidgets/QApplication>
#include <QtWidgets/QTableView>


namespace afterwork::monitor {

using namespace Qt::StringLiterals;

QString writeScreenshot(MainWindow *window, const QString &path)
{
    window->session()->flushNow();
    window->refreshAll();
    QApplication::processEvents();
    // A selected task (--select) in sight, wherever later rows or a view switch left the table.
    QTableView *table = window->tasks()->table();
    if (table->currentIndex().isValid())
        table->scrollTo(table->currentIndex(), QAbstractItemView::PositionAtCenter);
    QApplication::processEvents();
    const QImage image = window->grab().toImage();
    if (image.isNull())
        return u"could not render the window"_s;
    if (!image.save(path, "PNG"))
        return u"could not write '%1'"_s.arg(path);
    return {};
}

namespace {

//! Waits for the moment, then for a recording to be read, then renders (parented to the window).
class ScreenshotJob final : public QObject
{
public:
    ScreenshotJob(MainWindow *window, QString path, int afterMs, std::optional<ViewId> view, std::function<void(int)> done)
        : QObject(window), m_window(window), m_path(std::move(path)), m_view(view), m_done(std::move(done))
    {
        m_poll.setInterval(100);
        connect(&m_poll, &QTimer::timeout, this, &ScreenshotJob::attempt);
        QTimer::singleShot(afterMs, this, [this] {
            m_waited.start();
            m_poll.start();
            attempt();
        });
    }

private:
    void attempt()
    {
        const MonitorSession *session = m_window->session();
        const bool reading = session->sourceKind() == MonitorSession::SourceKind::Recording && !session->recordingSummary();
        if (reading && m_waited.elapsed() < 60'000)
            return;
        m_poll.stop();
        if (m_view)
            m_window->showView(*m_view);
        const QString error = writeScreenshot(m_window, m_path);
        if (!error.isEmpty())
            qWarning("afterwork-monitor: screenshot: %s", qPrintable(error));
        m_done(error.isEmpty() ? 0 : 1);
        deleteLater();
    }

    MainWindow *m_window; // Not owning (our parent).
    QString m_path;
    std::optional<ViewId> m_view;
    std::function<void(int)> m_done;
    QTimer m_poll;
    QElapsedTimer m_waited;
};

} // namespace

void scheduleScreenshot(MainWindow *window, const QString &path, int afterMs, std::optional<ViewId> view,
                        std::function<void(int)> done)
{
    new ScreenshotJob(window, path, afterMs, view, std::move(done)); // deletes itself, or goes with the window
}

} // namespace afterwork::monitor
