#include "control.h"
#include "isolatecore.h"
#include "fifo.h"
#include "idpages.h"
#include "portcell.h"
#include "runtimecore.h"

#include <iso/receiveport.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <type_traits>

namespace iso::detail {

namespace {

/// Every open port of the process by id: ReceivePorts by their cell, control
/// ports by their isolate. A port is made with every isolate, on any worker;
/// each thread takes its ids a page at a time (see IdPages).
class PortTable {
public:
    /// Never destroyed: isolates of the global runtime close their ports
    /// during static destruction, after a static table would be gone, and
    /// threads give their ids back after that too.
    static PortTable& instance() {
        static PortTable* table = new PortTable;
        return *table;
    }
    template <typename T> PortId add(T* target) {
        return ids_.add(thread_block().block, tag(target));
    }
    void remove(PortId id) { ids_.remove(id); }
    /// Null when absent, of the other kind, or being destroyed.
    template <typename T> std::shared_ptr<T> find(PortId id) {
        return ids_.with(id, [](void* tagged) -> std::shared_ptr<T> {
            T* target = untag<T>(tagged);
            return target != nullptr ? target->weak_from_this().lock() : nullptr;
        });
    }

private:
    // The low bit says which kind a pointer is: both are aligned to 8.
    template <typename T> static constexpr std::uintptr_t kind() { return std::is_same_v<T, IsolateCore> ? 1 : 0; }
    template <typename T> static void* tag(T* target) {
        return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(target) | kind<T>());
    }
    template <typename T> static T* untag(void* tagged) {
        const auto bits = reinterpret_cast<std::uintptr_t>(tagged);
        return tagged != nullptr && (bits & 1) == kind<T>() ? reinterpret_cast<T*>(bits & ~std::uintptr_t{1}) : nullptr;
    }

    struct ThreadBlock {
        IdPages::Block block;
        ~ThreadBlock() { instance().ids_.release(block); }
    };
    static ThreadBlock& thread_block() {
        thread_local ThreadBlock block;
        return block;
    }

    IdPages ids_;
};

} // namespace

PortId register_control_port(IsolateCore* isolate) { return PortTable::instance().add(isolate); }

void unregister_port(PortId id) { PortTable::instance().remove(id); }

std::shared_ptr<IsolateCore> find_control_port(NodeId node, PortId id) {
    auto isolate = PortTable::instance().find<IsolateCore>(id);
    if (isolate && isolate->runtime().node != node) return nullptr;
    return isolate;
}

PortCell::PortCell(std::shared_ptr<IsolateCore> owner_core)
    : id(PortTable::instance().add(this)), owner(std::move(owner_core)) {}

PortCell::~PortCell() { PortTable::instance().remove(id); }

PortCell& PortAccess::cell(RawReceivePort& port) { return *port.cell_; }

std::shared_ptr<PortCell> PortCell::find(NodeId node_id, PortId port_id) {
    auto cell = PortTable::instance().find<PortCell>(port_id);
    if (cell && cell->owner->runtime().node != node_id) return nullptr;
    return cell;
}

void send_control(const SendPort& control_port, ControlMessage message) {
    if (const IsolateCore* sender = IsolateCore::current()) message.requester = sender->id();
    if (auto isolate = find_control_port(control_port.node(), control_port.id()))
        isolate->post_control(std::move(message));
}

namespace {

std::shared_ptr<PortCell> open_port(const char* what) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) throw StateError(std::string(what) + " can only be made inside an isolate");
    auto cell = std::make_shared<PortCell>(core->shared_from_this());
    core->add_port(cell);
    return cell;
}

void require_owner(const PortCell& cell, const char* what) {
    if (IsolateCore::current() != cell.owner.get())
        throw StateError(std::string(what) + " may only be called by the isolate that owns the port");
}

} // namespace

} // namespace iso::detail

namespace iso {

using detail::IsolateCore;
using detail::PortCell;

SendPort::SendPort(std::shared_ptr<detail::PortCell> cell) noexcept
    : cell_(std::move(cell)), node_(cell_->owner->runtime().node), id_(cell_->id) {}

namespace detail {

std::uint64_t trace_send(Tracer& tracer, const PortCell* cell, PortId port, const Value& message) {
    const std::uint64_t id = Tracer::next_message_id();
    const IsolateCore* sender = IsolateCore::current();
    const IsolateCore* receiver = cell != nullptr ? cell->owner.get() : nullptr;
    // Either end being traced shows the arrow: a filter on a path sees what
    // goes in as well as what comes out. A receiver yet to be named (a path
    // whose isolate is starting) may be traced: its Enqueue will need this.
    const bool shown =
        receiver == nullptr || receiver->traced() || (sender != nullptr && sender->traced());
    if (!shown) return id;
    trace::Record r;
    r.kind = trace::Kind::Send;
    r.isolate = sender != nullptr ? sender->id() : 0;
    r.message = id;
    r.cause = sender != nullptr ? sender->handling() : 0;
    r.port = port;
    if (receiver != nullptr) {
        r.peer = receiver->id();
        // Read before the push, as the mailbox will hold it; a closed port
        // takes it to no mailbox.
        if (!cell->closed.load(std::memory_order_relaxed))
            r.arg = static_cast<std::uint32_t>(std::min<std::size_t>(receiver->mailbox_depth() + 1, UINT32_MAX));
    }
    tracer.emit_with_payload(r, message);
    return id;
}

} // namespace detail

void SendPort::send(Value message) const { send(std::move(message), 0); }

void SendPort::send(Value message, std::uint64_t message_id) const {
    // The cached cell is only borrowed: the message carries the port's
    // address, and this SendPort keeps the cell until the push is done.
    std::shared_ptr<PortCell> resolved = cell_ ? nullptr : PortCell::find(node_, id_);
    const PortCell* cell = cell_ ? cell_.get() : resolved.get();
    if (cell == nullptr) {
        const auto reason = id_ == 0 ? DeadLetterReason::InvalidPort : DeadLetterReason::UnknownPort;
        auto& runtime = Runtime::current().core();
        runtime.counters.count_sent();
        if (message_id == 0 && runtime.tracer.on()) [[unlikely]]
            message_id = detail::trace_send(runtime.tracer, nullptr, id_, message);
        runtime.dead_letters.record(reason, node_, id_, message, 0, message_id);
        return;
    }
    detail::RuntimeCore& runtime = cell->owner->runtime();
    runtime.counters.count_sent();
    // An id given is that of a send traced earlier, delivered now.
    const bool sent_earlier = message_id != 0;
    if (!sent_earlier && runtime.tracer.on()) [[unlikely]]
        message_id = detail::trace_send(runtime.tracer, cell, cell->id, message);
    if (cell->closed.load(std::memory_order_acquire)) {
        const auto reason = cell->awaits_reply.load(std::memory_order_relaxed) ? DeadLetterReason::LateReply
                            : cell->owner->dead()                               ? DeadLetterReason::IsolateDead
                                                                                : DeadLetterReason::PortClosed;
        runtime.dead_letters.record(reason, node_, id_, message, cell->owner->id(), message_id);
        return;
    }
    IsolateCore& owner = *cell->owner;
    owner.post_message(cell->id, std::move(message), message_id, sent_earlier);
}

// ---- RawReceivePort ---------------------------------------------------------

RawReceivePort::RawReceivePort(std::function<void(Value)> handler)
    : cell_(detail::open_port("RawReceivePort")) {
    cell_->handler = std::move(handler);
}

void RawReceivePort::set_handler(std::function<void(Value)> handler) {
    detail::require_owner(*cell_, "RawReceivePort::set_handler");
    if (is_closed()) return;
    // The old handler may be the one running now.
    if (cell_->handler) cell_->owner->retire(std::move(cell_->handler));
    cell_->handler = std::move(handler);
}

SendPort RawReceivePort::send_port() const { return SendPort(cell_); }

void RawReceivePort::close() {
    detail::require_owner(*cell_, "RawReceivePort::close");
    cell_->owner->close_port(*cell_, false);
}

bool RawReceivePort::is_closed() const { return cell_->closed.load(std::memory_order_acquire); }

void RawReceivePort::keep_isolate_alive(bool keep) {
    detail::require_owner(*cell_, "RawReceivePort::keep_isolate_alive");
    if (is_closed() || cell_->keeps_alive == keep) return;
    cell_->keeps_alive = keep;
    if (keep)
        cell_->owner->retain();
    else
        cell_->owner->release();
}

// ---- ReceivePort --------------------------------------------------------------

/// The stream behind a ReceivePort. The port's handler holds it, so it lives
/// while the port is open even when every ReceivePort handle is gone.
/// Messages the port has received stay readable after close(), as in Dart;
/// those never read are dead letters when the stream goes away.
struct ReceivePort::Stream {
    enum class Mode : std::uint8_t { Unclaimed, Listen, First, Iterate };

    std::shared_ptr<PortCell> cell;
    detail::Fifo<Value> buffer;
    Mode mode = Mode::Unclaimed;
    bool closed = false;
    bool draining = false;  // buffered messages are being handed to a new listener
    std::function<void(Value)> on_data;
    std::function<void()> on_done;
    detail::Fifo<Promise<std::optional<Value>>> waiters;
    std::optional<Promise<Value>> first;

    ~Stream() { dead_letter_buffer(); }

    void claim(Mode wanted, const char* what) {
        detail::require_owner(*cell, what);
        if (mode != Mode::Unclaimed && !(mode == Mode::Iterate && wanted == Mode::Iterate))
            throw StateError(std::string(what) + ": the stream has already been listened to");
        mode = wanted;
    }

    void deliver(Value message) {
        if (mode == Mode::Listen && !draining) {
            on_data(std::move(message));
        } else if (mode == Mode::First && first) {
            auto promise = std::move(*first);
            first.reset();
            cell->owner->close_port(*cell, false);
            promise.set_value(std::move(message));
        } else if (mode == Mode::Iterate && !waiters.empty()) {
            waiters.pop().set_value(std::move(message));
        } else {
            buffer.push(std::move(message));
        }
    }

    void on_closed(bool isolate_ending) {
        closed = true;
        if (isolate_ending) {  // nothing more runs on a dead isolate
            dead_letter_buffer();
            release_listener();
            return;
        }
        if (first) {
            auto promise = std::move(*first);
            first.reset();
            promise.set_error(StateError("ReceivePort::first: the port closed before a message came"));
        }
        while (!waiters.empty()) waiters.pop().set_value(std::nullopt);
        if (mode == Mode::Listen && !draining) finish_listening();
    }

    void drain_to_listener() {
        while (on_data && !buffer.empty()) on_data(buffer.pop());
        draining = false;
        if (closed) finish_listening();
    }

    void finish_listening() {
        auto done = std::move(on_done);
        release_listener();
        if (done) done();
    }

    // The listener often holds this port; letting go of it ends that cycle.
    // It may be running right now, so the isolate keeps it until the event ends.
    void release_listener() {
        if (on_data) cell->owner->retire(std::move(on_data));
        on_data = nullptr;
        on_done = nullptr;
    }

    void dead_letter_buffer() {
        while (!buffer.empty())
            cell->owner->runtime().dead_letters.record(DeadLetterReason::Unread, cell->owner->runtime().node, cell->id, buffer.pop());
    }
};

ReceivePort::ReceivePort() : stream_(std::make_shared<Stream>()) {
    stream_->cell = detail::open_port("ReceivePort");
    stream_->cell->handler = [s = stream_](Value message) { s->deliver(std::move(message)); };
    // Closing breaks the cell -> handler -> stream -> cell cycle.
    stream_->cell->on_close = std::make_unique<std::function<void(bool)>>(
        [s = stream_](bool isolate_ending) { s->on_closed(isolate_ending); });
}

SendPort ReceivePort::send_port() const { return SendPort(stream_->cell); }

void ReceivePort::listen(std::function<void(Value)> on_data, std::function<void()> on_done) {
    Stream& s = *stream_;
    s.claim(Stream::Mode::Listen, "ReceivePort::listen");
    s.on_data = std::move(on_data);
    s.on_done = std::move(on_done);
    if (s.buffer.empty() && !s.closed) return;
    // Buffered messages reach the listener right after the current event, as
    // a subscription's would; messages arriving meanwhile queue behind them.
    s.draining = true;
    s.cell->owner->retain();
    s.cell->owner->post_task([stream = stream_] { stream->drain_to_listener(); }, true);
}

Future<Value> ReceivePort::first() {
    Stream& s = *stream_;
    s.claim(Stream::Mode::First, "ReceivePort::first");
    if (!s.buffer.empty()) {
        Value message = s.buffer.pop();
        if (!s.closed) s.cell->owner->close_port(*s.cell, false);
        return Future<Value>::ready(std::move(message));
    }
    if (s.closed)
        return Future<Value>::failed(std::make_exception_ptr(StateError("ReceivePort::first: the port is closed")));
    s.first.emplace();
    return s.first->future();
}

Future<std::optional<Value>> ReceivePort::next() {
    Stream& s = *stream_;
    s.claim(Stream::Mode::Iterate, "ReceivePort::next");
    if (!s.buffer.empty()) return Future<std::optional<Value>>::ready(s.buffer.pop());
    if (s.closed) return Future<std::optional<Value>>::ready(std::nullopt);
    Promise<std::optional<Value>> waiter;
    auto next_message = waiter.future();
    s.waiters.push(std::move(waiter));
    return next_message;
}

void ReceivePort::close() {
    detail::require_owner(*stream_->cell, "ReceivePort::close");
    stream_->cell->owner->close_port(*stream_->cell, false);
}

bool ReceivePort::is_closed() const { return stream_->cell->closed.load(std::memory_order_acquire); }

} // namespace iso
