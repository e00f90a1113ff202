#pragma once
// The runtime's side of an isolate: mailbox, control queue, lifecycle.

#include "control.h"
#include "errordescription.h"
#include "event.h"
#include "fifo.h"
#include "mpscqueue.h"
#include "openports.h"
#include "spinlock.h"

#include <iso/isolate.h>
#include <iso/runtime.h>
#include <iso/trace.h>

#include <atomic>
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace iso::detail {

struct PortCell;
struct TimerState;
struct RuntimeCore;

enum class ExitReason : std::uint8_t { Normal, Killed, Failed, Exited };

/// One isolate. Exactly one worker runs it at a time (`scheduled_` is the
/// token), so the members marked "owner only" need no locks. Every byte here
/// is paid by every isolate: rarely used parts live in `Extras`.
class IsolateCore : public std::enable_shared_from_this<IsolateCore> {
public:
    IsolateCore(std::shared_ptr<RuntimeCore> runtime, IsolateId id, std::string debug_name,
                const SpawnOptions& options);
    ~IsolateCore();
    IsolateCore(const IsolateCore&) = delete;
    IsolateCore& operator=(const IsolateCore&) = delete;

    /// The isolate whose event is running on this thread, or null.
    static IsolateCore* current() noexcept;

    RuntimeCore& runtime() noexcept { return *runtime_; }
    std::shared_ptr<RuntimeCore> shared_runtime() const noexcept { return runtime_; }
    IsolateId id() const noexcept { return id_; }
    /// The name given at spawn, else "isolate-<id>", made when asked: a
    /// string in every isolate would cost more than a tenth of an idle one.
    std::string debug_name() const;
    Capability pause_capability() const noexcept { return pause_capability_; }
    Capability terminate_capability() const noexcept { return terminate_capability_; }
    /// The control port's address; stays valid after the isolate ends.
    SendPort control_port() const noexcept;

    using ExitHook = std::function<void(ExitReason reason, const ErrorDescription* error)>;
    /// Makes the isolate live: it owns itself until it dies. `hook` runs once
    /// when it ends, on its thread, with why and the error that ended it, if any. Called by the
    /// spawner, before the first event is posted.
    void start_life(ExitHook hook);

    // Producers. @threadsafe
    /// `sent_earlier`: traced when it was sent, but only now given to a
    /// mailbox (its Send could not say which, nor how deep).
    void post_message(PortId port, Value&& message, std::uint64_t message_id = 0,
                      bool sent_earlier = false);
    void post_task(UniqueFunction task, bool releases_keepalive);
    void post_resume(std::coroutine_handle<> handle);
    void post_control(ControlMessage message);
    /// The replay gate lets in an event it held: to the mailbox, in order.
    void admit(Event* e) { push_event(e); }

    /// Runs ordinary events (control messages always) until none is left,
    /// asking the executor after each `budget` of them whether to yield
    /// instead (Executor::yield_after_budget). Only the
    /// executor calls this, and only while it holds the scheduling token and
    /// a reference, which keeps an isolate that ends meanwhile.
    void activate(unsigned budget);

    // Owner only: called from code running on this isolate.
    void retain() noexcept { ++keepalive_; }
    void release() noexcept { --keepalive_; }
    void add_port(std::shared_ptr<PortCell> cell);
    void close_port(PortCell& cell, bool isolate_ending);
    void add_timer(std::shared_ptr<TimerState> timer);
    void forget_timer(const TimerState* timer);
    void track_suspended(std::coroutine_handle<> h) { extras().suspended.push_back(h); }
    void request_exit() noexcept { exit_requested_ = true; }
    void handle_uncaught(std::exception_ptr error);
    /// Keeps a handler alive until the running event returns: a handler may
    /// close its own port, and must not be destroyed while it runs.
    void retire(std::function<void(Value)> handler) { extras().retired.push_back(std::move(handler)); }

    bool dead() const noexcept { return dead_.load(std::memory_order_acquire); }

    // Tracing.
    /// Whether the trace filter lets this isolate's events through. @threadsafe
    bool traced() const noexcept { return traced_.load(std::memory_order_relaxed); }
    void set_traced(bool traced) noexcept { traced_.store(traced, std::memory_order_relaxed); }
    /// The cluster gave it a path: the tracer must forget it when it ends.
    void mark_named() noexcept { named_ = true; }
    /// The id of the message being handled (the cause of what it sends now). Owner only.
    std::uint64_t handling() const noexcept { return handling_; }
    /// Numbers the timers it makes, for TimerFire events. Owner only.
    std::uint32_t next_timer_ordinal() noexcept { return ++timers_made_; }

    /// What a layer above keeps with the isolate (the cluster: its context).
    /// Owner only; released when the isolate dies.
    void attach(std::shared_ptr<void> attachment) { extras().attachment = std::move(attachment); }
    void* attachment() const noexcept { return extras_ ? extras_->attachment.get() : nullptr; }

    /// The observable state, for snapshots. @threadsafe
    IsolateInfo info() const;
    std::size_t mailbox_depth() const noexcept { return depth(); }

private:
    struct HeldEvent {
        std::uint64_t ordinal;
        std::unique_ptr<Event> event;
    };
    /// What few isolates need: made on first use, by the owner (or by the
    /// spawner before the isolate runs).
    struct Extras {
        std::vector<std::uint64_t> pauses;  // distinct capability ids
        std::vector<SendPort> error_listeners;
        std::vector<std::pair<SendPort, Value>> exit_listeners;
        std::vector<std::shared_ptr<TimerState>> timers;
        std::vector<std::coroutine_handle<>> suspended;
        // Gone from use during the running event, which may be theirs: kept
        // to its end.
        std::vector<std::function<void(Value)>> retired;
        std::vector<std::shared_ptr<PortCell>> closed_ports;
        ExitHook exit_hook;
        std::shared_ptr<void> attachment;
        // A debugger's: events taken out of the mailbox to be listed
        // (Isolate::pending), oldest first. They run before the mailbox's,
        // so the order stays the same, and depth() still counts them.
        Fifo<HeldEvent> held;
        std::uint64_t ordinals = 0;  // the last ordinal given to a held event
        std::size_t steps = 0;       // events that may run while paused (Isolate::step)
        // Faults standing (Isolate::inject).
        bool throw_next = false;
        bool drop = false;
        std::chrono::milliseconds slow{0};
    };
    Extras& extras() {
        if (!extras_) extras_ = std::make_unique<Extras>();
        return *extras_;
    }
    /// A message Fault::Delay holds back until its timer fires. The event
    /// belongs to whichever claims the timer first (TimerState::active):
    /// the fire, which lets it into the mailbox, or the isolate's death,
    /// which makes it a dead letter then and there.
    struct DelayedMessage {
        std::shared_ptr<TimerState> timer;
        Event* event;
    };
    /// What other threads leave with the isolate, under control_lock_.
    struct Inbound {
        Fifo<ControlMessage> control;
        Fifo<DelayedMessage> delayed;  // in the order they were sent
    };
    /// Under control_lock_.
    Inbound& inbound() {
        if (!inbound_) inbound_ = std::make_unique<Inbound>();
        return *inbound_;
    }

    void push_event(Event* e) {
        pushed_.fetch_add(1, std::memory_order_seq_cst);
        mailbox_.push(e);
        schedule_if_idle();
    }
    // The loop of activate() calls these for every event: what they
    // usually find (nothing held, no control message, no microtask) is
    // answered inline, the rest out of line.

    /// The oldest pending event: a held one first, else the mailbox's.
    Event* next_event() {
        if (holding_) [[unlikely]]
            return next_held_event();
        return static_cast<Event*>(mailbox_.pop(mailbox_reader_));
    }
    Event* next_held_event();
    /// Paused: the oldest pending event if a step lets it run (taking the step).
    Event* next_stepped_event();
    /// Tasks and resumptions raised by the running event itself run right
    /// after it, before the next event (Dart's microtasks).
    void post_local_or_event(Event* e);
    void run_microtasks() {
        if (!microtasks_.empty()) [[unlikely]]
            drain_microtasks();
    }
    void drain_microtasks();
    void schedule_if_idle() {
        // A load first: while the isolate is scheduled, as it is through a
        // stream of messages, senders leave its line alone. Seeing it
        // scheduled is enough: the worker that clears the flag looks at
        // depth() after.
        if (!scheduled_.load(std::memory_order_seq_cst)) schedule_unless_taken();
    }
    /// Takes the scheduling token, unless another thread just did, and
    /// hands the isolate to the executor.
    void schedule_unless_taken();
    bool has_work() const noexcept;
    /// Applies the control messages waiting; false once the isolate has died.
    bool run_control() { return control_pending_.load(std::memory_order_acquire) == 0 || apply_control_messages(); }
    bool apply_control_messages();
    void apply(ControlMessage& m);
    void dispatch(Event& e);  // runs it, traced
    void run_event(Event& e);
    [[gnu::noinline]] void run_event_traced(Event& e);
    /// Fault::Delay: puts `e` in the mailbox after `delay`, on the timer service.
    void hold_message(Event* e, std::chrono::nanoseconds delay);
    /// The timer of a held message fired and claimed it: to the mailbox.
    void let_in_delayed(Event* e);
    /// Writes the Handle record of the traced handling under way, if any.
    void end_open_span();
    void trace_control(trace::Kind kind, IsolateId requester);
    /// Makes `fault` happen now or marks it to, as Isolate::inject asked.
    void inject(const Fault& fault, IsolateId requester);
    /// Before a message's handler: what standing faults do to it (sleep,
    /// or throw instead of handling).
    void suffer_faults();
    /// Counts, traces and tells the error listeners of an uncaught error.
    void report_error(const ErrorDescription& description);
    // The debugger's controls (Isolate::step, pending, drop_pending).
    void grant_step();
    MailboxView inspect(std::size_t limit);
    bool drop_held(std::uint64_t ordinal);

    void die(ExitReason reason, const ErrorDescription* error = nullptr);
    void drain_dead();
    /// An event that will never run, of an isolate that has died.
    void bury(std::unique_ptr<Event> e);
    /// A message that never reached the mailbox: a dead letter, counted out.
    void bury_undelivered(std::unique_ptr<Event> e);
    bool pauses_hold() const noexcept { return extras_ && !extras_->pauses.empty(); }

    /// Events pending: pushed, by any thread, less taken, by the owner.
    /// Two counters, not one that both sides change: the owner's is a plain
    /// store, and the line senders write is not written back on every event.
    /// 32 bits each: the difference is right across wrapping, and no mailbox
    /// holds four billion events.
    std::size_t depth() const noexcept {
        const std::uint32_t taken = taken_.load(std::memory_order_seq_cst);
        return static_cast<std::uint32_t>(pushed_.load(std::memory_order_seq_cst) - taken);
    }
    void count_taken() noexcept { taken_.store(taken_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

    // The fields are laid out by who writes them, a 64-byte line each (the
    // isolate and its counts fill one 256-byte block). Senders write theirs
    // for every message and the owner its own for every event, and neither
    // reads the other's that often: a line that one core writes and another
    // reads crosses between them as often as both do it. (Reading its
    // flags off the senders' line, the owner cost count a third of its speed.)

    // The counts' line: the shared pointers' counts, written whenever the
    // isolate is scheduled and when its turn ends, and what is as rarely
    // used as that.
    std::shared_ptr<IsolateCore> self_;  // a live isolate owns itself; dropped at death

public:
    // The runtime's list of live isolates (registry.h); guarded by its shard's lock.
    IsolateCore* registry_prev = nullptr;
    IsolateCore* registry_next = nullptr;

private:
    // The senders' line: the mailbox's head, and the flags they read.
    const IsolateId id_;
    const PortId control_port_id_;
    MpscQueue mailbox_;  // its reader is on the owner's line
    std::atomic<std::uint32_t> pushed_{0};
    /// Fault::Delay: how long each message is held before it reaches the
    /// mailbox, in ms (0: not at all). Read by senders, so not in Extras.
    std::atomic<std::uint32_t> delay_ms_{0};
    // The small fields are packed in words: every byte is paid by every isolate.
    SpinLock control_lock_;
    std::atomic<bool> scheduled_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> started_{false};
    std::atomic<bool> dead_{false};
    std::atomic<bool> traced_{true};
    // These never change, so they may share the senders' line.
    const std::unique_ptr<const std::string> custom_name_;  // null: the default name
    const Capability pause_capability_;
    /// Under control_lock_; made by the first of them to come, as most
    /// isolates never get any.
    std::unique_ptr<Inbound> inbound_;

    // The owner's line: what it reads and writes for every event.
    MpscQueue::Reader mailbox_reader_;
    std::atomic<std::uint32_t> control_pending_{0};
    std::atomic<std::uint32_t> taken_{0};           // read by anyone (depth()), written by the owner
    std::atomic<std::uint64_t> events_handled_{0};  // read by anyone (info()), written by the owner
    std::uint64_t handling_ = 0;
    EventRing microtasks_;
    std::unique_ptr<Extras> extras_;
    std::int32_t keepalive_ = 0;   // owner only
    bool named_ = false;           // owner only
    bool errors_fatal_;            // owner only
    bool exit_requested_ = false;  // owner only
    bool holding_ = false;         // owner only: extras_->held is not empty
    bool died_ = false;            // owner only: dead_, for the owner's own loop
    std::atomic<bool> running_{false};  // read by anyone (info()), written by the owner

    // Read for every message, and rarely written.
    // Shared: ports may outlive the Runtime object, and sending to them
    // afterwards must still find the dead-letter log.
    const std::shared_ptr<RuntimeCore> runtime_;
    /// The Handle record of the traced handling under way: an isolate that
    /// dies within it has die() write it first, so that whoever waited for
    /// the end finds every handling traced.
    trace::Record* open_span_ = nullptr;
    std::atomic<std::uint32_t> errors_{0};  // read by anyone (info()), written by the owner
    std::uint32_t timers_made_ = 0;         // owner only
    const Capability terminate_capability_;
    OpenPorts<PortCell> ports_;
};

} // namespace iso::detail
