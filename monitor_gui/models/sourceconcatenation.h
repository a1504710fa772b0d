// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractTableModel>

#include <utility>
#include <vector>

namespace afterwork::monitor {

class MonitorSession;
class SourceSet;

//! One table of every source: a part per source of a SourceSet (a flat table of that source, all
//! parts with the same columns), one after the other, following the set as sources come and go
//! and relabelling the parts as labels and the number of sources change. The subclass makes the
//! parts and labels them.
//!
//! A part's inserted, removed and changed rows are announced here at the part's offset; a part's
//! reset is announced as the removal of its old rows and the insertion of its new ones, so the
//! other sources' rows (and what is selected of them) stay. Each part's first row is kept, updated
//! once per change, and a row's part is found by a binary search. A part that reorders its rows
//! (a layout change, a move) resets the whole table; the dashboard's parts never do.
class SourceConcatenation : public QAbstractTableModel
{
    Q_OBJECT
public:
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    //! The horizontal header is the parts' (the first part's); rows have none.
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    //! The session the row \a row comes from; nullptr if out of range.
    MonitorSession *sessionAt(int row) const;

protected:
    //! A source's part: its session, its table (a child of this model) and where its rows are.
    struct Part
    {
        MonitorSession *session; //!< not owning
        QAbstractItemModel *model;
        int first = 0; //!< the row of this table its first row is
        int rows = 0;  //!< its rows as announced (a part in mid-change may already have others)
    };

    //! \a columns: the parts' number of columns.
    SourceConcatenation(const SourceSet *sources, int columns, QObject *parent = nullptr);
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
    //! Passes \a model's row changes on, at its offset.
    void listenTo(QAbstractItemModel *model);
    //! The index in m_parts of the part whose table is \a model (-1 if none).
    int partIndexOf(const QObject *model) const;
    //! Part \a index now has \a rows rows: the parts after it move.
    void setPartRows(int index, int rows);
    void partResetting(const QObject *model);
    void partReset(const QObject *model);
    //! The whole table resets around a part's reordering (recounting every part's rows).
    void resetAll();

    const SourceSet *m_sources; // Not owning.
    int m_columns;
    std::vector<Part> m_parts;
    int m_rows = 0;
};

} // namespace afterwork::monitor
