#pragma once
/// Isolates: spawn, run, exit, and the control handle (Dart's `Isolate`).

#include <iso/capability.h>
#include <iso/detail/unique_function.h>
#include <iso/fault.h>
#include <iso/future.h>
#include <iso/mailbox.h>
#include <iso/sendport.h>
#include <iso/value.h>

#include <functional>
#include <optional>
#include <string>
#include <type_traits>

namespace iso {

/// When a kill or ping takes effect (Dart's `Isolate.immediate` and
/// `Isolate.beforeNextEvent`). Control messages are handled in the order they
/// were sent, ahead of ordinary events, paused or not. In Dart, `Immediate`
/// may also interrupt the event that is running; C++ code cannot be stopped
/// safely in the middle, so here both take effect when the running event
/// returns, and no later event of the isolate runs first.
enum class Priority : std::uint8_t {
    Immediate,
    BeforeNextEvent,
};

/// Options for `spawn` (Dart's named arguments of `Isolate.spawn`).
struct SpawnOptions {
    /// Start paused: the entry runs only after `resume(pause_capability)`.
    bool paused = false;
    /// An uncaught error ends the isolate (after the error listeners are told).
    bool errors_are_fatal = true;
    /// Told `on_exit_response` when the isolate ends, whatever the reason.
    std::optional<SendPort> on_exit;
    Value on_exit_response;
    /// Told each uncaught error as the list [message, stack trace].
    std::optional<SendPort> on_error;
    std::string debug_name;
};

/// An isolate's entry: called with the spawn message on the new isolate.
/// It may be a coroutine returning Future<void>.
using Entry = std::function<void(Value)>;
using AsyncEntry = std::function<Future<void>(Value)>;

/// A handle to an isolate: its control port plus the capabilities it was
/// given. Operations lacking the needed capability do nothing (as in Dart).
/// @threadsafe: a copyable value; every member may be called from any thread.
class Isolate {
public:
    explicit Isolate(SendPort control_port, std::optional<Capability> pause_capability = {},
                     std::optional<Capability> terminate_capability = {}, std::string debug_name = {});

    /// The isolate running the caller. Throws StateError outside isolates.
    static Isolate current();

    const SendPort& control_port() const noexcept { return control_port_; }
    const std::optional<Capability>& pause_capability() const noexcept { return pause_capability_; }
    const std::optional<Capability>& terminate_capability() const noexcept { return terminate_capability_; }
    const std::string& debug_name() const noexcept { return debug_name_; }

    /// Pauses ordinary events; control messages are still handled. Pausing
    /// twice with one capability needs one resume; each distinct capability
    /// needs its own. Returns the capability that ends this pause.
    Capability pause(std::optional<Capability> resume_capability = {}) const;
    /// Ends the pause made with `resume_capability`; an unknown one is ignored.
    void resume(Capability resume_capability) const;
    /// While the isolate is paused, lets exactly one ordinary event run, the
    /// oldest pending one (with the microtasks it raises, as always); then
    /// the isolate stays paused. Steps add up: two steps before the isolate
    /// gets to run let two events run. A step is for an event pending when
    /// it is handled: it does nothing if the isolate is not paused or has
    /// nothing pending (more steps than pending events: the extra ones do
    /// nothing), and it never waits for a later event. Needs the pause
    /// capability.
    void step() const;
    /// The oldest `limit` pending events, with how many are pending and
    /// whether the isolate is paused. Answered by the isolate's control
    /// handling: ahead of ordinary events, paused or not, between two
    /// events. Fails with BrokenPromise if the isolate has ended (or never
    /// was) before it answered. Needs the pause capability: without it, or
    /// with another isolate's, it fails with StateError. For debuggers: what
    /// it lists is taken out of the mailbox's lock-free queue into a list of
    /// the isolate's own, which it runs first, so that the order stays.
    Future<MailboxView> pending(std::size_t limit = 100) const;
    /// Drops the pending message `ordinal` (from a MailboxView) from the
    /// mailbox: it becomes a dead letter (DeadLetterReason::Dropped) and is
    /// never delivered. False for a task or a resumption, which cannot be
    /// dropped, or an ordinal that is no longer pending. Answered and failed
    /// as `pending` is; needs the pause capability.
    Future<bool> drop_pending(std::uint64_t ordinal) const;
    /// Ends the isolate; needs the terminate capability.
    void kill(Priority priority = Priority::BeforeNextEvent) const;
    /// Makes `fault` happen in the isolate, to watch what its supervisor
    /// does (see iso/fault.h); taken ahead of ordinary events, paused or
    /// not. Needs the terminate capability: a fault can end it.
    void inject(const Fault& fault) const;
    /// Sends `response` to `response_port` once the ping is handled, paused or not.
    void ping(SendPort response_port, Value response = {}, Priority priority = Priority::Immediate) const;

    void add_error_listener(SendPort port) const;
    void remove_error_listener(SendPort port) const;
    void add_on_exit_listener(SendPort port, Value response = {}) const;
    void remove_on_exit_listener(SendPort port) const;
    /// Needs the terminate capability.
    void set_errors_fatal(bool fatal) const;

    friend bool operator==(const Isolate& a, const Isolate& b) noexcept {
        return a.control_port_ == b.control_port_;
    }

private:
    SendPort control_port_;
    std::optional<Capability> pause_capability_;
    std::optional<Capability> terminate_capability_;
    std::string debug_name_;
};

/// Spawns an isolate on the current isolate's runtime (the global runtime
/// outside isolates) that runs `entry(message)`. Cheap: no thread is made.
/// @threadsafe
Isolate spawn(Entry entry, Value message = {}, SpawnOptions options = {});
Isolate spawn_async(AsyncEntry entry, Value message = {}, SpawnOptions options = {});

namespace detail {
/// Spawns an isolate that runs `task`, on `runtime` (null: the current one).
Isolate spawn_task(Runtime* runtime, UniqueFunction task, std::string debug_name);
/// RemoteError and its subclasses pass unchanged; anything else becomes a
/// RemoteError with its message and where it was thrown.
std::exception_ptr as_remote_error(std::exception_ptr error);
/// Ends the current isolate normally once the running event returns.
void finish_current_isolate();
} // namespace detail

namespace detail {
template <typename F> auto run_on(Runtime* runtime, F computation, std::string debug_name) {
    using Raw = std::invoke_result_t<F&>;
    using R = typename detail::Unwrap<Raw>::type;
    Promise<R> promise;
    Future<R> result = promise.future();
    // The callable outlives the call: a coroutine lambda reads its captures
    // from it after each resumption.
    auto fn = std::make_shared<F>(std::move(computation));
    detail::spawn_task(runtime,
        [fn, promise = std::move(promise)]() mutable {
            Promise<R> inner;
            auto landed = inner.future();
            detail::complete_with(inner, *fn);
            // Bound to this isolate: the answer is sent from here, and ends it.
            landed.state()->on_ready(detail::bind_to_current_isolate(
                [state = landed.state(), promise = std::move(promise), fn]() mutable {
                    if (state->has_error()) {
                        promise.set_exception(detail::as_remote_error(state->error()));
                    } else if constexpr (std::is_void_v<R>) {
                        state->take();
                        promise.set_value();
                    } else {
                        promise.set_value(state->take());
                    }
                    detail::finish_current_isolate();
                }));
        },
        std::move(debug_name));
    return result;
}
} // namespace detail

/// Runs `computation` on a new isolate and completes with its result
/// (Dart's `Isolate.run`). A `computation` that returns Future<R> is awaited.
/// An exception comes back as a RemoteError with the message and where it
/// was thrown; an isolate that ends before answering gives BrokenPromise.
/// The isolate ends once the result is in. The callable is moved to the new
/// isolate: it must share nothing mutable. Runs on the current isolate's
/// runtime (the global one outside isolates).
/// @threadsafe
template <typename F> auto run(F computation, std::string debug_name = "run") {
    return detail::run_on(nullptr, std::move(computation), std::move(debug_name));
}

/// Sends `message` to `port` and ends the current isolate at once (Dart's
/// `Isolate.exit`). The message is shared, not copied; a Transferable inside
/// it moves. Never returns. Throws StateError outside isolates.
[[noreturn]] void exit(SendPort port = {}, Value message = {});

} // namespace iso
