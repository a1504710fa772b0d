// SPDX-License-Identifier: MIT
#include "widgets/timelineview.h"

#include "core/monitorsession.h"
#include "widgets/sourcepicker.h"
#include "widgets/timelinecanvas.h"

#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

TimelineView::TimelineView(SourceSet *sources, QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_picker = new SourcePicker(sources, this);
    bar->addWidget(m_picker);
    bar->addWidget(new QLabel(u"Group by"_s, this));
    m_groupBy = new QComboBox(this);
    m_groupBy->addItem(u"mode"_s, int(TimelineGrouping::Mode));
    m_groupBy->addItem(u"name"_s, int(TimelineGrouping::Name));
    bar->addWidget(m_groupBy);
    bar->addSpacing(12);
    auto addButton = [&](const QString &text, const QString &tip) {
        auto *button = new QToolButton(this);
        button->setText(text);
        button->setToolTip(tip);
        bar->addWidget(button);
        return button;
    };
    QToolButton *zoomIn = addButton(u"Zoom in"_s, u"Zoom in (+, or Ctrl+wheel over the timeline)"_s);
    QToolButton *zoomOut = addButton(u"Zoom out"_s, u"Zoom out (-, or Ctrl+wheel)"_s);
    QToolButton *fit = addButton(u"Fit all"_s, u"Show every task kept, from the first to now"_s);
    m_follow = new QCheckBox(u"Follow live"_s, this);
    m_follow->setChecked(true);
    m_follow->setToolTip(u"Keep now at the right edge (End). Panning turns it off."_s);
    bar->addWidget(m_follow);
    bar->addStretch(1);
    auto *hint = new QLabel(u"pale: queued · solid: running · lighter: work its progress says is left · ▼ requests"_s, this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    bar->addWidget(hint);
    layout->addLayout(bar);

    m_canvas = new TimelineCanvas(this);
    m_canvas->setObjectName(u"timelineCanvas"_s);
    m_canvas->setRequestMarkers(&session()->requests());
    layout->addWidget(m_canvas, 1);

    connect(m_picker, &SourcePicker::sessionChanged, this, &TimelineView::showSession);
    connect(m_groupBy, &QComboBox::currentIndexChanged, this, [this] {
        setGrouping(TimelineGrouping(m_groupBy->currentData().toInt()));
    });
    connect(zoomIn, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(2); });
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(0.5); });
    connect(fit, &QToolButton::clicked, this, [this] {
        m_canvas->setFollowLive(false);
        m_canvas->fitAll();
    });
    connect(m_follow, &QCheckBox::toggled, m_canvas, &TimelineCanvas::setFollowLive);
    connect(m_canvas, &TimelineCanvas::followLiveChanged, m_follow, &QCheckBox::setChecked);
    connect(m_canvas, &TimelineCanvas::taskActivated, this, &TimelineView::showTaskRequested);
    connect(m_canvas, &TimelineCanvas::taskClicked, this, &TimelineView::taskSelected);
    m_rebuildSoon.setSingleShot(true);
    connect(&m_rebuildSoon, &QTimer::timeout, this, [this] {
        if (m_stale && isVisible())
            rebuild();
    });
}

MonitorSession *TimelineView::session() const
{
    return m_picker->session();
}

void TimelineView::showSession(MonitorSession *session)
{
    m_canvas->setRequestMarkers(&session->requests());
    m_canvas->setSelectedTask(std::nullopt); // ids are the source's own
    m_canvas->setFollowLive(true);
    refreshNow();
}

void TimelineView::setGrouping(TimelineGrouping grouping)
{
    m_grouping = grouping;
    const int index = m_groupBy->findData(int(grouping));
    if (index >= 0 && index != m_groupBy->currentIndex())
        m_groupBy->setCurrentIndex(index);
    m_stale = true;
    rebuild();
}

void TimelineView::refresh()
{
    m_stale = true;
    if (!isVisible() || m_rebuildSoon.isActive())
        return;
    constexpr qint64 MinIntervalMs = 200;
    if (!m_sinceRebuild.isValid() || m_sinceRebuild.elapsed() >= MinIntervalMs)
        rebuild();
    else
        m_rebuildSoon.start(int(MinIntervalMs - m_sinceRebuild.elapsed()));
}

void TimelineView::refreshNow()
{
    m_stale = true;
    m_rebuildSoon.stop();
    if (isVisible())
        rebuild();
}

void TimelineView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        rebuild();
}

void TimelineView::rebuild()
{
    m_stale = false;
    m_sinceRebuild.start();
    const MonitorSession *shown = session();
    const qint64 now = shown->nowUs();
    m_canvas->setLayoutData(TimelineLayout::fromStore(shown->store(), m_grouping, now), now);
}

} // namespace afterwork::monitor
