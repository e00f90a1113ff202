#pragma once
/// Trace events: what the runtime says about every observable step.
///
/// Producers write fixed 64-byte records (plus, for a few kinds, a short
/// text) into per-thread buffers; the Observer (iso/observer.h) drains them.
/// The meaning of each field depends on the kind, as listed below; unused
/// fields are zero. Isolate 0 means "outside any isolate" (a plain thread).

#include <iso/fwd.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace iso::trace {

enum class Kind : std::uint8_t {
    /// isolate: the new one; peer: the spawning isolate; text: debug name.
    Spawn = 1,
    /// A cluster isolate's identity, its first event. isolate; arg:
    /// incarnation (0 first, +1 per restart); text: fields path, supervisor
    /// path (empty: the root), entry name (empty: not spawned by name), the
    /// seed of its Context::random (decimal), properties JSON (last: a long
    /// text is cut at its end).
    Path,
    /// The cluster isolate's entry returned. isolate.
    Up,
    /// isolate; arg: DownReason::Kind; text: fields error, where.
    Down,
    /// A message sent, and put in its receiver's mailbox at once. isolate:
    /// the sender (0 outside); message: its id; cause: the message the
    /// sender was handling (0 none); peer: the receiving isolate (0 if
    /// unknown: an Enqueue follows when it is known); port; arg: the
    /// receiver's mailbox depth with it (0: its port was closed); text: the
    /// payload, when captured. A DeadLetter follows if it reached no mailbox
    /// after all (its receiver died meanwhile). Written when the sender or
    /// the receiver is traced, or the receiver is not known yet.
    Send,
    /// A message sent earlier (its Send has peer 0) reaching a mailbox now:
    /// one sent by path to an isolate that was still starting. isolate: the
    /// receiver; message; port; peer: mailbox depth with it.
    Enqueue,
    /// A handler ran. isolate; message (0 for a task); arg: HandleKind;
    /// port; time: when it began; peer: nanoseconds it took. Written when it
    /// ends, after what the handler emitted: a thread's records are in time
    /// order but for these, which readers put back in place by time.
    Handle,
    /// An uncaught error in a handler. isolate; message; text: fields
    /// message, where.
    Error,
    /// isolate; arg: ExitReason (0 normal, 1 killed, 2 failed, 3 exited).
    Exit,
    /// isolate: the one paused (a new pause capability), resumed (a pause
    /// lifted) or killed; peer: the isolate that asked (0: outside isolates).
    Pause,
    Resume,
    Kill,
    /// The cluster restarts a path. isolate: the ended incarnation;
    /// arg: the new incarnation number; text: path.
    Restart,
    /// Inside the Task that runs the timer's callback. isolate; arg: the
    /// timer's ordinal on its isolate (1: the first it made); peer: its
    /// ticks, this one included.
    TimerFire,
    /// isolate: the sender (0 outside); message; arg: DeadLetterReason;
    /// port; peer: the port's isolate (0 unknown); text: the payload, when captured.
    DeadLetter,
    /// Events were lost. peer: how many; arg: GapSource.
    Gap,
    /// A failure made on purpose (Isolate::inject). isolate: the one it
    /// was made in; peer: the isolate that asked (0: outside isolates);
    /// arg: Fault::Kind; text: what it does, for a person.
    Fault,
    /// A supervisor's answer to a child's failure, other than a restart at
    /// once (a Restart event tells those). isolate: the supervisor; arg:
    /// SupervisionAction; peer: for a backoff, the nanoseconds the restart
    /// waits; text: fields the child's path, why (how the child ended; for
    /// giving up, the intensity it passed).
    Supervision,
};

/// A set of event kinds: what a subscriber that wants only some takes.
/// @threadsafe: a plain value.
class KindSet {
public:
    /// Every kind.
    static constexpr KindSet all() noexcept { return KindSet(~std::uint64_t{0}); }
    /// No kind.
    constexpr KindSet() noexcept = default;
    constexpr KindSet(std::initializer_list<Kind> kinds) noexcept {
        for (Kind k : kinds) bits_ |= bit(k);
    }
    constexpr KindSet without(KindSet other) const noexcept { return KindSet(bits_ & ~other.bits_); }
    constexpr bool contains(Kind kind) const noexcept { return (bits_ & bit(kind)) != 0; }
    constexpr bool is_all() const noexcept { return bits_ == ~std::uint64_t{0}; }

private:
    constexpr explicit KindSet(std::uint64_t bits) noexcept : bits_(bits) {}
    static constexpr std::uint64_t bit(Kind kind) noexcept { return std::uint64_t{1} << static_cast<unsigned>(kind); }
    std::uint64_t bits_ = 0;
};
static_assert(static_cast<unsigned>(Kind::Supervision) < 64, "KindSet holds a bit per kind");
inline constexpr std::uint8_t kind_count = static_cast<std::uint8_t>(Kind::Supervision) + 1;

std::string_view kind_name(Kind kind) noexcept;
/// An Exit event's arg: "normal", "killed", "failed" or "exited".
std::string_view exit_reason_name(std::uint32_t reason) noexcept;
/// A Gap event's arg (GapSource), as a person reads it.
std::string_view gap_source_name(std::uint32_t source) noexcept;
/// A Supervision event's arg (SupervisionAction): "backoff" or "give-up".
std::string_view supervision_action_name(std::uint32_t action) noexcept;

/// What a handler ran: a message, a task (an entry, a timer's callback,
/// a continuation) or a resumed coroutine.
enum class HandleKind : std::uint8_t { Message, Task, Resume };
enum class GapSource : std::uint8_t {
    ThreadBuffer,  ///< a producer's buffer was full
    Subscriber,    ///< this subscriber fell behind
    File,          ///< a damaged part of a trace file was skipped
};

/// What a supervisor did about a failed child, besides restarting it at once.
enum class SupervisionAction : std::uint8_t {
    Backoff,  ///< the restart waits (SupervisorSpec::backoff)
    /// More restarts than its intensity allows: it stops its children and
    /// fails, and its own supervisor answers that (escalation).
    GiveUp,
};

enum class Flag : std::uint8_t {
    PayloadTruncated = 1,  ///< text holds a prefix of the payload
};

/// One fixed-size record, as written by producers and stored in files.
struct Record {
    std::uint64_t time = 0;     ///< steady-clock nanoseconds
    std::uint64_t isolate = 0;
    std::uint64_t message = 0;
    std::uint64_t cause = 0;
    std::uint64_t peer = 0;
    std::uint64_t port = 0;
    std::uint32_t arg = 0;
    std::uint32_t text_size = 0;  ///< bytes of text that follow the record
    Kind kind = Kind::Gap;
    std::uint8_t flags = 0;
    std::uint16_t thread = 0;   ///< the producing thread's buffer index
    std::uint32_t reserved = 0;
};
static_assert(sizeof(Record) == 64);

/// A record with its text, as consumers see it.
struct Event : Record {
    std::string text;

    /// The `index`th field of a multi-field text (fields are separated by
    /// the unit separator, '\x1f'); empty if there is none.
    std::string_view field(std::size_t index) const noexcept;
    bool has(Flag flag) const noexcept { return (flags & static_cast<std::uint8_t>(flag)) != 0; }
};

inline constexpr char field_separator = '\x1f';

/// How much of each message's content Send and DeadLetter events carry.
enum class PayloadCapture : std::uint8_t {
    None,    ///< no text
    Prefix,  ///< the first `payload_limit` bytes of its JSON text
    Whole,   ///< all of its JSON text (needed for replay)
};

} // namespace iso::trace
