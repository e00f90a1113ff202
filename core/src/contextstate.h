#pragma once
// The state behind a Context: one per cluster isolate, used only by it.

#include "clustercore.h"

#include <iso/context.h>
#include <iso/receiveport.h>

namespace iso::detail {

struct ContextState : std::enable_shared_from_this<ContextState> {
    ContextState(std::weak_ptr<ClusterCore> cluster, Path path, Value properties, ClusterEntry entry,
                 std::shared_ptr<Promise<IsolateRef>> up);
    /// Messages kept for an entry that never finished are dead letters.
    ~ContextState();

    /// The isolate's first event: open the inbox, run the entry, then deliver
    /// what came meanwhile and tell the cluster it is up.
    void start();
    /// The entry is done (a coroutine entry: has completed): the isolate is up.
    void entry_finished();
    void receive(Value envelope);
    void dispatch(const Value& envelope);
    std::shared_ptr<ClusterCore> cluster_or_throw() const;

    const std::weak_ptr<ClusterCore> cluster;
    const Path path;
    const Value properties;
    const ClusterEntry entry;
    const std::shared_ptr<Promise<IsolateRef>> up;  // completes the spawn
    Context context{this};
    std::optional<RawReceivePort> inbox;
    bool entry_returned = false;
    std::vector<Value> early;  // envelopes that came before the entry returned
    std::uint64_t asks_made = 0;
    /// Context::random's generator, seeded per path and incarnation.
    std::uint64_t random_state = 0;

    std::function<void(const Envelope&)> on_message;
    std::function<void(const IsolateRef&)> on_up;
    std::function<void(const IsolateRef&, const DownReason&)> on_down;
    std::function<void()> on_shutdown;
    /// Supervisors only: a child ended ({child: down notice, restart: bool}).
    std::function<void(const Value&)> on_child;
};

} // namespace iso::detail
