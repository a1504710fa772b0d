// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QConcatenateTablesProxyModel>

#include <utility>
#include <vector>

namespace afterwork::monitor {

class MonitorSession;
class SourceSet;

//! One table of every source: a part per source of a SourceSet (a table model of that source),
//! one after the other, following the set as sources come and go and relabelling the parts as
//! labels and the number of sources change. The subclass makes the parts and labels them.
class SourceConcatenation : public QConcatenateTablesProxyModel
{
    Q_OBJECT
public:
    //! The session the row \a row comes from; nullptr if out of range.
    MonitorSession *sessionAt(int row) const;

protected:
    //! A source's part: its session and its table (a child of this model).
    struct Part
    {
        MonitorSession *session; //!< not owning
        QAbstractItemModel *model;
    };

    explicit SourceConcatenation(const SourceSet *sources, QObject *parent = nullptr);
    ~SourceConcatenation() override;

    //! Makes the parts of the sources there are and follows the set; the subclass's constructor
    //! calls it last (the parts are made by its makePart()).
    void follow();
    //! A new table of \a session's rows, a child of this model.
    virtual QAbstractItemModel *makePart(MonitorSession *session) = 0;
    //! Tells \a part its source's \a label; \a several: whether other sources are watched too.
    virtual void labelPart(QAbstractItemModel *part, const QString &label, bool several) = 0;

    //! The part \a row falls in and the row within it; {nullptr, -1} if out of range.
    std::pair<const Part *, int> partAt(int row) const;
    //! The part of \a session, or nullptr; \a offset is set to the row it begins at.
    const Part *partOf(const MonitorSession *session, int *offset) const;
    const std::vector<Part> &parts() const noexcept { return m_parts; } //!< in the set's order
    const SourceSet *sources() const noexcept { return m_sources; }       //!< as given

private:
    void addPart(int index);
    void removePart(int index);
    void relabel();

    const SourceSet *m_sources; // Not owning.
    std::vector<Part> m_parts;
};

} // namespace afterwork::monitor
