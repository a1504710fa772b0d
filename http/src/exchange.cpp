// SPDX-License-Identifier: MIT
#include "exchange.h"

#include "logging.h"
#include "routercore.h"

#include <afterwork/protocol/wire.h>

namespace afterwork::http::detail {

using protocol::nowUs;

Exchange::Exchange(std::shared_ptr<RouterCore> core, quint64 requestId, QByteArray method, QUrl url,
                   std::shared_ptr<ResponseChannel> channel, bool closeConnection)
    : m_core(std::move(core))
    , m_requestId(requestId)
    , m_method(std::move(method))
    , m_url(std::move(url))
    , m_channel(std::move(channel))
    , m_closeConnection(closeConnection)
{
    ++m_core->inFlight;
}

Exchange::~Exchange()
{
    // Only reachable unfinished when the router and its thread's event loop are going away.
    if (!m_finished)
        m_core->requestFinished();
}

void Exchange::received()
{
    emitStage(RequestStage::Received);
}

void Exchange::answer(const Response &response)
{
    if (m_answered)
        return;
    m_answered = true;
    m_status = response.status();
    emitStage(RequestStage::RouteReturned);
    if (m_scope)
        m_scope->flush(Mode::AfterRoute);
    writeAndWatch(response, true);
}

void Exchange::fail(const Response &response, const QString &errorType, const QString &errorMessage)
{
    if (m_answered)
        return;
    m_answered = true;
    m_status = response.status();
    emitStage(RequestStage::Failed, errorType, errorMessage);
    if (m_scope)
        m_scope->drop(QStringLiteral("route failed: %1: %2").arg(errorType, errorMessage));
    writeAndWatch(response, false);
}

void Exchange::reject(const Response &response)
{
    if (m_answered)
        return;
    m_answered = true;
    m_status = response.status();
    writeAndWatch(response, false);
}

void Exchange::emitStage(RequestStage stage, const QString &errorType, const QString &errorMessage)
{
    if (!m_core->wantsEvents())
        return; // three events per request, most of a small route's own cost, for nobody
    if (m_pathText.isNull()) {
        m_methodText = QString::fromLatin1(m_method);
        m_pathText = m_url.path();
    }
    RequestEvent event;
    event.requestId = m_requestId;
    event.method = m_methodText;
    event.path = m_pathText;
    event.stage = stage;
    event.status = stage == RequestStage::Received ? 0 : m_status;
    event.timestampUs = nowUs();
    event.errorType = errorType;
    event.errorMessage = errorMessage;
    m_core->emitEvent(event);
}

void Exchange::writeAndWatch(const Response &response, bool flushAfterResponse)
{
    m_flushAfterResponse = flushAfterResponse;
    if (!m_channel->write(response, m_closeConnection)) {
        finish(RequestStage::ClientGone);
        return;
    }
    m_channel->whenWritten([self = shared_from_this()](bool written) {
        self->finish(written ? RequestStage::ResponseWritten : RequestStage::ClientGone);
    });
}

void Exchange::finish(RequestStage stage)
{
    if (m_finished)
        return;
    m_finished = true;
    // The request event first: an after-response task's `started` must come after `response_written`.
    emitStage(stage);
    // A client that left still gets its after-response tasks (docs/http.md); a failed route has none.
    if (m_flushAfterResponse && m_scope) {
        if (m_scope->pendingCount(Mode::AfterResponse) > 0)
            m_core->batchWakeUps(); // a batch posts its end: only worth it with tasks to start
        m_scope->flush(Mode::AfterResponse);
    }
    m_core->requestFinished();
}

} // namespace afterwork::http::detail
