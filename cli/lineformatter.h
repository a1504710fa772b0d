// SPDX-License-Identifier: MIT
#pragma once

#include "clicommon.h"

#include <afterwork/client/streamevent.h>

#include <QtCore/QString>

namespace afterwork::cli {

//! Turns stream events into one terminal line each, for `afterwork tail`:
//!
//!   12:00:01.250  failed            #42 send_email  after_response sync shielded req 7  wait 1.2 ms  run 350 ms  std::runtime_error: smtp timeout
//!   12:00:01.300  ── shutdown started: 2 pending, 4 cancelled, deadline in 5.0 s
class LineFormatter
{
public:
    explicit LineFormatter(Style style) : m_style(style) {}

    QString task(const client::TaskRecord &task, const QString &marker = {}) const;
    //! Status lines: hello, snapshot summary, heartbeat, gap, shutdown, bye, request, others.
    QString event(const client::StreamEvent &event) const;
    //! A note from the tool itself (connection state, warnings), with the time of \a tsUs.
    QString note(qint64 tsUs, const QString &text) const;

    static QString time(qint64 tsUs);

private:
    QString status(qint64 tsUs, const QString &kind, const QString &text) const;
    Style m_style;
};

} // namespace afterwork::cli
