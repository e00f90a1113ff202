// Recorder: an observer subscription drained into a FileWriter on a thread
// of its own.

#include "threadname.h"

#include <iso/tracefile.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

namespace iso::trace {

namespace {

// stop() wakes the recording thread by unsubscribing; the timeout only
// bounds how long it sleeps between looks at the stop flag otherwise.
constexpr std::chrono::milliseconds stop_check{500};

std::uint64_t steady_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch()).count());
}

std::int64_t wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Fills in the clocks a caller left at zero; a given start_time keeps
/// its wall clock consistent with it.
FileInfo with_clocks(FileInfo info) {
    const std::uint64_t steady_now = steady_ns();
    const std::int64_t wall_now = wall_ns();
    if (info.start_time == 0) info.start_time = steady_now;
    if (info.wall_clock_ns == 0)
        info.wall_clock_ns = wall_now - static_cast<std::int64_t>(steady_now - info.start_time);
    return info;
}

Event gap_event(const Batch& batch) {
    Event gap;
    gap.kind = Kind::Gap;
    // Before the batch's own events: that is where the missing ones were.
    gap.time = batch.events.empty() ? steady_ns() : batch.events.front().time;
    gap.peer = batch.missed_events;
    gap.arg = static_cast<std::uint32_t>(GapSource::Subscriber);
    return gap;
}

} // namespace

struct Recorder::Impl {
    Observer& observer;
    FileWriter writer;
    std::shared_ptr<Subscription> subscription;
    std::vector<Event> initial;
    std::thread thread;
    std::atomic<bool> stopping{false};
    bool stopped = false;  // only the thread that owns the Recorder touches it

    // Written by the recording thread, read by stats() from any thread.
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> chunks{0};
    std::atomic<std::uint64_t> missed{0};
    std::exception_ptr error;  // read only after join()

    Impl(Observer& o, const std::filesystem::path& path, const FileInfo& info)
        : observer(o), writer(path, with_clocks(info)) {
        // Subscribing before taking the state loses nothing in between; an
        // isolate spawned in that window may be named twice, and a reader
        // takes the second Spawn as a repeat (it names, it does not count).
        subscription = observer.subscribe(std::size_t(1) << 20, true);
        initial = observer.current_state_events();
    }

    void publish_stats() {
        events.store(writer.events_written(), std::memory_order_relaxed);
        bytes.store(writer.bytes_written(), std::memory_order_relaxed);
        chunks.store(writer.chunks_written(), std::memory_order_relaxed);
    }

    void write(const Batch& batch) {
        if (batch.missed_batches > 0 || batch.missed_events > 0) {
            writer.append(gap_event(batch));
            missed.fetch_add(batch.missed_events, std::memory_order_relaxed);
        }
        writer.append(batch.events);
        publish_stats();
    }

    void run() {
        try {
            writer.append(initial);
            initial = {};
            publish_stats();
            while (!stopping.load(std::memory_order_acquire)) {
                if (auto batch = subscription->next(stop_check)) write(*batch);
                else if (subscription->closed()) break;
            }
            for (const Batch& batch : subscription->take_all()) write(batch);
            writer.close();
            publish_stats();
        } catch (...) {
            error = std::current_exception();
            // Nothing more will be written: stop the observer queueing for us.
            observer.unsubscribe(subscription);
        }
    }

    RecorderStats stop() {
        if (!stopped) {
            stopped = true;
            stopping.store(true, std::memory_order_release);
            // Closes the subscription, which wakes the thread; what was
            // published before stays queued for it to write.
            observer.unsubscribe(subscription);
            thread.join();
        }
        if (error) std::rethrow_exception(error);
        return stats();
    }

    RecorderStats stats() const {
        return {events.load(std::memory_order_relaxed), bytes.load(std::memory_order_relaxed),
                chunks.load(std::memory_order_relaxed), missed.load(std::memory_order_relaxed)};
    }
};

Recorder::Recorder(Observer& observer, const std::filesystem::path& path, FileInfo info)
    : impl_(std::make_unique<Impl>(observer, path, info)) {
    impl_->thread = std::thread([impl = impl_.get()] {
        detail::name_this_thread("iso-recorder");
        impl->run();
    });
}

Recorder::~Recorder() {
    try {
        impl_->stop();
    } catch (...) {
        // Nobody to report to here; stop() throws the same error.
    }
}

RecorderStats Recorder::stop() { return impl_->stop(); }

RecorderStats Recorder::stats() const { return impl_->stats(); }

} // namespace iso::trace
