// Chrome trace-event export. A first pass over the events in time order
// finds the slice each send was made in and decides which messages get a
// flow; a second pass writes, in time order too: Perfetto binds a flow
// event to the slice open on its track when it reads the event, so a slice
// must come before the flows inside it. A Handle is stamped with when its
// handler began, so in time order it comes before what the handler did.

#include <iso/traceexport.h>

#include <iso/context.h>
#include <iso/deadletter.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace iso::trace {
namespace {

// Keeps fields in the order written, so that a person can read the output.
using Json = nlohmann::ordered_json;

constexpr int node_pid = 1;
constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

struct IsolateInfo {
    std::string name;  ///< debug name, from Spawn
    std::string path;  ///< cluster path, from Path
    std::uint32_t incarnation = 0;  ///< of its path, from Path
    std::size_t mailbox = 0;
    bool mailbox_shown = false;
};

/// Where a message shows: its send, the slice around that send, its handling.
struct MessageEnds {
    std::size_t send = none;
    std::size_t send_slice = none;  ///< the sender's Handle around the send
    std::size_t begin = none;       ///< the receiver's Handle
    bool begun = false;             ///< the writing pass is past `begin`
};

std::string_view handle_name(std::uint32_t kind) {
    switch (static_cast<HandleKind>(kind)) {
    case HandleKind::Message: return "message";
    case HandleKind::Task: return "task";
    case HandleKind::Resume: return "resume";
    }
    return "handler";
}

/// Kinds drawn as an instant on their isolate's track.
bool is_isolate_instant(Kind kind) {
    switch (kind) {
    case Kind::Error:
    case Kind::Exit:
    case Kind::Pause:
    case Kind::Resume:
    case Kind::Kill:
    case Kind::Restart:
    case Kind::Fault:
    case Kind::Supervision:
    case Kind::DeadLetter:
    case Kind::Down:
    case Kind::Up: return true;
    default: return false;
    }
}

/// Segment by segment, so that "/app/x" sorts right after "/app" and before
/// "/app-2" ('/' would otherwise sort after '-').
bool path_less(std::string_view a, std::string_view b) {
    auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [&](char x, char y) { return key(x) < key(y); });
}

class ChromeExporter {
public:
    ChromeExporter(std::span<const Event> events, std::ostream& out, const ChromeExportOptions& options)
        : events_(events), out_(out), options_(options) {}

    void run() {
        sort_by_time();
        find_slices();
        choose_flows();
        out_ << "{\"traceEvents\":[";
        write_track_names();
        for (std::size_t index : order_)
            write_event(index);
        out_ << "\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":" << dump(metadata()) << "}\n";
    }

private:
    // Producers' buffers are drained one after another, so the stream is
    // only in order per thread; a stable sort keeps each thread's order
    // where times are equal, but for Handles, which hold what happened at
    // the moment they began: they come first, the longest (outermost) first.
    void sort_by_time() {
        order_.resize(events_.size());
        std::iota(order_.begin(), order_.end(), std::size_t{0});
        std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
            const Event& x = events_[a];
            const Event& y = events_[b];
            if (x.time != y.time)
                return x.time < y.time;
            const bool x_handle = x.kind == Kind::Handle, y_handle = y.kind == Kind::Handle;
            if (x_handle != y_handle)
                return x_handle;
            return x_handle && x.peer > y.peer;
        });
    }

    static std::uint64_t end_time(const Event& handle) {
        return handle.time + std::min(handle.peer, std::numeric_limits<std::uint64_t>::max() - handle.time);
    }
    /// As viewers take a slice: its end is not in it, unless it is empty.
    static bool contains(const Event& handle, std::uint64_t time) {
        return handle.time <= time && (time < end_time(handle) || time == handle.time);
    }

    void find_slices() {
        timer_of_.assign(events_.size(), none);
        drawn_.assign(events_.size(), false);
        // Per isolate, its drawn Handles still open, innermost last.
        std::unordered_map<IsolateId, std::vector<std::size_t>> open;
        auto open_at = [&](IsolateId isolate, std::uint64_t time) -> std::vector<std::size_t>& {
            std::vector<std::size_t>& stack = open[isolate];
            while (!stack.empty() && !contains(events_[stack.back()], time))
                stack.pop_back();
            return stack;
        };
        auto slice_around = [&](const Event& e) {
            const std::vector<std::size_t>& stack = open_at(e.isolate, e.time);
            return stack.empty() ? none : stack.back();
        };
        for (std::size_t index : order_) {
            const Event& e = events_[index];
            if (e.isolate != 0) {
                isolates_.try_emplace(e.isolate);
                last_isolate_ = std::max(last_isolate_, e.isolate);
            } else if (is_isolate_instant(e.kind)) {
                outside_used_ = true;  // dead letters sent from outside; or a damaged trace
            }
            switch (e.kind) {
            case Kind::Spawn: isolates_[e.isolate].name = e.text; break;
            case Kind::Path: {
                IsolateInfo& info = isolates_[e.isolate];
                info.path = std::string(e.field(0));
                info.incarnation = e.arg;
                break;
            }
            case Kind::Handle: {
                if (e.isolate == 0)
                    break;
                // An isolate runs one handler at a time; one that overlaps
                // another without nesting in it is a damaged trace, and
                // would break the track's slices.
                std::vector<std::size_t>& stack = open_at(e.isolate, e.time);
                if (!stack.empty() && end_time(e) > end_time(events_[stack.back()]))
                    break;
                stack.push_back(index);
                drawn_[index] = true;
                // A message is handled once; a second Handle for its id is
                // a damaged trace, and must not make a second flow end.
                if (e.message != 0 && static_cast<HandleKind>(e.arg) == HandleKind::Message &&
                    messages_[e.message].begin == none)
                    messages_[e.message].begin = index;
                break;
            }
            case Kind::Send: {
                if (e.message == 0)
                    break;
                MessageEnds& ends = messages_[e.message];
                if (ends.send != none)
                    break;
                ends.send = index;
                ends.send_slice = slice_around(e);
                break;
            }
            case Kind::TimerFire:
                if (const std::size_t slice = slice_around(e); slice != none)
                    timer_of_[slice] = index;
                break;
            default: break;
            }
        }
    }

    void choose_flows() {
        for (auto& [id, ends] : messages_) {
            if (ends.send == none || ends.begin == none)
                continue;
            const Event& send = events_[ends.send];
            if (send.time > events_[ends.begin].time)
                continue;
            if (send.isolate == 0)
                outside_used_ = true;
            else if (ends.send_slice == none)
                continue;
            flows_.insert(id);
        }
    }

    IsolateId outside_tid() const { return last_isolate_ + 1; }

    std::string label(IsolateId id) const {
        if (id == 0)
            return "outside";
        auto it = isolates_.find(id);
        std::string name = it == isolates_.end() ? std::string() : !it->second.path.empty() ? it->second.path : it->second.name;
        return (name.empty() ? std::string("isolate") : name) + " #" + std::to_string(id);
    }

    /// Cluster isolates by path (restarts of one path by incarnation: ids
    /// come to each thread in blocks, so a later one may be smaller), then
    /// plain isolates by id.
    std::vector<IsolateId> track_order() const {
        std::vector<IsolateId> ids;
        for (const auto& [id, info] : isolates_)
            ids.push_back(id);
        std::stable_sort(ids.begin(), ids.end(), [&](IsolateId a, IsolateId b) {
            const std::string& pa = isolates_.at(a).path;
            const std::string& pb = isolates_.at(b).path;
            if (pa.empty() != pb.empty())
                return pb.empty();
            if (pa == pb)
                return isolates_.at(a).incarnation < isolates_.at(b).incarnation;
            return path_less(pa, pb);
        });
        return ids;
    }

    void write_track_names() {
        write({{"name", "process_name"}, {"ph", "M"}, {"pid", node_pid}, {"args", {{"name", options_.process_name}}}});
        int sort_index = 0;
        if (outside_used_)
            write_track_name(outside_tid(), "outside", sort_index++);
        for (IsolateId id : track_order())
            write_track_name(id, label(id), sort_index++);
    }

    void write_track_name(IsolateId tid, const std::string& name, int sort_index) {
        write({{"name", "thread_name"}, {"ph", "M"}, {"pid", node_pid}, {"tid", tid}, {"args", {{"name", name}}}});
        write({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", node_pid}, {"tid", tid},
               {"args", {{"sort_index", sort_index}}}});
    }

    void write_event(std::size_t index) {
        const Event& e = events_[index];
        switch (e.kind) {
        case Kind::Handle: write_handler(index); break;
        case Kind::Send:
            write_send(index);
            if (e.arg != 0)
                show_enqueued(e.message, e.peer, e.time, e.arg);
            break;
        case Kind::Enqueue: show_enqueued(e.message, e.isolate, e.time, e.peer); break;
        case Kind::Exit:
            write_instant(e, {{"reason", exit_reason_name(e.arg)}});
            show_mailbox(e.isolate, e.time, 0);
            break;
        case Kind::Error:
            write_instant(e, {{"message", e.message}, {"error", e.field(0)}, {"where", e.field(1)}});
            break;
        case Kind::Kill:
        case Kind::Pause:
        case Kind::Resume: write_instant(e, {{"requester", label(e.peer)}}); break;
        case Kind::Restart: write_instant(e, {{"path", e.text}, {"incarnation", e.arg}}); break;
        case Kind::Fault: write_instant(e, {{"fault", e.text}, {"requester", label(e.peer)}}); break;
        case Kind::Supervision:
            write_instant(e, {{"action", supervision_action_name(e.arg)},
                              {"child", e.field(0)},
                              {"why", e.field(1)},
                              {"backoff_us", micros(e.peer)}});
            break;
        case Kind::DeadLetter: write_dead_letter(e); break;
        case Kind::Down: write_down(e); break;
        case Kind::Up: write_instant(e, Json::object()); break;
        case Kind::Gap:
            write({{"name", kind_name(e.kind)}, {"cat", "trace"}, {"ph", "i"}, {"s", "g"}, {"ts", micros(e.time)},
                   {"pid", node_pid}, {"args", {{"lost", e.peer}, {"source", gap_source_name(e.arg)}}}});
            break;
        default: break;
        }
    }

    void write_handler(std::size_t index) {
        const Event& handle = events_[index];
        const bool is_message = static_cast<HandleKind>(handle.arg) == HandleKind::Message && handle.message != 0;
        if (is_message)
            note_handled(handle);
        if (!drawn_[index])
            return;
        Json args = Json::object();
        if (handle.message != 0)
            args["message"] = handle.message;
        if (handle.port != 0)
            args["port"] = handle.port;
        if (is_message)
            add_send_details(args, handle.message);
        std::string_view name = handle_name(handle.arg);
        if (const std::size_t fire = timer_of_[index]; fire != none) {
            // A timer's callback runs as a task; its TimerFire says which.
            name = "timer";
            args["timer"] = events_[fire].arg;
            args["ticks"] = events_[fire].peer;
        }
        write({{"name", name}, {"cat", "handler"}, {"ph", "X"}, {"ts", micros(handle.time)},
               {"dur", micros(handle.peer)}, {"pid", node_pid}, {"tid", handle.isolate}, {"args", args}});
        if (flows_.contains(handle.message) && messages_.at(handle.message).begin == index)
            write_flow("f", handle.message, handle.time, handle.isolate);
    }

    void note_handled(const Event& handle) {
        messages_[handle.message].begun = true;
        auto& info = isolates_[handle.isolate];
        show_mailbox(handle.isolate, handle.time, info.mailbox > 0 ? info.mailbox - 1 : 0);
    }

    void add_send_details(Json& args, std::uint64_t message) const {
        auto it = messages_.find(message);
        if (it == messages_.end() || it->second.send == none)
            return;
        const Event& send = events_[it->second.send];
        args["sender"] = label(send.isolate);
        add_payload(args, send);
    }

    static void add_payload(Json& args, const Event& e) {
        if (e.text.empty())
            return;
        args["payload"] = e.text;
        if (e.has(Flag::PayloadTruncated))
            args["payload_truncated"] = true;
    }

    void write_send(std::size_t index) {
        const Event& send = events_[index];
        if (!flows_.contains(send.message) || messages_.at(send.message).send != index)
            return;
        IsolateId tid = send.isolate;
        if (tid == 0) {
            // An outside thread has no slice of its own for the flow to
            // start in, so it gets the shortest one there is.
            tid = outside_tid();
            Json args = {{"message", send.message}, {"port", send.port}, {"receiver", label(send.peer)}};
            add_payload(args, send);
            write({{"name", "send"}, {"cat", "outside"}, {"ph", "X"}, {"ts", micros(send.time)}, {"dur", micros(1)},
                   {"pid", node_pid}, {"tid", tid}, {"args", args}});
        }
        write_flow("s", send.message, send.time, tid);
    }

    void write_flow(std::string_view phase, std::uint64_t message, std::uint64_t time, IsolateId tid) {
        Json flow = {{"name", "message"}, {"cat", "message"}, {"ph", phase}, {"id", message},
                     {"ts", micros(time)},  {"pid", node_pid},  {"tid", tid}};
        if (phase == "f")
            flow["bp"] = "e";
        write(flow);
    }

    void show_enqueued(std::uint64_t message, IsolateId receiver, std::uint64_t time, std::size_t depth) {
        if (receiver == 0)
            return;
        // The receiver's clock may have stamped the handling before the
        // sender's clock stamped the enqueue; the message is gone already.
        if (auto it = messages_.find(message); it != messages_.end() && it->second.begun && depth > 0)
            --depth;
        show_mailbox(receiver, time, depth);
    }

    void show_mailbox(IsolateId id, std::uint64_t time, std::size_t depth) {
        if (id == 0)
            return;
        IsolateInfo& info = isolates_[id];
        if (info.mailbox_shown && info.mailbox == depth)
            return;
        info.mailbox = depth;
        info.mailbox_shown = true;
        write({{"name", "mailbox " + mailbox_name(id)}, {"ph", "C"}, {"ts", micros(time)}, {"pid", node_pid},
               {"tid", id}, {"args", {{"depth", depth}}}});
    }

    // Restarts of one path share a counter; plain isolates' debug names
    // are not unique, so they keep their id.
    std::string mailbox_name(IsolateId id) const {
        const IsolateInfo& info = isolates_.at(id);
        return info.path.empty() ? label(id) : info.path;
    }

    void write_dead_letter(const Event& e) {
        Json args = {{"reason", reason_name(static_cast<DeadLetterReason>(e.arg))}, {"message", e.message},
                     {"port", e.port}};
        if (e.peer != 0)
            args["receiver"] = label(e.peer);
        add_payload(args, e);
        write_instant(e, std::move(args));
    }

    void write_down(const Event& e) {
        Json args = {{"reason", iso::kind_name(static_cast<DownReason::Kind>(e.arg))}};
        if (!e.field(0).empty())
            args["error"] = e.field(0);
        if (!e.field(1).empty())
            args["where"] = e.field(1);
        write_instant(e, std::move(args));
    }

    void write_instant(const Event& e, Json args) {
        const IsolateId tid = e.isolate == 0 ? outside_tid() : e.isolate;
        write({{"name", kind_name(e.kind)}, {"cat", "isolate"}, {"ph", "i"}, {"s", "t"}, {"ts", micros(e.time)},
               {"pid", node_pid}, {"tid", tid}, {"args", std::move(args)}});
    }

    Json metadata() const {
        Json meta = {{"exporter", "isoscope"}, {"events", events_.size()}};
        for (const auto& [key, value] : options_.metadata)
            meta[key] = value;
        return meta;
    }

    void write(const Json& event) {
        out_ << (first_ ? "\n" : ",\n") << dump(event);
        first_ = false;
    }

    // Payload prefixes may end inside a UTF-8 sequence; that must not make
    // the whole export fail.
    static std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

    // Microseconds with nanosecond digits: exact, as ns / 1000 is rounded
    // to the nearest double and printed in its shortest form.
    static double micros(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

    std::span<const Event> events_;
    std::ostream& out_;
    const ChromeExportOptions& options_;
    std::vector<std::size_t> order_;
    std::vector<std::size_t> timer_of_;  ///< per Handle, the TimerFire inside it
    std::vector<bool> drawn_;            ///< per Handle, whether it is a slice
    std::map<IsolateId, IsolateInfo> isolates_;
    std::unordered_map<std::uint64_t, MessageEnds> messages_;
    std::unordered_set<std::uint64_t> flows_;
    IsolateId last_isolate_ = 0;
    bool outside_used_ = false;
    bool first_ = true;
};

} // namespace

void export_chrome(std::span<const Event> events, std::ostream& out, const ChromeExportOptions& options) {
    ChromeExporter(events, out, options).run();
}

} // namespace iso::trace
