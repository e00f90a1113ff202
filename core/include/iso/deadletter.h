#pragma once
/// Messages that could not be delivered, recorded instead of lost.

#include <iso/fwd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace iso {

enum class DeadLetterReason : std::uint8_t {
    InvalidPort,    ///< sent to a default-constructed SendPort
    UnknownPort,    ///< no port with that id exists in this process
    PortClosed,     ///< the port was closed before the message was handled
    IsolateDead,    ///< the isolate that owns the port has ended
    Unread,         ///< buffered in a ReceivePort that was closed unread
    UnknownPath,    ///< sent by path to a cluster path with no isolate
    Overflow,       ///< more messages waited for a starting isolate than allowed
    NoRoute,        ///< sent to an empty group, or of a type no handler takes
    LateReply,      ///< a reply to an ask that had already timed out
    Dropped,        ///< dropped from its mailbox by a tool (Isolate::drop_pending)
    Injected,       ///< dropped by a Drop fault (Isolate::inject)
};

std::string_view reason_name(DeadLetterReason reason) noexcept;

/// One undeliverable message, as kept in the runtime's recent list.
struct DeadLetter {
    DeadLetterReason reason;
    NodeId node = 0;
    PortId port = 0;
    std::string path;     ///< the cluster path it was sent to, if sent by path
    std::string preview;  ///< the start of the message's text form
    std::chrono::steady_clock::time_point when;
};

} // namespace iso
