// SPDX-License-Identifier: MIT
#pragma once

// One request's life, from "received" to "response written" or "client gone", and the two
// moments the timing modes hang on: flush(AfterRoute) once the route has produced its response,
// flush(AfterResponse) once every byte of it is out (or the client left). Server thread only.

#include "qhttpserveradapter.h"

#include <afterwork/http/requestevent.h>
#include <afterwork/taskscope.h>

#include <memory>
#include <optional>

namespace afterwork::http::detail {

class RouterCore;

class Exchange final : public std::enable_shared_from_this<Exchange>
{
public:
    Exchange(std::shared_ptr<RouterCore> core, quint64 requestId, QByteArray method, QUrl url,
             std::shared_ptr<ResponseChannel> channel, bool closeConnection);
    ~Exchange();

    quint64 requestId() const { return m_requestId; }
    void setScope(TaskScope scope) { m_scope = std::move(scope); }

    void received();
    //! The route produced \a response: `route_returned`, after-route tasks start, then it is written.
    void answer(const Response &response);
    //! The route failed with \a errorType: \a errorMessage: `failed`, both batches dropped,
    //! then \a response is written.
    void fail(const Response &response, const QString &errorType, const QString &errorMessage);
    //! No route ran (404, 405, 413, 503): \a response is written.
    void reject(const Response &response);

private:
    void emitStage(RequestStage stage, const QString &errorType = {}, const QString &errorMessage = {});
    void writeAndWatch(const Response &response, bool flushAfterResponse);
    void finish(RequestStage stage);

    std::shared_ptr<RouterCore> m_core;
    quint64 m_requestId;
    QByteArray m_method;
    QUrl m_url;
    //! The two as events name them, made at the first event (none if no event is wanted).
    QString m_methodText;
    QString m_pathText;
    std::shared_ptr<ResponseChannel> m_channel;
    std::optional<TaskScope> m_scope;
    bool m_closeConnection;
    int m_status = 0;
    bool m_answered = false;
    bool m_flushAfterResponse = false;
    bool m_finished = false;
};

} // namespace afterwork::http::detail
