#include "isolatecore.h"

#include "errordescription.h"
#include "portcell.h"
#include "replaygate.h"
#include "runtimecore.h"
#include "timers.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <thread>

namespace iso::detail {

namespace {

thread_local IsolateCore* tls_current = nullptr;

/// Makes `core` the current isolate for the scope of one activation.
class CurrentScope {
public:
    explicit CurrentScope(IsolateCore* core) noexcept : saved_(tls_current) { tls_current = core; }
    ~CurrentScope() { tls_current = saved_; }
    CurrentScope(const CurrentScope&) = delete;
    CurrentScope& operator=(const CurrentScope&) = delete;

private:
    IsolateCore* saved_;
};

} // namespace

IsolateCore::IsolateCore(std::shared_ptr<RuntimeCore> runtime, IsolateId id, std::string debug_name,
                         const SpawnOptions& options)
    : id_(id),
      // Found through the port table only once make_shared has returned
      // (it hands out weak_from_this()), so before runtime_ is set is early enough.
      control_port_id_(register_control_port(this)),
      custom_name_(debug_name.empty() ? nullptr : std::make_unique<const std::string>(std::move(debug_name))),
      errors_fatal_(options.errors_are_fatal),
      runtime_(std::move(runtime)) {
    // The lines are counted from the start of make_shared's block, whose
    // counts come first; mimalloc gives a 256-byte block 64-byte alignment.
    // offsetof on a class with a base is conditionally supported, as by g++.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    static_assert((16 + offsetof(IsolateCore, mailbox_)) / 64 == 1, "the mailbox's head is on the senders' line");
    static_assert((16 + offsetof(IsolateCore, mailbox_reader_)) % 64 == 0, "the owner's line begins with the reader");
    static_assert((16 + offsetof(IsolateCore, running_)) / 64 == 2, "the owner's flags are on the owner's line");
    static_assert((16 + offsetof(IsolateCore, runtime_)) / 64 == 3, "the runtime is off the lines written for every turn");
    static_assert(sizeof(IsolateCore) + 16 <= 256, "an isolate and its counts fill one 256-byte block");
#pragma GCC diagnostic pop
    traced_.store(!runtime_->tracer.filtered(), std::memory_order_relaxed);
    if (options.on_error) extras().error_listeners.push_back(*options.on_error);
    if (options.on_exit) extras().exit_listeners.emplace_back(*options.on_exit, options.on_exit_response);
    if (options.paused) {
        extras().pauses.push_back(pause_capability_.id());
        paused_.store(true, std::memory_order_relaxed);
    }
}

IsolateCore::~IsolateCore() {
    unregister_port(control_port_id_);
    drain_dead();  // only messages pushed after the runtime stopped are left
    // While the runtime is still held: it is declared after them, so it
    // would go first.
    extras_.reset();
    inbound_.reset();
}

SendPort IsolateCore::control_port() const noexcept { return SendPort(runtime_->node, control_port_id_); }

void IsolateCore::start_life(ExitHook hook) {
    self_ = shared_from_this();
    if (hook) extras().exit_hook = std::move(hook);
}

IsolateCore* IsolateCore::current() noexcept { return tls_current; }

std::string IsolateCore::debug_name() const {
    if (custom_name_) return *custom_name_;
    // Every spawn names its handle: formatted in place, it fits the string's
    // own buffer and allocates nothing.
    char name[32] = "isolate-";
    constexpr std::size_t prefix = 8;
    return std::string(name, std::to_chars(name + prefix, name + sizeof name, id_).ptr);
}

// ---- producers -------------------------------------------------------------

void IsolateCore::schedule_unless_taken() {
    if (!scheduled_.exchange(true, std::memory_order_seq_cst)) runtime_->executor->schedule(shared_from_this());
}

void IsolateCore::post_message(PortId port, Value&& message, std::uint64_t message_id, bool sent_earlier) {
    pay_wake_owed();  // the sender goes on: what it woke before may not wait for it
    if (dead()) {
        runtime_->dead_letters.record(DeadLetterReason::IsolateDead, runtime_->node, port, message, id_, message_id);
        return;
    }
    auto* e = new Event;
    e->kind = Event::Kind::Message;
    e->message_id = message_id;
    e->port = port;
    e->value = std::move(message);
    runtime_->counters.count_enqueued();
    if (message_id != 0) [[unlikely]] {  // tracing is (or was just) on
        // A message sent just now was enqueued by its Send event.
        if (sent_earlier && traced()) {
            trace::Record r;
            r.kind = trace::Kind::Enqueue;
            r.isolate = id_;
            r.message = message_id;
            r.port = e->port;
            // Written before the push, so that it always precedes the handling.
            r.peer = depth() + 1;
            runtime_->tracer.emit(r);
        }
        if (runtime_->gate != nullptr && runtime_->gate->offer_message(*this, e)) return;
    }
    if (const auto delay = delay_ms_.load(std::memory_order_relaxed); delay > 0) [[unlikely]] {
        hold_message(e, std::chrono::milliseconds(delay));
        return;
    }
    push_event(e);
}

void IsolateCore::hold_message(Event* e, std::chrono::nanoseconds delay) {
    auto timer = std::make_shared<TimerState>();
    timer->due = runtime_->timers->now() + delay;
    // Called only by a fire that claimed the timer, so the event is its to give.
    timer->on_free_fire = [self = shared_from_this(), e] { self->let_in_delayed(e); };
    bool held = false;
    {
        // Checked under the lock, which die() takes to claim what is held.
        std::lock_guard lock(control_lock_);
        if (!dead()) {
            inbound().delayed.push({timer, e});
            held = true;
        }
    }
    if (!held) {
        bury_undelivered(std::unique_ptr<Event>(e));
        return;
    }
    runtime_->timers->arm(std::move(timer));
}

void IsolateCore::let_in_delayed(Event* e) {
    {
        // Its entry is done with. Most often the oldest, but a delay made
        // shorter meanwhile lets later ones out first.
        std::lock_guard lock(control_lock_);
        if (inbound_)
            for (std::size_t i = 0; i < inbound_->delayed.size(); ++i)
                if (inbound_->delayed[i].event == e) {
                    inbound_->delayed.erase(i);
                    break;
                }
    }
    if (dead()) {
        bury_undelivered(std::unique_ptr<Event>(e));
        return;
    }
    push_event(e);  // if it dies meanwhile, its last activation buries this
}

void IsolateCore::post_task(UniqueFunction task, bool releases_keepalive) {
    auto* e = new Event;
    e->kind = Event::Kind::Task;
    e->task = std::move(task);
    e->releases_keepalive = releases_keepalive;
    post_local_or_event(e);
}

void IsolateCore::post_resume(std::coroutine_handle<> handle) {
    auto* e = new Event;
    e->kind = Event::Kind::Resume;
    e->coroutine_frame = handle.address();
    e->releases_keepalive = true;
    post_local_or_event(e);
}

void IsolateCore::post_local_or_event(Event* e) {
    if (tls_current != this || died_) {
        push_event(e);
        return;
    }
    microtasks_.push(e);
}

void IsolateCore::drain_microtasks() {
    while (!microtasks_.empty() && !died_) {
        std::unique_ptr<Event> e(microtasks_.pop());
        dispatch(*e);
    }
}

void IsolateCore::post_control(ControlMessage message) {
    {
        // Checked under the lock: die() empties the queue under it, after
        // marking the isolate dead, so nothing can be left behind.
        std::lock_guard lock(control_lock_);
        if (dead()) return;
        inbound().control.push(std::move(message));
        control_pending_.fetch_add(1, std::memory_order_seq_cst);
    }
    schedule_if_idle();
}

// ---- the event loop --------------------------------------------------------

// Called after the scheduling token is given back, so it must not touch the
// mailbox's nodes: the counters tell enough, and a stale answer costs at
// most one spurious activation.
bool IsolateCore::has_work() const noexcept {
    if (control_pending_.load(std::memory_order_seq_cst) != 0) return true;
    if (depth() == 0) return false;
    return dead() || !paused_.load(std::memory_order_relaxed);
}

void IsolateCore::activate(unsigned budget) {
    {
        CurrentScope scope(this);
        if (died_) {
            drain_dead();
        } else {
            running_.store(true, std::memory_order_relaxed);
            for (unsigned handled = 0;;) {
                // Out of budget with no one waiting, yielding would only send
                // this isolate round the run queues, in the middle of a stream.
                if (handled == budget) {
                    if (runtime_->executor->yield_after_budget()) break;
                    handled = 0;
                }
                if (!run_control()) break;
                Event* e = pauses_hold() ? next_stepped_event() : next_event();
                if (e == nullptr) break;
                pay_wake_owed();  // this activation goes on
                count_taken();
                ++handled;
                std::unique_ptr<Event> owned(e);
                handling_ = 0;
                dispatch(*e);
                run_microtasks();
                if (extras_) {
                    extras_->retired.clear();
                    extras_->closed_ports.clear();
                }
                if (died_) break;
                if (exit_requested_) {
                    die(ExitReason::Normal);
                    break;
                }
            }
            running_.store(false, std::memory_order_relaxed);
            if (!died_ && started_.load(std::memory_order_relaxed) && keepalive_ <= 0 && depth() == 0 &&
                control_pending_.load(std::memory_order_seq_cst) == 0)
                die(ExitReason::Normal);
        }
    }
    // Read before the token is given back: only the owner may read steps.
    const bool stepping = pauses_hold() && extras_->steps != 0;
    scheduled_.store(false, std::memory_order_seq_cst);
    if (stepping || has_work()) schedule_if_idle();
}

Event* IsolateCore::next_held_event() {
    Event* e = extras_->held.pop().event.release();
    holding_ = !extras_->held.empty();
    return e;
}

Event* IsolateCore::next_stepped_event() {
    if (extras_->steps == 0) return nullptr;
    Event* e = next_event();
    if (e != nullptr) --extras_->steps;
    return e;
}

bool IsolateCore::apply_control_messages() {
    while (control_pending_.load(std::memory_order_acquire) != 0) {
        ControlMessage m;
        {
            std::lock_guard lock(control_lock_);
            if (!inbound_ || inbound_->control.empty()) break;
            m = inbound_->control.pop();
            control_pending_.fetch_sub(1, std::memory_order_seq_cst);
        }
        apply(m);
        if (died_) return false;
    }
    return true;
}

namespace {

/// Answers a tool's question as from outside the isolate: control handling
/// is no event of it, so what the answer wakes here must not become one of
/// its microtasks (an isolate may ask about itself).
template <typename T, typename F> void answer(Reply<T>& reply, bool authorised, F&& make) {
    if (!authorised) {
        CurrentScope outside(nullptr);
        reply.fail(StateError("iso::Isolate: the pause capability does not match"));
        return;
    }
    T result = make();
    CurrentScope outside(nullptr);
    reply.answer(std::move(result));
}

PendingEvent::Kind pending_kind(Event::Kind kind) {
    switch (kind) {
    case Event::Kind::Message: return PendingEvent::Kind::Message;
    case Event::Kind::Task: return PendingEvent::Kind::Task;
    case Event::Kind::Resume: return PendingEvent::Kind::Resume;
    }
    return PendingEvent::Kind::Task;
}

} // namespace

void IsolateCore::grant_step() {
    // Only for an event pending now: a step never waits for a later one.
    if (pauses_hold() && extras_->steps < depth()) ++extras_->steps;
}

MailboxView IsolateCore::inspect(std::size_t limit) {
    auto& held = extras().held;
    while (held.size() < limit) {
        auto* e = static_cast<Event*>(mailbox_.pop(mailbox_reader_));
        if (e == nullptr) break;
        held.push({++extras_->ordinals, std::unique_ptr<Event>(e)});
    }
    holding_ = !held.empty();
    MailboxView view;
    view.depth = depth();
    view.paused = pauses_hold();
    view.ports.reserve(ports_.size());
    ports_.for_each([&](const PortCell& port) { view.ports.push_back(port.id); });
    view.events.reserve(std::min(limit, held.size()));
    for (std::size_t i = 0; i < held.size() && i < limit; ++i) {
        const Event& e = *held[i].event;
        PendingEvent& p = view.events.emplace_back();
        p.ordinal = held[i].ordinal;
        p.kind = pending_kind(e.kind);
        if (e.kind != Event::Kind::Message) continue;
        p.message_id = e.message_id;
        p.port = e.port;
        p.value = e.value;
    }
    return view;
}

bool IsolateCore::drop_held(std::uint64_t ordinal) {
    if (!holding_) return false;
    auto& held = extras_->held;
    std::size_t i = 0;
    while (i < held.size() && held[i].ordinal != ordinal) ++i;
    if (i == held.size() || held[i].event->kind != Event::Kind::Message) return false;
    const std::unique_ptr<Event> e = std::move(held[i].event);
    held.erase(i);
    holding_ = !held.empty();
    count_taken();
    extras_->steps = std::min(extras_->steps, depth());
    runtime_->dead_letters.record(DeadLetterReason::Dropped, runtime_->node, e->port, e->value, id_,
                                  e->message_id);
    runtime_->counters.count_dequeued();
    return true;
}

void IsolateCore::trace_control(trace::Kind kind, IsolateId requester) {
    if (!runtime_->tracer.on() || !traced()) return;
    trace::Record r;
    r.kind = kind;
    r.isolate = id_;
    r.peer = requester;
    runtime_->tracer.emit(r);
}

void IsolateCore::apply(ControlMessage& m) {
    using K = ControlMessage::Kind;
    auto authorised = [&](Capability needed) { return m.authority && *m.authority == needed; };
    switch (m.kind) {
    case K::Pause:
        if (!authorised(pause_capability_) || !m.pause_id) return;
        if (auto& pauses = extras().pauses; std::find(pauses.begin(), pauses.end(), m.pause_id->id()) == pauses.end())
            pauses.push_back(m.pause_id->id());
        trace_control(trace::Kind::Pause, m.requester);
        break;
    case K::Resume:
        if (!m.pause_id || !extras_) return;
        if (std::erase(extras_->pauses, m.pause_id->id()) != 0) trace_control(trace::Kind::Resume, m.requester);
        if (extras_->pauses.empty()) extras_->steps = 0;  // steps are for a pause
        break;
    case K::Kill:
        if (authorised(terminate_capability_)) {
            trace_control(trace::Kind::Kill, m.requester);
            die(ExitReason::Killed);
        }
        return;
    case K::Ping:
        m.port.send(m.response);
        return;
    case K::AddErrorListener:
        extras().error_listeners.push_back(m.port);
        return;
    case K::RemoveErrorListener:
        std::erase(extras().error_listeners, m.port);
        return;
    case K::AddExitListener:
        extras().exit_listeners.emplace_back(m.port, m.response);
        return;
    case K::RemoveExitListener:
        std::erase_if(extras().exit_listeners, [&](const auto& l) { return l.first == m.port; });
        return;
    case K::SetErrorsFatal:
        if (authorised(terminate_capability_)) errors_fatal_ = m.flag;
        return;
    case K::Step:
        if (authorised(pause_capability_)) grant_step();
        return;
    case K::Inspect:
        answer(m.view, authorised(pause_capability_), [&] { return inspect(m.number); });
        return;
    case K::Drop:
        answer(m.dropped, authorised(pause_capability_), [&] { return drop_held(m.number); });
        return;
    case K::Inject:
        if (authorised(terminate_capability_)) inject(m.fault, m.requester);
        return;
    }
    paused_.store(pauses_hold(), std::memory_order_relaxed);
}

namespace {

trace::HandleKind handle_kind(const Event& e) {
    switch (e.kind) {
    case Event::Kind::Message: return trace::HandleKind::Message;
    case Event::Kind::Task: return trace::HandleKind::Task;
    case Event::Kind::Resume: return trace::HandleKind::Resume;
    }
    return trace::HandleKind::Task;
}

} // namespace

void IsolateCore::dispatch(Event& e) {
    if (e.releases_keepalive) release();
    // A microtask keeps the cause of the event that raised it.
    if (e.kind == Event::Kind::Message) handling_ = e.message_id;
    if (runtime_->tracer.on() && traced()) [[unlikely]]
        run_event_traced(e);
    else
        run_event(e);
    events_handled_.store(events_handled_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// Apart from dispatch, so that the untraced path builds no record at all.
void IsolateCore::run_event_traced(Event& e) {
    // One record for the whole handling, written at its end; filled in
    // before the handler runs, which may take what the event holds.
    trace::Record span;
    span.kind = trace::Kind::Handle;
    span.isolate = id_;
    span.message = e.kind == Event::Kind::Message ? e.message_id : 0;
    span.arg = static_cast<std::uint32_t>(handle_kind(e));
    span.port = e.port;
    span.time = Tracer::now();
    open_span_ = &span;
    // However the handling ends, nothing may point at this frame after it.
    struct Close {
        IsolateCore& self;
        ~Close() { self.open_span_ = nullptr; }
    } close{*this};
    run_event(e);
    end_open_span();
}

void IsolateCore::end_open_span() {
    if (open_span_ == nullptr) return;
    open_span_->peer = Tracer::now() - open_span_->time;
    runtime_->tracer.emit(*open_span_);
    open_span_ = nullptr;
}

void IsolateCore::run_event(Event& e) {
    try {
        switch (e.kind) {
        case Event::Kind::Message: {
            // A closed port is no longer among the open ones (but for the
            // ports of an isolate that is ending, closed where they are).
            PortCell* port = ports_.find(e.port);
            if (port == nullptr || port->closed.load(std::memory_order_acquire)) {
                runtime_->dead_letters.record(DeadLetterReason::PortClosed, runtime_->node, e.port, e.value, id_,
                                              e.message_id);
                runtime_->counters.count_dequeued();
                break;
            }
            if (extras_ && extras_->drop) [[unlikely]] {
                runtime_->dead_letters.record(DeadLetterReason::Injected, runtime_->node, e.port, e.value, id_,
                                              e.message_id);
                runtime_->counters.count_dequeued();
                break;
            }
            runtime_->counters.count_delivered();
            if (extras_) [[unlikely]]
                suffer_faults();
            if (port->handler)
                port->handler(std::move(e.value));
            else
                runtime_->dead_letters.record(DeadLetterReason::Unread, runtime_->node, e.port, e.value, id_,
                                              e.message_id);
            break;
        }
        case Event::Kind::Task:
            // Stored once: senders read this line for every message.
            if (!started_.load(std::memory_order_relaxed)) started_.store(true, std::memory_order_relaxed);
            e.task();
            break;
        case Event::Kind::Resume: {
            auto& suspended = extras().suspended;
            auto it = std::find(suspended.begin(), suspended.end(), e.coroutine());
            if (it == suspended.end()) break;  // destroyed meanwhile
            suspended.erase(it);
            e.coroutine().resume();
            break;
        }
        }
    } catch (const ExitSignal&) {
        die(ExitReason::Exited);
    } catch (...) {
        handle_uncaught(std::current_exception());
    }
}

void IsolateCore::handle_uncaught(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const ExitSignal&) {
        request_exit();
        return;
    } catch (...) {
    }
    const ErrorDescription description = describe(error, debug_name());
    report_error(description);
    if (errors_fatal_) die(ExitReason::Failed, &description);
}

void IsolateCore::report_error(const ErrorDescription& description) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (runtime_->tracer.on() && traced()) [[unlikely]] {
        trace::Record r;
        r.kind = trace::Kind::Error;
        r.isolate = id_;
        r.message = handling_;
        runtime_->tracer.emit(r, description.message + trace::field_separator + description.where);
    }
    const Value report = Value::list({Value(description.message), Value(description.where)});
    if (extras_)
        for (const auto& port : extras_->error_listeners) port.send(report);
}

void IsolateCore::inject(const Fault& fault, IsolateId requester) {
    if (runtime_->tracer.on() && traced()) [[unlikely]] {
        trace::Record r;
        r.kind = trace::Kind::Fault;
        r.isolate = id_;
        r.peer = requester;
        r.arg = static_cast<std::uint32_t>(fault.kind);
        runtime_->tracer.emit(r, fault.describe());
    }
    using K = Fault::Kind;
    switch (fault.kind) {
    case K::ThrowOnNextMessage:
        extras().throw_next = true;
        return;
    case K::Crash: {
        const ErrorDescription description{"injected: " + fault.describe(), "iso::Isolate::inject on " + debug_name()};
        report_error(description);
        die(ExitReason::Failed, &description);
        return;
    }
    case K::Hang:
        std::this_thread::sleep_for(fault.duration);
        return;
    case K::Slow:
        extras().slow = fault.duration;
        return;
    case K::Drop:
        extras().drop = true;
        return;
    case K::Delay:
        delay_ms_.store(static_cast<std::uint32_t>(std::clamp<std::chrono::milliseconds::rep>(
                            fault.duration.count(), 0, std::numeric_limits<std::uint32_t>::max())),
                        std::memory_order_relaxed);
        return;
    case K::Clear:
        delay_ms_.store(0, std::memory_order_relaxed);
        if (extras_) {
            extras_->throw_next = false;
            extras_->drop = false;
            extras_->slow = {};
        }
        return;
    }
}

void IsolateCore::suffer_faults() {
    if (extras_->slow.count() > 0) std::this_thread::sleep_for(extras_->slow);
    if (std::exchange(extras_->throw_next, false))
        throw InjectedFailure("injected: " + Fault::throw_on_next_message().describe());
}

// ---- ports, timers ----------------------------------------------------------

void IsolateCore::add_port(std::shared_ptr<PortCell> cell) {
    if (cell->keeps_alive) retain();
    ports_.add(std::move(cell));
}

void IsolateCore::close_port(PortCell& cell, bool isolate_ending) {
    if (cell.closed.exchange(true, std::memory_order_acq_rel)) return;
    if (cell.keeps_alive && !isolate_ending) release();
    if (cell.handler) retire(std::move(cell.handler));
    cell.handler = nullptr;
    if (auto on_close = std::move(cell.on_close)) (*on_close)(isolate_ending);
    if (isolate_ending) return;
    // Its handler may be running now (closing its own port).
    if (auto removed = ports_.remove(&cell)) extras().closed_ports.push_back(std::move(removed));
}

void IsolateCore::add_timer(std::shared_ptr<TimerState> timer) {
    retain();
    extras().timers.push_back(std::move(timer));
}

void IsolateCore::forget_timer(const TimerState* timer) {
    auto& timers = extras().timers;
    auto it = std::find_if(timers.begin(), timers.end(), [&](const auto& t) { return t.get() == timer; });
    if (it == timers.end()) return;
    // The timer service may hold the state until its due time; what the
    // callbacks captured should not wait that long.
    (*it)->on_fire = nullptr;
    (*it)->on_periodic_fire = nullptr;
    timers.erase(it);
    release();
}

// ---- the end ----------------------------------------------------------------

void IsolateCore::die(ExitReason reason, const ErrorDescription* error) {
    if (dead_.exchange(true, std::memory_order_seq_cst)) return;
    died_ = true;
    running_.store(false, std::memory_order_relaxed);
    end_open_span();
    if (runtime_->tracer.on() && traced()) [[unlikely]] {
        trace::Record r;
        r.kind = trace::Kind::Exit;
        r.isolate = id_;
        r.arg = static_cast<std::uint32_t>(reason);
        runtime_->tracer.emit(r);
    }
    if (named_) runtime_->tracer.forget_isolate(id_);
    unregister_port(control_port_id_);
    auto ports = ports_.take_all();
    for (auto& cell : ports) close_port(*cell, true);
    std::vector<ControlMessage> unhandled;
    std::vector<DelayedMessage> delayed;
    {
        std::lock_guard lock(control_lock_);
        if (inbound_) {
            control_pending_.fetch_sub(static_cast<std::uint32_t>(inbound_->control.size()),
                                       std::memory_order_seq_cst);
            unhandled = inbound_->control.take_all();
            delayed = inbound_->delayed.take_all();
        }
    }
    {
        // Unanswered questions fail now, outside the lock, as from outside (see answer()).
        CurrentScope outside(nullptr);
        unhandled.clear();
    }
    std::unique_ptr<Extras> extras = std::move(extras_);
    holding_ = false;
    if (extras) {
        for (auto& timer : extras->timers) {
            timer->active.store(false, std::memory_order_release);
            timer->on_fire = nullptr;
            timer->on_periodic_fire = nullptr;
        }
        // Destroying a suspended coroutine runs its destructors and abandons
        // its promise; continuations that land here afterwards are drained.
        for (auto h : extras->suspended) h.destroy();
        // Older than what is left in the mailbox: their dead letters come first.
        while (!extras->held.empty()) bury(std::move(extras->held.pop().event));
    }
    drain_dead();
    // Held back on their way, so sent after what reached the mailbox. A
    // timer that fired first has its event on the way in: drain_dead() or
    // let_in_delayed() buries that one.
    for (auto& [timer, event] : delayed) {
        if (!timer->active.exchange(false, std::memory_order_acq_rel)) continue;
        timer->on_free_fire = nullptr;  // it holds this isolate until it would have fired
        bury_undelivered(std::unique_ptr<Event>(event));
    }
    while (Event* e = microtasks_.pop()) delete e;
    if (extras)
        for (const auto& [port, response] : extras->exit_listeners) port.send(response);
    // The hook runs before the isolate counts as gone, so that whoever waits
    // for the runtime to be idle also waits for the hook.
    if (extras && extras->exit_hook) extras->exit_hook(reason, error);
    runtime_->unregister(*this);
    self_.reset();  // the executor holds another reference until activate() returns
}

void IsolateCore::drain_dead() {
    while (MpscNode* n = mailbox_.pop(mailbox_reader_)) bury(std::unique_ptr<Event>(static_cast<Event*>(n)));
}

void IsolateCore::bury(std::unique_ptr<Event> e) {
    count_taken();
    if (e->kind == Event::Kind::Message) {
        runtime_->dead_letters.record(DeadLetterReason::IsolateDead, runtime_->node, e->port, e->value, id_,
                                      e->message_id);
        runtime_->counters.count_dequeued();
    }
}

void IsolateCore::bury_undelivered(std::unique_ptr<Event> e) {
    runtime_->dead_letters.record(DeadLetterReason::IsolateDead, runtime_->node, e->port, e->value, id_,
                                  e->message_id);
    runtime_->counters.count_dequeued();
}

IsolateInfo IsolateCore::info() const {
    IsolateInfo i;
    i.id = id_;
    i.debug_name = debug_name();
    if (dead())
        i.state = IsolateState::Exited;
    else if (running_.load(std::memory_order_relaxed))
        i.state = IsolateState::Running;
    else if (paused_.load(std::memory_order_relaxed))
        i.state = IsolateState::Paused;
    else if (!started_.load(std::memory_order_relaxed))
        i.state = IsolateState::Starting;
    else if (scheduled_.load(std::memory_order_relaxed))
        i.state = IsolateState::Runnable;
    else
        i.state = IsolateState::Idle;
    i.mailbox_depth = depth();
    i.events_handled = events_handled_.load(std::memory_order_relaxed);
    i.errors = errors_.load(std::memory_order_relaxed);
    i.control_port = control_port();
    return i;
}

} // namespace iso::detail
