#pragma once

#include <iso/observer.h>

#include <QAbstractItemModel>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

class ClusterState;

/// The supervision tree: each cluster isolate nests under its supervisor
/// (under its nearest known path ancestor while the supervisor is
/// unknown, at the top level if there is none, or if the cluster's root
/// supervises it);
/// isolates without a path sit under one "Plain isolates" group, the last
/// top-level row. Siblings keep the order they were first seen in, which
/// is their start order.
///
/// A cluster isolate's row stands for its path, not for one incarnation:
/// when the path is restarted the row stays (with its persistent indexes,
/// selection and expansion) and shows the new incarnation's id.
///
/// States. Live isolates show what the observer reports: starting,
/// running (running, or runnable and waiting for a thread), idle, paused.
/// Once an incarnation ended, its row shows
///  - "restarting", known for sure once a Restart event names the path
///    (the cluster is launching the next incarnation), and inferred
///    before that when it ended, for a reason other than a shutdown, under
///    a supervisor row that is still alive and is the supervisor it
///    reported: the supervisor was told, and usually restarts it. The
///    inference is wrong for temporary children, transient ones that ended
///    normally, and a supervisor past its restart intensity (which then
///    ends itself, and its children turn dead);
///  - "dead" otherwise.
/// A row whose incarnation ended and that no new incarnation took over
/// within `endedRowLinger` of the observer's clock goes, so that a person
/// sees what ended without the tree growing forever; a row with rows
/// below it waits for them.
///
/// Updates are incremental, never a reset: a batch costs hash lookups and
/// a binary search per row number for each isolate it changes; its new
/// rows come in one insert per parent, rows that go in one removal per
/// contiguous run, changed rows in one dataChanged per run. A full delta
/// (and the first batch the model sees, taken whole from the state) is
/// synced by diff. Only the GUI thread may call members.
class ClusterTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, StateColumn, MailboxColumn, RestartsColumn, IdColumn, ColumnCount };

    enum Role {
        /// The row's current isolate id (qulonglong); 0 for the group row.
        IsolateIdRole = Qt::UserRole,
        /// The cluster path (QString); empty for plain isolates and the group.
        PathRole,
        /// How much a Mailbox or Restarts value should stand out (Badge).
        BadgeRole,
    };

    /// What a badge says of its number.
    enum class Badge { None, Quiet, Warning, Alarm };
    Q_ENUM(Badge)

    /// Mailbox depths from which a badge warns and alarms.
    static constexpr std::size_t mailboxWarning = 100;
    static constexpr std::size_t mailboxAlarm = 1000;
    /// Restart counts from which a badge alarms (any restart warns).
    static constexpr std::uint64_t restartsAlarm = 10;
    /// How long a row stays after its isolate ended if nothing takes it over.
    static constexpr std::chrono::seconds endedRowLinger{10};
    /// How long, on the observer's clock, a row stays tinted after a
    /// failure or fault in it, or a restart it made or went through.
    static constexpr std::chrono::seconds highlightFor{5};

    explicit ClusterTreeModel(QObject* parent = nullptr);
    ~ClusterTreeModel() override;

    /// Takes in one batch, just applied to `state`, and shows what it changed.
    void apply(const ClusterState& state, const iso::Batch& batch);
    /// Takes in one batch, just applied to `state` (ClusterSource::batchApplied),
    /// without telling views yet: show() then does, once for all the batches
    /// of a poll (ClusterSource::polled), so that a row that changed in each
    /// is reported once.
    void take(const ClusterState& state, const iso::Batch& batch);
    /// Tells views what the batches taken since the last call changed.
    void show();
    /// Forgets every row: another cluster, or the start of a run, comes next.
    void clear();

    /// The row (column 0) showing isolate `id`, or an invalid index. O(log n).
    QModelIndex indexOf(iso::IsolateId id) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    /// A path's row went on from incarnation `previous` to `next`.
    void incarnationReplaced(iso::IsolateId previous, iso::IsolateId next);

private:
    struct Node;
    enum class NodeKind;
    enum class Shown;

    // Reading a batch: bookkeeping only, no signals.
    void upsert(const iso::IsolateMetrics& m);
    Node* plainNode(const iso::IsolateMetrics& m);
    Node* pathNode(const iso::IsolateMetrics& m);
    void applyEvent(const iso::trace::Event& e);
    void markEnded(Node* node);
    /// Tints `node` for highlightFor: something happened to it that shows
    /// supervision at work.
    void highlight(Node* node, iso::trace::Kind kind, std::uint32_t arg);
    void endHighlights();
    void expireRows();
    void resolveAwaiting();
    void placeAll();
    Node* wantedParent(const Node* node) const;
    void attach(Node* node, Node* parent);
    void detachHidden(Node* node);
    void dropRow(Node* node);

    // Telling the views, in this order.
    void removeDropped();
    void insertStaged();
    void moveMisplaced();
    void removeEmptyGroup();
    void reportChanged();

    Node* create(NodeKind kind);
    void destroy(Node* node);
    void unmap(Node* node);
    void bind(Node* node, iso::IsolateId id);
    void touch(Node* node);
    void touchEndedChildren(const Node* node);
    Node* find(std::uint64_t serial) const;
    Node* group();
    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* node, int column) const;
    int rowOf(const Node* node) const;
    Shown shownState(const Node& node) const;
    bool inferRestart(const Node& node) const;
    QString nameOf(const Node& node) const;
    QVariant display(const Node& node, int column) const;
    QVariant toolTip(const Node& node, int column) const;
    Badge badge(const Node& node, int column) const;

    std::unique_ptr<Node> m_root;
    std::unordered_map<std::uint64_t, std::unique_ptr<Node>> m_nodes;  ///< by serial
    Node* m_group = nullptr;
    std::uint64_t m_nextSerial = 1;
    std::uint64_t m_nextSeq = 1;
    std::chrono::nanoseconds m_now{0};
    bool m_synced = false;
    std::size_t m_groupCount = 0;  ///< the group's size when the views last heard of it

    std::unordered_map<std::string, Node*> m_byPath;
    std::unordered_map<iso::IsolateId, Node*> m_byId;
    /// Serials of rows placed while their supervisor was unknown, by it.
    std::unordered_multimap<iso::IsolateId, std::uint64_t> m_awaiting;
    /// When to look at an ended row again, with its serial; times only grow.
    std::deque<std::pair<std::chrono::nanoseconds, std::uint64_t>> m_expiries;
    /// When a row's highlight ends, with its serial; times only grow.
    std::deque<std::pair<std::chrono::nanoseconds, std::uint64_t>> m_highlightEnds;

    // One batch's pending work.
    std::vector<Node*> m_fresh;                ///< created, not yet placed
    std::vector<std::uint64_t> m_replace;      ///< serials of rows whose parent may change
    std::vector<iso::IsolateId> m_bound;       ///< ids that got a row
    std::unordered_set<Node*> m_staged;        ///< placed under a shown parent, not yet inserted
    std::unordered_set<Node*> m_dropped;       ///< shown rows to remove
    std::unordered_set<Node*> m_misplaced;     ///< shown rows to move under another parent
    std::unordered_set<Node*> m_dirty;         ///< shown rows whose data changed
    std::vector<std::pair<iso::IsolateId, iso::IsolateId>> m_replaced;
};
