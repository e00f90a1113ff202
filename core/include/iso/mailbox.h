#pragma once
/// What waits in an isolate's mailbox, as a debugger sees it
/// (Isolate::pending, Isolate::drop_pending).

#include <iso/fwd.h>
#include <iso/value.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iso {

/// One ordinary event that has not run yet.
struct PendingEvent {
    /// Names it for drop_pending; unique within the isolate, and kept while
    /// the event is pending.
    std::uint64_t ordinal = 0;
    /// A message for a port, a task (an entry, a timer's callback, a
    /// continuation) or a coroutine's resumption.
    enum class Kind : std::uint8_t { Message, Task, Resume } kind = Kind::Message;
    std::uint64_t message_id = 0;  ///< its trace id (0 when tracing was off)
    PortId port = 0;               ///< messages only
    /// Messages only: the message itself, shared with the mailbox, not
    /// copied. Do not materialize a Transferable in it: that would take the
    /// bytes from the message.
    Value value;
};

/// An isolate's mailbox at one moment, as its control handling saw it.
struct MailboxView {
    std::vector<PendingEvent> events;  ///< the oldest `limit`, oldest first
    std::size_t depth = 0;             ///< all pending events
    bool paused = false;
    std::vector<PortId> ports;         ///< its open receive ports, oldest first
};

} // namespace iso
