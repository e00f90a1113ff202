#include "eventlogmodel.h"

#include "clusterstate.h"
#include "incidents.h"
#include "text.h"
#include "units.h"

#include <iso/context.h>
#include <iso/deadletter.h>

#include <algorithm>

using iso::trace::Kind;

namespace {

/// A cluster isolate by its path, another by its debug name, both with
/// the id that tells restarts and namesakes apart.
QString nameOf(const ClusterState& state, iso::IsolateId id)
{
    if (id == 0)
        return EventLogModel::tr("outside");
    const auto it = state.isolates().find(id);
    QString name;
    if (it != state.isolates().end())
        name = toQString(!it->second.metrics.path.empty() ? it->second.metrics.path : it->second.metrics.name);
    return (name.isEmpty() ? EventLogModel::tr("isolate") : name) + QStringLiteral(" #%1").arg(id);
}

} // namespace

EventLogModel::EventLogModel(QObject* parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(capacity, 1))
{
}

bool EventLogModel::logs(Kind kind)
{
    switch (kind) {
    case Kind::Send:
    case Kind::Enqueue:
    case Kind::Handle:
    case Kind::TimerFire:
    case Kind::Path:  // the Spawn before it says the same
        return false;
    default:
        return true;
    }
}

QString EventLogModel::detailOf(const ClusterState& state, const iso::trace::Event& e)
{
    switch (e.kind) {
    case Kind::Spawn:
        return e.peer != 0 ? tr("%1, by %2").arg(toQString(e.text), nameOf(state, e.peer)) : toQString(e.text);
    case Kind::Down: {
        QString text = toQString(iso::kind_name(static_cast<iso::DownReason::Kind>(e.arg)));
        if (!e.field(0).empty())
            text += QStringLiteral(": ") + toQString(e.field(0));
        return text;
    }
    case Kind::Error:
        return e.field(1).empty() ? toQString(e.field(0))
                                  : tr("%1 (at %2)").arg(toQString(e.field(0)), toQString(e.field(1)));
    case Kind::Exit:
        return toQString(iso::trace::exit_reason_name(e.arg));
    case Kind::Pause:
    case Kind::Resume:
    case Kind::Kill:
        return tr("by %1").arg(nameOf(state, e.peer));
    case Kind::Restart:
        return tr("%1, incarnation %2").arg(toQString(e.text)).arg(e.arg);
    case Kind::DeadLetter: {
        QString text = toQString(iso::reason_name(static_cast<iso::DeadLetterReason>(e.arg)));
        if (e.peer != 0)
            text += tr(", to %1").arg(nameOf(state, e.peer));
        if (!e.text.empty())
            text += QStringLiteral(": ") + toQString(e.text);
        return text;
    }
    case Kind::Gap:
        return tr("%1 events lost: %2").arg(e.peer).arg(toQString(iso::trace::gap_source_name(e.arg)));
    case Kind::Fault:
        return tr("%1, by %2").arg(toQString(e.text), nameOf(state, e.peer));
    case Kind::Supervision:
        if (e.arg == static_cast<std::uint32_t>(iso::trace::SupervisionAction::GiveUp))
            return tr("gave up on %1: %2; it fails, for its own supervisor to answer")
                .arg(toQString(e.field(0)), toQString(e.field(1)));
        return tr("restarts %1 in %2, backing off (%3)")
            .arg(toQString(e.field(0)), units::duration(e.peer), toQString(e.field(1)));
    default:
        return {};
    }
}

void EventLogModel::append(const ClusterState& state, const std::vector<iso::trace::Event>& events)
{
    std::vector<Row> fresh;
    for (const iso::trace::Event& e : events) {
        if (!logs(e.kind))
            continue;
        fresh.push_back({e.time, e.isolate, e.kind == Kind::Gap ? QString() : nameOf(state, e.isolate), e.kind,
                         e.arg, detailOf(state, e)});
    }
    if (fresh.empty())
        return;
    if (m_origin == 0)
        m_origin = fresh.front().time;
    // More than fit: only the newest are kept.
    if (fresh.size() > static_cast<std::size_t>(m_capacity))
        fresh.erase(fresh.begin(), fresh.end() - m_capacity);
    const int overflow = static_cast<int>(m_rows.size() + fresh.size()) - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + overflow);
        endRemoveRows();
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    endInsertRows();
}

void EventLogModel::clear(std::uint64_t origin)
{
    beginResetModel();
    m_rows.clear();
    m_origin = origin;
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    if (role == IsolateIdRole)
        return QVariant::fromValue<qulonglong>(row.isolate);
    if (role == Qt::BackgroundRole) {
        if (const auto tint = incidents::tint(row.kind, row.arg))
            return *tint;
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn: {
        // Events of other threads may come stamped a little before the first.
        const double seconds = (static_cast<double>(row.time) - static_cast<double>(m_origin)) / 1e9;
        return QString::number(seconds, 'f', 3);
    }
    case IsolateColumn: return row.who;
    case KindColumn: return toQString(iso::trace::kind_name(row.kind));
    case DetailColumn: return row.detail;
    default: return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time (s)");
    case IsolateColumn: return tr("Isolate");
    case KindColumn: return tr("Event");
    case DetailColumn: return tr("Detail");
    default: return {};
    }
}
