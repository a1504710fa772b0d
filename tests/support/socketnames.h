// SPDX-License-Identifier: MIT
#pragma once

// Local socket names for tests: every test of the client, the CLI, the event stream and the
// dashboard that listens or connects takes its names from here.

#include <QtCore/QCoreApplication>
#include <QtCore/QString>
#include <QtCore/QUuid>

namespace afterwork::testing {

//! A local socket name no other test (nor another run of this one) uses: \a tag, the process id
//! and a random part.
inline QString uniqueSocketName(const char *tag)
{
    return QStringLiteral("aw-test-%1-%2-%3")
        .arg(QLatin1StringView(tag))
        .arg(QCoreApplication::applicationPid())
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
}

} // namespace afterwork::testing
