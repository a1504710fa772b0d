// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QStringList>

namespace afterwork::monitor {

//! The base of the dashboard's table models: a flat table with a fixed set of columns, each with
//! a title. columnCount() and the horizontal header come from the titles; the rows and what the
//! cells hold are the subclass's.
class TableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    //! \a titles: one per column, in column order.
    TableModel(QStringList titles, QObject *parent);

private:
    QStringList m_titles;
};

} // namespace afterwork::monitor
