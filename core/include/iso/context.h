#pragma once
/// What a cluster isolate's entry is given (the seed package's
/// `IsolateContext`).

#include <iso/isolateref.h>
#include <iso/timer.h>

#include <functional>
#include <type_traits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iso {

class Context;

namespace detail {
struct ContextState;
}

/// A cluster isolate's entry: `void(Context&)`, or a coroutine
/// `Future<void>(Context&)`. The isolate is up once the entry has returned
/// (a coroutine: completed), so a coroutine entry can await its own set-up,
/// such as starting children, but should not loop forever. The entry is
/// kept for the isolate's life, so a coroutine lambda may use its captures
/// after it suspends.
class ClusterEntry {
public:
    ClusterEntry() = default;
    template <typename F, typename = std::enable_if_t<std::is_invocable_v<F&, Context&> &&
                                                      !std::is_same_v<std::decay_t<F>, ClusterEntry>>>
    ClusterEntry(F fn) : fn_(std::make_shared<std::function<Future<void>(Context&)>>(wrap(std::move(fn)))) {}

    explicit operator bool() const noexcept { return fn_ != nullptr; }
    Future<void> operator()(Context& context) const { return (*fn_)(context); }

private:
    template <typename F> static std::function<Future<void>(Context&)> wrap(F fn) {
        return [fn = std::move(fn)](Context& context) mutable -> Future<void> {
            if constexpr (std::is_same_v<std::invoke_result_t<F&, Context&>, Future<void>>) {
                return fn(context);
            } else {
                fn(context);
                return Future<void>::ready();
            }
        };
    }
    std::shared_ptr<std::function<Future<void>(Context&)>> fn_;
};

/// One message as a cluster isolate receives it.
struct Envelope {
    Value content;
    std::string type;
    std::optional<Path> sender;  ///< the sending isolate's path, if it was one
    std::optional<SendPort> reply_to;
    std::string correlation_id;

    /// Sends `content` to `reply_to` with the same correlation id; a dead
    /// letter if there is no reply_to.
    void reply(Value content) const;
};

/// Reads a cluster envelope from a message as it travels (the Value of a
/// PendingEvent for a cluster isolate's inbox, say); nullopt for a Value
/// that is not one, such as the cluster's own notices (up, down, shutdown).
/// @threadsafe
std::optional<Envelope> as_envelope(const Value& message);

/// Why an isolate went down.
struct DownReason {
    enum class Kind : std::uint8_t {
        Normal,    ///< its entry and everything it waited for finished, or it called shutdown_isolate()
        Shutdown,  ///< it ended after a shutdown request (or the node's shutdown)
        Killed,
        Failed,    ///< an uncaught error ended it
    };
    Kind kind = Kind::Normal;
    std::string error;  ///< Failed: the message
    std::string where;  ///< Failed: where it was thrown
};
std::string_view kind_name(DownReason::Kind kind) noexcept;

/// Handed to a cluster isolate's entry; lives as long as the isolate, so
/// handlers may hold on to it by reference.
/// Messages and events that arrive before the entry returns are kept and
/// delivered right after it, so handlers set at the end of the entry miss
/// nothing.
/// @threadsafe: only the isolate it was given to may use it.
class Context {
public:
    const Path& path() const noexcept;
    const Value& properties() const noexcept;
    /// One property; null when absent.
    const Value& property(std::string_view key) const;
    IsolateRef self() const;

    void on_message(std::function<void(const Envelope&)> handler);
    /// Every isolate of the cluster that is up, those up already included.
    void on_isolate_up(std::function<void(const IsolateRef&)> handler);
    void on_isolate_down(std::function<void(const IsolateRef&, const DownReason&)> handler);
    /// Runs when the cluster asks this isolate to shut down. Without a
    /// handler the isolate shuts down at once.
    void on_shutdown_request(std::function<void()> handler);

    /// Ends this isolate normally once the current event returns.
    void shutdown_isolate();
    /// Starts shutting the whole node down (Cluster::shutdown with the
    /// cluster's shutdown_timeout), on a thread of the cluster's own.
    void shutdown_node();

    /// Spawns a child at `path()/segment` (a generated segment if `segment`
    /// is empty). Completes once the child's entry has returned.
    Future<IsolateRef> spawn_child(std::string_view segment, ClusterEntry entry, Value properties = {});
    /// Spawns a child from an entry registered by name.
    Future<IsolateRef> spawn_child(std::string_view segment, std::string_view entry_name, Value properties = {});

    /// A random number from this isolate's own generator, seeded from the
    /// cluster's seed, its path and incarnation: a replay draws the same ones.
    std::uint64_t random();

    /// Sends to this isolate itself, as another isolate would.
    void send_self(Value content, SendOptions options = {}) const;

    /// Notices when `ref` goes down, even if it is down already.
    void watch(const IsolateRef& ref);
    void unwatch(const IsolateRef& ref);

    std::optional<IsolateRef> lookup(const Path& path) const;
    std::vector<IsolateRef> lookup_all(const Path& prefix) const;
    std::vector<IsolateRef> lookup_matching(const PathPattern& pattern) const;

    /// For the cluster's own sources: the state outlives every handler.
    explicit Context(detail::ContextState* state) noexcept : state_(state) {}

private:
    detail::ContextState* state_;
};

} // namespace iso
