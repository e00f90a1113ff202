#pragma once

#include <iso/trace.h>

#include <QAbstractTableModel>

#include <cstdint>
#include <deque>
#include <vector>

class ClusterState;

/// The event log: lifecycle events, errors and dead letters, oldest first,
/// at most `capacity` rows (the oldest go when more come). Failures, made
/// on purpose or not, and the restarts that answer them are tinted
/// (incidents.h). Only the GUI thread may call members.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, IsolateColumn, KindColumn, DetailColumn, ColumnCount };
    enum Role {
        /// The isolate an event is about (0: outside any).
        IsolateIdRole = Qt::UserRole,
    };
    static constexpr int defaultCapacity = 10'000;

    explicit EventLogModel(QObject* parent = nullptr, int capacity = defaultCapacity);

    /// Whether the log shows events of `kind` (not sends and handlings).
    static bool logs(iso::trace::Kind kind);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public slots:
    /// Appends those of `events` the log shows, naming isolates as `state`
    /// knows them now. Times show in seconds since the first event logged.
    void append(const ClusterState& state, const std::vector<iso::trace::Event>& events);
    /// Forgets every row. Times then show since `origin` (0: since the
    /// first event logged after).
    void clear(std::uint64_t origin = 0);

private:
    struct Row {
        std::uint64_t time = 0;
        iso::IsolateId isolate = 0;
        QString who;
        iso::trace::Kind kind = iso::trace::Kind::Gap;
        std::uint32_t arg = 0;
        QString detail;
    };
    static QString detailOf(const ClusterState& state, const iso::trace::Event& event);

    std::deque<Row> m_rows;
    const int m_capacity;
    std::uint64_t m_origin = 0;  ///< the first logged event's time; 0 until then
};
