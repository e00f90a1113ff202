#pragma once
// What a Runtime owns, shared by the runtime's sources.

#include "deadletters.h"
#include "errordescription.h"
#include "executor.h"
#include "messagecounters.h"
#include "registry.h"
#include "timers.h"
#include "tracer.h"

#include <iso/runtime.h>

#include "isolatecore.h"

#include <memory>

namespace iso::detail {

class IsolateCore;
class ReplayGate;

struct RuntimeCore : std::enable_shared_from_this<RuntimeCore> {
    RuntimeCore(Runtime& owner, RuntimeOptions options);

    Isolate spawn(UniqueFunction start, SpawnOptions options,
                  IsolateCore::ExitHook exit_hook = {});
    /// The isolate has ended: forget it and wake wait_until_idle().
    void unregister(IsolateCore& isolate) { live_isolates.remove(isolate); }

    Runtime& owner;
    const RuntimeOptions options;
    const NodeId node;
    Tracer tracer;  // before dead_letters, which use it
    DeadLetterLog dead_letters;
    /// Set by a replay before the first isolate is spawned, never changed after.
    ReplayGate* gate = nullptr;
    std::unique_ptr<Executor> executor;
    std::unique_ptr<TimerService> timers;

    /// A new isolate id, unique in this runtime. Each thread takes a block
    /// of them at a time from `next_isolate_id`, so that workers spawning
    /// side by side do not pass one counter's line between them.
    IsolateId take_isolate_id();
    std::atomic<IsolateId> next_isolate_id{1};
    MessageCounters counters;
    // Intrusive: a map node would cost more than half an idle isolate.
    Registry<IsolateCore> live_isolates;
};

} // namespace iso::detail
