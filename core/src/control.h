#pragma once
// Control messages: they travel ahead of ordinary events and are handled
// even while the isolate is paused.

#include <iso/capability.h>
#include <iso/isolate.h>
#include <iso/sendport.h>
#include <iso/value.h>

#include <optional>

namespace iso::detail {

struct ControlMessage {
    enum class Kind : std::uint8_t {
        Pause, Resume, Kill, Ping,
        AddErrorListener, RemoveErrorListener,
        AddExitListener, RemoveExitListener,
        SetErrorsFatal,
    };
    ControlMessage() = default;
    explicit ControlMessage(Kind k, Priority p = Priority::BeforeNextEvent) : kind(k), priority(p) {}

    Kind kind = Kind::Ping;
    Priority priority = Priority::BeforeNextEvent;
    /// The capability presented: the pause or terminate capability the
    /// sender holds, or the capability that names a pause.
    std::optional<Capability> authority;
    std::optional<Capability> pause_id;
    SendPort port;
    Value response;
    bool flag = false;
    /// The isolate that sent it (0: outside isolates), for tracing.
    IsolateId requester = 0;
};

/// Delivers `message` to the isolate behind `control_port`; a dead or
/// unknown isolate ignores it (as Dart does). @threadsafe
void send_control(const SendPort& control_port, ControlMessage message);

} // namespace iso::detail
