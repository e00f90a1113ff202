#pragma once
/// Supervision trees, after Erlang/OTP's supervisor and Akka's backoff.

#include <iso/context.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iso {

/// What a supervisor restarts when one child fails.
enum class RestartStrategy : std::uint8_t {
    OneForOne,   ///< only that child
    OneForAll,   ///< every child: the others are stopped, then all start again in order
    RestForOne,  ///< that child and the ones started after it
};

/// When a child is restarted.
enum class RestartType : std::uint8_t {
    Permanent,  ///< always
    Transient,  ///< only after it failed or was killed
    Temporary,  ///< never
};

/// "one-for-one", "one-for-all", "rest-for-one".
std::string_view restart_strategy_name(RestartStrategy strategy) noexcept;
/// "permanent", "transient", "temporary".
std::string_view restart_type_name(RestartType type) noexcept;

/// How long a shutdown request may take before the isolate is killed, when
/// nothing says otherwise: a ChildSpec's default, and Cluster::stop's for
/// isolates that are no supervisor's ChildSpec.
inline constexpr Duration default_shutdown_timeout = std::chrono::seconds(5);

/// Delays between restarts: `min`, doubling up to `max`, each spread by up
/// to `jitter` (0.2 = ±20%); back to `min` after `reset_after` without one.
struct Backoff {
    Duration min{0};
    Duration max{0};
    double jitter = 0.0;
    Duration reset_after = std::chrono::seconds(30);
};

struct ChildSpec {
    std::string name;  ///< the child's path segment under the supervisor
    ClusterEntry entry;
    Value properties;
    RestartType restart = RestartType::Permanent;
    /// How long a shutdown request may take before the child is killed.
    Duration shutdown_timeout = default_shutdown_timeout;
};

struct SupervisorSpec {
    RestartStrategy strategy = RestartStrategy::OneForOne;
    /// More than `max_restarts` restarts within `within` and the supervisor
    /// stops its children and fails, for its own supervisor to handle.
    int max_restarts = 3;
    Duration within = std::chrono::seconds(5);
    Backoff backoff;
    /// Dynamic supervisors (OTP's simple_one_for_one) start no children up
    /// front: start_child adds children made from this template, with
    /// generated names. They restart one for one.
    std::optional<ChildSpec> dynamic_child;
};

/// The entry of a supervisor: it starts `children` in order under its own
/// path and restarts them by `spec`. Spawn it like any entry, or make it a
/// child of another supervisor to build a tree. On a shutdown request it
/// stops its children, newest first, each within its shutdown_timeout.
ClusterEntry supervisor(SupervisorSpec spec, std::vector<ChildSpec> children);

/// Adds a child to a dynamic supervisor, from its template with these
/// properties (null: the template's). Completes once the child is up.
Future<IsolateRef> start_child(const IsolateRef& supervisor, Value properties = {},
                               Duration timeout = std::chrono::seconds(5));

/// Thrown (and so reported to its own supervisor) by a supervisor that gave up.
class SupervisorGaveUp : public Exception {
public:
    using Exception::Exception;
};

} // namespace iso
