// SPDX-License-Identifier: MIT
#include "core/recordingbuffer.h"

#include <QtCore/QSaveFile>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

void RecordingBuffer::append(const QList<client::StreamLine> &lines)
{
    if (m_dropped > 0) {
        m_dropped += lines.size();
        return;
    }
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i).bytes;
        if (m_bytes.size() + line.size() + 1 > m_limit) {
            m_dropped += lines.size() - i;
            return;
        }
        m_bytes.append(line).append('\n');
        ++m_lines;
    }
}

void RecordingBuffer::clear()
{
    m_bytes.clear();
    m_lines = 0;
    m_dropped = 0;
}

std::optional<QString> RecordingBuffer::saveTo(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return u"cannot write '%1': %2"_s.arg(path, file.errorString());
    if (file.write(m_bytes) != m_bytes.size() || !file.commit())
        return u"cannot write '%1': %2"_s.arg(path, file.errorString());
    return std::nullopt;
}

} // namespace afterwork::monitor
