// SPDX-License-Identifier: MIT
#include "linesplitter.h"

namespace afterwork::client::detail {

void LineSplitter::reset()
{
    m_partial.clear();
    m_skipping = false;
    m_skippedSize = 0;
}

void LineSplitter::feed(QByteArrayView bytes, QList<Line> &out)
{
    while (!bytes.isEmpty()) {
        const qsizetype newline = bytes.indexOf('\n');
        const QByteArrayView piece = newline < 0 ? bytes : bytes.first(newline);
        if (m_skipping) {
            m_skippedSize += piece.size();
        } else if (m_partial.size() + piece.size() > m_maxLineBytes) {
            // Too long: keep the start for the report, drop the rest up to the newline.
            m_skipping = true;
            m_skippedSize = m_partial.size() + piece.size();
            if (m_partial.size() < OversizedPrefix)
                m_partial.append(piece.first(std::min(piece.size(), OversizedPrefix - m_partial.size())));
            m_partial.truncate(OversizedPrefix);
        } else if (newline >= 0 && m_partial.isEmpty()) {
            out.append(Line{piece.toByteArray(), false, piece.size()}); // the common case: no copy twice
            bytes = bytes.sliced(newline + 1);
            continue;
        } else {
            m_partial.append(piece);
        }
        if (newline < 0)
            return;
        // The newline ends the current line.
        if (m_skipping) {
            out.append(Line{std::exchange(m_partial, {}), true, m_skippedSize});
            m_skipping = false;
            m_skippedSize = 0;
        } else {
            const qsizetype size = m_partial.size();
            out.append(Line{std::exchange(m_partial, {}), false, size});
        }
        bytes = bytes.sliced(newline + 1);
    }
}

bool LineSplitter::takeRemainder(Line &out)
{
    if (m_skipping) {
        out = Line{std::exchange(m_partial, {}), true, m_skippedSize};
        m_skipping = false;
        m_skippedSize = 0;
        return true;
    }
    if (m_partial.isEmpty())
        return false;
    const qsizetype size = m_partial.size();
    out = Line{std::exchange(m_partial, {}), false, size};
    return true;
}

} // namespace afterwork::client::detail
