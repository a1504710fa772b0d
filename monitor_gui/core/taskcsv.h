// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskstore.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QStringList>

#include <optional>

namespace afterwork::monitor {

//! One CSV record (RFC 4180): fields holding a comma, quote, CR or LF are quoted, quotes doubled;
//! ends with CRLF.
QByteArray csvRecord(const QStringList &fields);

//! The header of a task export: machine-friendly names and raw values (µs, wire spellings). New
//! columns go at the end, so that readers by position keep working.
QStringList taskCsvHeader();
//! The fields of \a state, of the source labelled \a source, in taskCsvHeader()'s order.
QStringList taskCsvFields(const client::TaskState &state, const QString &source = {});

//! A task of the table and the label of the source it came from.
struct TaskCsvRow
{
    const client::TaskState *task = nullptr; //!< skipped when null
    QString source;
};

//! Writes \a tasks (header first) to \a path; the error message on failure.
std::optional<QString> writeTasksCsv(const QString &path, const QList<TaskCsvRow> &tasks);

} // namespace afterwork::monitor
