#include "isolatelistmodel.h"

#include <QThread>

#include <algorithm>
#include <iterator>

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool byId(const iso::IsolateInfo& a, const iso::IsolateInfo& b)
{
    return a.id < b.id;
}

bool containsId(const std::vector<iso::IsolateInfo>& sorted, iso::IsolateId id)
{
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), id,
                                     [](const iso::IsolateInfo& info, iso::IsolateId key) { return info.id < key; });
    return it != sorted.end() && it->id == id;
}

/// Rows ordered by id with no id twice, whatever order the snapshot came in.
void normalize(std::vector<iso::IsolateInfo>& snapshot)
{
    if (!std::is_sorted(snapshot.begin(), snapshot.end(), byId))
        std::stable_sort(snapshot.begin(), snapshot.end(), byId);
    const auto sameId = [](const iso::IsolateInfo& a, const iso::IsolateInfo& b) { return a.id == b.id; };
    snapshot.erase(std::unique(snapshot.begin(), snapshot.end(), sameId), snapshot.end());
}

/// The first and last column whose shown value differs, or {-1, -1}.
std::pair<int, int> changedColumns(const iso::IsolateInfo& before, const iso::IsolateInfo& after)
{
    const bool changed[IsolateListModel::ColumnCount] = {
        false,  // rows are matched by id
        before.debug_name != after.debug_name,
        before.state != after.state,
        before.mailbox_depth != after.mailbox_depth,
        before.events_handled != after.events_handled,
        before.errors != after.errors,
    };
    const auto first = std::find(std::begin(changed), std::end(changed), true);
    if (first == std::end(changed))
        return {-1, -1};
    const auto last = std::find(std::rbegin(changed), std::rend(changed), true);
    return {static_cast<int>(first - std::begin(changed)), static_cast<int>(std::rend(changed) - last) - 1};
}

/// Collects neighbouring changed rows so that each run costs one dataChanged.
class ChangeRun
{
public:
    explicit ChangeRun(IsolateListModel& model) : m_model(model) { }

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
    IsolateListModel& m_model;
    int m_firstRow = -1;
    int m_lastRow = -1;
    int m_firstColumn = 0;
    int m_lastColumn = 0;
};

QVariant displayData(const iso::IsolateInfo& info, int column)
{
    switch (column) {
    case IsolateListModel::IdColumn:
        return QVariant::fromValue<qulonglong>(info.id);
    case IsolateListModel::NameColumn:
        return toQString(info.debug_name);
    case IsolateListModel::StateColumn:
        return toQString(iso::state_name(info.state));
    case IsolateListModel::MailboxColumn:
        return QVariant::fromValue<qulonglong>(info.mailbox_depth);
    case IsolateListModel::HandledColumn:
        return QVariant::fromValue<qulonglong>(info.events_handled);
    case IsolateListModel::ErrorsColumn:
        return QVariant::fromValue<qulonglong>(info.errors);
    default:
        return {};
    }
}

QVariant sortData(const iso::IsolateInfo& info, int column)
{
    if (column == IsolateListModel::StateColumn)
        return static_cast<int>(info.state);
    return displayData(info, column);
}

} // namespace

IsolateListModel::IsolateListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

int IsolateListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int IsolateListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IsolateListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const iso::IsolateInfo& info = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return displayData(info, index.column());
    case SortRole:
        return sortData(info, index.column());
    case IsolateIdRole:
        return QVariant::fromValue<qulonglong>(info.id);
    case Qt::TextAlignmentRole:
        if (index.column() == NameColumn || index.column() == StateColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    default:
        return {};
    }
}

QVariant IsolateListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(section)) {
        case IdColumn: return tr("Id");
        case NameColumn: return tr("Name");
        case StateColumn: return tr("State");
        case MailboxColumn: return tr("Mailbox");
        case HandledColumn: return tr("Handled");
        case ErrorsColumn: return tr("Errors");
        case ColumnCount: break;
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case IdColumn: return tr("Isolate id, unique within the runtime");
        case NameColumn: return tr("Debug name given at spawn");
        case StateColumn: return tr("Lifecycle state when the snapshot was taken");
        case MailboxColumn: return tr("Events waiting in the isolate's queue");
        case HandledColumn: return tr("Events handled since the isolate started");
        case ErrorsColumn: return tr("Uncaught errors raised by the isolate's handlers");
        case ColumnCount: break;
        }
    }
    return {};
}

void IsolateListModel::applySnapshot(std::vector<iso::IsolateInfo> snapshot)
{
    Q_ASSERT(QThread::currentThread() == thread());
    normalize(snapshot);
    removeVanished(snapshot);
    insertAndUpdate(std::move(snapshot));
}

void IsolateListModel::removeVanished(const std::vector<iso::IsolateInfo>& snapshot)
{
    // Back to front, so the rows still to be looked at keep their indexes.
    int row = static_cast<int>(m_rows.size()) - 1;
    while (row >= 0) {
        if (containsId(snapshot, m_rows[static_cast<std::size_t>(row)].id)) {
            --row;
            continue;
        }
        const int last = row;
        while (row > 0 && !containsId(snapshot, m_rows[static_cast<std::size_t>(row - 1)].id))
            --row;
        beginRemoveRows({}, row, last);
        m_rows.erase(m_rows.begin() + row, m_rows.begin() + last + 1);
        endRemoveRows();
        --row;
    }
}

void IsolateListModel::insertAndUpdate(std::vector<iso::IsolateInfo> snapshot)
{
    // Every current row's id is in `snapshot` now, and both are in id order:
    // one merge pass finds the new runs and the changed rows.
    ChangeRun changes(*this);
    std::size_t row = 0;
    std::size_t next = 0;
    while (next < snapshot.size()) {
        if (row < m_rows.size() && m_rows[row].id == snapshot[next].id) {
            const auto columns = changedColumns(m_rows[row], snapshot[next]);
            m_rows[row] = std::move(snapshot[next]);
            if (columns.first >= 0)
                changes.add(static_cast<int>(row), columns);
            ++row;
            ++next;
            continue;
        }
        changes.flush();
        std::size_t end = next;
        while (end < snapshot.size() && (row == m_rows.size() || snapshot[end].id != m_rows[row].id))
            ++end;
        const auto count = end - next;
        beginInsertRows({}, static_cast<int>(row), static_cast<int>(row + count) - 1);
        m_rows.insert(m_rows.begin() + static_cast<std::ptrdiff_t>(row),
                      std::make_move_iterator(snapshot.begin() + static_cast<std::ptrdiff_t>(next)),
                      std::make_move_iterator(snapshot.begin() + static_cast<std::ptrdiff_t>(end)));
        endInsertRows();
        row += count;
        next = end;
    }
    changes.flush();
}
