// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/http/response.h>

#include <QtCore/QString>

#include <memory>

namespace afterwork::http {

namespace detail {
struct ResponderState;
class RouterCore;
}

//! The deferred form of a route's answer: a route taking a Responder returns void and answers
//! later, from any thread, with send() (or fail()). A cheap shared handle; all copies are the same.
//!
//! The first answer wins; later ones return false. If every copy is destroyed without an
//! answer, the client gets a 500 and the route counts as failed (its batches are dropped).
//! Nothing here touches QHttpServer objects off their thread: the answer is posted to the router.
class Responder
{
public:
    //! Answers with \a response: after-route tasks start, the response is written, after-response
    //! tasks start once it is.
    bool send(const Response &response) const;
    //! Answers with \a error's status and `{"detail": ...}`; the route counts as failed.
    bool fail(const HttpError &error) const;
    //! The same with a 500 and \a reason in the request event (the client sees only
    //! `{"detail":"Internal Server Error"}`).
    bool fail(const QString &reason) const;

    bool isAnswered() const;   //!< whether send() or fail() has already answered
    quint64 requestId() const; //!< the request's id, as its tasks and request events carry it

private:
    friend class detail::RouterCore;
    explicit Responder(std::shared_ptr<detail::ResponderState> state) : d(std::move(state)) {}
    std::shared_ptr<detail::ResponderState> d;
};

} // namespace afterwork::http
