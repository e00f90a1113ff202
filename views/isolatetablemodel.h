#pragma once

#include "clusterstate.h"

#include <QAbstractTableModel>

#include <string>
#include <vector>

/// The isolate table: one row per isolate the cluster state knows, kept in
/// id order, with its rates, handle-time p99 and busy share. Each apply()
/// diffs the state against the rows, so a batch costs one notification per
/// run of inserted, removed or changed rows, and selections and persistent
/// indexes of surviving isolates stay put. Only the GUI thread may call
/// members.
class IsolateTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        PathColumn,
        NameColumn,
        StateColumn,
        MailboxColumn,
        InColumn,
        OutColumn,
        P99Column,
        BusyColumn,
        RestartsColumn,
        ErrorsColumn,
        IdColumn,
        ColumnCount
    };

    enum Role {
        /// The value to order rows by: numbers for numeric columns, the
        /// lifecycle order (not the name) for the state column.
        SortRole = Qt::UserRole,
        IsolateIdRole,
        /// The full path (empty for plain isolates), whatever the column.
        PathRole,
    };

    explicit IsolateTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The row showing isolate `id`, or -1.
    int rowOf(iso::IsolateId id) const;

public slots:
    void apply(const ClusterState& state);

public:
    struct Row {
        iso::IsolateId id = 0;
        std::string path;
        std::string name;
        iso::IsolateState state = iso::IsolateState::Starting;
        std::uint64_t mailbox = 0;
        double inPerSecond = 0;
        double outPerSecond = 0;
        std::uint64_t handled = 0;  ///< when p99 was last taken
        std::uint64_t p99Ns = 0;
        double busyShare = 0;
        std::uint64_t restarts = 0;
        std::uint64_t errors = 0;
    };

private:
    void removeVanished(const ClusterState& state);
    void insertAndUpdate(const ClusterState& state);

    std::vector<Row> m_rows;  // ordered by id
};
