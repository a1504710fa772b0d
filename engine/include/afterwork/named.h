// SPDX-License-Identifier: MIT
#pragma once

//! \file
//! named() and the AFTERWORK_FN macro: work with a label, which names its tasks.

#include <QtCore/QString>

#include <type_traits>
#include <utility>

namespace afterwork {

//! A callable with a label. A task without a TaskConfig::name is named after its work's label
//! ("sendEmail#12"), and the label shows in logs and events as the task's `function`.
//!
//!     engine.schedule(named("sendEmail", sendEmail), to, subject);
//!     engine.schedule(AFTERWORK_FN(sendEmail), to, subject);    // the same, with the function's name
//!
//! C++ cannot spell a function's name by itself. Without a label, a function pointer is named
//! after its symbol only when the program exports it (linked with `-rdynamic`); anything else is
//! labelled "function".
template<typename F>
struct Named
{
    static constexpr bool isAfterworkNamed = true; //!< how schedule() recognises labelled work
    QString label; //!< the name to show
    F fn;          //!< the callable
};

//! Labels \a fn with \a label; see Named.
template<typename F>
Named<std::decay_t<F>> named(QString label, F &&fn)
{
    return {std::move(label), std::forward<F>(fn)};
}

} // namespace afterwork

//! `AFTERWORK_FN(sendEmail)` is `afterwork::named("sendEmail", sendEmail)`: the function labelled
//! with its own name.
#define AFTERWORK_FN(function) ::afterwork::named(QStringLiteral(#function), function)
