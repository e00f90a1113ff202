#pragma once
// Failures made on purpose, to watch supervision act on them: what
// Isolate::inject takes. Each is a trace event of its own (Kind::Fault),
// so that a recording shows the cause next to its effect.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace iso {

struct Fault {
    enum class Kind : std::uint8_t {
        /// The handler of its next message throws InjectedFailure instead of running.
        ThrowOnNextMessage = 1,
        /// It fails now, as from an uncaught error, whether or not errors are fatal to it.
        Crash,
        /// Its worker is held for `duration` now, as by a handler that hangs.
        Hang,
        /// Every message waits `duration` before its handler runs, until cleared.
        Slow,
        /// Every message to it becomes a dead letter (DeadLetterReason::Injected), until cleared.
        Drop,
        /// Ends Slow, Drop, Delay and a ThrowOnNextMessage not taken yet.
        Clear,
        /// Every message to it reaches its mailbox `duration` after it was
        /// sent, until cleared; its worker is not held meanwhile. Messages
        /// sent after a clear, or a shorter delay, may overtake those still
        /// held; those held when the runtime stops are dropped with it.
        Delay,
    };

    Kind kind = Kind::ThrowOnNextMessage;
    std::chrono::milliseconds duration{0};  ///< Hang, Slow and Delay

    static Fault throw_on_next_message() { return {Kind::ThrowOnNextMessage}; }
    static Fault crash() { return {Kind::Crash}; }
    static Fault hang(std::chrono::milliseconds how_long) { return {Kind::Hang, how_long}; }
    static Fault slow(std::chrono::milliseconds by) { return {Kind::Slow, by}; }
    static Fault drop() { return {Kind::Drop}; }
    static Fault clear() { return {Kind::Clear}; }
    static Fault delay(std::chrono::milliseconds by) { return {Kind::Delay, by}; }

    /// What it does, for a person: "throw on the next message", "hang for 200 ms".
    std::string describe() const;

    friend bool operator==(const Fault&, const Fault&) = default;
};

std::string_view fault_kind_name(Fault::Kind kind) noexcept;

/// What a handler throws when a ThrowOnNextMessage fault takes effect, and
/// what a Crash is reported as.
class InjectedFailure : public std::runtime_error {
public:
    explicit InjectedFailure(const std::string& what) : std::runtime_error(what) {}
};

} // namespace iso
