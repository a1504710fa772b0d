// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtWidgets/QWidget>

namespace afterwork::monitor {

//! One counter of the overview: the phase glyph, a large number and what it counts.
class CounterTile final : public QWidget
{
    Q_OBJECT
public:
    CounterTile(Phase phase, QString title, QWidget *parent = nullptr);

    void setValue(qint64 value);
    qint64 value() const noexcept { return m_value; }
    const QString &title() const noexcept { return m_title; }
    Phase phase() const noexcept { return m_phase; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Phase m_phase;
    QString m_title;
    qint64 m_value = 0;
};

} // namespace afterwork::monitor
