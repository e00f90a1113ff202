#include "clustertreemodel.h"

#include "clusterstate.h"
#include "incidents.h"
#include "text.h"

#include <iso/context.h>

#include <QColor>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QThread>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

enum class ClusterTreeModel::NodeKind { Root, Group, Cluster, Plain };

/// What a row shows in its State column.
enum class ClusterTreeModel::Shown { Starting, Running, Idle, Paused, Restarting, Dead, Count };

struct ClusterTreeModel::Node {
    NodeKind kind = NodeKind::Plain;
    std::uint64_t serial = 0;  ///< never reused: how queues name a node that may be gone
    std::uint64_t seq = 0;     ///< siblings are ordered by it: when they were placed
    Node* parent = nullptr;    ///< null until placed
    std::vector<Node*> children;  ///< by seq
    bool shown = false;           ///< the views know the row

    std::string path;  ///< cluster isolates
    std::string name;  ///< the debug name
    iso::IsolateId id = 0;  ///< the current (or last) incarnation
    iso::IsolateId supervisor = 0;
    std::uint32_t incarnation = 0;
    iso::IsolateState state = iso::IsolateState::Starting;
    std::size_t mailbox = 0;
    std::uint64_t restarts = 0;  ///< the most any incarnation reported

    // How the current incarnation ended.
    bool ended = false;
    bool restartSeen = false;  ///< a Restart event named the path
    std::uint32_t nextIncarnation = 0;
    std::optional<iso::DownReason::Kind> down;
    std::string error;
    std::chrono::nanoseconds endedAt{0};

    /// The latest incident (incidents.h) on the row, tinted until
    /// incidentAt + highlightFor.
    std::optional<iso::trace::Kind> incident;
    std::uint32_t incidentArg = 0;
    std::chrono::nanoseconds incidentAt{0};
};

namespace {

using Kind = iso::trace::Kind;
constexpr std::uint64_t lastSeq = std::numeric_limits<std::uint64_t>::max();

/// The path above `path` ("/a/b" -> "/a"); empty at the top.
std::string_view pathParent(std::string_view path)
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos || slash == 0 ? std::string_view() : path.substr(0, slash);
}

/// A filled dot, one per state, made once (the GUI thread only).
QIcon dot(QColor colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(colour.darker(130));
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    return QIcon(pixmap);
}

} // namespace

ClusterTreeModel::ClusterTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_root->kind = NodeKind::Root;
    m_root->shown = true;
}

ClusterTreeModel::~ClusterTreeModel() = default;

void ClusterTreeModel::clear()
{
    Q_ASSERT(QThread::currentThread() == thread());
    beginResetModel();
    m_root->children.clear();
    m_nodes.clear();
    m_group = nullptr;
    m_nextSeq = 1;  // serials go on: they are never reused
    m_now = {};
    m_synced = false;
    m_groupCount = 0;
    m_byPath.clear();
    m_byId.clear();
    m_awaiting.clear();
    m_expiries.clear();
    m_highlightEnds.clear();
    m_fresh.clear();
    m_replace.clear();
    m_bound.clear();
    m_staged.clear();
    m_dropped.clear();
    m_misplaced.clear();
    m_dirty.clear();
    m_replaced.clear();
    endResetModel();
}

// ---- reading a batch ------------------------------------------------------------

void ClusterTreeModel::apply(const ClusterState& state, const iso::Batch& batch)
{
    take(state, batch);
    show();
}

void ClusterTreeModel::take(const ClusterState& state, const iso::Batch& batch)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_now = batch.delta.totals.time;
    // A model made after its source started missed the first batch: the
    // state holds everything it would have said.
    const bool full = batch.delta.full || !m_synced;
    m_synced = true;
    if (full) {
        for (const auto& [id, isolate] : state.isolates())
            upsert(isolate.metrics);
    } else {
        for (const iso::IsolateMetrics& m : batch.delta.changed)
            upsert(m);
    }
    for (const iso::trace::Event& e : batch.events)
        applyEvent(e);
    for (const iso::IsolateId id : batch.delta.removed) {
        if (const auto it = m_byId.find(id); it != m_byId.end())
            markEnded(it->second);
    }
    if (full) {
        // What the state does not list has ended while nobody looked.
        for (const auto& [id, node] : m_byId) {
            if (!state.isolates().contains(id))
                markEnded(node);
        }
    }
}

void ClusterTreeModel::show()
{
    Q_ASSERT(QThread::currentThread() == thread());
    expireRows();
    endHighlights();
    resolveAwaiting();
    placeAll();

    removeDropped();
    insertStaged();
    moveMisplaced();
    removeEmptyGroup();
    reportChanged();
    for (const auto& [previous, next] : std::exchange(m_replaced, {}))
        emit incarnationReplaced(previous, next);
}

void ClusterTreeModel::upsert(const iso::IsolateMetrics& m)
{
    Node* node = m.path.empty() ? plainNode(m) : pathNode(m);
    if (node == nullptr)
        return;
    const bool changed = node->state != m.state || node->mailbox != m.mailbox_depth
        || node->incarnation != m.incarnation || node->restarts < m.restarts || node->name != m.name;
    node->name = m.name;
    node->supervisor = m.supervisor;
    node->incarnation = m.incarnation;
    node->state = m.state;
    node->mailbox = m.mailbox_depth;
    node->restarts = std::max(node->restarts, m.restarts);
    if (changed)
        touch(node);
    if (m.state == iso::IsolateState::Exited)
        markEnded(node);
}

ClusterTreeModel::Node* ClusterTreeModel::plainNode(const iso::IsolateMetrics& m)
{
    if (const auto it = m_byId.find(m.id); it != m_byId.end())
        return it->second;
    Node* node = create(NodeKind::Plain);
    bind(node, m.id);
    m_fresh.push_back(node);
    return node;
}

/// The row of `m.path`, made or taken over by `m`'s incarnation; null if
/// `m` is older news than what the row shows.
ClusterTreeModel::Node* ClusterTreeModel::pathNode(const iso::IsolateMetrics& m)
{
    const auto byPath = m_byPath.find(m.path);
    Node* row = byPath != m_byPath.end() ? byPath->second : nullptr;
    if (const auto byId = m_byId.find(m.id); byId != m_byId.end() && byId->second != row) {
        // Seen before its path was: a plain row until now.
        Node* plain = byId->second;
        if (row != nullptr) {
            dropRow(plain);
        } else {
            plain->kind = NodeKind::Cluster;
            plain->path = m.path;
            m_byPath.emplace(m.path, plain);
            m_replace.push_back(plain->serial);
            return plain;
        }
    }
    if (row == nullptr) {
        row = create(NodeKind::Cluster);
        row->path = m.path;
        m_byPath.emplace(m.path, row);
        bind(row, m.id);
        m_fresh.push_back(row);
        return row;
    }
    // The later incarnation keeps the row. Ids come to each spawning thread
    // in blocks, so a later isolate may have a smaller id: between two
    // spawns of a path with the same incarnation (spawned again by hand
    // after it ended), the one still running is the later.
    const bool earlier = m.incarnation != row->incarnation ? m.incarnation < row->incarnation
                                                           : m.state == iso::IsolateState::Exited && !row->ended;
    if (m.id != row->id && earlier)
        return nullptr;
    if (m.id != row->id) {
        m_replaced.emplace_back(row->id, m.id);
        if (const auto old = m_byId.find(row->id); old != m_byId.end() && old->second == row)
            m_byId.erase(old);
        bind(row, m.id);
        row->ended = false;
        row->restartSeen = false;
        row->down.reset();
        row->error.clear();
        m_replace.push_back(row->serial);
        touch(row);
        touchEndedChildren(row);
    }
    return row;
}

void ClusterTreeModel::highlight(Node* node, Kind kind, std::uint32_t arg)
{
    node->incident = kind;
    node->incidentArg = arg;
    node->incidentAt = m_now;
    m_highlightEnds.emplace_back(m_now + highlightFor, node->serial);
    touch(node);
}

void ClusterTreeModel::endHighlights()
{
    while (!m_highlightEnds.empty() && m_highlightEnds.front().first <= m_now) {
        Node* node = find(m_highlightEnds.front().second);
        m_highlightEnds.pop_front();
        if (node != nullptr && node->incident && node->incidentAt + highlightFor <= m_now) {
            node->incident.reset();
            touch(node);
        }
    }
}

void ClusterTreeModel::applyEvent(const iso::trace::Event& e)
{
    if (incidents::tint(e.kind, e.arg) && e.kind != Kind::Restart) {
        if (const auto it = m_byId.find(e.isolate); it != m_byId.end() && it->second->id == e.isolate)
            highlight(it->second, e.kind, e.arg);
    }
    switch (e.kind) {
    case Kind::Supervision:
        // The child it is about shows it too: it waits for its restart, or
        // for good.
        if (const auto it = m_byPath.find(std::string(e.field(0))); it != m_byPath.end())
            highlight(it->second, e.kind, e.arg);
        return;
    case Kind::Restart: {
        const auto it = m_byPath.find(e.text);
        if (it == m_byPath.end())
            return;
        Node* row = it->second;
        // The supervisor acted: both rows show it, even when the new
        // incarnation came in the same batch.
        highlight(row, Kind::Restart, e.arg);
        if (row->parent != nullptr && row->parent != m_root.get() && row->parent->kind != NodeKind::Group)
            highlight(row->parent, Kind::Restart, e.arg);
        if (row->id != e.isolate)
            return;
        row->restartSeen = true;
        row->nextIncarnation = e.arg;
        markEnded(row);
        return;
    }
    case Kind::Down:
    case Kind::Exit: {
        const auto it = m_byId.find(e.isolate);
        if (it == m_byId.end() || it->second->id != e.isolate)
            return;
        Node* row = it->second;
        if (e.kind == Kind::Down) {
            row->down = static_cast<iso::DownReason::Kind>(e.arg);
            row->error = std::string(e.field(0));
        }
        markEnded(row);
        touch(row);
        return;
    }
    default:
        return;
    }
}

void ClusterTreeModel::markEnded(Node* node)
{
    if (node->ended)
        return;
    node->ended = true;
    node->endedAt = m_now;
    m_expiries.emplace_back(m_now + endedRowLinger, node->serial);
    touch(node);
    // Whether they are restarting was inferred from this one being alive.
    touchEndedChildren(node);
}

/// Rows whose isolate ended `endedRowLinger` ago and that nothing took
/// over go, deepest first, so that a supervisor goes with its children.
void ClusterTreeModel::expireRows()
{
    std::vector<std::pair<int, Node*>> due;  // depth, row
    std::unordered_set<Node*> seen;  // a row ended twice is in the queue twice
    while (!m_expiries.empty() && m_expiries.front().first <= m_now) {
        Node* node = find(m_expiries.front().second);
        m_expiries.pop_front();
        if (node == nullptr || !node->ended || node->endedAt + endedRowLinger > m_now || !seen.insert(node).second)
            continue;
        int depth = 0;
        for (const Node* up = node->parent; up != nullptr; up = up->parent)
            ++depth;
        due.emplace_back(depth, node);
    }
    std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [depth, node] : due) {
        const bool childless = std::all_of(node->children.begin(), node->children.end(),
                                           [this](Node* child) { return m_dropped.contains(child); });
        if (childless)
            dropRow(node);
        else
            m_expiries.emplace_back(m_now + endedRowLinger, node->serial);
    }
}

/// Rows placed by their path while their supervisor was unknown move
/// under it once it has a row.
void ClusterTreeModel::resolveAwaiting()
{
    for (const iso::IsolateId id : std::exchange(m_bound, {})) {
        const auto [first, last] = m_awaiting.equal_range(id);
        for (auto it = first; it != last; ++it) {
            if (const Node* node = find(it->second); node != nullptr && node->supervisor == id)
                m_replace.push_back(it->second);
        }
        m_awaiting.erase(first, last);
    }
}

void ClusterTreeModel::placeAll()
{
    const auto noteAwaiting = [this](const Node* node) {
        if (node->kind == NodeKind::Cluster && node->supervisor != 0 && !m_byId.contains(node->supervisor))
            m_awaiting.emplace(node->supervisor, node->serial);
    };
    for (Node* node : std::exchange(m_fresh, {})) {
        attach(node, node->kind == NodeKind::Plain ? group() : wantedParent(node));
        noteAwaiting(node);
    }
    for (const std::uint64_t serial : std::exchange(m_replace, {})) {
        Node* node = find(serial);
        if (node == nullptr)
            continue;
        noteAwaiting(node);
        Node* parent = wantedParent(node);
        if (parent == node->parent)
            continue;
        if (node->shown) {
            m_misplaced.insert(node);
        } else {
            detachHidden(node);
            attach(node, parent);
        }
    }
    // Rows of ended or moved isolates leave stale entries; sweep them now
    // and then, so that the map stays in proportion to the rows.
    if (m_awaiting.size() > 2 * m_nodes.size() + 64) {
        std::erase_if(m_awaiting, [this](const auto& entry) {
            const Node* node = find(entry.second);
            return node == nullptr || node->supervisor != entry.first;
        });
    }
}

/// Its supervisor's row; else its nearest path ancestor's; else the top level.
ClusterTreeModel::Node* ClusterTreeModel::wantedParent(const Node* node) const
{
    if (node->kind == NodeKind::Plain)
        return m_group;
    // A row never goes under itself, whatever the data says.
    const auto acceptable = [node](Node* candidate) {
        for (const Node* up = candidate; up != nullptr; up = up->parent) {
            if (up == node)
                return false;
        }
        return candidate->kind == NodeKind::Cluster;
    };
    if (node->supervisor == 0)
        return m_root.get();
    if (const auto it = m_byId.find(node->supervisor); it != m_byId.end() && acceptable(it->second))
        return it->second;
    for (std::string_view above = pathParent(node->path); !above.empty(); above = pathParent(above)) {
        if (const auto it = m_byPath.find(std::string(above)); it != m_byPath.end() && acceptable(it->second))
            return it->second;
    }
    return m_root.get();
}

/// Puts a node that is in no parent's children under `parent`, last
/// (but before the group): straight in if the parent is not shown yet
/// (it brings its children along), else staged for insertStaged().
void ClusterTreeModel::attach(Node* node, Node* parent)
{
    node->parent = parent;
    node->seq = node == m_group ? lastSeq : m_nextSeq++;
    if (parent->shown)
        m_staged.insert(node);
    else
        parent->children.push_back(node);
}

void ClusterTreeModel::detachHidden(Node* node)
{
    Q_ASSERT(!node->shown);
    if (m_staged.erase(node) == 0 && node->parent != nullptr) {
        auto& siblings = node->parent->children;
        siblings.erase(siblings.begin() + rowOf(node));
    }
    node->parent = nullptr;
}

void ClusterTreeModel::dropRow(Node* node)
{
    unmap(node);
    if (node->shown) {
        m_dropped.insert(node);
    } else {
        detachHidden(node);
        std::erase(m_fresh, node);
        destroy(node);
    }
}

// ---- telling the views ----------------------------------------------------------

namespace {

/// Runs of consecutive numbers in `rows`, sorted first: {first, last} each.
std::vector<std::pair<int, int>> runsOf(std::vector<int>& rows)
{
    std::sort(rows.begin(), rows.end());
    std::vector<std::pair<int, int>> runs;
    for (const int row : rows) {
        if (!runs.empty() && runs.back().second + 1 == row)
            runs.back().second = row;
        else
            runs.emplace_back(row, row);
    }
    return runs;
}

} // namespace

void ClusterTreeModel::removeDropped()
{
    // A group whose every row goes (and none comes) goes with them, in one removal.
    const auto dropped = [this](Node* node) { return m_dropped.contains(node); };
    const auto comingToGroup = [this](const Node* node) { return node->parent == m_group; };
    if (m_group != nullptr && m_group->shown && !m_group->children.empty()
        && std::all_of(m_group->children.begin(), m_group->children.end(), dropped)
        && std::none_of(m_staged.begin(), m_staged.end(), comingToGroup))
        m_dropped.insert(m_group);
    std::unordered_map<Node*, std::vector<int>> rowsByParent;
    for (Node* node : m_dropped) {
        // A row under a dropped row goes with it.
        bool underDropped = false;
        for (Node* up = node->parent; up != nullptr && !underDropped; up = up->parent)
            underDropped = m_dropped.contains(up);
        if (!underDropped)
            rowsByParent[node->parent].push_back(rowOf(node));
    }
    m_dropped.clear();
    for (auto& [parent, rows] : rowsByParent) {
        const QModelIndex parentIndex = indexOf(parent, 0);
        auto runs = runsOf(rows);
        // From the last, so that the rows of the runs before stay put.
        for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
            const auto first = parent->children.begin() + run->first;
            const auto last = parent->children.begin() + run->second + 1;
            std::vector<Node*> gone(first, last);
            beginRemoveRows(parentIndex, run->first, run->second);
            parent->children.erase(first, last);
            endRemoveRows();
            for (Node* node : gone)
                destroy(node);
        }
    }
}

void ClusterTreeModel::insertStaged()
{
    std::unordered_map<Node*, std::vector<Node*>> byParent;
    for (Node* node : m_staged)
        byParent[node->parent].push_back(node);
    m_staged.clear();
    const auto show = [](auto& self, Node* node) -> void {
        node->shown = true;
        for (Node* child : node->children)
            self(self, child);
    };
    for (auto& [parent, nodes] : byParent) {
        std::sort(nodes.begin(), nodes.end(), [](const Node* a, const Node* b) { return a->seq < b->seq; });
        const QModelIndex parentIndex = indexOf(parent, 0);
        auto& children = parent->children;
        const auto positionOf = [&children](const Node* node) {
            return static_cast<int>(std::lower_bound(children.begin(), children.end(), node->seq,
                                                     [](const Node* n, std::uint64_t seq) { return n->seq < seq; })
                                    - children.begin());
        };
        // Runs that go in at one place, from the last.
        for (std::size_t end = nodes.size(); end > 0;) {
            const int position = positionOf(nodes[end - 1]);
            std::size_t begin = end - 1;
            while (begin > 0 && positionOf(nodes[begin - 1]) == position)
                --begin;
            beginInsertRows(parentIndex, position, position + static_cast<int>(end - begin) - 1);
            children.insert(children.begin() + position, nodes.begin() + static_cast<std::ptrdiff_t>(begin),
                            nodes.begin() + static_cast<std::ptrdiff_t>(end));
            for (std::size_t i = begin; i < end; ++i)
                show(show, nodes[i]);
            endInsertRows();
            end = begin;
        }
    }
}

void ClusterTreeModel::moveMisplaced()
{
    for (Node* node : std::exchange(m_misplaced, {})) {
        Node* target = wantedParent(node);
        if (target == nullptr || target == node->parent)
            continue;
        Node* source = node->parent;
        const int from = rowOf(node);
        const std::uint64_t seq = m_nextSeq++;
        auto& into = target->children;
        const int to = static_cast<int>(
            std::lower_bound(into.begin(), into.end(), seq, [](const Node* n, std::uint64_t s) { return n->seq < s; })
            - into.begin());
        if (!beginMoveRows(indexOf(source, 0), from, from, indexOf(target, 0), to))
            continue;
        source->children.erase(source->children.begin() + from);
        node->seq = seq;
        node->parent = target;
        into.insert(into.begin() + to, node);
        endMoveRows();
        touch(node);  // its name is relative to the row above
    }
}

void ClusterTreeModel::removeEmptyGroup()
{
    if (m_group == nullptr || !m_group->shown || !m_group->children.empty())
        return;
    const int row = rowOf(m_group);
    beginRemoveRows({}, row, row);
    m_root->children.erase(m_root->children.begin() + row);
    endRemoveRows();
    destroy(m_group);
}

void ClusterTreeModel::reportChanged()
{
    if (m_group != nullptr && m_group->children.size() != m_groupCount) {
        m_groupCount = m_group->children.size();
        touch(m_group);
    }
    std::unordered_map<Node*, std::vector<int>> rowsByParent;
    for (Node* node : m_dirty) {
        if (node->shown)
            rowsByParent[node->parent].push_back(rowOf(node));
    }
    m_dirty.clear();
    for (auto& [parent, rows] : rowsByParent) {
        for (const auto& [first, last] : runsOf(rows)) {
            emit dataChanged(createIndex(first, 0, parent->children[static_cast<std::size_t>(first)]),
                             createIndex(last, ColumnCount - 1, parent->children[static_cast<std::size_t>(last)]));
        }
    }
}

// ---- nodes ----------------------------------------------------------------------

ClusterTreeModel::Node* ClusterTreeModel::create(NodeKind kind)
{
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->serial = m_nextSerial++;
    Node* raw = node.get();
    m_nodes.emplace(raw->serial, std::move(node));
    return raw;
}

/// Deletes `node` and what is under it; it must be in no parent's children.
void ClusterTreeModel::destroy(Node* node)
{
    for (Node* child : node->children)
        destroy(child);
    unmap(node);
    m_staged.erase(node);
    m_misplaced.erase(node);
    m_dirty.erase(node);
    m_dropped.erase(node);
    if (node == m_group) {
        m_group = nullptr;
        m_groupCount = 0;
    }
    m_nodes.erase(node->serial);
}

void ClusterTreeModel::unmap(Node* node)
{
    if (const auto it = m_byId.find(node->id); it != m_byId.end() && it->second == node)
        m_byId.erase(it);
    if (const auto it = m_byPath.find(node->path); !node->path.empty() && it != m_byPath.end() && it->second == node)
        m_byPath.erase(it);
}

void ClusterTreeModel::bind(Node* node, iso::IsolateId id)
{
    node->id = id;
    m_byId.insert_or_assign(id, node);
    m_bound.push_back(id);
}

void ClusterTreeModel::touch(Node* node)
{
    if (node->shown)
        m_dirty.insert(node);
}

void ClusterTreeModel::touchEndedChildren(const Node* node)
{
    for (Node* child : node->children) {
        if (child->ended)
            touch(child);
    }
}

ClusterTreeModel::Node* ClusterTreeModel::find(std::uint64_t serial) const
{
    const auto it = m_nodes.find(serial);
    return it != m_nodes.end() ? it->second.get() : nullptr;
}

ClusterTreeModel::Node* ClusterTreeModel::group()
{
    if (m_group == nullptr) {
        m_group = create(NodeKind::Group);
        attach(m_group, m_root.get());
    }
    return m_group;
}

ClusterTreeModel::Node* ClusterTreeModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

int ClusterTreeModel::rowOf(const Node* node) const
{
    const auto& siblings = node->parent->children;
    const auto it = std::lower_bound(siblings.begin(), siblings.end(), node->seq,
                                     [](const Node* n, std::uint64_t seq) { return n->seq < seq; });
    Q_ASSERT(it != siblings.end() && *it == node);
    return static_cast<int>(it - siblings.begin());
}

QModelIndex ClusterTreeModel::indexOf(const Node* node, int column) const
{
    if (node == m_root.get())
        return {};
    return createIndex(rowOf(node), column, node);
}

QModelIndex ClusterTreeModel::indexOf(iso::IsolateId id) const
{
    const auto it = m_byId.find(id);
    if (it == m_byId.end() || !it->second->shown)
        return {};
    return indexOf(it->second, 0);
}

// ---- the item model -------------------------------------------------------------

QModelIndex ClusterTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const Node* above = nodeOf(parent);
    if (static_cast<std::size_t>(row) >= above->children.size())
        return {};
    return createIndex(row, column, above->children[static_cast<std::size_t>(row)]);
}

QModelIndex ClusterTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeOf(child)->parent, 0);
}

int ClusterTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodeOf(parent)->children.size());
}

int ClusterTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

Qt::ItemFlags ClusterTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Q_ASSERT(checkIndex(index, CheckIndexOption::DoNotUseParent));
    if (nodeOf(index)->kind == NodeKind::Group)
        return Qt::ItemIsEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

bool ClusterTreeModel::inferRestart(const Node& node) const
{
    const Node* above = node.parent;
    return node.kind == NodeKind::Cluster && above != nullptr && above->kind == NodeKind::Cluster
        && node.supervisor != 0 && above->id == node.supervisor && !above->ended
        && node.down != iso::DownReason::Kind::Shutdown;
}

ClusterTreeModel::Shown ClusterTreeModel::shownState(const Node& node) const
{
    if (node.ended)
        return node.restartSeen || inferRestart(node) ? Shown::Restarting : Shown::Dead;
    switch (node.state) {
    case iso::IsolateState::Starting: return Shown::Starting;
    case iso::IsolateState::Idle: return Shown::Idle;
    case iso::IsolateState::Runnable:
    case iso::IsolateState::Running: return Shown::Running;
    case iso::IsolateState::Paused: return Shown::Paused;
    case iso::IsolateState::Exited: break;
    }
    return Shown::Dead;
}

/// A cluster isolate by its path below the row above (the whole path at
/// the top, or under a supervisor elsewhere), a plain one by debug name.
QString ClusterTreeModel::nameOf(const Node& node) const
{
    switch (node.kind) {
    case NodeKind::Group:
        return tr("Plain isolates (%1)").arg(node.children.size());
    case NodeKind::Cluster: {
        const std::string_view path = node.path;
        const std::string& above = node.parent != nullptr ? node.parent->path : std::string();
        if (!above.empty() && path.size() > above.size() + 1 && path.starts_with(above) && path[above.size()] == '/')
            return toQString(path.substr(above.size() + 1));
        return toQString(path);
    }
    default:
        return node.name.empty() ? tr("isolate #%1").arg(node.id) : toQString(node.name);
    }
}

QVariant ClusterTreeModel::display(const Node& node, int column) const
{
    static const std::array<QString, static_cast<std::size_t>(Shown::Count)> stateNames = {
        tr("starting"), tr("running"), tr("idle"), tr("paused"), tr("restarting"), tr("dead")};
    if (column == NameColumn)
        return nameOf(node);
    if (node.kind == NodeKind::Group)
        return {};
    switch (column) {
    case StateColumn: return stateNames[static_cast<std::size_t>(shownState(node))];
    case MailboxColumn: return node.ended ? QVariant() : QVariant::fromValue<qulonglong>(node.mailbox);
    case RestartsColumn: return QVariant::fromValue<qulonglong>(node.restarts);
    case IdColumn: return QVariant::fromValue<qulonglong>(node.id);
    default: return {};
    }
}

QVariant ClusterTreeModel::toolTip(const Node& node, int column) const
{
    if (node.kind == NodeKind::Group)
        return tr("Isolates spawned outside the cluster: they have no path and no supervisor");
    switch (column) {
    case NameColumn:
        if (node.kind == NodeKind::Plain)
            return tr("%1\nplain isolate #%2, not in the cluster").arg(nameOf(node)).arg(node.id);
        return tr("%1\nincarnation %2, isolate #%3").arg(toQString(node.path)).arg(node.incarnation).arg(node.id);
    case StateColumn: {
        const QString how = node.down ? toQString(iso::kind_name(*node.down)) : tr("ended");
        const QString why = node.error.empty() ? how : tr("%1: %2").arg(how, toQString(node.error));
        switch (shownState(node)) {
        case Shown::Running:
            return node.state == iso::IsolateState::Runnable ? tr("Has work and waits for a thread")
                                                             : tr("Handling an event");
        case Shown::Idle: return tr("Waiting for a message");
        case Shown::Paused: return tr("Paused: ordinary messages wait");
        case Shown::Starting: return tr("Spawned; its entry has not run yet");
        case Shown::Restarting:
            if (node.restartSeen)
                return tr("Ended (%1); its supervisor is starting incarnation %2").arg(why).arg(node.nextIncarnation);
            return tr("Ended (%1) under a live supervisor, which usually restarts it "
                      "(inferred: no restart seen yet)")
                .arg(why);
        default: return tr("Ended (%1); no restart seen").arg(why);
        }
    }
    case MailboxColumn:
        if (node.ended)
            return {};
        if (node.mailbox >= mailboxWarning)
            return tr("%1 messages waiting: it receives faster than it handles").arg(node.mailbox);
        return tr("%1 messages waiting").arg(node.mailbox);
    case RestartsColumn:
        return node.kind == NodeKind::Plain ? tr("Plain isolates are not restarted")
                                            : tr("Its path was restarted %1 times").arg(node.restarts);
    default:
        return {};
    }
}

ClusterTreeModel::Badge ClusterTreeModel::badge(const Node& node, int column) const
{
    if (node.kind == NodeKind::Group)
        return Badge::None;
    if (column == MailboxColumn && !node.ended && node.mailbox > 0)
        return node.mailbox >= mailboxAlarm ? Badge::Alarm : node.mailbox >= mailboxWarning ? Badge::Warning
                                                                                             : Badge::Quiet;
    if (column == RestartsColumn && node.restarts > 0)
        return node.restarts >= restartsAlarm ? Badge::Alarm : Badge::Warning;
    return Badge::None;
}

QVariant ClusterTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::DoNotUseParent));
    const Node& node = *nodeOf(index);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(node, column);
    case Qt::ToolTipRole: return toolTip(node, column);
    case IsolateIdRole: return QVariant::fromValue<qulonglong>(node.id);
    case PathRole: return toQString(node.path);
    case BadgeRole: return QVariant::fromValue(badge(node, column));
    case Qt::TextAlignmentRole:
        if (column == MailboxColumn || column == RestartsColumn || column == IdColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DecorationRole: {
        if (column != StateColumn || node.kind == NodeKind::Group)
            return {};
        static const std::array<QIcon, static_cast<std::size_t>(Shown::Count)> dots = {
            dot(QColor(0x5a, 0xa9, 0xc8)), dot(QColor(0x3a, 0x9d, 0x3a)), dot(QColor(0xa0, 0xa0, 0xa0)),
            dot(QColor(0x3b, 0x78, 0xc2)), dot(QColor(0xe6, 0x9a, 0x1f)), dot(QColor(0xc6, 0x3c, 0x3c))};
        return dots[static_cast<std::size_t>(shownState(node))];
    }
    case Qt::BackgroundRole:
        if (node.incident)
            return incidents::tint(*node.incident, node.incidentArg).value_or(QColor());
        return {};
    case Qt::ForegroundRole:
        // Dead rows, and the zeros that would drown the numbers that matter, recede.
        if ((node.ended && shownState(node) == Shown::Dead)
            || ((column == MailboxColumn || column == RestartsColumn) && badge(node, column) == Badge::None))
            return QColor(Qt::gray);
        return {};
    default:
        return {};
    }
}

QVariant ClusterTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case StateColumn: return tr("State");
    case MailboxColumn: return tr("Mailbox");
    case RestartsColumn: return tr("Restarts");
    case IdColumn: return tr("Id");
    default: return {};
    }
}
