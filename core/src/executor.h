#pragma once
// Where isolates run: a work-stealing thread pool, or a manual FIFO that a
// test steps by hand.

#include <iso/runtime.h>

#include <memory>

namespace iso::detail {

class IsolateCore;

class Executor {
public:
    virtual ~Executor() = default;
    /// Queues an isolate that holds its scheduling token. @threadsafe
    virtual void schedule(std::shared_ptr<IsolateCore> isolate) = 0;
    virtual unsigned worker_count() const = 0;
    /// Stops and joins the workers; queued isolates are dropped.
    virtual void stop() = 0;
    /// Called by an isolate that has handled a budget of events and has
    /// more: whether to give its worker up, because another isolate waits
    /// for one. It counts as that worker's progress, as an activation's
    /// end does, for whoever watches for workers stuck in one handler.
    virtual bool yield_after_budget() { return true; }
    /// Deterministic executors only: run one activation; false if none queued.
    virtual bool run_once() { return false; }
    /// Tells the other workers of an isolate left waiting in this worker's
    /// queue untold (see tls_wake_owed). Called on the owing thread.
    virtual void pay_wake() {}
};

/// The executor that owes a wake on this thread. An isolate woken by the one
/// running here, into an empty queue, runs here when this activation ends,
/// so no other worker is told of it: telling a sleeping one costs a system
/// call and, on a virtual machine, an interrupt between processors, all to
/// have it find nothing it may take. A message the running handler sends
/// next, or the activation's next event, pays the wake first; a handler that
/// computes long after its one send is seen by the pool's monitor.
inline thread_local Executor* tls_wake_owed = nullptr;

/// Called where the running activation goes on: any wake owed is paid.
inline void pay_wake_owed() {
    if (Executor* executor = tls_wake_owed) [[unlikely]]
        executor->pay_wake();
}

std::unique_ptr<Executor> make_thread_pool(const RuntimeOptions& options);
std::unique_ptr<Executor> make_manual_executor();

/// How many ordinary events an isolate handles before it asks whether to
/// yield its worker (Executor::yield_after_budget).
constexpr unsigned kActivationBudget = 64;

} // namespace iso::detail
