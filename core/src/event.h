#pragma once
// One entry of an isolate's mailbox.

#include "mpscqueue.h"
#include "objectmemory.h"

#include <iso/detail/unique_function.h>
#include <iso/value.h>

#include <atomic>
#include <coroutine>
#include <memory>

namespace iso::detail {

struct PortCell;

struct Event : MpscNode {
    // Made by a sender, freed by the receiver (see objectmemory.h).
    static void* operator new(std::size_t size) { return allocate_object(size); }
    static void operator delete(void* memory) noexcept { free_object(memory); }

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
