#pragma once
// One entry of an isolate's mailbox.

#include "eventpool.h"
#include "mpscqueue.h"

#include <iso/detail/unique_function.h>
#include <iso/value.h>

#include <atomic>
#include <coroutine>
#include <memory>

namespace iso::detail {

struct PortCell;

struct Event : MpscNode {
    // From the pool of the thread that makes it (see eventpool.h).
    static void* operator new(std::size_t size) { return allocate_event(size); }
    static void operator delete(void* memory) noexcept { free_event(memory); }

    enum class Kind : std::uint8_t {
        Message,  ///< `value` for `port`
        Task,     ///< run `task` (the entry, a continuation, a timer fire)
        Resume,   ///< resume the suspended coroutine `coroutine`
    };

    Kind kind = Kind::Task;
    /// Messages only: the id tracing gave it (0 when tracing was off).
    std::uint64_t message_id = 0;
    /// The event settles one unit of the isolate's keep-alive count.
    bool releases_keepalive = false;
    Value value;
    std::shared_ptr<PortCell> port;
    UniqueFunction task;
    std::coroutine_handle<> coroutine;
};

} // namespace iso::detail
