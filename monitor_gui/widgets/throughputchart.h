// SPDX-License-Identifier: MIT
#pragma once

#include "core/throughputseries.h"

#include <QtWidgets/QWidget>

namespace afterwork::monitor {

//! Tasks ended per second (stacked: succeeded, failed, other ends) and scheduled per second (a
//! line), over the last minutes of the source's clock. Drawn with QPainter.
class ThroughputChart final : public QWidget
{
    Q_OBJECT
public:
    explicit ThroughputChart(QWidget *parent = nullptr);

    //! Shows \a series up to the second containing \a nowUs, \a windowSeconds wide.
    void setData(const ThroughputSeries *series, qint64 nowUs);
    void setWindowSeconds(int seconds);
    int windowSeconds() const noexcept { return m_windowSeconds; }

    QSize sizeHint() const override { return {480, 220}; }
    QSize minimumSizeHint() const override { return {240, 140}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Bin
    {
        int scheduled = 0;
        int succeeded = 0;
        int failed = 0;
        int otherEnds = 0;
    };
    QList<Bin> bins(int binCount, int *secondsPerBin) const;

    const ThroughputSeries *m_series = nullptr; // Not owning.
    qint64 m_nowUs = 0;
    int m_windowSeconds = 300;
};

} // namespace afterwork::monitor
