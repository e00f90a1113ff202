#include "control.h"
#include "isolatecore.h"
#include "portcell.h"
#include "runtimecore.h"

#include <iso/receiveport.h>

#include <array>
#include <deque>
#include <unordered_map>

namespace iso::detail {

namespace {

/// Every open port of the process by id, so that an address decoded from
/// bytes or JSON finds its port. Sharded: ports are made with each isolate.
class PortTable {
public:
    static PortTable& instance() {
        static PortTable table;
        return table;
    }
    PortId add(PortCell* cell) {
        const PortId id = next_id_.fetch_add(1, std::memory_order_relaxed);
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        s.cells.emplace(id, cell);
        return id;
    }
    void remove(PortId id) {
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        s.cells.erase(id);
    }
    std::shared_ptr<PortCell> find(PortId id) {
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        auto it = s.cells.find(id);
        if (it == s.cells.end()) return nullptr;
        return it->second->weak_from_this().lock();  // null while the cell is being destroyed
    }
    PortId reserve() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

private:
    struct Shard {
        std::mutex mutex;
        std::unordered_map<PortId, PortCell*> cells;
    };
    Shard& shard(PortId id) { return shards_[id % shards_.size()]; }

    std::atomic<PortId> next_id_{1};
    std::array<Shard, 16> shards_;
};

DeadLetterLog& dead_letters_of_caller() { return Runtime::current().core().dead_letters; }

} // namespace

PortCell::PortCell(std::shared_ptr<IsolateCore> owner_core, NodeId node_id, bool is_control)
    : id(PortTable::instance().add(this)), node(node_id), control(is_control), owner(std::move(owner_core)) {}

PortCell::~PortCell() { PortTable::instance().remove(id); }

std::shared_ptr<PortCell> PortCell::find(NodeId node_id, PortId port_id) {
    auto cell = PortTable::instance().find(port_id);
    if (cell && cell->node != node_id) return nullptr;
    return cell;
}

void send_control(const SendPort& control_port, ControlMessage message) {
    auto cell = PortCell::find(control_port.node(), control_port.id());
    if (!cell || !cell->control) return;
    cell->owner->post_control(std::move(message));
}

namespace {

std::shared_ptr<PortCell> open_port(const char* what, std::string debug_name) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) throw StateError(std::string(what) + " can only be made inside an isolate");
    auto cell = std::make_shared<PortCell>(core->shared_from_this(), core->runtime().node, false);
    cell->debug_name = std::move(debug_name);
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
    : cell_(std::move(cell)), node_(cell_->node), id_(cell_->id) {}

void SendPort::send(Value message) const {
    std::shared_ptr<PortCell> cell = cell_ ? cell_ : PortCell::find(node_, id_);
    if (!cell || cell->control) {
        const auto reason = id_ == 0 ? DeadLetterReason::InvalidPort : DeadLetterReason::UnknownPort;
        detail::dead_letters_of_caller().record(reason, node_, id_, message);
        return;
    }
    if (cell->closed.load(std::memory_order_acquire)) {
        const auto reason = cell->owner->dead() ? DeadLetterReason::IsolateDead : DeadLetterReason::PortClosed;
        cell->owner->runtime().dead_letters.record(reason, node_, id_, message);
        return;
    }
    IsolateCore& owner = *cell->owner;
    owner.post_message(std::move(cell), std::move(message));
}

// ---- RawReceivePort ---------------------------------------------------------

RawReceivePort::RawReceivePort(std::function<void(Value)> handler, std::string debug_name)
    : cell_(detail::open_port("RawReceivePort", std::move(debug_name))) {
    cell_->handler = std::move(handler);
}

void RawReceivePort::set_handler(std::function<void(Value)> handler) {
    detail::require_owner(*cell_, "RawReceivePort::set_handler");
    if (!is_closed()) cell_->handler = std::move(handler);
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
struct ReceivePort::Stream {
    std::shared_ptr<PortCell> cell;
    std::deque<Value> buffer;
    std::function<void(Value)> on_data;
    std::function<void()> on_done;
    bool listened = false;
    bool draining = false;  // buffered messages are being handed to a new listener
    std::deque<Promise<std::optional<Value>>> waiters;
    std::optional<Promise<Value>> first;

    void deliver(Value message) {
        if (on_data && draining) {
            buffer.push_back(std::move(message));  // behind the ones being drained
        } else if (on_data) {
            on_data(std::move(message));
        } else if (first) {
            auto promise = std::move(*first);
            first.reset();
            promise.set_value(std::move(message));
            cell->owner->close_port(*cell, false);
        } else if (!waiters.empty()) {
            auto promise = std::move(waiters.front());
            waiters.pop_front();
            promise.set_value(std::move(message));
        } else {
            buffer.push_back(std::move(message));
        }
    }

    void closed(bool isolate_ending) {
        for (const Value& unread : buffer)
            cell->owner->runtime().dead_letters.record(DeadLetterReason::Unread, cell->node, cell->id, unread);
        buffer.clear();
        // The listener often holds this port; letting go of it ends that cycle.
        if (on_data) cell->owner->retire(std::move(on_data));
        on_data = nullptr;
        auto done = std::move(on_done);
        on_done = nullptr;
        if (isolate_ending) return;  // nothing more runs on a dead isolate
        if (first) {
            first->set_error(StateError("ReceivePort::first: the port closed before a message came"));
            first.reset();
        }
        for (auto& w : waiters) w.set_value(std::nullopt);
        waiters.clear();
        if (done) done();
    }
};

ReceivePort::ReceivePort(std::string debug_name) : stream_(std::make_shared<Stream>()) {
    stream_->cell = detail::open_port("ReceivePort", std::move(debug_name));
    stream_->cell->handler = [s = stream_](Value message) { s->deliver(std::move(message)); };
    // Closing breaks the cell -> handler -> stream -> cell cycle.
    stream_->cell->on_close = [s = stream_](bool isolate_ending) { s->closed(isolate_ending); };
}

SendPort ReceivePort::send_port() const { return SendPort(stream_->cell); }

void ReceivePort::listen(std::function<void(Value)> on_data, std::function<void()> on_done) {
    detail::require_owner(*stream_->cell, "ReceivePort::listen");
    Stream& s = *stream_;
    if (s.listened) throw StateError("ReceivePort: the stream has already been listened to");
    s.listened = true;
    s.on_done = std::move(on_done);
    if (s.buffer.empty()) {
        s.on_data = std::move(on_data);
        return;
    }
    // Buffered messages reach the listener in a later event, as they would
    // have; messages arriving meanwhile queue up behind them.
    s.on_data = std::move(on_data);
    s.draining = true;
    s.cell->owner->retain();
    s.cell->owner->post_task([stream = stream_] {
        while (stream->on_data && !stream->buffer.empty()) {
            Value message = std::move(stream->buffer.front());
            stream->buffer.pop_front();
            stream->on_data(std::move(message));
        }
        stream->draining = false;
    }, true);
}

Future<Value> ReceivePort::first() {
    detail::require_owner(*stream_->cell, "ReceivePort::first");
    Stream& s = *stream_;
    if (s.listened) throw StateError("ReceivePort: the stream has already been listened to");
    s.listened = true;
    if (!s.buffer.empty()) {
        Value message = std::move(s.buffer.front());
        s.buffer.pop_front();
        close();
        return Future<Value>::ready(std::move(message));
    }
    if (is_closed())
        return Future<Value>::failed(
            std::make_exception_ptr(StateError("ReceivePort::first: the port is closed")));
    s.first.emplace();
    return s.first->future();
}

Future<std::optional<Value>> ReceivePort::next() {
    detail::require_owner(*stream_->cell, "ReceivePort::next");
    Stream& s = *stream_;
    if (s.on_data || s.first) throw StateError("ReceivePort: the stream has already been listened to");
    if (!s.buffer.empty()) {
        Value message = std::move(s.buffer.front());
        s.buffer.pop_front();
        return Future<std::optional<Value>>::ready(std::move(message));
    }
    if (is_closed()) return Future<std::optional<Value>>::ready(std::nullopt);
    s.waiters.emplace_back();
    return s.waiters.back().future();
}

void ReceivePort::close() {
    detail::require_owner(*stream_->cell, "ReceivePort::close");
    stream_->cell->owner->close_port(*stream_->cell, false);
}

bool ReceivePort::is_closed() const { return stream_->cell->closed.load(std::memory_order_acquire); }

} // namespace iso
