// SPDX-License-Identifier: MIT
#include "core/connectionstatus.h"

#include "core/formatting.h"
#include "core/monitorsession.h"

#include <QtCore/QFileInfo>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using client::EventSource;
using client::TaskStore;

SourceState sourceState(const MonitorSession &session)
{
    const EventSource *source = session.source();
    if (!source || session.sourceKind() != MonitorSession::SourceKind::Live)
        return SourceState::NotWatching;
    switch (source->state()) {
    case EventSource::State::Idle:
    case EventSource::State::Connecting:
        return SourceState::Connecting;
    case EventSource::State::Connected:
        return SourceState::Connected;
    case EventSource::State::Reconnecting:
        switch (session.store().sourceStatus()) {
        case TaskStore::SourceStatus::Vanished:
            return SourceState::Lost;
        case TaskStore::SourceStatus::Ended:
            return SourceState::Ended;
        default:
            return SourceState::Reconnecting;
        }
    case EventSource::State::Finished:
        return SourceState::GaveUp;
    }
    return SourceState::NotWatching;
}

QString sourceStateName(SourceState state)
{
    switch (state) {
    case SourceState::NotWatching:
        return {};
    case SourceState::Connecting:
        return u"connecting"_s;
    case SourceState::Connected:
        return u"connected"_s;
    case SourceState::Reconnecting:
        return u"reconnecting"_s;
    case SourceState::Lost:
        return u"lost"_s;
    case SourceState::Ended:
        return u"ended"_s;
    case SourceState::GaveUp:
        return u"gave up"_s;
    }
    return {};
}

ConnectionStatus ConnectionStatus::describe(const MonitorSession &session)
{
    ConnectionStatus status;
    const EventSource *source = session.source();
    const TaskStore &store = session.store();
    const bool live = session.sourceKind() == MonitorSession::SourceKind::Live;

    if (!source) {
        status.level = ConnectionStatus::Level::Idle;
        status.state = session.sourceKind() == MonitorSession::SourceKind::None ? u"not connected"_s : u"stopped"_s;
    } else if (live) {
        switch (sourceState(session)) {
        case SourceState::NotWatching:
        case SourceState::Connecting:
            status.level = Level::Waiting;
            status.state = u"connecting…"_s;
            break;
        case SourceState::Connected:
            status.level = Level::Good;
            status.state = u"connected"_s;
            break;
        case SourceState::Lost:
            status.level = Level::Bad;
            status.state = u"source gone — reconnecting (attempt %1)"_s.arg(session.reconnectAttempt());
            break;
        case SourceState::Ended:
            status.level = Level::Waiting;
            status.state = u"source ended — waiting for it to start again"_s;
            break;
        case SourceState::Reconnecting:
            status.level = Level::Waiting;
            status.state = session.lastError().isEmpty() ? u"waiting for the source (attempt %1)"_s.arg(session.reconnectAttempt())
                                                         : u"waiting for the source (attempt %1): %2"_s.arg(session.reconnectAttempt()).arg(session.lastError());
            break;
        case SourceState::GaveUp:
            status.level = Level::Bad;
            status.state = u"gave up"_s;
            break;
        }
    } else {
        const bool done = source->state() == EventSource::State::Finished || source->state() == EventSource::State::Idle;
        const auto &summary = session.recordingSummary();
        if (summary && summary->error) {
            status.level = Level::Bad;
            status.state = u"cannot read the recording"_s;
        } else if (done && summary) {
            status.level = summary->isClean() ? Level::Good : Level::Waiting;
            status.state = summary->isClean() ? u"recording read"_s : u"recording read, with problems"_s;
        } else {
            status.level = Level::Waiting;
            status.state = u"reading recording…"_s;
        }
    }

    QStringList details;
    if (session.sourceKind() == MonitorSession::SourceKind::Recording)
        details << QFileInfo(session.sourceName()).fileName();
    if (const auto &info = store.source()) {
        details << u"%1 · pid %2%3"_s.arg(info->app.isEmpty() ? u"(unnamed app)"_s : info->app).arg(info->pid)
                       .arg(info->host.isEmpty() ? QString() : u" on "_s + info->host);
        if (info->startedUs > 0) {
            const qint64 now = session.nowUs();
            if (live && store.sourceStatus() == TaskStore::SourceStatus::Connected)
                details << u"up %1"_s.arg(formatDuration(std::max<qint64>(now - info->startedUs, 0)));
            else
                details << u"started %1"_s.arg(formatDateTime(info->startedUs));
        }
        details << u"run #%1"_s.arg(session.runNumber());
    }
    if (session.sourceKind() == MonitorSession::SourceKind::Recording)
        details << u"%1 lines"_s.arg(formatCount(session.linesReceived()));
    status.details = details.join(u" · "_s);
    return status;
}

} // namespace afterwork::monitor
