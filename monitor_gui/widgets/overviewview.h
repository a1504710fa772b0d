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
class SourcePicker;
class SourceSet;
class RunTimeChart;
class ThroughputChart;

//! Counters by phase, the source's own figures (heartbeat), throughput and run times, of one
//! source: the first at first, another chosen in its source picker while there are several.
class OverviewView final : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewView(const SourceSet *sources, QWidget *parent = nullptr);

    //! Reads the session again (after a flush, or every second for the live clock).
    void refresh();

    //! The tile counting \a title ("running", "failed", ...), for tests.
    const CounterTile *tile(const QString &title) const;
    QString sourceFacts() const;
    //! The source shown.
    MonitorSession *session() const;
    SourcePicker *sourcePicker() const noexcept { return m_picker; } //!< which source is shown

private:
    SourcePicker *m_picker = nullptr;
    QList<CounterTile *> m_tiles;
    QLabel *m_facts = nullptr;
    QComboBox *m_window = nullptr;
    ThroughputChart *m_throughput = nullptr;
    RunTimeChart *m_runTimes = nullptr;
};

} // namespace afterwork::monitor
