// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <variant>

namespace afterwork::client {

//! Why a filter expression was rejected: where (0-based character index into the expression), the
//! term it happened in, and what is wrong.
struct FilterError
{
    qsizetype position = 0; //!< where, as a 0-based character index into the expression
    QString term;           //!< the term it happened in, as written
    QString message;        //!< what is wrong, such as "unknown phase 'faild' (one of: ...)"
    //! "column 7, term 'phase:faild': unknown phase 'faild' (one of: ...)" (columns are 1-based).
    QString toString() const;
};

//! The small filter grammar of docs/filter.md, shared by `afterwork tail --filter` and the
//! dashboard's search box: space-separated terms, all of which must match.
//!
//!     name~email   name:exact   phase:failed,cancelled   shielded:true   mode:after_response
//!     work:async   id:42   request:7   error~timeout   source:api   a bare word (name substring)
//!     -term (negated)
//!
//! Values may be double-quoted (`"send email"`, with `\"` and `\\` escapes). A default-constructed
//! or empty filter matches every task.
class TaskFilter
{
public:
    TaskFilter() = default;

    //! The filter \a expression describes, or why it is not one. An empty expression (or one of
    //! spaces only) is the empty filter.
    static std::variant<TaskFilter, FilterError> parse(QStringView expression);

    //! Whether \a task satisfies every term (a negated term: does not satisfy it). \a source is
    //! the label of the source the task came from, for `source:` and `source~` terms; a task
    //! without one (empty) matches no `source` term.
    bool matches(const TaskRecord &task, QStringView source = {}) const;
    bool isEmpty() const noexcept { return m_terms.isEmpty(); } //!< no term: matches every task
    //! Whether any term is a `source` term.
    bool hasSourceTerms() const;
    //! Whether a task of the source labelled \a source passes every `source` term (the other
    //! terms are not looked at).
    bool matchesSource(QStringView source) const;
    //! The expression with its `source` terms left out: what a single source can evaluate (it
    //! knows no labels), for instance in a `cancel_matching` command sent to it.
    QString expressionWithoutSourceTerms() const;
    //! The expression it was parsed from.
    const QString &expression() const noexcept { return m_expression; }

private:
    enum class Field : quint8 { Name, Phase, Shielded, Mode, Work, Id, Request, Error, Source };
    enum class Op : quint8 { Equals, Contains };
    struct Term
    {
        Field field = Field::Name;
        Op op = Op::Contains;
        bool negated = false;
        QString text;          //!< name / error / source text
        QStringList texts;     //!< source: the labels listed
        QList<quint64> ids;    //!< id, request
        quint32 enumMask = 0;  //!< phase, mode, work (bit per enum value); shielded: bit 0/1
        qsizetype start = 0;   //!< where the term begins in the expression
        qsizetype length = 0;  //!< its length there
    };
    static bool matchesTerm(const Term &term, const TaskRecord &task, QStringView source);
    friend class FilterParser;

    QList<Term> m_terms;
    QString m_expression;
};

} // namespace afterwork::client
