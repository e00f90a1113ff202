#pragma once
// What a Runtime owns, shared by the runtime's sources.

#include "deadletters.h"
#include "errordescription.h"
#include "executor.h"
#include "messagecounters.h"
#include "timers.h"
#include "tracer.h"

#include <iso/runtime.h>

#include <condition_variable>
#include "isolatecore.h"
#include <memory>
#include <mutex>

namespace iso::detail {

class IsolateCore;
class ReplayGate;

struct RuntimeCore : std::enable_shared_from_this<RuntimeCore> {
    RuntimeCore(Runtime& owner, RuntimeOptions options);

    Isolate spawn(UniqueFunction start, SpawnOptions options,
                  IsolateCore::ExitHook exit_hook = {});
    /// The isolate has ended: forget it and wake wait_until_idle().
    void unregister(IsolateCore& isolate);
    /// Live isolates, in no particular order. Call with registry_mutex held.
    template <typename F> void for_each_live(F&& f) const {
        for (IsolateCore* i = registry_head; i != nullptr; i = i->registry_next) f(*i);
    }

    Runtime& owner;
    const RuntimeOptions options;
    const NodeId node;
    Tracer tracer;  // before dead_letters, which use it
    DeadLetterLog dead_letters;
    /// Set by a replay before the first isolate is spawned, never changed after.
    ReplayGate* gate = nullptr;
    std::unique_ptr<Executor> executor;
    std::unique_ptr<TimerService> timers;

    std::atomic<IsolateId> next_isolate_id{1};
    MessageCounters counters;
    mutable std::mutex registry_mutex;
    std::condition_variable registry_empty;
    // An intrusive list: a map node would cost more than half an idle isolate.
    IsolateCore* registry_head = nullptr;
    std::size_t live = 0;
};

} // namespace iso::detail
