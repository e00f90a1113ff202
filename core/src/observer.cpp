#include "isolatecore.h"
#include "runtimecore.h"
#include "threadname.h"

#include <iso/error.h>
#include <iso/observer.h>
#include <iso/snapshotbuilder.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <unistd.h>

namespace iso {

using trace::Event;
using EventKind = trace::Kind;

// ---- Subscription ---------------------------------------------------------------

namespace {

/// `batch` with only the events of `kinds`.
Batch only(const Batch& batch, trace::KindSet kinds) {
    Batch out;
    out.sequence = batch.sequence;
    out.delta = batch.delta;
    out.missed_batches = batch.missed_batches;
    out.missed_events = batch.missed_events;
    for (const trace::Event& e : batch.events)
        if (kinds.contains(e.kind)) out.events.push_back(e);
    return out;
}

} // namespace

struct Subscription::State {
    State(std::size_t c, std::chrono::microseconds wait, trace::KindSet k) : capacity(c), full_wait(wait), kinds(k) {}

    /// The monitor offers each batch; a full queue counts it as missed,
    /// after waiting up to full_wait for the subscriber to make room.
    void offer(Batch batch, const ClusterSnapshot& whole) {
        std::unique_lock lock(mutex);
        if (closed) return;
        auto has_room = [&] { return closed || queue.empty() || queued_events + batch.events.size() <= capacity; };
        if (!has_room() && full_wait.count() > 0)
            room.wait_for(lock, full_wait, [&] { return has_room() || full_wait.count() == 0; });
        if (closed) return;
        if (!has_room()) {
            ++missed_batches;
            missed_events += batch.events.size();
            return;
        }
        if (missed_batches > 0 || !had_first) {
            // What changed in the batches it missed is lost: it starts over.
            batch.missed_batches = std::exchange(missed_batches, 0);
            batch.missed_events = std::exchange(missed_events, 0);
            batch.delta.full = true;
            batch.delta.changed = whole.isolates;
            batch.delta.removed.clear();
            had_first = true;
        }
        queued_events += batch.events.size();
        queue.push_back(std::move(batch));
        ready.notify_all();
    }
    std::optional<Batch> pop_locked() {
        if (queue.empty()) return std::nullopt;
        Batch b = std::move(queue.front());
        queue.pop_front();
        queued_events -= b.events.size();
        room.notify_all();
        return b;
    }
    void close() {
        std::lock_guard lock(mutex);
        closed = true;
        ready.notify_all();
        room.notify_all();
    }
    /// The observer is going: its monitor must not wait for this one.
    void stop_waiting() {
        std::lock_guard lock(mutex);
        full_wait = std::chrono::microseconds(0);
        room.notify_all();
    }

    const std::size_t capacity;
    std::chrono::microseconds full_wait;  // 0: never waits for the subscriber
    const trace::KindSet kinds;           // the events it takes
    mutable std::mutex mutex;
    std::condition_variable ready;  // a batch was queued
    std::condition_variable room;   // a batch was taken
    std::deque<Batch> queue;
    std::size_t queued_events = 0;
    std::uint64_t missed_batches = 0;
    std::uint64_t missed_events = 0;
    bool had_first = false;
    bool closed = false;
};

std::optional<Batch> Subscription::try_next() {
    std::lock_guard lock(state_->mutex);
    return state_->pop_locked();
}

std::optional<Batch> Subscription::next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    state_->ready.wait_for(lock, timeout, [&] { return !state_->queue.empty() || state_->closed; });
    return state_->pop_locked();
}

std::vector<Batch> Subscription::take_all() {
    std::lock_guard lock(state_->mutex);
    std::vector<Batch> out;
    while (auto b = state_->pop_locked()) out.push_back(std::move(*b));
    return out;
}

bool Subscription::closed() const {
    std::lock_guard lock(state_->mutex);
    return state_->closed && state_->queue.empty();
}

const IsolateMetrics* ClusterSnapshot::find(IsolateId id) const {
    auto it = std::lower_bound(isolates.begin(), isolates.end(), id,
                               [](const IsolateMetrics& m, IsolateId i) { return m.id < i; });
    return it != isolates.end() && it->id == id ? &*it : nullptr;
}

// ---- the monitor --------------------------------------------------------------------

namespace {

std::uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

/// Events drained but not yet published: the monitor drains as often as
/// the buffers need, and publishes a batch, with a fresh snapshot, at
/// most every interval or when this many wait.
constexpr std::size_t batch_events = 1 << 16;

/// Puts the events from `from` on in time order among all of `events`. A
/// Handle is written when its handler ends, after the records the handler
/// made, but is stamped with when it began, so it moves back past those
/// (and before any of the same time, as it holds them); an event a thread
/// wrote while an earlier drain ran moves back past that drain's later
/// ones. Each moves only as far as it is out of place.
void put_in_time_order(std::vector<Event>& events, std::size_t from) {
    for (std::size_t i = std::max<std::size_t>(from, 1); i < events.size(); ++i) {
        const bool handle = events[i].kind == EventKind::Handle;
        auto after = [&](const Event& e, std::uint64_t time) { return handle ? e.time >= time : e.time > time; };
        if (!after(events[i - 1], events[i].time)) continue;
        Event late = std::move(events[i]);
        std::size_t j = i;
        for (; j > 0 && after(events[j - 1], late.time); --j) events[j] = std::move(events[j - 1]);
        events[j] = std::move(late);
    }
}

} // namespace

struct Observer::Impl {
    Impl(Runtime& r, ObserverOptions o) : runtime(r), core(r.core()), options(o) {}

    /// Appends what the buffers hold; returns how full the fullest was, 0..1.
    double drain(std::vector<Event>& events);
    void publish();
    void run_monitor();

    Runtime& runtime;
    detail::RuntimeCore& core;
    ObserverOptions options;  // full_wait changes under published_mutex (set_full_wait); the rest never

    std::mutex poll_mutex;  // one drain at a time
    // Owned by whoever holds poll_mutex.
    SnapshotBuilder book{detail::Tracer::now()};
    std::vector<Event> pending;  // drained, not yet published
    std::uint64_t last_poll = detail::Tracer::now();  // the last publish
    std::uint64_t sequence = 0;

    mutable std::mutex published_mutex;  // guards what readers see
    ClusterSnapshot latest;
    bool relist = false;  // a publish failed midway: `latest.isolates` is to be made anew
    std::vector<std::shared_ptr<Subscription>> subscribers;

    std::atomic<bool> stopping{false};
    std::thread monitor;
};

double Observer::Impl::drain(std::vector<Event>& events) {
    // Each buffer holds its thread's events in time order (but for
    // Handles): one run each, merged by time rather than sorted whole, and
    // read in place, so that each event is built once.
    struct Run {
        detail::ThreadBuffer* buffer;
        std::uint64_t at, end;
    };
    const auto buffers = core.tracer.buffers();
    std::vector<Run> runs;
    runs.reserve(buffers.size());
    std::size_t slots = 0;
    double fullest = 0;
    for (const auto& buffer : buffers) {
        runs.push_back({buffer.get(), buffer->begin(), buffer->end()});
        const auto used = static_cast<std::size_t>(runs.back().end - runs.back().at);
        slots += used;
        fullest = std::max(fullest, static_cast<double>(used) / static_cast<double>(buffer->capacity()));
        book.note_thread(buffer->index);
    }
    // Pending events grow over several drains: doubling, not exact fits,
    // or each drain would move all of them again.
    if (const std::size_t wanted = events.size() + slots + buffers.size(); wanted > events.capacity())
        events.reserve(std::max(wanted, 2 * events.capacity()));
    // Heads of the runs, earliest first; ties keep buffer order.
    using Head = std::pair<std::uint64_t, std::size_t>;  // time, run
    std::vector<Head> heap;
    heap.reserve(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r)
        if (runs[r].at < runs[r].end) heap.emplace_back(runs[r].buffer->record(runs[r].at).time, r);
    std::make_heap(heap.begin(), heap.end(), std::greater<>());
    // What was read is released even if building an event throws, so
    // that no event is read twice.
    struct Release {
        std::vector<Run>& runs;
        ~Release() {
            for (const Run& run : runs) run.buffer->release(run.at);
        }
    } release{runs};
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), std::greater<>());
        Run& run = runs[heap.back().second];
        Event& e = events.emplace_back();
        try {
            run.at = run.buffer->read(run.at, e);
        } catch (...) {
            events.pop_back();
            throw;
        }
        if (run.at < run.end) {
            heap.back().first = run.buffer->record(run.at).time;
            std::push_heap(heap.begin(), heap.end(), std::greater<>());
        } else {
            heap.pop_back();
        }
    }
    for (const Run& run : runs) {
        if (const std::uint64_t lost = run.buffer->take_dropped(); lost != 0) {
            Event& gap = events.emplace_back();
            gap.kind = EventKind::Gap;
            gap.time = detail::Tracer::now();
            gap.thread = run.buffer->index;
            gap.peer = lost;
            gap.arg = static_cast<std::uint32_t>(trace::GapSource::ThreadBuffer);
        }
    }
    core.tracer.free_retired();
    return fullest;
}

namespace {

/// Brings `listed` (by id) up to date with what `delta` says changed.
void update_listed(std::vector<IsolateMetrics>& listed, const SnapshotDelta& delta) {
    if (!delta.removed.empty()) {
        const std::set<IsolateId> gone(delta.removed.begin(), delta.removed.end());
        std::erase_if(listed, [&](const IsolateMetrics& m) { return gone.contains(m.id); });
    }
    for (const IsolateMetrics& m : delta.changed) {
        // New isolates have ids from their threads' latest blocks: an
        // insert near the end.
        auto at = std::lower_bound(listed.begin(), listed.end(), m.id,
                                   [](const IsolateMetrics& l, IsolateId id) { return l.id < id; });
        if (at != listed.end() && at->id == m.id)
            *at = m;
        else
            listed.insert(at, m);
    }
}

} // namespace

void Observer::Impl::publish() {
    std::vector<Event> events = std::exchange(pending, {});
    const std::uint64_t now = detail::Tracer::now();
    last_poll = now;
    SnapshotDelta delta = book.take_delta(now);
    ClusterSnapshot& totals = delta.totals;
    totals.rss_bytes = resident_bytes();
    // Isolates, with their control block, and the messages waiting in
    // mailboxes, plus the trace buffers: the runtime's own live objects.
    totals.runtime_bytes = book.size() * (sizeof(detail::IsolateCore) + 32) + book.queued() * sizeof(detail::Event) +
                           core.tracer.buffer_bytes();

    Batch batch;
    batch.sequence = ++sequence;
    batch.events = std::move(events);
    batch.delta = std::move(delta);
    ClusterSnapshot whole = batch.delta.totals;

    std::vector<std::shared_ptr<Subscription>> targets;
    {
        std::lock_guard lock(published_mutex);
        try {
            if (relist) {
                latest.isolates = book.isolates();
            } else {
                update_listed(latest.isolates, batch.delta);
            }
            relist = false;
        } catch (...) {
            relist = true;  // the list may be half updated: the next publish lists every isolate again
            throw;
        }
        std::vector<IsolateMetrics> listed = std::move(latest.isolates);
        latest = std::move(whole);
        latest.isolates = std::move(listed);
        targets = subscribers;
    }
    // Subscribers copy under their own locks; `latest` is only replaced
    // under poll_mutex, which this thread holds.
    // Each subscriber gets a copy but the last, which takes the batch
    // itself; one that takes only some kinds, a copy of just those.
    for (std::size_t i = 0; i < targets.size(); ++i) {
        Subscription::State& target = *targets[i]->state();
        if (!target.kinds.is_all())
            target.offer(only(batch, target.kinds), latest);
        else
            target.offer(i + 1 < targets.size() ? Batch(batch) : std::move(batch), latest);
    }
}

void Observer::Impl::run_monitor() {
    using std::chrono::microseconds;
    // Polls come often enough that the fullest buffer is about this full
    // when drained, whatever the event rate: far from dropping, yet in
    // batches large enough to be cheap.
    constexpr double target_fill = 0.25;
    constexpr microseconds shortest{250};
    const microseconds longest = options.interval;
    microseconds wait = longest;
    auto last = std::chrono::steady_clock::now();
    // A producer waiting for room wakes the monitor early.
    while (!stopping.load(std::memory_order_acquire)) {
        core.tracer.sleep_until_drain_wanted(wait);
        if (stopping.load(std::memory_order_acquire)) break;
        const auto now = std::chrono::steady_clock::now();
        const auto filled_in = std::chrono::duration_cast<microseconds>(now - last);
        last = now;
        double fullest = 0;
        try {
            fullest = Observer::poll_impl(*this, false);
        } catch (...) {
            // Out of memory while publishing: this batch is lost, the
            // runtime goes on, and the next poll tries again.
        }
        wait = fullest <= 0 ? longest
                            : std::clamp(microseconds(static_cast<std::int64_t>(
                                             static_cast<double>(filled_in.count()) * target_fill / fullest)),
                                         shortest, longest);
    }
}

// ---- Observer ---------------------------------------------------------------------

Observer::Observer(Runtime& runtime, ObserverOptions options) : impl_(std::make_unique<Impl>(runtime, options)) {
    detail::Tracer& tracer = runtime.core().tracer;
    if (!tracer.attach()) throw StateError("iso::Observer: this runtime already has an observer");
    tracer.set_buffer_records(options.thread_buffer_records);
    tracer.set_payload(options.payload, options.payload_limit);
    if (options.interval.count() > 0) {
        try {
            impl_->monitor = std::thread([this] {
                detail::name_this_thread("iso-observer");
                impl_->run_monitor();
            });
        } catch (...) {
            tracer.detach();
            throw;
        }
        // Only with the monitor running: a producer could wait on itself to poll.
        tracer.set_full_wait(options.full_wait);
    }
    tracer.set_on(options.tracing);
}

Observer::~Observer() {
    detail::Tracer& tracer = impl_->core.tracer;
    tracer.set_full_wait({});  // the monitor is about to stop draining
    {
        std::lock_guard lock(impl_->published_mutex);
        for (const auto& s : impl_->subscribers) s->state()->stop_waiting();
    }
    impl_->stopping.store(true, std::memory_order_release);
    tracer.wake_consumer();
    if (impl_->monitor.joinable()) impl_->monitor.join();
    tracer.set_on(false);
    try {
        poll();
    } catch (...) {
    }
    for (const auto& s : impl_->subscribers) s->state()->close();
    tracer.detach();
}

void Observer::set_tracing(bool on) { impl_->core.tracer.set_on(on); }
bool Observer::tracing() const { return impl_->core.tracer.on(); }

void Observer::set_filter(std::vector<Path> prefixes) {
    detail::RuntimeCore& core = impl_->core;
    core.tracer.set_filter(std::move(prefixes));
    core.live_isolates.for_each([&](detail::IsolateCore& i) { core.tracer.apply_filter(i); });
}

void Observer::set_payload_capture(trace::PayloadCapture capture, std::size_t limit) {
    impl_->core.tracer.set_payload(capture, limit);
}

trace::PayloadCapture Observer::payload_capture() const { return impl_->core.tracer.payload(); }

void Observer::set_full_wait(std::chrono::microseconds wait) {
    std::lock_guard lock(impl_->published_mutex);
    impl_->options.full_wait = wait;
    if (impl_->monitor.joinable()) impl_->core.tracer.set_full_wait(wait);
}

std::shared_ptr<Subscription> Observer::subscribe(std::size_t capacity, bool whole, trace::KindSet kinds) {
    std::lock_guard lock(impl_->published_mutex);
    // Only with the monitor: poll() callers must not wait on a subscriber.
    const bool can_wait = whole && impl_->options.interval.count() > 0;
    auto s = std::make_shared<Subscription>(std::make_shared<Subscription::State>(
        capacity, can_wait ? impl_->options.full_wait : std::chrono::microseconds(0), kinds));
    impl_->subscribers.push_back(s);
    return s;
}

void Observer::unsubscribe(const std::shared_ptr<Subscription>& subscription) {
    {
        std::lock_guard lock(impl_->published_mutex);
        std::erase(impl_->subscribers, subscription);
    }
    subscription->state()->close();
}

void Observer::poll() { poll_impl(*impl_, true); }

double Observer::poll_impl(Impl& impl, bool publish) {
    std::lock_guard lock(impl.poll_mutex);
    const std::size_t from = impl.pending.size();
    const double fullest = impl.drain(impl.pending);
    for (std::size_t i = from; i < impl.pending.size(); ++i) impl.book.apply(impl.pending[i]);
    put_in_time_order(impl.pending, from);
    const auto interval = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(impl.options.interval).count());
    if (publish || impl.pending.size() >= batch_events || detail::Tracer::now() - impl.last_poll >= interval) {
        impl.book.merge_live(impl.runtime.isolates());
        impl.publish();
    }
    return fullest;
}
ClusterSnapshot Observer::snapshot() const {
    std::lock_guard lock(impl_->published_mutex);
    return impl_->latest;
}

std::vector<Event> Observer::current_state_events() const {
    std::lock_guard lock(impl_->poll_mutex);
    return impl_->book.current_state_events(detail::Tracer::now());
}

Runtime& Observer::runtime() const noexcept { return impl_->runtime; }

} // namespace iso
