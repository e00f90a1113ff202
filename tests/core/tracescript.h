#pragma once
// Trace event sequences built by hand, as the runtime would record them,
// for the export and isoctl suites.

#include <iso/trace.h>

#include <map>
#include <string>
#include <vector>

namespace test {

using iso::IsolateId;
using iso::trace::Event;
using iso::trace::HandleKind;
using iso::trace::Kind;

/// Builds event sequences the way the runtime records them. Every event
/// gets a time of its own, so that any order of them sorts one way, and
/// times are large like steady-clock readings, to show that nanoseconds
/// survive the trip through microseconds.
class Script {
public:
    std::vector<Event> events;

    Event& add(Kind kind, IsolateId isolate) {
        now_ += 1'013;
        Event e;
        e.kind = kind;
        e.isolate = isolate;
        e.time = now_;
        events.push_back(std::move(e));
        return events.back();
    }
    std::uint64_t last_time() const { return now_; }

    void spawn(IsolateId id, std::string name) { add(Kind::Spawn, id).text = std::move(name); }
    void path(IsolateId id, const std::string& path) {
        add(Kind::Path, id).text = path + iso::trace::field_separator + iso::trace::field_separator + "worker" + iso::trace::field_separator + "{}";
    }
    Event& send(IsolateId from, std::uint64_t message, IsolateId to, std::string payload = {}) {
        // What the sender is handling caused it, as the runtime records.
        const auto open = open_.find(from);
        const std::uint64_t cause = open == open_.end() ? 0 : events[open->second].message;
        Event& e = add(Kind::Send, from);
        e.message = message;
        e.cause = cause;
        e.peer = to;
        e.port = 100 + to;
        e.text = std::move(payload);
        return e;
    }
    /// A message sent earlier reaching its receiver's mailbox now.
    void enqueue(IsolateId to, std::uint64_t message) {
        Event& e = add(Kind::Enqueue, to);
        e.message = message;
        e.port = 100 + to;
        e.peer = ++depth_[to];
    }
    /// A send into the receiver's mailbox, as one Send.
    void deliver(IsolateId from, std::uint64_t message, IsolateId to, std::string payload = {}) {
        send(from, message, to, std::move(payload)).arg = static_cast<std::uint32_t>(++depth_[to]);
    }
    /// A handler starts: its Handle goes where it began, as readers see it.
    void begin(IsolateId id, std::uint64_t message, HandleKind kind = HandleKind::Message) {
        Event& e = add(Kind::Handle, id);
        e.message = message;
        e.arg = static_cast<std::uint32_t>(kind);
        if (kind == HandleKind::Message) {
            e.port = 100 + id;
            --depth_[id];
        }
        open_[id] = events.size() - 1;
    }
    /// The handler started last on `id` ends: its Handle gets its duration.
    void end(IsolateId id) {
        now_ += 500;
        Event& e = events.at(open_.at(id));
        e.peer = now_ - e.time;
        open_.erase(id);
    }
    void task(IsolateId id) {
        begin(id, 0, HandleKind::Task);
        end(id);
    }

private:
    std::uint64_t now_ = 1'234'567'890'123'457;
    std::map<IsolateId, std::uint64_t> depth_;
    std::map<IsolateId, std::size_t> open_;  // the index of each open Handle
};

constexpr IsolateId ping = 1;
constexpr IsolateId pong = 2;

/// Two cluster isolates that pass messages 1..2*rounds back and forth,
/// started by a message from outside; every message is handled.
inline Script ping_pong(int rounds) {
    Script s;
    s.path(ping, "/app/ping");
    s.spawn(ping, "ping");
    s.path(pong, "/app/pong");
    s.spawn(pong, "pong");
    s.task(ping);
    s.task(pong);
    s.deliver(0, 1, ping, "\"serve\"");
    const std::uint64_t last = 2 * std::uint64_t(rounds);
    for (std::uint64_t message = 1; message <= last; ++message) {
        const IsolateId self = message % 2 == 1 ? ping : pong;
        s.begin(self, message);
        if (message < last)
            s.deliver(self, message + 1, self == ping ? pong : ping, "{\"n\":" + std::to_string(message + 1) + "}");
        s.end(self);
    }
    return s;
}

} // namespace test
