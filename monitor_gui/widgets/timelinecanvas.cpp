// SPDX-License-Identifier: MIT
#include "widgets/timelinecanvas.h"

#include "core/connectionstatus.h"
#include "core/formatting.h"
#include "widgets/phasestyle.h"

#include <QtCore/QDateTime>
#include <QtGui/QHelpEvent>
#include <QtGui/QMouseEvent>
#include <QtGui/QPainter>
#include <QtGui/QWheelEvent>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QToolTip>

#include <algorithm>
#include <cmath>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {
constexpr int HorizontalSteps = 10'000; //!< the horizontal scroll bar's resolution
constexpr int MarkerStrip = 8;          //!< request markers, at the bottom of the axis
constexpr qint64 MinFirstSpanUs = 30'000'000;
//! The part of a running bar still to do: between the queue wait's 70 and solid, in both themes.
constexpr int RemainingAlpha = 130;
} // namespace

TimelineCanvas::TimelineCanvas(QWidget *parent) : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(true);
    viewport()->setBackgroundRole(QPalette::Base);
    m_geometry.rowHeight = fontMetrics().height() + 6;
    m_geometry.axisHeight = fontMetrics().height() + 8 + MarkerStrip;
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
}

void TimelineCanvas::setLayoutData(TimelineLayout layout, qint64 nowUs)
{
    m_layout = std::move(layout);
    m_nowUs = nowUs;
    m_geometry.width = viewport()->width();
    m_geometry.height = viewport()->height();
    if (!m_fittedOnce && !m_layout.bars.isEmpty()) {
        // The first data: everything there is, then follow the live edge from there. A live
        // source's first batch may span milliseconds: show at least half a minute then.
        m_fittedOnce = true;
        const qint64 last = std::max(m_layout.lastUs, nowUs);
        m_geometry.fit(std::min(m_layout.firstUs, last - MinFirstSpanUs), last);
    } else if (m_follow && m_nowUs > 0) {
        m_geometry.followLive(m_nowUs);
    }
    m_geometry.scrollY = std::clamp(m_geometry.scrollY, 0, m_geometry.maxScrollY(int(m_layout.rows.size())));
    syncScrollBars();
    viewport()->update();
}

void TimelineCanvas::setFollowLive(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    if (m_follow && m_nowUs > 0) {
        m_geometry.followLive(m_nowUs);
        syncScrollBars();
        viewport()->update();
    }
    Q_EMIT followLiveChanged(m_follow);
}

void TimelineCanvas::stopFollowing()
{
    setFollowLive(false);
}

void TimelineCanvas::zoomBy(double factor)
{
    // Following live, the zoom pivots on "now" so that it stays in view.
    const double pivot = m_follow && m_nowUs > 0 ? m_geometry.timeToX(m_nowUs) : m_geometry.plotLeft() + m_geometry.plotWidth() / 2.0;
    m_geometry.zoomAt(pivot, factor);
    if (m_follow && m_nowUs > 0)
        m_geometry.followLive(m_nowUs);
    syncScrollBars();
    viewport()->update();
}

void TimelineCanvas::fitAll()
{
    if (m_layout.bars.isEmpty())
        return;
    m_geometry.fit(m_layout.firstUs, std::max(m_layout.lastUs, m_nowUs));
    syncScrollBars();
    viewport()->update();
}

void TimelineCanvas::setSelectedTask(std::optional<TimelineTask> task)
{
    if (task == m_selected)
        return;
    m_selected = task;
    viewport()->update();
}

std::pair<qint64, qint64> TimelineCanvas::timeSpan() const
{
    if (m_layout.bars.isEmpty())
        return {m_geometry.originUs, m_geometry.visibleEndUs()};
    const qint64 first = m_layout.firstUs;
    const qint64 last = std::max(m_layout.lastUs, m_nowUs);
    const qint64 margin = std::max<qint64>((last - first) / 20, qint64(m_geometry.usPerPixel * 40));
    return {first - margin, last + margin};
}

void TimelineCanvas::syncScrollBars()
{
    m_syncingScrollBars = true;
    const int rows = int(m_layout.rows.size());
    verticalScrollBar()->setRange(0, m_geometry.maxScrollY(rows));
    verticalScrollBar()->setPageStep(std::max(m_geometry.plotHeight(), 1));
    verticalScrollBar()->setSingleStep(m_geometry.rowHeight);
    verticalScrollBar()->setValue(m_geometry.scrollY);

    const auto [from, to] = timeSpan();
    const double visible = double(m_geometry.visibleEndUs() - m_geometry.originUs);
    const double span = std::max(double(to - from), visible);
    const double scrollable = std::max(span - visible, 0.0);
    horizontalScrollBar()->setRange(0, scrollable > 0 ? HorizontalSteps : 0);
    horizontalScrollBar()->setPageStep(int(std::clamp(visible / span * HorizontalSteps, 1.0, double(HorizontalSteps))));
    horizontalScrollBar()->setSingleStep(std::max(HorizontalSteps / 200, 1));
    if (scrollable > 0) {
        const double fraction = std::clamp(double(m_geometry.originUs - from) / scrollable, 0.0, 1.0);
        horizontalScrollBar()->setValue(int(std::lround(fraction * HorizontalSteps)));
    }
    m_syncingScrollBars = false;
}

void TimelineCanvas::scrollContentsBy(int, int)
{
    if (m_syncingScrollBars)
        return;
    m_geometry.scrollY = verticalScrollBar()->value();
    const auto [from, to] = timeSpan();
    const double visible = double(m_geometry.visibleEndUs() - m_geometry.originUs);
    const double scrollable = std::max(double(to - from) - visible, 0.0);
    if (scrollable > 0) {
        const qint64 origin = from + qint64(double(horizontalScrollBar()->value()) / HorizontalSteps * scrollable);
        if (origin != m_geometry.originUs) {
            m_geometry.originUs = origin;
            stopFollowing();
        }
    }
    viewport()->update();
}

void TimelineCanvas::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    m_geometry.width = viewport()->width();
    m_geometry.height = viewport()->height();
    if (m_follow && m_nowUs > 0)
        m_geometry.followLive(m_nowUs);
    syncScrollBars();
}

void TimelineCanvas::paintEvent(QPaintEvent *)
{
    QPainter painter(viewport());
    const bool dark = phasestyle::isDark(palette());
    m_geometry.width = viewport()->width();
    m_geometry.height = viewport()->height();
    if (m_layout.bars.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(viewport()->rect(), Qt::AlignCenter, u"No tasks yet. Each task will appear as a bar from its scheduling to its end."_s);
        return;
    }
    paintRows(painter, dark);
    paintAxis(painter, dark);
    paintMarkers(painter, dark);
}

void TimelineCanvas::paintAxis(QPainter &painter, bool dark)
{
    const QColor text = palette().color(QPalette::Text);
    const QRect axis(0, 0, m_geometry.width, m_geometry.axisHeight);
    painter.fillRect(axis, palette().color(QPalette::Window));
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(0, axis.bottom(), m_geometry.width, axis.bottom());

    qint64 step = 1;
    const QList<qint64> ticks = m_geometry.ticks(110, &step);
    const QString format = step >= 1'000'000 ? u"HH:mm:ss"_s : u"HH:mm:ss.zzz"_s;
    for (const qint64 tick : ticks) {
        const double x = m_geometry.timeToX(tick);
        if (x < m_geometry.plotLeft())
            continue;
        painter.setPen(phasestyle::gridLine(dark));
        painter.drawLine(QPointF(x, m_geometry.axisHeight), QPointF(x, m_geometry.height));
        painter.setPen(text);
        painter.drawLine(QPointF(x, axis.bottom() - MarkerStrip - 3), QPointF(x, axis.bottom() - MarkerStrip));
        const QString label = QDateTime::fromMSecsSinceEpoch(tick / 1000).toString(format);
        painter.drawText(QRectF(x + 3, 2, 200, axis.height() - MarkerStrip - 4), Qt::AlignLeft | Qt::AlignVCenter, label);
    }
    // The zoom, in the corner above the labels.
    painter.fillRect(QRect(0, 0, m_geometry.labelWidth, axis.height() - 1), palette().color(QPalette::Window));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRect(6, 0, m_geometry.labelWidth - 8, axis.height() - MarkerStrip), Qt::AlignLeft | Qt::AlignVCenter,
                     u"grid: %1"_s.arg(formatDuration(step)));

    if (m_nowUs > 0) {
        const double x = m_geometry.timeToX(m_nowUs);
        if (x >= m_geometry.plotLeft() && x <= m_geometry.width) {
            painter.setPen(QPen(phasestyle::accent(dark), 1.5, Qt::DashLine));
            painter.drawLine(QPointF(x, 0), QPointF(x, m_geometry.height));
        }
    }
}

void TimelineCanvas::paintMarkers(QPainter &painter, bool dark)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    const qint64 from = m_geometry.originUs;
    const qint64 to = m_geometry.visibleEndUs();
    const double base = m_geometry.axisHeight - 1;
    for (const RequestMarkers *markers : std::as_const(m_markers)) {
        for (const RequestMarker &marker : markers->markers()) {
            if (marker.tsUs < from || marker.tsUs > to)
                continue;
            const double x = m_geometry.timeToX(marker.tsUs);
            const bool failed = marker.request.status >= 500;
            painter.setBrush(failed ? phasestyle::color(Phase::Failed, dark) : phasestyle::color(Phase::Scheduled, dark));
            const QPointF triangle[] = {{x - 3.5, base - MarkerStrip + 1}, {x + 3.5, base - MarkerStrip + 1}, {x, base}};
            painter.drawPolygon(triangle, 3);
        }
    }
    painter.restore();
}

void TimelineCanvas::paintRows(QPainter &painter, bool dark)
{
    const int rowCount = int(m_layout.rows.size());
    const auto [first, last] = m_geometry.visibleRows(rowCount);
    const qint64 from = m_geometry.originUs;
    const qint64 to = m_geometry.visibleEndUs();
    const QColor labelBackground = palette().color(QPalette::Window);
    const QColor text = palette().color(QPalette::Text);
    QFont bold = font();
    bold.setBold(true);

    painter.save();
    painter.setClipRect(QRect(0, m_geometry.axisHeight, m_geometry.width, m_geometry.plotHeight()));
    for (int row = first; row <= last; ++row) {
        const TimelineRow &data = m_layout.rows.at(row);
        const int top = m_geometry.rowTop(row);
        if (data.source >= 0) {
            // A source's header: stronger than a group's, so that the lanes read as the sources'.
            QColor band = phasestyle::accent(dark);
            band.setAlpha(45);
            painter.fillRect(QRect(0, top, m_geometry.width, m_geometry.rowHeight), band);
            painter.setPen(phasestyle::accent(dark));
            painter.drawLine(0, top, m_geometry.width, top);
            continue;
        }
        if (data.header) {
            painter.fillRect(QRect(0, top, m_geometry.width, m_geometry.rowHeight), phasestyle::gridLine(dark));
            continue;
        }
        for (const int index : data.bars) {
            const TimelineBar &bar = m_layout.bars.at(index);
            if (bar.endUs < from)
                continue;
            if (bar.scheduledUs > to)
                break; // sorted by start
            const QColor colour = phasestyle::color(bar.phase, dark);
            const qint64 runFrom = bar.startedUs > 0 ? std::max(bar.startedUs, bar.scheduledUs) : bar.endUs;
            // Queue wait, pale; then the run, solid.
            const QRectF wait = m_geometry.barRect(row, bar.scheduledUs, runFrom, 1);
            if (!wait.isEmpty() && runFrom > bar.scheduledUs) {
                QColor pale = colour;
                pale.setAlpha(70);
                painter.fillRect(wait, pale);
            }
            if (bar.startedUs > 0 || !bar.live) {
                const QRectF run = m_geometry.barRect(row, bar.startedUs > 0 ? runFrom : bar.scheduledUs, bar.endUs);
                const double shaded = bar.shadedFraction();
                if (!run.isEmpty() && shaded < 0) {
                    painter.fillRect(run, colour);
                } else if (!run.isEmpty()) {
                    // A running task that knows how far it is: the part still to do lighter, the
                    // done part solid, so the bar reads like a progress bar stretched over time.
                    QColor remaining = colour;
                    remaining.setAlpha(RemainingAlpha);
                    painter.fillRect(run, remaining);
                    const QRectF done = m_geometry.progressRect(row, runFrom, bar.endUs, shaded);
                    if (!done.isEmpty())
                        painter.fillRect(done, colour);
                }
            }
            if (m_selected == TimelineTask{bar.source, bar.id}) {
                painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
                painter.setBrush(Qt::NoBrush);
                painter.drawRect(m_geometry.barRect(row, bar.scheduledUs, bar.endUs, 4).adjusted(-1, -1, 1, 1));
            }
        }
    }
    painter.restore();

    // The label column over the rows' left end.
    painter.fillRect(QRect(0, m_geometry.axisHeight, m_geometry.labelWidth, m_geometry.plotHeight()), labelBackground);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(m_geometry.labelWidth - 1, m_geometry.axisHeight, m_geometry.labelWidth - 1, m_geometry.height);
    painter.setFont(bold);
    const QFontMetrics boldMetrics(bold);
    // Under sources' headers, the groups are indented: they are the source's.
    const int indent = m_layout.sources.isEmpty() ? 0 : 12;
    for (int row = first; row <= last; ++row) {
        const TimelineRow &data = m_layout.rows.at(row);
        if (!data.header)
            continue;
        const QRect cell(6, m_geometry.rowTop(row), m_geometry.labelWidth - 10, m_geometry.rowHeight);
        // A group says how many lanes it takes; a source, its state when it is not connected.
        QString note;
        QColor noteColour = palette().color(QPalette::PlaceholderText);
        const TimelineSourceLane *source = data.source >= 0 ? &m_layout.sources.at(data.source) : nullptr;
        if (source) {
            note = source->state.isEmpty() ? QString() : u" "_s + source->state;
            if (source->state == sourceStateName(SourceState::Lost))
                noteColour = phasestyle::color(Phase::Lost, dark);
        } else {
            int lanes = 0;
            for (int r = row + 1; r < rowCount && !m_layout.rows.at(r).header; ++r)
                ++lanes;
            note = u" %1"_s.arg(lanes);
        }
        const int noteWidth = fontMetrics().horizontalAdvance(note);
        const QRect labelRect = cell.adjusted(source ? 0 : indent, 0, -noteWidth, 0);
        painter.setPen(text);
        painter.drawText(labelRect, Qt::AlignLeft | Qt::AlignVCenter, boldMetrics.elidedText(data.label, Qt::ElideMiddle, labelRect.width()));
        painter.setFont(font());
        painter.setPen(noteColour);
        painter.drawText(cell, Qt::AlignRight | Qt::AlignVCenter, note);
        painter.setFont(bold);
    }
    painter.setFont(font());
}

int TimelineCanvas::barIndexAt(const QPoint &pos) const
{
    if (pos.x() < m_geometry.plotLeft())
        return -1;
    const int row = m_geometry.rowAt(pos.y(), int(m_layout.rows.size()));
    return m_layout.barAt(row, m_geometry.xToTime(pos.x()), qint64(2 * m_geometry.usPerPixel));
}

QString TimelineCanvas::sourcePrefix(int source) const
{
    return source >= 0 && source < m_layout.sources.size() ? m_layout.sources.at(source).label + u": "_s : QString();
}

std::optional<TimelineTask> TimelineCanvas::taskAt(const QPoint &pos) const
{
    const int index = barIndexAt(pos);
    if (index < 0)
        return std::nullopt;
    const TimelineBar &bar = m_layout.bars.at(index);
    return TimelineTask{bar.source, bar.id};
}

QRectF TimelineCanvas::barRectOf(quint64 id, int source) const
{
    // A scan, not an index kept at every rebuild: this is asked about one task, rarely.
    const auto it = std::find_if(m_layout.bars.cbegin(), m_layout.bars.cend(),
                                 [&](const TimelineBar &bar) { return bar.id == id && bar.source == source; });
    if (it == m_layout.bars.cend())
        return {};
    const int row = m_layout.rowOfBar(int(it - m_layout.bars.cbegin()));
    return row >= 0 ? m_geometry.barRect(row, it->scheduledUs, it->endUs) : QRectF();
}

void TimelineCanvas::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        const double factor = std::pow(1.0015, delta.y());
        m_geometry.zoomAt(event->position().x(), factor);
        stopFollowing();
        syncScrollBars();
        viewport()->update();
    } else if ((event->modifiers() & Qt::ShiftModifier) || delta.x() != 0) {
        const int pixels = delta.x() != 0 ? delta.x() : delta.y();
        m_geometry.scrollByPixels(-pixels / 2.0);
        stopFollowing();
        syncScrollBars();
        viewport()->update();
    } else {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    event->accept();
}

void TimelineCanvas::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragFrom = event->position().toPoint();
        m_dragged = false;
    }
}

void TimelineCanvas::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragFrom && (event->buttons() & Qt::LeftButton)) {
        const int dx = event->position().toPoint().x() - m_dragFrom->x();
        if (m_dragged || std::abs(dx) > 3) {
            m_dragged = true;
            m_geometry.scrollByPixels(-dx);
            m_dragFrom = event->position().toPoint();
            stopFollowing();
            syncScrollBars();
            viewport()->update();
        }
    }
}

void TimelineCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_dragFrom && !m_dragged) {
        if (const auto task = taskAt(event->position().toPoint())) {
            setSelectedTask(task);
            Q_EMIT taskClicked(*task);
        }
    }
    m_dragFrom.reset();
}

void TimelineCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (const auto task = taskAt(event->position().toPoint()))
        Q_EMIT taskActivated(*task);
}

void TimelineCanvas::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.5);
        break;
    case Qt::Key_Minus:
        zoomBy(1 / 1.5);
        break;
    case Qt::Key_Left:
        m_geometry.scrollByPixels(-m_geometry.plotWidth() / 10.0);
        stopFollowing();
        syncScrollBars();
        viewport()->update();
        break;
    case Qt::Key_Right:
        m_geometry.scrollByPixels(m_geometry.plotWidth() / 10.0);
        stopFollowing();
        syncScrollBars();
        viewport()->update();
        break;
    case Qt::Key_End:
        setFollowLive(true);
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

bool TimelineCanvas::viewportEvent(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QAbstractScrollArea::viewportEvent(event);
    auto *help = static_cast<QHelpEvent *>(event);
    const QPoint pos = help->pos();
    // A request marker under the pointer? With several sources, the tip says whose.
    if (pos.y() < m_geometry.axisHeight && pos.y() >= m_geometry.axisHeight - MarkerStrip - 2) {
        const qint64 slack = qint64(4 * m_geometry.usPerPixel);
        const qint64 at = m_geometry.xToTime(pos.x());
        for (int source = 0; source < m_markers.size(); ++source) {
            for (const RequestMarker &marker : m_markers.at(source)->markers()) {
                if (std::abs(marker.tsUs - at) <= slack) {
                    QToolTip::showText(help->globalPos(),
                                       sourcePrefix(source)
                                           + u"request %1: %2 %3 — %4 (status %5) at %6"_s.arg(marker.request.requestId)
                                                 .arg(marker.request.method, marker.request.path, marker.request.stage)
                                                 .arg(marker.request.status)
                                                 .arg(formatTime(marker.tsUs)),
                                       viewport());
                    return true;
                }
            }
        }
    }
    const int index = barIndexAt(pos);
    if (index < 0) {
        QToolTip::hideText();
        return true;
    }
    const TimelineBar &bar = m_layout.bars.at(index);
    QString tip = sourcePrefix(bar.source) + u"#%1 %2 — %3\nscheduled %4"_s.arg(bar.id).arg(bar.group, phasestyle::label(bar.phase), formatTime(bar.scheduledUs));
    if (bar.startedUs > 0)
        tip += u"\nqueue wait %1, ran %2%3"_s.arg(formatDuration(bar.startedUs - bar.scheduledUs), formatDuration(bar.endUs - bar.startedUs),
                                                  bar.live ? u" so far"_s : QString());
    if (bar.progress)
        tip += u"\nprogress %1%2"_s.arg(formatProgress(*bar.progress), bar.live ? QString() : u" (last reported)"_s);
    if (bar.requestId)
        tip += u"\nrequest %1"_s.arg(bar.requestId);
    QToolTip::showText(help->globalPos(), tip, viewport());
    return true;
}

} // namespace afterwork::monitor
