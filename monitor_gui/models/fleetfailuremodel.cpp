// SPDX-License-Identifier: MIT
#include "models/fleetfailuremodel.h"

#include "core/monitorsession.h"
#include "models/failuregroupmodel.h"

namespace afterwork::monitor {

namespace {

//! The parts are made by makePart(): FailureGroupModels.
FailureGroupModel *groupsOf(QAbstractItemModel *part)
{
    return static_cast<FailureGroupModel *>(part);
}

} // namespace

FleetFailureModel::FleetFailureModel(const SourceSet *sources, QObject *parent)
    : SourceConcatenation(sources, FailureGroupModel::COUNT, parent)
{
    follow();
}

QAbstractItemModel *FleetFailureModel::makePart(MonitorSession *session)
{
    return new FailureGroupModel(&session->failures(), this);
}

void FleetFailureModel::labelPart(QAbstractItemModel *part, const QString &label, bool several)
{
    // One source: its groups' filters stay as they always were, without a source term.
    groupsOf(part)->setSourceLabel(several ? label : QString());
}

void FleetFailureModel::syncAll()
{
    for (const Part &part : parts())
        groupsOf(part.model)->sync();
}

} // namespace afterwork::monitor
