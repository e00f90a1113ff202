#pragma once
// The cluster's shared state: the path registry, named entries, and the
// spawn and shutdown procedures.

#include "isolatecore.h"

#include <iso/cluster.h>
#include <iso/supervision.h>

#include <deque>
#include <map>
#include <mutex>
#include <set>

namespace iso::detail {

/// Envelopes travel as Values, so that they can cross nodes unchanged.
/// `sys` marks the cluster's own notices; user messages have none.
namespace envelope_key {
inline constexpr std::string_view content = "c";
inline constexpr std::string_view type = "t";
inline constexpr std::string_view sender = "s";
inline constexpr std::string_view reply_to = "r";
inline constexpr std::string_view correlation = "id";
inline constexpr std::string_view system = "sys";
} // namespace envelope_key

Value make_envelope(Value content, const SendOptions& options, const std::optional<Path>& sender);
Envelope read_envelope(const Value& envelope);

/// What happens to one cluster isolate, as told to the others.
enum class Notice : std::uint8_t { Up, Down, ShutdownRequest, ChildEnded };
Value make_notice(Notice notice, const Path& path, const Value& properties, const DownReason* reason = nullptr);
DownReason read_reason(const Value& notice);

struct ClusterCore;

/// Asks `to` from the calling isolate and waits there for the reply.
Future<Value> await_reply(std::shared_ptr<ClusterCore> cluster, Path to, Value content, Duration timeout,
                          std::string type);

/// An ask made outside isolates, waiting for the cluster's ask isolate.
struct OutsideAsk {
    Path to;
    Value content;
    Duration timeout;
    std::string type;
    std::shared_ptr<Promise<Value>> answer;
};

struct ClusterCore : std::enable_shared_from_this<ClusterCore> {
    explicit ClusterCore(ClusterOptions options);
    ~ClusterCore();

    enum class State : std::uint8_t { Starting, Up, Restarting };
    /// Who restarts an isolate, and when. Top-level isolates answer to the
    /// root: the cluster itself, by ClusterOptions.
    struct Supervision {
        std::optional<Path> supervisor;
        RestartType restart = RestartType::Temporary;
        Duration shutdown_timeout = default_shutdown_timeout;
    };
    /// Why an isolate was asked to stop, in rising precedence: a supervisor's
    /// purpose outranks a tool's, and stopping for good outranks all.
    enum class Stop : std::uint8_t {
        None,        // not on purpose, or Cluster::stop: the supervisor acts as it would anyway
        Restart,     // Cluster::restart: its supervisor starts it again at once
        ForRestart,  // its supervisor stops it to start it again itself
        ForGood,
    };
    struct Record {
        Value properties;
        ClusterEntry entry;
        Supervision supervision;
        Stop stop = Stop::None;            // set by a supervisor stopping it on purpose
        State state = State::Starting;
        SendPort inbox;                     // once the isolate has opened it
        std::optional<Isolate> isolate;     // its control handle
        /// Envelopes sent while it was starting, with their trace ids.
        std::vector<std::pair<Value, std::uint64_t>> pending;
        bool shutdown_requested = false;
        /// Killed because it outlasted its shutdown timeout: its supervisor
        /// decides as for a shutdown, not as for a kill.
        bool shutdown_timed_out = false;
        std::set<Path> watchers;
        // For tracing and replay.
        std::string entry_name;             // when spawned by a registered name
        std::uint32_t launches = 0;         // incarnations started
        IsolateId isolate_id = 0;           // the current incarnation's isolate
        /// Supervisors only, as their entry tells it (Cluster::describe).
        std::optional<IsolateDescription::Supervises> supervises;
    };

    /// `parent` set: `name` is a segment under it (empty: generated).
    Future<IsolateRef> spawn(std::string_view name, ClusterEntry entry, Value properties,
                             const std::optional<Path>& parent, std::optional<Supervision> supervision = {},
                             std::string entry_name = {});
    /// Emits a cluster trace event about `isolate`, if tracing is on.
    void trace(trace::Kind kind, IsolateId isolate, std::uint32_t arg, std::string_view text = {},
               std::uint64_t peer = 0);
    /// Starts the isolate of a reserved record (new, or restarting).
    Future<IsolateRef> launch(const Path& path);
    /// Asks `path` to shut down, marked as `stop`, and kills that
    /// incarnation if it has not ended within its shutdown timeout; false if
    /// it is not running. @threadsafe
    bool stop(const Path& path, Stop stop);
    /// Sends the shutdown request; call with `mutex` held.
    void ask_to_shut_down(const Path& path, Record& record);
    void kill(const Path& path);
    ClusterEntry entry_named(std::string_view name) const;
    std::optional<IsolateDescription> describe(const Path& path) const;

    /// Delivers an envelope by path: queued while the isolate starts, a dead
    /// letter when there is none. @threadsafe
    void deliver(const Path& to, Value envelope);
    IsolateRef ref(const Path& path, const Value& properties);
    std::size_t mailbox_depth(const Path& path);
    std::optional<IsolateRef> lookup(const Path& path);
    /// The isolates at or under `from` that `keep` accepts, ordered by path.
    std::vector<IsolateRef> lookup_where(const Path& from, const std::function<bool(const Path&)>& keep);

    // Called by a cluster isolate about itself.
    /// Returns the seed of the isolate's Context::random.
    std::uint64_t opened_inbox(const Path& path, SendPort inbox, Isolate isolate);
    void came_up(const Path& path);
    /// A supervisor's spec and current children, told when they change.
    void record_supervisor(const Path& path, IsolateDescription::Supervises spec);
    void ended(const Path& path, ExitReason exit, const ErrorDescription* error);
    void subscribe(const Path& who, Notice notice);
    /// Its waiting messages become dead letters; call with `mutex` held.
    void drop_pending(const Path& path, Record& record);
    /// Forgets a record, and that it wanted notices; returns the next.
    /// Call with `mutex` held.
    std::map<Path, Record>::iterator erase_record(std::map<Path, Record>::iterator it);
    /// The inboxes of the paths in `paths`, but not of `except` or what
    /// lies under it. Call with `mutex` held.
    std::vector<SendPort> inboxes_of(const std::set<Path>& paths, const Path* except = nullptr) const;
    /// For late watchers; call with `mutex` held.
    void remember_ended(const Path& path, const DownReason& reason);
    void watch(const Path& who, const Path& target);
    void unwatch(const Path& who, const Path& target);

    /// Starts shutting down, once: an isolate of the runtime asks every
    /// cluster isolate to end, deepest paths first, and kills what is left
    /// at the timeout. Completes with whether all ended on request.
    Future<bool> start_shutdown(Duration timeout);
    /// Hands an ask from outside isolates to the ask isolate. @threadsafe
    void ask_from_outside(OutsideAsk ask);
    /// Completes with true once `waiting` (checked with `mutex` held) is
    /// false, at once if it is already, or with false at `deadline`.
    Future<bool> until(Duration deadline, std::function<bool()> waiting);

    ClusterOptions options;
    std::unique_ptr<Runtime> owned_runtime;
    Runtime& runtime;
    std::atomic<std::uint64_t> next_generated{1};
    const std::uint64_t random_seed;

    mutable std::mutex mutex;
    std::map<Path, Record> records;  // ordered: a prefix is a contiguous range
    /// The records that subscribed to every Up or Down notice: a few, so
    /// that an isolate coming up or ending does not walk all records.
    std::set<Path> wants_up, wants_down;
    std::map<std::string, ClusterEntry, std::less<>> entries;
    /// Recently ended paths, so that a late watch still gets its notice.
    std::map<Path, DownReason> ended_recently;
    std::deque<Path> ended_order;
    bool shutting_down = false;
    std::optional<bool> shutdown_result;
    std::vector<Promise<bool>> shutdown_waiters;
    std::vector<std::shared_ptr<Promise<bool>>> change_waiters;  // woken by ended()
    std::deque<Duration> root_restarts;  // when top-level isolates were restarted

    // The isolate that makes asks for callers outside isolates, one after
    // another, so that they reach their targets in the order they were made.
    std::mutex asks_mutex;
    SendPort ask_port;
    std::map<std::uint64_t, OutsideAsk> outside_asks;
    std::uint64_t next_outside_ask = 0;
};

} // namespace iso::detail
