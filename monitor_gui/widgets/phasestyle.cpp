// SPDX-License-Identifier: MIT
#include "widgets/phasestyle.h"

#include <QtCore/QHash>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>
#include <QtGui/QPalette>
#include <QtGui/QPixmap>

#include <cmath>
#include <iterator>

namespace afterwork::monitor::phasestyle {

using namespace Qt::StringLiterals;

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

namespace {

//! A phase's colour in the light and in the dark theme.
struct PhaseColours
{
    Phase phase;
    QRgb light;
    QRgb dark;
};

// Chosen to stay apart for the common kinds of colour blindness: success blue-green, failure
// vermilion, waiting greys and sky blue, shutdown purple.
constexpr PhaseColours phaseColours[] = {
    {Phase::Scheduled, 0x6b7785, 0x9aa5b1},
    {Phase::Started, 0x1f6fd1, 0x4da3ff},
    {Phase::Retrying, 0xc78a00, 0xf0b429},
    {Phase::ShutdownPending, 0x7e4fc9, 0xb38cf5},
    {Phase::Succeeded, 0x1a8f5c, 0x3fc18b},
    {Phase::Failed, 0xd43d2a, 0xff6b5a},
    {Phase::Cancelled, 0x889099, 0x8d96a0},
    {Phase::Abandoned, 0xb3591a, 0xe08a4c},
    {Phase::Dropped, 0x555d66, 0x747d88},
    {Phase::Lost, 0xb03a93, 0xe06cc0},
};
static_assert(std::size(phaseColours) == size_t(Phase::Unknown), "a colour for every phase but Unknown");

} // namespace

QColor color(Phase phase, bool dark)
{
    for (const PhaseColours &colours : phaseColours) {
        if (colours.phase == phase)
            return QColor::fromRgb(dark ? colours.dark : colours.light);
    }
    return dark ? QColor(0x80, 0x80, 0x80) : QColor(0x90, 0x90, 0x90); // Phase::Unknown
}

QString label(Phase phase)
{
    return QString(afterwork::wireName(phase)).replace(u'_', u' ');
}

QColor accent(bool dark)
{
    return dark ? QColor(0x4d, 0xa3, 0xff) : QColor(0x1f, 0x6f, 0xd1);
}

QColor gridLine(bool dark)
{
    return dark ? QColor(255, 255, 255, 40) : QColor(0, 0, 0, 30);
}

QColor progressFill(bool dark)
{
    return color(Phase::Started, dark);
}

QColor textOn(const QColor &background)
{
    // Perceived brightness (ITU-R BT.601 weights): the light theme's blue takes white text, the
    // dark theme's brighter blue black text.
    const int luma = (299 * background.red() + 587 * background.green() + 114 * background.blue()) / 1000;
    return luma > 140 ? QColor(Qt::black) : QColor(Qt::white);
}

void paintGlyph(QPainter *painter, const QRectF &rect, Phase phase, bool dark)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const qreal side = std::min(rect.width(), rect.height());
    const QRectF disc(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color(phase, dark));
    painter->drawEllipse(disc);

    // The mark, in a unit square centred on the disc.
    const qreal u = side / 16.0;
    const QPointF c = disc.center();
    auto at = [&](qreal x, qreal y) { return QPointF(c.x() + x * u, c.y() + y * u); };
    QPen pen(Qt::white, std::max<qreal>(1.2, 1.8 * u), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    switch (phase) {
    case Phase::Scheduled: { // a clock
        painter->drawEllipse(QRectF(at(-4.5, -4.5), at(4.5, 4.5)));
        painter->drawLine(at(0, 0), at(0, -3));
        painter->drawLine(at(0, 0), at(2.2, 0));
        break;
    }
    case Phase::Started: { // play
        QPainterPath path;
        path.moveTo(at(-2.5, -4));
        path.lineTo(at(4, 0));
        path.lineTo(at(-2.5, 4));
        path.closeSubpath();
        painter->setBrush(Qt::white);
        painter->drawPath(path);
        break;
    }
    case Phase::Retrying: { // a circular arrow
        painter->drawArc(QRectF(at(-4, -4), at(4, 4)), 40 * 16, 280 * 16);
        QPainterPath head;
        head.moveTo(at(3.1, -4.6));
        head.lineTo(at(3.4, -1.6));
        head.lineTo(at(0.6, -2.4));
        painter->drawPath(head);
        break;
    }
    case Phase::ShutdownPending: // pause
        painter->drawLine(at(-2, -3.5), at(-2, 3.5));
        painter->drawLine(at(2, -3.5), at(2, 3.5));
        break;
    case Phase::Succeeded: // check
        painter->drawPolyline(QList<QPointF>{at(-4, 0.3), at(-1.2, 3.2), at(4.2, -3)});
        break;
    case Phase::Failed: // cross
        painter->drawLine(at(-3.2, -3.2), at(3.2, 3.2));
        painter->drawLine(at(-3.2, 3.2), at(3.2, -3.2));
        break;
    case Phase::Cancelled: // a slashed circle
        painter->drawEllipse(QRectF(at(-4, -4), at(4, 4)));
        painter->drawLine(at(-2.8, 2.8), at(2.8, -2.8));
        break;
    case Phase::Abandoned: // exclamation mark
        painter->drawLine(at(0, -4.2), at(0, 1.2));
        painter->drawPoint(at(0, 4));
        break;
    case Phase::Dropped: // minus
        painter->drawLine(at(-4, 0), at(4, 0));
        break;
    case Phase::Lost:
    case Phase::Unknown: { // question mark
        painter->drawArc(QRectF(at(-2.8, -4.6), at(2.8, 0.6)), -60 * 16, 240 * 16);
        painter->drawLine(at(1.4, -0.2), at(0, 1.2));
        painter->drawPoint(at(0, 4));
        break;
    }
    }
    painter->restore();
}

QIcon icon(Phase phase, bool dark)
{
    static QHash<int, QIcon> cache;
    const int key = int(phase) * 2 + (dark ? 1 : 0);
    const auto it = cache.constFind(key);
    if (it != cache.cend())
        return it.value();
    QIcon result;
    for (const int size : {16, 24, 32, 48}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        paintGlyph(&painter, QRectF(0.5, 0.5, size - 1, size - 1), phase, dark);
        painter.end();
        result.addPixmap(pixmap);
    }
    cache.insert(key, result);
    return result;
}

} // namespace afterwork::monitor::phasestyle
