#pragma once
// What a Runtime owns, shared by the runtime's sources.

#include "deadletters.h"
#include "errordescription.h"
#include "executor.h"
#include "timers.h"

#include <iso/runtime.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

namespace iso::detail {

class IsolateCore;

struct RuntimeCore : std::enable_shared_from_this<RuntimeCore> {
    RuntimeCore(Runtime& owner, RuntimeOptions options);

    Isolate spawn(UniqueFunction start, SpawnOptions options,
                  std::function<void(const ErrorDescription*)> exit_hook = {});
    /// The isolate has ended: forget it and wake wait_until_idle().
    void unregister(IsolateId id);

    Runtime& owner;
    const RuntimeOptions options;
    const NodeId node;
    DeadLetterLog dead_letters;
    std::unique_ptr<Executor> executor;
    std::unique_ptr<TimerService> timers;

    std::atomic<IsolateId> next_isolate_id{1};
    mutable std::mutex registry_mutex;
    std::condition_variable registry_empty;
    std::map<IsolateId, std::shared_ptr<IsolateCore>> registry;
};

} // namespace iso::detail
