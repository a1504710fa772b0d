// SPDX-License-Identifier: MIT
#pragma once

#include "models/sourceconcatenation.h"

namespace afterwork::monitor {

//! The failure groups of every source in one table: each source's FailureGroupModel one after
//! the other, labelled with its source while there are several (then a group's tasks are those
//! of its source: `source:LABEL ...`).
class FleetFailureModel final : public SourceConcatenation
{
    Q_OBJECT
public:
    explicit FleetFailureModel(const SourceSet *sources, QObject *parent = nullptr);

    //! Brings every source's groups up to date (after a flush).
    void syncAll();

protected:
    QAbstractItemModel *makePart(MonitorSession *session) override;
    void labelPart(QAbstractItemModel *part, const QString &label, bool several) override;
};

} // namespace afterwork::monitor
