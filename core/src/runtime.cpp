#include "runtimecore.h"

#include "counterblock.h"
#include "isolatecore.h"
#include "portcell.h"

#include <iso/runtime.h>

#include <algorithm>
#include <iostream>

namespace iso {

using detail::IsolateCore;
using detail::PortCell;
using detail::RuntimeCore;

std::string_view state_name(IsolateState state) noexcept {
    switch (state) {
    case IsolateState::Starting: return "starting";
    case IsolateState::Idle: return "idle";
    case IsolateState::Runnable: return "runnable";
    case IsolateState::Running: return "running";
    case IsolateState::Paused: return "paused";
    case IsolateState::Exited: return "exited";
    }
    return "unknown";
}

namespace detail {

namespace {
std::atomic<NodeId> next_node{1};
}

RuntimeCore::RuntimeCore(Runtime& runtime, RuntimeOptions opts)
    : owner(runtime),
      options(opts),
      node(next_node.fetch_add(1, std::memory_order_relaxed)),
      dead_letters(opts.dead_letter_history, tracer),
      executor(opts.deterministic ? make_manual_executor() : make_thread_pool(opts)),
      timers(opts.deterministic ? make_manual_timer_service() : make_thread_timer_service()) {}

IsolateId RuntimeCore::take_isolate_id() {
    // The thread's block of the runtime it spawned in last. Nodes are never
    // reused in a process, so a block left from another runtime is never
    // taken for this one's.
    thread_local struct {
        NodeId node = 0;
        CounterBlock<kIsolateIdsPerBlock> ids;
    } block;
    if (block.node != node) block = {node, {}};
    return block.ids.take(next_isolate_id);
}

Isolate RuntimeCore::spawn(UniqueFunction start, SpawnOptions spawn_options,
                           IsolateCore::ExitHook exit_hook) {
    const IsolateId id = take_isolate_id();
    auto core = std::make_shared<IsolateCore>(shared_from_this(), id, spawn_options.debug_name, spawn_options);
    core->start_life(std::move(exit_hook));
    live_isolates.add(*core);
    std::string name = core->debug_name();
    if (tracer.on()) [[unlikely]] {
        trace::Record r;
        r.kind = trace::Kind::Spawn;
        r.isolate = id;
        const IsolateCore* parent = IsolateCore::current();
        r.peer = parent != nullptr ? parent->id() : 0;
        tracer.emit(r, name);
    }
    core->post_task(std::move(start), false);
    return Isolate(core->control_port(), core->pause_capability(), core->terminate_capability(), std::move(name));
}

} // namespace detail

Runtime::Runtime(RuntimeOptions options) : core_(std::make_shared<RuntimeCore>(*this, options)) {}

Runtime::~Runtime() {
    // Repeated: a handler that is running may spawn after a snapshot was taken.
    for (;;) {
        // A walk of the shards can miss a child spawned into one it passed
        // while its parent died in one it had not reached: the count decides.
        std::vector<std::shared_ptr<IsolateCore>> alive;
        core_->live_isolates.for_each([&](IsolateCore& isolate) { alive.push_back(isolate.shared_from_this()); });
        if (alive.empty() && core_->live_isolates.size() == 0) break;
        for (auto& isolate : alive) {
            detail::ControlMessage kill(detail::ControlMessage::Kind::Kill, Priority::Immediate);
            kill.authority = isolate->terminate_capability();
            isolate->post_control(std::move(kill));
        }
        alive.clear();
        if (core_->options.deterministic) {
            run_until_idle();
        } else {
            core_->live_isolates.wait_empty(std::chrono::milliseconds(100));
        }
    }
    core_->timers->stop();
    core_->executor->stop();
}

Runtime& Runtime::global() {
    static Runtime runtime;
    return runtime;
}

Runtime& Runtime::current() {
    if (IsolateCore* core = IsolateCore::current()) return core->runtime().owner;
    return global();
}

NodeId Runtime::node() const noexcept { return core_->node; }
const RuntimeOptions& Runtime::options() const noexcept { return core_->options; }

Isolate Runtime::spawn(Entry entry, Value message, SpawnOptions options) {
    if (!entry) throw std::invalid_argument("iso::spawn: the entry is empty");
    return core_->spawn([entry = std::move(entry), message = std::move(message)] { entry(message); },
                        std::move(options));
}

namespace detail {

namespace {

/// The first event of an isolate whose entry is a coroutine: its failure is
/// the isolate's uncaught error. The entry outlives the call, since a
/// coroutine lambda reads its captures from it after each resumption.
UniqueFunction async_start(AsyncEntry entry, Value message) {
    auto fn = std::make_shared<AsyncEntry>(std::move(entry));
    return [fn, message = std::move(message)] {
        Future<void> done = (*fn)(message);
        if (!done.valid()) return;
        done.state()->on_ready(bind_to_current_isolate([state = done.state(), fn] {
            if (state->has_error()) report_uncaught(state->error());
        }));
    };
}

} // namespace

int run_main(AsyncEntry main_fn) {
    check_may_block("iso::run_main");
    SpawnOptions options;
    options.debug_name = "main";
    auto ended = std::make_shared<Promise<std::optional<ErrorDescription>>>();
    auto outcome = ended->future();
    Runtime::global().core().spawn(async_start(std::move(main_fn), Value()), std::move(options),
                                   [ended](ExitReason, const ErrorDescription* error) {
                                       ended->set_value(error ? std::optional(*error) : std::nullopt);
                                   });
    const auto error = std::move(outcome).get();
    if (!error) return 0;
    std::cerr << "Unhandled exception:\n" << error->message << '\n';
    if (!error->where.empty()) std::cerr << error->where << '\n';
    return 1;
}

} // namespace detail

Isolate Runtime::spawn_async(AsyncEntry entry, Value message, SpawnOptions options) {
    if (!entry) throw std::invalid_argument("iso::spawn_async: the entry is empty");
    return core_->spawn(detail::async_start(std::move(entry), std::move(message)), std::move(options));
}

std::size_t Runtime::isolate_count() const { return core_->live_isolates.size(); }

std::vector<IsolateInfo> Runtime::isolates() const {
    std::vector<IsolateInfo> out;
    out.reserve(core_->live_isolates.size());
    core_->live_isolates.for_each([&](const IsolateCore& isolate) { out.push_back(isolate.info()); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

std::optional<Isolate> Runtime::find_isolate(IsolateId id) const {
    std::optional<Isolate> found;
    core_->live_isolates.for_each([&](const IsolateCore& isolate) {
        if (isolate.id() == id)
            found.emplace(isolate.control_port(), isolate.pause_capability(), isolate.terminate_capability(),
                          isolate.debug_name());
    });
    return found;
}

unsigned Runtime::worker_count() const { return core_->executor->worker_count(); }

std::uint64_t Runtime::dead_letter_count() const noexcept { return core_->dead_letters.count(); }

MessageStats Runtime::message_stats() const noexcept {
    MessageStats s;
    // Read backwards along a message's way, so that one in flight is counted
    // at most once: what was sent is never less than the rest.
    s.delivered = core_->counters.delivered();
    s.undeliverable = core_->dead_letters.count() - core_->dead_letters.after_delivery();
    s.unread = core_->dead_letters.after_delivery();
    s.queued = core_->counters.queued();
    s.sent = core_->counters.sent();
    return s;
}

std::vector<DeadLetter> Runtime::recent_dead_letters() const { return core_->dead_letters.recent(); }

bool Runtime::wait_until_idle() {
    detail::check_may_block("iso::Runtime::wait_until_idle()");
    if (core_->options.deterministic) {
        do {
            run_until_idle();
        } while (isolate_count() != 0 && advance_to_next_timer());
        return isolate_count() == 0;
    }
    return core_->live_isolates.wait_empty();
}

namespace {
void require_deterministic(const RuntimeOptions& options, const char* what) {
    if (!options.deterministic) throw StateError(std::string("iso::Runtime::") + what + " needs a deterministic runtime");
}
} // namespace

bool Runtime::run_once() {
    require_deterministic(core_->options, "run_once");
    return core_->executor->run_once();
}

std::size_t Runtime::run_until_idle() {
    require_deterministic(core_->options, "run_until_idle");
    std::size_t ran = 0;
    while (core_->executor->run_once()) ++ran;
    return ran;
}

void Runtime::advance_time(Duration by) {
    require_deterministic(core_->options, "advance_time");
    run_until_idle();
    core_->timers->advance(by, [this] { run_until_idle(); });
}

bool Runtime::advance_to_next_timer() {
    require_deterministic(core_->options, "advance_to_next_timer");
    return core_->timers->advance_to_next([this] { run_until_idle(); });
}

std::chrono::nanoseconds Runtime::now() const { return core_->timers->now(); }

} // namespace iso
