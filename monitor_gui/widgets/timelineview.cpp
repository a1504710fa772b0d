// SPDX-License-Identifier: MIT
#include "widgets/timelineview.h"

#include "core/connectionstatus.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
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

TimelineView::TimelineView(SourceSet *sources, QWidget *parent) : QWidget(parent), m_sources(sources)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_picker = new SourcePicker(sources, this, SourcePicker::Offer::AllSourcesToo);
    m_picker->pickAll(); // a dashboard of several sources shows them all, as the tasks table does
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
    layout->addWidget(m_canvas, 1);

    connect(m_picker, &SourcePicker::sessionChanged, this, &TimelineView::showSession);
    // Every source shown: their lanes follow the set. A source that goes is no longer read, nor
    // its task forwarded, from the moment it is announced.
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) {
        const MonitorSession *going = m_sources->session(index);
        if (m_selected && m_selected->first == going)
            m_selected.reset();
        const qsizetype drawn = m_drawn.indexOf(going);
        if (drawn < 0)
            return;
        m_drawn[drawn] = nullptr;
        m_canvas->setRequestMarkers({});
        m_stale = true;
    });
    const auto lanesChanged = [this] {
        if (m_picker->showsAll())
            refreshNow();
    };
    connect(sources, &SourceSet::sourceAdded, this, lanesChanged);
    connect(sources, &SourceSet::sourceRemoved, this, lanesChanged);
    connect(sources, &SourceSet::labelChanged, this, lanesChanged);
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
    // The canvas knows a task's source by its place in the layout; the world, by its session.
    connect(m_canvas, &TimelineCanvas::taskActivated, this, [this](const TimelineTask &task) {
        if (MonitorSession *session = m_drawn.value(task.source))
            Q_EMIT showTaskRequested(session, task.id);
    });
    connect(m_canvas, &TimelineCanvas::taskClicked, this, [this](const TimelineTask &task) {
        if (MonitorSession *session = m_drawn.value(task.source)) {
            m_selected = std::pair(session, task.id);
            Q_EMIT taskSelected(session, task.id);
        }
    });
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

bool TimelineView::shows(const MonitorSession *session) const
{
    return m_picker->showsAll() ? m_sources->indexOf(session) >= 0 : m_picker->session() == session;
}

void TimelineView::setAllSources(bool all)
{
    if (all)
        m_picker->pickAll();
    else if (m_picker->allPicked())
        m_picker->pick(0);
}

bool TimelineView::allSources() const
{
    return m_picker->allPicked();
}

void TimelineView::setSelectedTask(const MonitorSession *session, std::optional<quint64> id)
{
    m_selected = session && id ? std::optional(std::pair(session, *id)) : std::nullopt;
    m_canvas->setSelectedTask(canvasTask(session, id));
}

std::optional<TimelineTask> TimelineView::canvasTask(const MonitorSession *session, std::optional<quint64> id) const
{
    const qsizetype source = session && id ? m_drawn.indexOf(session) : -1;
    return source >= 0 ? std::optional(TimelineTask{int(source), *id}) : std::nullopt;
}

void TimelineView::showSession()
{
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
    m_drawn.clear();
    QList<const RequestMarkers *> markers;
    if (!m_picker->showsAll()) {
        MonitorSession *shown = session();
        const qint64 now = shown->nowUs();
        m_drawn.append(shown);
        markers.append(&shown->requests());
        m_canvas->setRequestMarkers(markers);
        m_canvas->setLayoutData(TimelineLayout::fromStore(shown->store(), m_grouping, now), now);
    } else {
        QList<TimelineSourceInput> inputs;
        qint64 now = 0;
        for (int i = 0; i < m_sources->count(); ++i) {
            MonitorSession *source = m_sources->session(i);
            // Connected, or a recording, goes without saying; anything else the lane's header says.
            const SourceState state = sourceState(*source);
            const qint64 sourceNow = source->nowUs();
            inputs.append({&source->store(), m_sources->label(i), state == SourceState::Connected ? QString() : sourceStateName(state), sourceNow});
            now = std::max(now, sourceNow);
            m_drawn.append(source);
            markers.append(&source->requests());
        }
        // One source's bound for them all: the sources share the first one's options.
        const qsizetype budget = m_sources->primary()->store().options().finishedLimit;
        m_canvas->setRequestMarkers(markers);
        m_canvas->setLayoutData(TimelineLayout::fromSources(inputs, m_grouping, budget), now);
    }
    m_canvas->setSelectedTask(m_selected ? canvasTask(m_selected->first, m_selected->second) : std::nullopt);
}

} // namespace afterwork::monitor
