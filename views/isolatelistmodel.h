#pragma once

#include <iso/runtime.h>

#include <QAbstractTableModel>

#include <vector>

/// One row per live isolate, kept in id order and updated from whole
/// snapshots. Only the GUI thread may call members.
class IsolateListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        NameColumn,
        StateColumn,
        MailboxColumn,
        HandledColumn,
        ErrorsColumn,
        ColumnCount
    };

    enum Role {
        /// The value to order rows by: numbers for numeric columns, the
        /// lifecycle order (not the name) for the state column.
        SortRole = Qt::UserRole,
        IsolateIdRole,
    };

    explicit IsolateListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public slots:
    /// Replaces the rows with `snapshot`, diffing by isolate id: vanished
    /// isolates are removed and new ones inserted as contiguous runs, and
    /// changed rows are reported with dataChanged, so selections and
    /// persistent indexes of surviving isolates stay put.
    void applySnapshot(std::vector<iso::IsolateInfo> snapshot);

private:
    void removeVanished(const std::vector<iso::IsolateInfo>& snapshot);
    void insertAndUpdate(std::vector<iso::IsolateInfo> snapshot);

    std::vector<iso::IsolateInfo> m_rows;  // ordered by id
};
