#include <iso/trace.h>

#include <iterator>

namespace iso::trace {

std::string_view kind_name(Kind kind) noexcept {
    switch (kind) {
    case Kind::Spawn: return "spawn";
    case Kind::Path: return "path";
    case Kind::Up: return "up";
    case Kind::Down: return "down";
    case Kind::Send: return "send";
    case Kind::Enqueue: return "enqueue";
    case Kind::Handle: return "handle";
    case Kind::Error: return "error";
    case Kind::Exit: return "exit";
    case Kind::Pause: return "pause";
    case Kind::Resume: return "resume";
    case Kind::Kill: return "kill";
    case Kind::Restart: return "restart";
    case Kind::TimerFire: return "timer-fire";
    case Kind::DeadLetter: return "dead-letter";
    case Kind::Gap: return "gap";
    case Kind::Fault: return "fault";
    case Kind::Supervision: return "supervision";
    }
    return "unknown";
}

std::string_view exit_reason_name(std::uint32_t reason) noexcept {
    static constexpr std::string_view names[] = {"normal", "killed", "failed", "exited"};
    return reason < std::size(names) ? names[reason] : "unknown";
}

std::string_view gap_source_name(std::uint32_t source) noexcept {
    switch (static_cast<GapSource>(source)) {
    case GapSource::ThreadBuffer: return "thread buffer full";
    case GapSource::Subscriber: return "subscriber fell behind";
    case GapSource::File: return "damaged file part skipped";
    }
    return "unknown";
}

std::string_view supervision_action_name(std::uint32_t action) noexcept {
    switch (static_cast<SupervisionAction>(action)) {
    case SupervisionAction::Backoff: return "backoff";
    case SupervisionAction::GiveUp: return "give-up";
    }
    return "unknown";
}

std::string_view Event::field(std::size_t index) const noexcept {
    std::string_view rest = text;
    for (; index > 0; --index) {
        const auto at = rest.find(field_separator);
        if (at == std::string_view::npos) return {};
        rest.remove_prefix(at + 1);
    }
    return rest.substr(0, rest.find(field_separator));
}

} // namespace iso::trace
