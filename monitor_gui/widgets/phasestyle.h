// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtGui/QColor>
#include <QtGui/QIcon>

QT_BEGIN_NAMESPACE
class QPainter;
class QPalette;
class QRectF;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! How phases look everywhere in the dashboard: one colour and one glyph per phase, in a light
//! and a dark variant. Glyphs are drawn with QPainter (no image files to ship).
namespace phasestyle {

//! Whether \a palette is a dark theme (its window colour is dark).
bool isDark(const QPalette &palette);
QColor color(Phase phase, bool dark);
//! "shutdown pending" rather than "shutdown_pending".
QString label(Phase phase);
//! The glyph inside \a rect: a disc in the phase colour with a white mark.
void paintGlyph(QPainter *painter, const QRectF &rect, Phase phase, bool dark);
//! The glyph as an icon (cached).
QIcon icon(Phase phase, bool dark);

//! Colours for charts and state dots that are not phases.
QColor accent(bool dark);
QColor gridLine(bool dark);
//! The part of a progress bar that is done: the colour of running work, so that the table's bars
//! and the timeline's running bars read as one thing.
QColor progressFill(bool dark);
//! Black or white, whichever reads better on \a background (text over a filled bar).
QColor textOn(const QColor &background);

} // namespace phasestyle
} // namespace afterwork::monitor
