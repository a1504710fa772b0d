// SPDX-License-Identifier: MIT
#include "refusallog.h"

#include <QtCore/QLoggingCategory>

namespace afterwork::detail {

Q_DECLARE_LOGGING_CATEGORY(lcStream)

void RefusalLog::note(const QString &message)
{
    if (m_sinceLogged.isValid() && m_sinceLogged.elapsed() < m_interval.count()) {
        ++m_leftOut;
        return;
    }
    if (m_leftOut > 0) {
        qCInfo(lcStream).noquote() << message << QStringLiteral("(and %1 more turned away since the last such line)").arg(m_leftOut);
    } else {
        qCInfo(lcStream).noquote() << message;
    }
    m_leftOut = 0;
    m_sinceLogged.start();
}

} // namespace afterwork::detail
