// SPDX-License-Identifier: MIT
#pragma once

#include "core/runtimehistogram.h"

#include <QtWidgets/QWidget>

namespace afterwork::monitor {

//! The distribution of run times (succeeded and failed tasks) on a logarithmic axis, with the
//! median, p95 and p99 marked. Drawn with QPainter.
class RunTimeChart final : public QWidget
{
    Q_OBJECT
public:
    explicit RunTimeChart(QWidget *parent = nullptr);

    void setHistogram(const RunTimeHistogram *histogram);

    //! The chart's bars: adjacent histogram buckets merged so that at most \a maxBars remain
    //! between the smallest and the largest run time. Each: [lowerUs, upperUs), count.
    struct Bar
    {
        qint64 lowerUs = 0;
        qint64 upperUs = 0;
        qint64 count = 0;
    };
    static QList<Bar> bars(const RunTimeHistogram &histogram, int maxBars);

    QSize sizeHint() const override { return {480, 220}; }
    QSize minimumSizeHint() const override { return {240, 140}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    const RunTimeHistogram *m_histogram = nullptr; // Not owning.
};

} // namespace afterwork::monitor
