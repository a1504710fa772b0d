// SPDX-License-Identifier: MIT
#include <afterwork/client/taskfilter.h>

#include <QtCore/QStringList>

#include <algorithm>

namespace afterwork::client {

using namespace Qt::StringLiterals;

QString FilterError::toString() const
{
    if (term.isEmpty())
        return u"column %1: %2"_s.arg(position + 1).arg(message);
    return u"column %1, term '%2': %3"_s.arg(position + 1).arg(term, message);
}

//! Turns an expression into terms. One object per parse; the first error wins.
class FilterParser
{
public:
    explicit FilterParser(QStringView text) : m_text(text) {}

    std::variant<TaskFilter, FilterError> run()
    {
        TaskFilter filter;
        filter.m_expression = m_text.toString();
        for (;;) {
            skipSpaces();
            if (m_pos >= m_text.size())
                break;
            TaskFilter::Term term;
            if (!readTerm(term))
                return m_error;
            term.start = m_termStart;
            term.length = m_pos - m_termStart;
            filter.m_terms.append(std::move(term));
        }
        return filter;
    }

private:
    using Term = TaskFilter::Term;
    using Field = TaskFilter::Field;
    using Op = TaskFilter::Op;

    static bool isSpace(QChar c) { return c.isSpace(); }

    void skipSpaces()
    {
        while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
            ++m_pos;
    }

    bool fail(qsizetype position, const QString &message)
    {
        m_error.position = position;
        m_error.term = currentTermText();
        m_error.message = message;
        return false;
    }

    //! The whole term being parsed, from its start to the next unquoted space, for error messages.
    QString currentTermText() const
    {
        qsizetype end = m_termStart;
        bool quoted = false;
        while (end < m_text.size() && (quoted || !isSpace(m_text[end]))) {
            if (m_text[end] == u'"')
                quoted = !quoted;
            else if (m_text[end] == u'\\' && quoted && end + 1 < m_text.size())
                ++end;
            ++end;
        }
        return m_text.sliced(m_termStart, end - m_termStart).toString();
    }

    //! Reads a bare or double-quoted word up to a space (or, if \a stopAtOperator, ':' or '~').
    bool readWord(QString &out, bool stopAtOperator, bool &wasQuoted)
    {
        out.clear();
        wasQuoted = false;
        if (m_pos < m_text.size() && m_text[m_pos] == u'"') {
            wasQuoted = true;
            const qsizetype open = m_pos++;
            while (m_pos < m_text.size() && m_text[m_pos] != u'"') {
                if (m_text[m_pos] == u'\\' && m_pos + 1 < m_text.size())
                    ++m_pos;
                out.append(m_text[m_pos++]);
            }
            if (m_pos >= m_text.size())
                return fail(open, u"unterminated quote"_s);
            ++m_pos;
            if (m_pos < m_text.size() && !isSpace(m_text[m_pos])
                && !(stopAtOperator && (m_text[m_pos] == u':' || m_text[m_pos] == u'~')))
                return fail(m_pos, u"a quoted value must end the term"_s);
            return true;
        }
        while (m_pos < m_text.size() && !isSpace(m_text[m_pos])) {
            const QChar c = m_text[m_pos];
            if (stopAtOperator && (c == u':' || c == u'~'))
                break;
            if (c == u'"')
                return fail(m_pos, u"a quote may only start a value"_s);
            out.append(c);
            ++m_pos;
        }
        return true;
    }

    bool readTerm(Term &term)
    {
        m_termStart = m_pos;
        if (m_text[m_pos] == u'-') {
            term.negated = true;
            ++m_pos;
            if (m_pos >= m_text.size() || isSpace(m_text[m_pos]))
                return fail(m_termStart, u"'-' must be followed by a term"_s);
        }
        const qsizetype headStart = m_pos;
        QString head;
        bool headQuoted = false;
        if (!readWord(head, true, headQuoted))
            return false;
        const bool hasOperator = m_pos < m_text.size() && (m_text[m_pos] == u':' || m_text[m_pos] == u'~');
        if (!hasOperator) {
            if (head.isEmpty())
                return fail(headStart, u"empty term"_s);
            term.field = Field::Name;
            term.op = Op::Contains;
            term.text = head;
            return true;
        }
        if (headQuoted)
            return fail(headStart, u"a field name cannot be quoted"_s);
        const QChar opChar = m_text[m_pos];
        const Op op = opChar == u':' ? Op::Equals : Op::Contains;
        const qsizetype opPos = m_pos++;
        const qsizetype valueStart = m_pos;
        QString value;
        bool valueQuoted = false;
        if (!readWord(value, false, valueQuoted))
            return false;
        if (value.isEmpty() && !valueQuoted)
            return fail(valueStart, u"missing value after '%1%2'"_s.arg(head, opChar));
        if (!setField(term, head, headStart, op, opPos))
            return false;
        return parseValue(term, value, valueStart, valueQuoted);
    }

    bool setField(Term &term, const QString &field, qsizetype fieldPos, Op op, qsizetype opPos)
    {
        struct Spec
        {
            QLatin1StringView name;
            Field field;
            bool equals;
            bool contains;
        };
        static constexpr Spec specs[] = {
            {"name"_L1, Field::Name, true, true},         {"phase"_L1, Field::Phase, true, false},
            {"shielded"_L1, Field::Shielded, true, false}, {"mode"_L1, Field::Mode, true, false},
            {"work"_L1, Field::Work, true, false},         {"id"_L1, Field::Id, true, false},
            {"request"_L1, Field::Request, true, false},   {"error"_L1, Field::Error, false, true},
            {"source"_L1, Field::Source, true, true},
        };
        for (const Spec &spec : specs) {
            if (field != spec.name)
                continue;
            if ((op == Op::Equals && !spec.equals) || (op == Op::Contains && !spec.contains))
                return fail(opPos, u"'%1' takes '%2', not '%3'"_s.arg(field, spec.equals ? u":"_s : u"~"_s,
                                                                      op == Op::Equals ? u":"_s : u"~"_s));
            term.field = spec.field;
            term.op = op;
            return true;
        }
        return fail(fieldPos, u"unknown field '%1' (fields: name, phase, shielded, mode, work, id, request, "
                              "error, source; quote a word to search names for it)"_s
                                  .arg(field));
    }

    //! \a last: the last value a filter may name (the enum's reader-only Unknown is not one).
    template<typename Enum>
    bool parseEnumList(Term &term, const QString &value, qsizetype valueStart, QLatin1StringView what, Enum last)
    {
        QStringList known;
        for (int i = 0; i <= int(last); ++i)
            known.append(wireName(Enum(i)));
        qsizetype itemStart = valueStart;
        for (const QString &item : value.split(u',')) {
            if (item.isEmpty())
                return fail(itemStart, u"empty item in the list"_s);
            const qsizetype index = known.indexOf(item);
            if (index < 0)
                return fail(itemStart, u"unknown %1 '%2' (one of: %3)"_s.arg(what, item, known.join(u", "_s)));
            term.enumMask |= 1u << quint32(index);
            itemStart += item.size() + 1;
        }
        return true;
    }

    bool parseIdList(Term &term, const QString &value, qsizetype valueStart)
    {
        qsizetype itemStart = valueStart;
        for (const QString &item : value.split(u',')) {
            bool ok = false;
            const quint64 id = item.toULongLong(&ok);
            if (!ok || item.startsWith(u'+'))
                return fail(itemStart, u"'%1' is not a non-negative integer"_s.arg(item));
            term.ids.append(id);
            itemStart += item.size() + 1;
        }
        return true;
    }

    bool parseTextList(Term &term, const QString &value, qsizetype valueStart)
    {
        qsizetype itemStart = valueStart;
        for (const QString &item : value.split(u',')) {
            if (item.isEmpty())
                return fail(itemStart, u"empty item in the list"_s);
            term.texts.append(item);
            itemStart += item.size() + 1;
        }
        return true;
    }

    bool parseValue(Term &term, const QString &value, qsizetype valueStart, bool quoted)
    {
        // Positions inside a quoted value count from after the opening quote.
        const qsizetype listStart = quoted ? valueStart + 1 : valueStart;
        switch (term.field) {
        case Field::Name:
        case Field::Error:
            term.text = value;
            return true;
        case Field::Phase:
            return parseEnumList(term, value, listStart, "phase"_L1, Phase::Lost);
        case Field::Mode:
            return parseEnumList(term, value, listStart, "mode"_L1, Mode::AfterResponse);
        case Field::Work:
            return parseEnumList(term, value, listStart, "work"_L1, WorkKind::Async);
        case Field::Shielded:
            if (value == u"true"_s)
                term.enumMask = 1u << 1;
            else if (value == u"false"_s)
                term.enumMask = 1u << 0;
            else
                return fail(listStart, u"shielded is true or false, not '%1'"_s.arg(value));
            return true;
        case Field::Id:
        case Field::Request:
            return parseIdList(term, value, listStart);
        case Field::Source:
            if (term.op == Op::Contains) {
                term.text = value;
                return true;
            }
            if (quoted) { // one label, commas and all: a source's name may hold one
                term.texts = {value};
                return true;
            }
            return parseTextList(term, value, listStart);
        }
        return false;
    }

    QStringView m_text;
    qsizetype m_pos = 0;
    qsizetype m_termStart = 0;
    FilterError m_error;
};

std::variant<TaskFilter, FilterError> TaskFilter::parse(QStringView expression)
{
    return FilterParser(expression).run();
}

bool TaskFilter::matchesTerm(const Term &term, const TaskRecord &task, QStringView source)
{
    switch (term.field) {
    case Field::Name:
        return term.op == Op::Equals ? task.name == term.text : task.name.contains(term.text, Qt::CaseInsensitive);
    case Field::Phase:
        return term.enumMask & (1u << quint32(task.phase));
    case Field::Shielded:
        return term.enumMask & (1u << (task.shielded ? 1 : 0));
    case Field::Mode:
        return term.enumMask & (1u << quint32(task.mode));
    case Field::Work:
        return term.enumMask & (1u << quint32(task.work));
    case Field::Id:
        return term.ids.contains(task.id);
    case Field::Request:
        return task.requestId != 0 && term.ids.contains(task.requestId);
    case Field::Error: {
        const auto hit = [&](const std::optional<ErrorInfo> &error) {
            return error
                && (error->type.contains(term.text, Qt::CaseInsensitive)
                    || error->message.contains(term.text, Qt::CaseInsensitive));
        };
        return hit(task.error) || hit(task.handlerError);
    }
    case Field::Source:
        if (source.isEmpty())
            return false;
        return term.op == Op::Equals ? term.texts.contains(source) : source.contains(term.text, Qt::CaseInsensitive);
    }
    return false;
}

bool TaskFilter::hasSourceTerms() const
{
    return std::any_of(m_terms.cbegin(), m_terms.cend(), [](const Term &term) { return term.field == Field::Source; });
}

bool TaskFilter::matchesSource(QStringView source) const
{
    const TaskRecord none;
    return std::all_of(m_terms.cbegin(), m_terms.cend(), [&](const Term &term) {
        return term.field != Field::Source || matchesTerm(term, none, source) != term.negated;
    });
}

QString TaskFilter::expressionWithoutSourceTerms() const
{
    QStringList kept;
    for (const Term &term : m_terms) {
        if (term.field != Field::Source)
            kept.append(m_expression.sliced(term.start, term.length));
    }
    return kept.join(u' ');
}

bool TaskFilter::matches(const TaskRecord &task, QStringView source) const
{
    for (const Term &term : m_terms) {
        if (matchesTerm(term, task, source) == term.negated)
            return false;
    }
    return true;
}

} // namespace afterwork::client
