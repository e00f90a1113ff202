#pragma once
/// The runtime: the scheduler, timers, ports and dead letters that isolates live in.

#include <iso/deadletter.h>
#include <iso/isolate.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iso {

struct RuntimeOptions {
    /// Worker threads; 0 means one per hardware thread.
    unsigned threads = 0;
    /// When every worker has been inside one handler this long and work is
    /// waiting, the pool adds a worker so long handlers cannot starve others.
    /// It goes again once two workers move, or after a second without work.
    std::chrono::milliseconds busy_threshold{20};
    /// The most workers the pool grows to.
    unsigned max_threads = 64;
    /// Deterministic mode for tests and replay: no threads at all; events run
    /// only inside run_once()/run_until_idle(), in FIFO order, and timers
    /// follow a manual clock moved by advance_time().
    bool deterministic = false;
    /// How many recent dead letters are kept for inspection.
    std::size_t dead_letter_history = 256;
    /// How many nice steps (0 to 19) below the thread that makes the
    /// runtime its workers run. A program with a window on the same machine
    /// sets it, so that its GUI thread still gets a core at once when the
    /// runtime keeps every core busy; with nothing else to run the workers
    /// lose nothing. Linux only; elsewhere it is ignored.
    int worker_niceness = 0;
};

enum class IsolateState : std::uint8_t {
    Starting,  ///< spawned; the entry has not run yet
    Idle,      ///< nothing to do; waiting for a message
    Runnable,  ///< has events and waits for a worker
    Running,   ///< a worker is running one of its events
    Paused,    ///< paused; ordinary events wait
    Exited,
};
std::string_view state_name(IsolateState state) noexcept;

/// A copy of one isolate's observable state, taken at one moment.
struct IsolateInfo {
    IsolateId id = 0;
    std::string debug_name;
    IsolateState state = IsolateState::Starting;
    std::size_t mailbox_depth = 0;
    std::uint64_t events_handled = 0;
    std::uint64_t errors = 0;
    SendPort control_port;
};

/// Where every message sent on a runtime is. Taken at one moment, the
/// identity sent == delivered + undeliverable + queued holds once no send
/// is half done (`accounted()`).
struct MessageStats {
    std::uint64_t sent = 0;           ///< SendPort::send calls, and path messages that could not be sent
    std::uint64_t delivered = 0;      ///< handed to their port's handler
    std::uint64_t undeliverable = 0;  ///< dead letters that never reached a handler
    std::uint64_t queued = 0;         ///< in mailboxes now
    /// Dead letters after delivery: unread in a ReceivePort or a cluster
    /// isolate without a handler, or of a type no handler takes.
    std::uint64_t unread = 0;
    bool accounted() const noexcept { return sent == delivered + undeliverable + queued; }
};

/// Owns worker threads, the timer service and the record of dead letters.
/// Most programs use `Runtime::global()` through the free functions
/// (`spawn`, `run`); tests make their own, often deterministic.
/// @threadsafe unless a member says otherwise.
class Runtime {
public:
    explicit Runtime(RuntimeOptions options = {});
    /// Kills every isolate that is still alive and waits for them to end.
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    /// The process-wide runtime, made on first use, shut down at exit.
    static Runtime& global();
    /// The runtime of the current isolate, or global() outside isolates.
    static Runtime& current();

    NodeId node() const noexcept;
    const RuntimeOptions& options() const noexcept;

    Isolate spawn(Entry entry, Value message = {}, SpawnOptions options = {});
    Isolate spawn_async(AsyncEntry entry, Value message = {}, SpawnOptions options = {});
    /// `iso::run` on this runtime.
    template <typename F> auto run(F computation, std::string debug_name = "run") {
        return detail::run_on(this, std::move(computation), std::move(debug_name));
    }

    /// Isolates alive now (spawned and not yet exited).
    std::size_t isolate_count() const;
    /// A snapshot of every live isolate, ordered by id.
    std::vector<IsolateInfo> isolates() const;
    /// A handle with both the pause and the terminate capability of the live
    /// isolate `id`, whoever spawned it; nullopt if none is alive. This is a
    /// debugger's power (the workbench's pause, step and kill): it bypasses
    /// the capabilities that otherwise keep an isolate's control with its
    /// spawner, so libraries should not use it to reach isolates they were
    /// not given.
    std::optional<Isolate> find_isolate(IsolateId id) const;
    /// Current worker threads (grows while handlers run long).
    unsigned worker_count() const;

    std::uint64_t dead_letter_count() const noexcept;
    MessageStats message_stats() const noexcept;
    /// The most recent dead letters, oldest first.
    std::vector<DeadLetter> recent_dead_letters() const;

    /// Blocks until no isolate is alive (outside isolates only). In
    /// deterministic mode it drives the runtime instead and returns false
    /// if isolates remain with nothing left to run.
    bool wait_until_idle();

    /// Returns the future's value, waiting (threads) or driving the
    /// runtime (deterministic) until it is ready. Outside isolates only.
    template <typename T> detail::Stored<T> block_on(Future<T> future);

    // Deterministic mode only (StateError otherwise); call from one thread.
    /// Runs one event of the isolate at the head of the run queue.
    bool run_once();
    /// Runs events until none are left; returns how many ran.
    std::size_t run_until_idle();
    /// Moves the manual clock and runs the timers that come due, in order.
    void advance_time(Duration by);
    /// The runtime's clock (manual in deterministic mode).
    std::chrono::nanoseconds now() const;
    /// Moves the clock to the next timer, if any, and runs it; false if none.
    bool advance_to_next_timer();

    /// The runtime's internals, for libiso's own sources.
    detail::RuntimeCore& core() noexcept { return *core_; }

private:
    std::shared_ptr<detail::RuntimeCore> core_;
};

template <typename T> detail::Stored<T> Runtime::block_on(Future<T> future) {
    if (options().deterministic) {
        while (!future.is_ready()) {
            if (run_once()) continue;
            if (!advance_to_next_timer())
                throw StateError("iso::Runtime::block_on: the future cannot complete; no event or timer is left");
        }
    }
    return std::move(future).get();
}

namespace detail {
int run_main(AsyncEntry main_fn);
}

/// Runs `main_fn` as the program's main isolate (named "main") on the global
/// runtime and returns once that isolate has ended: like Dart's main
/// isolate, it lives while it has open ports, timers or awaits. An uncaught
/// error is printed to stderr and gives exit code 1, otherwise 0.
/// `main_fn` takes no arguments and may be a coroutine returning Future<void>.
template <typename F> int run_main(F main_fn) {
    return detail::run_main([fn = std::move(main_fn)](Value) mutable -> Future<void> {
        if constexpr (std::is_same_v<std::invoke_result_t<F&>, Future<void>>) {
            return fn();
        } else {
            fn();
            return Future<void>::ready();
        }
    });
}

} // namespace iso
