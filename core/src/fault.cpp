#include <iso/fault.h>

namespace iso {

std::string_view fault_kind_name(Fault::Kind kind) noexcept {
    switch (kind) {
    case Fault::Kind::ThrowOnNextMessage: return "throw";
    case Fault::Kind::Crash: return "crash";
    case Fault::Kind::Hang: return "hang";
    case Fault::Kind::Slow: return "slow";
    case Fault::Kind::Drop: return "drop";
    case Fault::Kind::Clear: return "clear";
    case Fault::Kind::Delay: return "delay";
    }
    return "unknown";
}

std::string Fault::describe() const {
    const std::string ms = std::to_string(duration.count()) + " ms";
    switch (kind) {
    case Kind::ThrowOnNextMessage: return "throw on the next message";
    case Kind::Crash: return "crash now";
    case Kind::Hang: return "hang for " + ms;
    case Kind::Slow: return "slow every message by " + ms;
    case Kind::Drop: return "drop every message";
    case Kind::Clear: return "clear the faults";
    case Kind::Delay: return "delay every message by " + ms;
    }
    return "unknown fault";
}

} // namespace iso
