#pragma once
/// The isolate cluster: isolates named by path, with properties, up/down
/// events and request/reply (the seed package's `IsolateCluster`).

#include <iso/context.h>
#include <iso/fault.h>
#include <iso/isolateref.h>
#include <iso/path.h>
#include <iso/runtime.h>
#include <iso/supervision.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iso {

struct ClusterOptions {
    /// The runtime the isolates run on; null: the cluster makes its own.
    Runtime* runtime = nullptr;
    RuntimeOptions runtime_options;
    /// Messages held for a path whose isolate is starting or restarting;
    /// more are dead letters.
    std::size_t pending_limit = 1024;
    /// The root supervisor's policy for top-level isolates (those spawned
    /// with spawn_isolate): restarted when this says so, at once, at most
    /// root_max_restarts times within root_within; past that the node shuts down.
    RestartType top_level_restart = RestartType::Temporary;
    int root_max_restarts = 3;
    Duration root_within = std::chrono::seconds(5);
    /// Cluster::shutdown() from Context::shutdown_node() waits this long.
    Duration shutdown_timeout = std::chrono::seconds(5);
    /// Seeds every isolate's Context::random (with its path and
    /// incarnation); 0: a seed chosen at random.
    std::uint64_t random_seed = 0;
};

/// One cluster isolate as the cluster knows it (Cluster::describe): how it
/// was spawned, who supervises it, and its current incarnation.
struct IsolateDescription {
    Path path;
    std::string entry_name;            ///< empty: not spawned by name
    Value properties;
    std::optional<Path> supervisor;    ///< empty: the cluster's root
    RestartType restart = RestartType::Temporary;
    /// How long a shutdown request (Cluster::stop, a supervisor's stop) may
    /// take before the isolate is killed.
    Duration shutdown_timeout{};
    std::uint32_t incarnation = 0;     ///< 0 first, +1 per restart
    /// The current incarnation's isolate (for Runtime::find_isolate); 0
    /// while restarting, or before it has started.
    IsolateId isolate = 0;
    bool restarting = false;           ///< between incarnations
    /// Set when the isolate is a supervisor: its spec.
    struct Supervises {
        RestartStrategy strategy = RestartStrategy::OneForOne;
        int max_restarts = 0;
        Duration within{};
        Backoff backoff;
        bool dynamic = false;
        std::vector<std::string> children;  ///< its current children's names, in start order
    };
    std::optional<Supervises> supervises;
};

/// A cluster of isolates on one node, and its owner: destroying it shuts
/// the cluster down (as shutdown(options.shutdown_timeout) does) and waits.
/// Refs and contexts only name the cluster; once it is gone, what is sent
/// through them is dropped. Move-only.
/// @threadsafe; not to be destroyed by one of its own isolates.
class Cluster {
public:
    static Cluster single_node(ClusterOptions options = {});
    ~Cluster();
    Cluster(Cluster&&) noexcept = default;
    Cluster& operator=(Cluster&&) noexcept;
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    NodeId node() const noexcept;
    Runtime& runtime() const noexcept;

    /// Spawns an isolate at `path`; a path ending in '/' gets a generated,
    /// unique last segment. Completes once the entry has returned; fails with
    /// std::invalid_argument for a malformed or taken path.
    Future<IsolateRef> spawn_isolate(std::string_view path, ClusterEntry entry, Value properties = {});
    /// Spawns an entry registered with register_entry; an unknown name fails.
    Future<IsolateRef> spawn_isolate(std::string_view path, std::string_view entry_name, Value properties = {});

    /// Makes `entry` spawnable by name (from the workbench, later from other
    /// nodes). Registering a name twice replaces the entry.
    void register_entry(std::string name, ClusterEntry entry);
    std::vector<std::string> entry_names() const;

    std::optional<IsolateRef> lookup(const Path& path) const;
    /// The isolates at or under `prefix`, ordered by path.
    std::vector<IsolateRef> lookup_all(const Path& prefix) const;
    std::vector<IsolateRef> lookup_matching(const PathPattern& pattern) const;

    /// Injects `fault` (Isolate::inject) into the current incarnation of
    /// every isolate whose path `pattern` matches; returns how many.
    std::size_t inject(const PathPattern& pattern, const Fault& fault);
    /// Kills the isolate at `path` now (its supervisor then acts); false if
    /// there is none.
    bool kill(const Path& path);
    /// Stops the isolate at `path` gracefully: sends it a shutdown request
    /// (its Context::on_shutdown_request handler runs) and kills it if it
    /// has not ended within its shutdown timeout (its ChildSpec's; else
    /// default_shutdown_timeout). A paused isolate cannot handle the request
    /// and is killed at the timeout. Its supervisor then acts as after any
    /// end on request: a Permanent child is started again. False if no
    /// isolate is at `path`, or it is between incarnations.
    bool stop(const Path& path);
    /// Stops the isolate at `path` as stop() does, after which its
    /// supervisor (the cluster's root for a top-level isolate) starts a new
    /// incarnation at once, whatever its restart type. It counts as a
    /// restart (a trace Restart event, the observer's restart count), but not
    /// towards the supervisor's restart intensity, and its siblings are left
    /// alone whatever the strategy. False as for stop().
    bool restart(const Path& path);
    /// What the cluster knows of the isolate at `path`; nullopt if none.
    std::optional<IsolateDescription> describe(const Path& path) const;

    /// Asks every isolate to shut down, deepest paths first, waits up to
    /// `timeout` in all, kills what remains, and says whether all ended on
    /// request. Outside isolates only (it blocks).
    bool shutdown(Duration timeout);

    explicit Cluster(std::shared_ptr<detail::ClusterCore> core) noexcept : core_(std::move(core)) {}
    /// The cluster's internals, for libiso's own sources.
    detail::ClusterCore& core() const noexcept { return *core_; }

private:
    void close() noexcept;

    std::shared_ptr<detail::ClusterCore> core_;
};

} // namespace iso
