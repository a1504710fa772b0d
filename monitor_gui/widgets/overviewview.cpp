// SPDX-License-Identifier: MIT
#include "widgets/overviewview.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "widgets/countertile.h"
#include "widgets/runtimechart.h"
#include "widgets/sourcepicker.h"
#include "widgets/throughputchart.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QGroupBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

struct TileSpec
{
    Phase phase;
    const char16_t *title;
    const char16_t *tooltip;
};

// Live phases count tasks in them now; terminal ones count tasks that ended so since the run
// began (exact, whatever the table keeps).
constexpr TileSpec Tiles[] = {
    {Phase::Started, u"running", u"Tasks running now"},
    {Phase::Scheduled, u"queued", u"Tasks waiting to start now"},
    {Phase::Retrying, u"retrying", u"Tasks waiting for their next attempt now"},
    {Phase::ShutdownPending, u"shutdown pending", u"Tasks the shutdown is waiting for now"},
    {Phase::Lost, u"lost", u"Tasks that were live when the source vanished (outcome unknown)"},
    {Phase::Succeeded, u"succeeded", u"Tasks that succeeded since the run began"},
    {Phase::Failed, u"failed", u"Tasks that failed since the run began"},
    {Phase::Cancelled, u"cancelled", u"Tasks cancelled since the run began (never an error)"},
    {Phase::Abandoned, u"abandoned", u"Tasks still running when a shutdown's deadline passed"},
    {Phase::Dropped, u"dropped", u"Tasks the engine refused or dropped"},
};

} // namespace

OverviewView::OverviewView(const SourceSet *sources, QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_picker = new SourcePicker(sources, this);
    layout->addWidget(m_picker, 0, Qt::AlignLeft);
    auto *grid = new QGridLayout;
    grid->setSpacing(8);
    int index = 0;
    for (const TileSpec &spec : Tiles) {
        auto *tile = new CounterTile(spec.phase, QString::fromUtf16(spec.title), this);
        tile->setToolTip(QString::fromUtf16(spec.tooltip));
        grid->addWidget(tile, index / 5, index % 5);
        m_tiles.append(tile);
        ++index;
    }
    layout->addLayout(grid);

    m_facts = new QLabel(this);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);
    layout->addWidget(m_facts);

    auto *charts = new QHBoxLayout;
    auto *throughputBox = new QGroupBox(u"Throughput (per second, source clock)"_s, this);
    auto *throughputLayout = new QVBoxLayout(throughputBox);
    m_window = new QComboBox(throughputBox);
    m_window->addItem(u"last minute"_s, 60);
    m_window->addItem(u"last 5 minutes"_s, 300);
    m_window->addItem(u"last 15 minutes"_s, 900);
    m_window->setCurrentIndex(1);
    m_window->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    throughputLayout->addWidget(m_window, 0, Qt::AlignRight);
    m_throughput = new ThroughputChart(throughputBox);
    throughputLayout->addWidget(m_throughput, 1);
    charts->addWidget(throughputBox, 3);

    auto *runTimeBox = new QGroupBox(u"Run time distribution (succeeded and failed)"_s, this);
    auto *runTimeLayout = new QVBoxLayout(runTimeBox);
    m_runTimes = new RunTimeChart(runTimeBox);
    runTimeLayout->addWidget(m_runTimes, 1);
    charts->addWidget(runTimeBox, 2);
    layout->addLayout(charts, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        m_throughput->setWindowSeconds(m_window->currentData().toInt());
    });
    m_throughput->setWindowSeconds(300);
    m_runTimes->setHistogram(&session()->runTimes());
    connect(m_picker, &SourcePicker::sessionChanged, this, [this](MonitorSession *session) {
        m_runTimes->setHistogram(&session->runTimes());
        refresh();
    });
    refresh();
}

MonitorSession *OverviewView::session() const
{
    return m_picker->session();
}

const CounterTile *OverviewView::tile(const QString &title) const
{
    for (const CounterTile *tile : m_tiles) {
        if (tile->title() == title)
            return tile;
    }
    return nullptr;
}

QString OverviewView::sourceFacts() const
{
    return m_facts->text();
}

void OverviewView::refresh()
{
    const client::TaskStore &store = session()->store();
    for (CounterTile *tile : std::as_const(m_tiles)) {
        tile->setValue(store.count(tile->phase()));
    }

    QStringList facts;
    if (const auto &beat = store.lastHeartbeat()) {
        QString engine = u"Engine (since it started): %1 scheduled, %2 live"_s.arg(formatCount(std::max<qint64>(beat->counter(u"scheduled"), 0)))
                             .arg(formatCount(std::max<qint64>(beat->live, 0)));
        if (beat->poolMax > 0)
            engine += u", pool %1/%2 busy"_s.arg(beat->poolBusy).arg(beat->poolMax);
        if (const qint64 handlerErrors = beat->counter(u"handler_errors"); handlerErrors > 0)
            engine += u", %1 error handlers threw"_s.arg(formatCount(handlerErrors));
        if (beat->eventsDropped > 0)
            engine += u", %1 events dropped for slow subscribers"_s.arg(formatCount(beat->eventsDropped));
        if (beat->subscribers >= 0)
            engine += u", %1 subscriber(s)"_s.arg(beat->subscribers);
        facts << engine + u"."_s;
    }
    facts << u"Dashboard: %1 events read, %2 tasks shown (%3 live, %4 finished; keeping up to %5 finished)."_s
                 .arg(formatCount(session()->linesReceived()))
                 .arg(formatCount(store.liveCount() + store.finishedCount()))
                 .arg(formatCount(store.liveCount()))
                 .arg(formatCount(store.finishedCount()))
                 .arg(formatCount(store.options().finishedLimit));
    if (store.missedEvents() > 0)
        facts << u"Missed %1 events in %2 gaps."_s.arg(formatCount(store.missedEvents())).arg(store.gapCount());
    m_facts->setText(facts.join(u' '));

    m_throughput->setData(&session()->throughput(), session()->nowUs());
    m_runTimes->update();
}

} // namespace afterwork::monitor
