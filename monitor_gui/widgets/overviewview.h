// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
QT_END_NAMESPACE

namespace afterwork::monitor {

class CounterTile;
class MonitorSession;
class RunTimeChart;
class ThroughputChart;

//! Counters by phase, the source's own figures (heartbeat), throughput and run times.
class OverviewView final : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewView(MonitorSession *session, QWidget *parent = nullptr);

    //! Reads the session again (after a flush, or every second for the live clock).
    void refresh();

    //! The tile counting \a title ("running", "failed", ...), for tests.
    const CounterTile *tile(const QString &title) const;
    QString sourceFacts() const;

private:
    MonitorSession *m_session; // Not owning.
    QList<CounterTile *> m_tiles;
    QLabel *m_facts = nullptr;
    QComboBox *m_window = nullptr;
    ThroughputChart *m_throughput = nullptr;
    RunTimeChart *m_runTimes = nullptr;
};

} // namespace afterwork::monitor
