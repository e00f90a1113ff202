#pragma once
// Hand-made observer batches for the cluster tree's suites: isolates by
// id, path and supervisor, lifecycle events, and the observer's clock.

#include "clusterstate.h"
#include "clustertreemodel.h"

#include <iso/context.h>

#include <QAbstractItemModel>
#include <QStringList>

#include <chrono>
#include <string>
#include <vector>

namespace treetest {

using namespace std::chrono_literals;
using iso::IsolateState;

inline iso::IsolateMetrics cluster(iso::IsolateId id, std::string path, iso::IsolateId supervisor,
                                   IsolateState state = IsolateState::Idle, std::uint32_t incarnation = 0)
{
    iso::IsolateMetrics m;
    m.id = id;
    m.name = path;
    m.path = std::move(path);
    m.supervisor = supervisor;
    m.state = state;
    m.incarnation = incarnation;
    m.restarts = incarnation;
    return m;
}

inline iso::IsolateMetrics plain(iso::IsolateId id, std::string name, IsolateState state = IsolateState::Idle)
{
    iso::IsolateMetrics m;
    m.id = id;
    m.name = std::move(name);
    m.state = state;
    return m;
}

inline iso::IsolateMetrics exited(iso::IsolateMetrics m)
{
    m.state = IsolateState::Exited;
    return m;
}

inline iso::IsolateMetrics withMailbox(iso::IsolateMetrics m, std::size_t depth)
{
    m.mailbox_depth = depth;
    return m;
}

inline iso::trace::Event event(iso::trace::Kind kind, iso::IsolateId isolate, std::uint32_t arg = 0,
                               std::string text = {})
{
    iso::trace::Event e;
    e.kind = kind;
    e.isolate = isolate;
    e.arg = arg;
    e.text = std::move(text);
    e.text_size = static_cast<std::uint32_t>(e.text.size());
    return e;
}

/// How a cluster isolate ended, as the cluster says it: Down, then Exit.
inline std::vector<iso::trace::Event> ended(iso::IsolateId id, iso::DownReason::Kind why)
{
    return {event(iso::trace::Kind::Down, id, static_cast<std::uint32_t>(why)),
            event(iso::trace::Kind::Exit, id, why == iso::DownReason::Kind::Failed ? 2 : 0)};
}

/// The cluster starts incarnation `next` of `path`, whose last one was `id`.
inline iso::trace::Event restart(iso::IsolateId id, std::string path, std::uint32_t next)
{
    return event(iso::trace::Kind::Restart, id, next, std::move(path));
}

struct Step {
    std::chrono::milliseconds at{0};
    std::vector<iso::IsolateMetrics> changed;
    std::vector<iso::IsolateId> removed = {};
    std::vector<iso::trace::Event> events = {};
    bool full = false;
};

inline iso::Batch batchOf(Step step)
{
    iso::Batch b;
    b.delta.full = step.full;
    b.delta.changed = std::move(step.changed);
    b.delta.removed = std::move(step.removed);
    b.delta.totals.time = step.at;
    b.events = std::move(step.events);
    return b;
}

/// A model fed as the window feeds it: each batch applied to the state first.
struct Feed {
    ClusterState state;
    ClusterTreeModel& model;

    void operator()(Step step)
    {
        const iso::Batch b = batchOf(std::move(step));
        state.apply(b);
        model.apply(state, b);
    }
};

/// A model fed as the window feeds it in one poll: several batches, each
/// applied to the state and taken, then shown once.
struct Poll {
    ClusterState& state;
    ClusterTreeModel& model;

    void operator()(std::vector<Step> steps)
    {
        for (Step& step : steps) {
            const iso::Batch b = batchOf(std::move(step));
            state.apply(b);
            model.take(state, b);
        }
        model.show();
    }
};

/// The row showing `path`, searched through the whole tree.
inline QModelIndex rowOfPath(const QAbstractItemModel& model, const QString& path)
{
    const QModelIndexList hits = model.match(model.index(0, 0), ClusterTreeModel::PathRole, path, 1,
                                             Qt::MatchExactly | Qt::MatchRecursive);
    return hits.value(0);
}

inline QStringList namesUnder(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row)
        names << model.index(row, ClusterTreeModel::NameColumn, parent).data().toString();
    return names;
}

inline QString stateOf(const QModelIndex& row)
{
    return row.siblingAtColumn(ClusterTreeModel::StateColumn).data().toString();
}

inline iso::IsolateId idOf(const QModelIndex& row)
{
    return row.data(ClusterTreeModel::IsolateIdRole).toULongLong();
}

} // namespace treetest
