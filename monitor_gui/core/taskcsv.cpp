// SPDX-License-Identifier: MIT
#include "core/taskcsv.h"

#include <QtCore/QSaveFile>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

QByteArray csvRecord(const QStringList &fields)
{
    QByteArray out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += ',';
        QString field = fields.at(i);
        if (field.contains(u',') || field.contains(u'"') || field.contains(u'\n') || field.contains(u'\r')) {
            field.replace(u"\""_s, u"\"\""_s);
            out += '"' + field.toUtf8() + '"';
        } else {
            out += field.toUtf8();
        }
    }
    out += "\r\n";
    return out;
}

QStringList taskCsvHeader()
{
    return {u"id"_s,          u"name"_s,       u"phase"_s,         u"shielded"_s,      u"mode"_s,
            u"work"_s,        u"attempt"_s,    u"queue_wait_us"_s, u"run_us"_s,        u"error_type"_s,
            u"error_message"_s, u"scheduled_us"_s, u"started_us"_s, u"finished_us"_s, u"request"_s,
            u"function"_s,    u"progress_done"_s, u"progress_total"_s, u"progress_message"_s, u"source"_s};
}

QStringList taskCsvFields(const client::TaskState &state, const QString &source)
{
    const client::TaskRecord &task = state.task;
    auto number = [](qint64 value) { return value >= 0 ? QString::number(value) : QString(); };
    auto stamp = [](qint64 value) { return value > 0 ? QString::number(value) : QString(); };
    return {QString::number(task.id),
            task.name,
            QString(afterwork::wireName(task.phase)),
            task.shielded ? u"true"_s : u"false"_s,
            QString(afterwork::wireName(task.mode)),
            QString(afterwork::wireName(task.work)),
            QString::number(task.attempt),
            number(task.waitUs),
            number(task.runUs),
            task.error ? task.error->type : QString(),
            task.error ? task.error->message : QString(),
            stamp(task.scheduledUs),
            stamp(task.startedUs),
            stamp(state.finishedUs),
            task.requestId ? QString::number(task.requestId) : QString(),
            task.function,
            state.progress ? QString::number(state.progress->done) : QString(),
            state.progress ? QString::number(state.progress->total) : QString(),
            state.progress ? state.progress->message : QString(),
            source};
}

std::optional<QString> writeTasksCsv(const QString &path, const QList<TaskCsvRow> &tasks)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return u"cannot write '%1': %2"_s.arg(path, file.errorString());
    file.write(csvRecord(taskCsvHeader()));
    for (const TaskCsvRow &row : tasks) {
        if (row.task)
            file.write(csvRecord(taskCsvFields(*row.task, row.source)));
    }
    if (!file.commit())
        return u"cannot write '%1': %2"_s.arg(path, file.errorString());
    return std::nullopt;
}

} // namespace afterwork::monitor
