#include "isolatetablemodel.h"

#include "text.h"
#include "units.h"

#include <QThread>

#include <algorithm>
#include <iterator>

namespace {

/// Brings `row` up to date with `isolate`; returns the first and last
/// column whose shown value changed, or {-1, -1}. Compares before it
/// copies, so a batch over 10,000 unchanged isolates allocates nothing.
std::pair<int, int> refresh(IsolateTableModel::Row& row, const ClusterState::Isolate& isolate)
{
    using Model = IsolateTableModel;
    const iso::IsolateMetrics& m = isolate.metrics;
    int first = Model::ColumnCount;
    int last = -1;
    const auto update = [&](auto& field, const auto& value, int column) {
        if (field == value)
            return;
        field = value;
        first = std::min(first, column);
        last = std::max(last, column);
    };
    row.id = m.id;
    update(row.path, m.path, Model::PathColumn);
    update(row.name, m.name, Model::NameColumn);
    update(row.state, m.state, Model::StateColumn);
    update(row.mailbox, std::uint64_t{m.mailbox_depth}, Model::MailboxColumn);
    update(row.inPerSecond, isolate.inPerSecond, Model::InColumn);
    update(row.outPerSecond, isolate.outPerSecond, Model::OutColumn);
    // A quantile walks the whole histogram, which only changes when the
    // isolate handles something: quiet isolates cost nothing here.
    if (row.handled != m.messages_in || row.p99Ns == 0) {
        row.handled = m.messages_in;
        update(row.p99Ns, m.handle_time.quantile(0.99), Model::P99Column);
    }
    update(row.busyShare, isolate.busyShare, Model::BusyColumn);
    update(row.restarts, m.restarts, Model::RestartsColumn);
    update(row.errors, m.errors, Model::ErrorsColumn);
    return last < 0 ? std::pair{-1, -1} : std::pair{first, last};
}

/// Collects neighbouring changed rows so that each run costs one dataChanged.
class ChangeRun
{
public:
    explicit ChangeRun(IsolateTableModel& model) : m_model(model) { }

    void add(int row, std::pair<int, int> columns)
    {
        if (m_firstRow >= 0 && row != m_lastRow + 1)
            flush();
        if (m_firstRow < 0) {
            m_firstRow = row;
            m_firstColumn = columns.first;
            m_lastColumn = columns.second;
        }
        m_lastRow = row;
        m_firstColumn = std::min(m_firstColumn, columns.first);
        m_lastColumn = std::max(m_lastColumn, columns.second);
    }

    void flush()
    {
        if (m_firstRow < 0)
            return;
        emit m_model.dataChanged(m_model.index(m_firstRow, m_firstColumn), m_model.index(m_lastRow, m_lastColumn));
        m_firstRow = -1;
    }

private:
    IsolateTableModel& m_model;
    int m_firstRow = -1;
    int m_lastRow = -1;
    int m_firstColumn = 0;
    int m_lastColumn = 0;
};

QVariant displayData(const IsolateTableModel::Row& row, int column)
{
    switch (column) {
    case IsolateTableModel::PathColumn: return toQString(row.path);
    case IsolateTableModel::NameColumn: return toQString(row.name);
    case IsolateTableModel::StateColumn: return toQString(iso::state_name(row.state));
    case IsolateTableModel::MailboxColumn: return QVariant::fromValue<qulonglong>(row.mailbox);
    case IsolateTableModel::InColumn: return units::rate(row.inPerSecond);
    case IsolateTableModel::OutColumn: return units::rate(row.outPerSecond);
    case IsolateTableModel::P99Column: return row.p99Ns == 0 ? QString() : units::duration(row.p99Ns);
    case IsolateTableModel::BusyColumn: return units::percent(row.busyShare);
    case IsolateTableModel::RestartsColumn: return QVariant::fromValue<qulonglong>(row.restarts);
    case IsolateTableModel::ErrorsColumn: return QVariant::fromValue<qulonglong>(row.errors);
    case IsolateTableModel::IdColumn: return QVariant::fromValue<qulonglong>(row.id);
    default: return {};
    }
}

QVariant sortData(const IsolateTableModel::Row& row, int column)
{
    switch (column) {
    case IsolateTableModel::StateColumn: return static_cast<int>(row.state);
    case IsolateTableModel::InColumn: return row.inPerSecond;
    case IsolateTableModel::OutColumn: return row.outPerSecond;
    case IsolateTableModel::P99Column: return QVariant::fromValue<qulonglong>(row.p99Ns);
    case IsolateTableModel::BusyColumn: return row.busyShare;
    default: return displayData(row, column);
    }
}

} // namespace

IsolateTableModel::IsolateTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int IsolateTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int IsolateTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int IsolateTableModel::rowOf(iso::IsolateId id) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), id,
                                     [](const Row& row, iso::IsolateId key) { return row.id < key; });
    return it != m_rows.end() && it->id == id ? static_cast<int>(it - m_rows.begin()) : -1;
}

QVariant IsolateTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, index.column());
    case SortRole:
        return sortData(row, index.column());
    case IsolateIdRole:
        return QVariant::fromValue<qulonglong>(row.id);
    case PathRole:
        return toQString(row.path);
    case Qt::ToolTipRole:
        if (index.column() == PathColumn && !row.path.empty())
            return toQString(row.path);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() <= StateColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    default:
        return {};
    }
}

QVariant IsolateTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    struct Header {
        const char* title;
        const char* tip;
    };
    static constexpr Header headers[ColumnCount] = {
        {QT_TR_NOOP("Path"), QT_TR_NOOP("Cluster path; empty for plain isolates")},
        {QT_TR_NOOP("Name"), QT_TR_NOOP("Debug name given at spawn")},
        {QT_TR_NOOP("State"), QT_TR_NOOP("Lifecycle state")},
        {QT_TR_NOOP("Mailbox"), QT_TR_NOOP("Events waiting in the isolate's mailbox")},
        {QT_TR_NOOP("In/s"), QT_TR_NOOP("Messages handled per second, over the last second")},
        {QT_TR_NOOP("Out/s"), QT_TR_NOOP("Messages sent per second, over the last second")},
        {QT_TR_NOOP("p99"), QT_TR_NOOP("Handle time that 99% of its handlings stay under (within 19%)")},
        {QT_TR_NOOP("Busy"), QT_TR_NOOP("Share of the last second spent inside its handlers")},
        {QT_TR_NOOP("Restarts"), QT_TR_NOOP("Times its path was restarted by a supervisor")},
        {QT_TR_NOOP("Errors"), QT_TR_NOOP("Uncaught errors raised by its handlers")},
        {QT_TR_NOOP("Id"), QT_TR_NOOP("Isolate id, unique within the runtime")},
    };
    if (role == Qt::DisplayRole)
        return tr(headers[section].title);
    if (role == Qt::ToolTipRole)
        return tr(headers[section].tip);
    return {};
}

void IsolateTableModel::apply(const ClusterState& state)
{
    Q_ASSERT(QThread::currentThread() == thread());
    removeVanished(state);
    insertAndUpdate(state);
}

void IsolateTableModel::removeVanished(const ClusterState& state)
{
    const auto& isolates = state.isolates();
    // Back to front, so the rows still to be looked at keep their indexes.
    int row = static_cast<int>(m_rows.size()) - 1;
    const auto gone = [&](int r) { return !isolates.contains(m_rows[static_cast<std::size_t>(r)].id); };
    while (row >= 0) {
        if (!gone(row)) {
            --row;
            continue;
        }
        const int last = row;
        while (row > 0 && gone(row - 1))
            --row;
        beginRemoveRows({}, row, last);
        m_rows.erase(m_rows.begin() + row, m_rows.begin() + last + 1);
        endRemoveRows();
        --row;
    }
}

void IsolateTableModel::insertAndUpdate(const ClusterState& state)
{
    // Every row's id is in the state now, and both are in id order: one
    // merge pass finds the new runs and the changed rows.
    const auto& isolates = state.isolates();
    ChangeRun changes(*this);
    std::size_t row = 0;
    auto next = isolates.begin();
    while (next != isolates.end()) {
        if (row < m_rows.size() && m_rows[row].id == next->first) {
            const auto columns = refresh(m_rows[row], next->second);
            if (columns.first >= 0)
                changes.add(static_cast<int>(row), columns);
            ++row;
            ++next;
            continue;
        }
        changes.flush();
        std::vector<Row> run;
        for (; next != isolates.end() && (row == m_rows.size() || next->first != m_rows[row].id); ++next)
            refresh(run.emplace_back(), next->second);
        beginInsertRows({}, static_cast<int>(row), static_cast<int>(row + run.size()) - 1);
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(row), std::make_move_iterator(run.begin()),
                      std::make_move_iterator(run.end()));
        endInsertRows();
        row += run.size();
    }
    changes.flush();
}
