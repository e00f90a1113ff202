#include "tracer.h"

#include "isolatecore.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <optional>

namespace iso::detail {

namespace {

constexpr std::size_t slot_bytes = sizeof(trace::Record);
/// The most text one record carries; longer payloads are cut and flagged.
constexpr std::size_t max_text = 16 * 1024;

std::size_t slots_for(std::size_t text_bytes) { return 1 + (text_bytes + slot_bytes - 1) / slot_bytes; }

std::atomic<std::uint64_t> next_serial{1};

} // namespace

// ---- ThreadBuffer -------------------------------------------------------------

ThreadBuffer::ThreadBuffer(std::uint16_t i, std::size_t capacity)
    : index(i), capacity_(std::bit_ceil(std::max<std::size_t>(capacity, 1024))),
      slots_(std::make_unique<Slot[]>(capacity_)) {}

bool ThreadBuffer::try_write(const trace::Record& record, std::uint64_t time, std::uint8_t flags,
                             std::string_view text) noexcept {
    const std::size_t needed = slots_for(text.size());
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (head + needed - cached_tail_ > capacity_) {
        cached_tail_ = tail_.load(std::memory_order_acquire);
        if (head + needed - cached_tail_ > capacity_) return false;
    }
    const std::size_t mask = capacity_ - 1;
    trace::Record& to = slots_[head & mask].record;
    to = record;
    to.time = time;
    to.flags |= flags;
    to.text_size = static_cast<std::uint32_t>(text.size());
    for (std::size_t done = 0, slot = 1; done < text.size(); done += slot_bytes, ++slot) {
        auto* text_slot = reinterpret_cast<char*>(&slots_[(head + slot) & mask].record);
        std::memcpy(text_slot, text.data() + done, std::min(slot_bytes, text.size() - done));
    }
    head_.store(head + needed, std::memory_order_release);
    return true;
}

std::uint64_t ThreadBuffer::read(std::uint64_t at, trace::Event& out) const {
    static_cast<trace::Record&>(out) = record(at);
    out.thread = index;
    const std::size_t size = out.text_size;
    if (size != 0) {
        out.text.resize(size);
        for (std::size_t done = 0, slot = 1; done < size; done += slot_bytes, ++slot) {
            const auto* from = reinterpret_cast<const char*>(&record(at + slot));
            std::memcpy(out.text.data() + done, from, std::min(slot_bytes, size - done));
        }
    }
    return at + slots_for(size);
}

std::uint64_t ThreadBuffer::take_dropped() noexcept { return dropped_.exchange(0, std::memory_order_relaxed); }

// ---- Tracer clock -------------------------------------------------------------

namespace {

std::uint64_t steady_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

#if defined(__x86_64__)
/// The TSC is a clock only when the kernel trusts it as one: invariant and
/// in step across CPUs.
bool kernel_clock_is_tsc() noexcept {
    std::FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (f == nullptr) return false;
    char name[16] = {};
    const bool tsc = std::fgets(name, sizeof name, f) != nullptr && std::strncmp(name, "tsc\n", 4) == 0;
    std::fclose(f);
    return tsc;
}

struct Reading {
    std::uint64_t tsc = 0;
    std::uint64_t ns = 0;
};

/// A TSC value and the steady time read right after it, from the tightest
/// of a few tries; ns is never earlier than the moment of tsc, so scaled
/// times never fall behind what the steady clock said before.
Reading read_both() noexcept {
    Reading best;
    std::uint64_t best_width = ~std::uint64_t(0);
    for (int i = 0; i < 5; ++i) {
        const std::uint64_t before = __builtin_ia32_rdtsc();
        const std::uint64_t ns = steady_ns();
        const std::uint64_t width = __builtin_ia32_rdtsc() - before;
        if (width < best_width) best = {before, ns}, best_width = width;
    }
    return best;
}

/// How long the TSC is measured against the steady clock: a 40 ns error at
/// either end is then a slope error of 0.4 ppm, 1.5 ms an hour.
constexpr std::uint64_t calibration_ns = 200'000'000;
#endif

} // namespace

std::uint64_t Tracer::steady_now() noexcept {
    const std::uint64_t ns = steady_ns();
#if defined(__x86_64__)
    static const std::optional<Reading> start =
        kernel_clock_is_tsc() ? std::optional<Reading>(read_both()) : std::nullopt;
    static std::atomic<bool> measured{false};
    if (start && ns >= start->ns + calibration_ns && !measured.exchange(true)) {
        static TscScale scale;
        const Reading end = read_both();
        // A TSC that did not move (or went back) is no clock: keep the steady one.
        if (end.tsc > start->tsc) {
            const double ns_per_tick =
                static_cast<double>(end.ns - start->ns) / static_cast<double>(end.tsc - start->tsc);
            scale = {end.tsc, end.ns, ns_per_tick};
            tsc_scale_.store(&scale, std::memory_order_release);
        }
    }
#endif
    return ns;
}

// ---- Tracer --------------------------------------------------------------------

Tracer::Tracer() : serial_(next_serial.fetch_add(1)) {}
Tracer::~Tracer() = default;

void Tracer::set_payload(trace::PayloadCapture capture, std::size_t limit) noexcept {
    payload_limit_.store(std::min(limit, max_text), std::memory_order_relaxed);
    payload_.store(capture, std::memory_order_relaxed);
}

void Tracer::set_filter(std::vector<Path> prefixes) {
    std::lock_guard lock(mutex_);
    filter_ = std::move(prefixes);
    filtered_.store(!filter_.empty(), std::memory_order_relaxed);
}

namespace {
bool under_any(const std::vector<Path>& filter, const Path* path) {
    if (filter.empty()) return true;
    if (path == nullptr) return false;
    return std::any_of(filter.begin(), filter.end(),
                       [&](const Path& p) { return p == *path || p.is_ancestor_of(*path); });
}
} // namespace

void Tracer::apply_filter(IsolateCore& isolate) const {
    std::lock_guard lock(mutex_);
    auto it = paths_.find(isolate.id());
    isolate.set_traced(under_any(filter_, it == paths_.end() ? nullptr : &it->second));
}

void Tracer::name_isolate(IsolateCore& isolate, const Path& path) {
    std::lock_guard lock(mutex_);
    paths_.insert_or_assign(isolate.id(), path);
    isolate.set_traced(under_any(filter_, &path));
}

void Tracer::forget_isolate(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    paths_.erase(id);
}

std::uint64_t Tracer::next_message_id() noexcept {
    // Each thread takes ids in blocks, so that ids cost no shared write.
    static std::atomic<std::uint64_t> next_block{1};
    constexpr std::uint64_t block = 1 << 12;
    thread_local std::uint64_t next = 0, end = 0;
    if (next == end) {
        next = next_block.fetch_add(1, std::memory_order_relaxed) * block;
        end = next + block;
    }
    return next++;
}

namespace {

/// The buffers a thread wrote to, retired when it ends so that a program
/// whose threads come and go does not keep a buffer per thread it ever had.
struct ThreadBuffers {
    std::vector<std::weak_ptr<ThreadBuffer>> entries;
    ~ThreadBuffers() {
        for (const auto& e : entries)
            if (auto b = e.lock()) b->retired.store(true);
    }
};
thread_local ThreadBuffers thread_buffers;

} // namespace

ThreadBuffer* Tracer::local_buffer() noexcept {
    struct Cache {
        std::uint64_t serial = 0;
        ThreadBuffer* buffer = nullptr;
    };
    thread_local Cache cache;
    if (cache.serial == serial_) return cache.buffer;
    try {
        std::lock_guard lock(mutex_);
        // A thread that alternates between runtimes finds its buffer again.
        for (const auto& b : buffers_)
            if (b->producer == std::this_thread::get_id() && !b->retired) {
                cache = Cache{serial_, b.get()};
                return cache.buffer;
            }
        // The smallest index not in use: indices stay small however many
        // threads have come and gone.
        std::vector<bool> used(buffers_.size() + 2, false);
        for (const auto& b : buffers_)
            if (b->index < used.size()) used[b->index] = true;
        std::uint16_t index = 1;
        while (used[index]) ++index;
        auto buffer = std::make_shared<ThreadBuffer>(index, buffer_records_.load());
        thread_buffers.entries.push_back(buffer);
        buffers_.push_back(std::move(buffer));
        cache = Cache{serial_, buffers_.back().get()};
        return cache.buffer;
    } catch (...) {
        return nullptr;  // out of memory: the event is lost, the runtime goes on
    }
}

void Tracer::free_retired() {
    std::lock_guard lock(mutex_);
    std::erase_if(buffers_, [](const std::shared_ptr<ThreadBuffer>& b) { return b->retired && b->empty(); });
}

// The record goes from the caller's frame straight into the ring: copying
// 64 bytes that were just written field by field stalls on store forwarding.
void Tracer::emit(const trace::Record& record, std::string_view text) noexcept {
    ThreadBuffer* buffer = local_buffer();
    if (buffer == nullptr) return;
    std::uint8_t flags = 0;
    if (text.size() > max_text) {
        text = text.substr(0, max_text);
        flags = static_cast<std::uint8_t>(trace::Flag::PayloadTruncated);
    }
    if (buffer->try_write(record, record.time != 0 ? record.time : now(), flags, text)) return;
    const std::uint64_t wait_ns = full_wait_ns_.load(std::memory_order_relaxed);
    if (wait_ns == 0 || !write_when_room(*buffer, record, flags, text, wait_ns)) buffer->count_drop();
}

// First yielding, since on a machine with few cores the consumer may need
// this very core, then sleeping briefly, so that a long wait burns little.
// The time is taken when there is room, so that records stay in order.
bool Tracer::write_when_room(ThreadBuffer& buffer, const trace::Record& record, std::uint8_t flags,
                             std::string_view text, std::uint64_t wait_ns) noexcept {
    wake_consumer();
    const std::uint64_t deadline = now() + wait_ns;
    for (unsigned tries = 1;; ++tries) {
        if (tries <= 64)
            std::this_thread::yield();
        else
            std::this_thread::sleep_for(std::chrono::microseconds(20));
        if (buffer.try_write(record, record.time != 0 ? record.time : now(), flags, text)) return true;
        if (now() >= deadline) return false;
        if (tries % 64 == 0) wake_consumer();
    }
}

void Tracer::sleep_until_drain_wanted(std::chrono::microseconds timeout) {
    std::unique_lock lock(drain_mutex_);
    drain_wanted_.wait_for(lock, timeout, [&] { return drain_requested_; });
    drain_requested_ = false;
}

void Tracer::wake_consumer() noexcept {
    try {
        std::lock_guard lock(drain_mutex_);
        drain_requested_ = true;
    } catch (...) {
        return;  // the consumer wakes at its next timeout instead
    }
    drain_wanted_.notify_all();
}

void Tracer::emit_with_payload(const trace::Record& record, const Value& payload) noexcept {
    const auto capture = payload_.load(std::memory_order_relaxed);
    if (capture == trace::PayloadCapture::None) {
        emit(record);
        return;
    }
    std::string text;
    try {
        text = payload.to_json();
    } catch (...) {
        text = "(no JSON form)";
    }
    if (capture == trace::PayloadCapture::Prefix && text.size() > payload_limit_.load(std::memory_order_relaxed)) {
        text.resize(payload_limit_.load(std::memory_order_relaxed));
        trace::Record cut = record;
        cut.flags |= static_cast<std::uint8_t>(trace::Flag::PayloadTruncated);
        emit(cut, text);
        return;
    }
    emit(record, text);
}

std::vector<std::shared_ptr<ThreadBuffer>> Tracer::buffers() const {
    std::lock_guard lock(mutex_);
    return buffers_;
}

std::size_t Tracer::buffer_bytes() const {
    std::lock_guard lock(mutex_);
    std::size_t bytes = 0;
    for (const auto& b : buffers_) bytes += sizeof(ThreadBuffer) + b->capacity_bytes();
    return bytes;
}

} // namespace iso::detail
