// Supervisors: cluster isolates that start children and restart them by
// strategy, with restart intensity and backoff (Erlang/OTP, Akka).

#include "clustercore.h"
#include "contextstate.h"

#include <iso/supervision.h>

#include <random>

namespace iso {

std::string_view restart_strategy_name(RestartStrategy strategy) noexcept {
    switch (strategy) {
    case RestartStrategy::OneForOne: return "one-for-one";
    case RestartStrategy::OneForAll: return "one-for-all";
    case RestartStrategy::RestForOne: return "rest-for-one";
    }
    return "unknown";
}

std::string_view restart_type_name(RestartType type) noexcept {
    switch (type) {
    case RestartType::Permanent: return "permanent";
    case RestartType::Transient: return "transient";
    case RestartType::Temporary: return "temporary";
    }
    return "unknown";
}

} // namespace iso

namespace iso::detail {

/// The message type that asks a dynamic supervisor for a child.
constexpr std::string_view kStartChild = "iso.start_child";

namespace {

/// One supervisor's state; lives on, and is touched only by, its isolate.
struct Supervisor : std::enable_shared_from_this<Supervisor> {
    Supervisor(SupervisorSpec s, std::vector<ChildSpec> c) : spec(std::move(s)), children(std::move(c)) {}

    SupervisorSpec spec;
    std::vector<ChildSpec> children;
    std::weak_ptr<ClusterCore> cluster;
    Path self;
    std::deque<Duration> restarts;  // when, within spec.within
    int backoff_step = 0;
    std::optional<Duration> last_restart;
    std::map<Path, std::shared_ptr<Promise<void>>> stopping;  // children asked to stop, until they end
    bool giving_up = false;
    std::uint64_t dynamic_started = 0;
    std::minstd_rand random{std::random_device{}()};

    Path path_of(std::size_t i) const { return self.child(children[i].name); }

    /// A child that fails to start the first time fails the supervisor (as in
    /// OTP); later, its failure comes back as an ended child like any other.
    Future<void> start(std::size_t i, bool initial) {
        auto c = cluster.lock();
        if (!c) co_return;
        const ChildSpec& child = children[i];
        auto started = c->spawn(child.name, child.entry, child.properties, self,
                                ClusterCore::Supervision{self, child.restart, child.shutdown_timeout});
        if (initial) {
            (void)co_await std::move(started);
            co_return;
        }
        try {
            (void)co_await std::move(started);
        } catch (const std::exception&) {
        }
    }

    /// Asks child `i` to shut down (the cluster kills it after its shutdown
    /// timeout) and completes once it has ended.
    Future<void> stop(std::size_t i, ClusterCore::Stop how) {
        auto c = cluster.lock();
        const Path path = path_of(i);
        if (!c || !c->stop(path, how)) co_return;
        auto ended = std::make_shared<Promise<void>>();
        stopping[path] = ended;
        co_await ended->future();
    }

    /// Tells the cluster its spec and children, for Cluster::describe.
    void publish() const {
        auto c = cluster.lock();
        if (!c) return;
        IsolateDescription::Supervises told{spec.strategy, spec.max_restarts, spec.within, spec.backoff,
                                            spec.dynamic_child.has_value(), {}};
        for (const ChildSpec& child : children) told.children.push_back(child.name);
        c->record_supervisor(self, std::move(told));
    }

    Future<void> stop_all(ClusterCore::Stop how, std::size_t from = 0) {
        for (std::size_t i = children.size(); i-- > from;) co_await stop(i, how);
    }

    Duration next_delay(Duration now) {
        if (last_restart && now - *last_restart > spec.backoff.reset_after) backoff_step = 0;
        last_restart = now;
        if (spec.backoff.min <= Duration::zero()) return Duration::zero();
        Duration d = spec.backoff.min;
        for (int k = 0; k < backoff_step && d < spec.backoff.max; ++k) d *= 2;
        d = std::min(d, std::max(spec.backoff.max, spec.backoff.min));
        ++backoff_step;
        if (spec.backoff.jitter > 0) {
            std::uniform_real_distribution<double> spread(-spec.backoff.jitter, spec.backoff.jitter);
            d = std::chrono::duration_cast<Duration>(d * (1.0 + spread(random)));
        }
        return d;
    }

    /// A dynamic child from the template; answers with its path once up.
    Future<void> start_dynamic(Envelope request) {
        auto keep_alive = shared_from_this();
        ChildSpec child = *spec.dynamic_child;
        child.name = "c" + std::to_string(++dynamic_started);
        if (!request.content.is_null()) child.properties = request.content;
        children.push_back(child);
        publish();
        const Path path = path_of(children.size() - 1);
        co_await start(children.size() - 1, true);
        request.reply(path.str());
    }

    void child_ended(const Value& notice) {
        const Path path = Path::of(notice["child"]["path"].as_string());
        if (auto it = stopping.find(path); it != stopping.end()) {
            auto ended = it->second;
            stopping.erase(it);
            ended->set_value();
            return;
        }
        std::size_t index = 0;
        while (index < children.size() && path_of(index) != path) ++index;
        if (index == children.size()) return;
        if (!notice["restart"].as_bool()) {
            if (spec.dynamic_child) {
                children.erase(children.begin() + static_cast<std::ptrdiff_t>(index));
                publish();
            }
            return;
        }
        if (giving_up) return;
        if (notice["asked"].as_bool()) {
            // Cluster::restart: this child alone, at once, and no failure of it.
            report(start(index, false));
            return;
        }
        auto c = cluster.lock();
        if (!c) return;
        const Duration now = c->runtime.now();
        restarts.push_back(now);
        while (!restarts.empty() && restarts.front() < now - spec.within) restarts.pop_front();
        const DownReason why = read_reason(notice["child"]);
        if (static_cast<int>(restarts.size()) > spec.max_restarts) {
            tell(*c, trace::SupervisionAction::GiveUp, Duration::zero(), path, intensity_passed() + "; the last: " + ended(why));
            report(give_up(why));
            return;
        }
        const Duration wait = next_delay(now);
        if (wait > Duration::zero()) tell(*c, trace::SupervisionAction::Backoff, wait, path, ended(why));
        report(restart(index, wait));
    }

    /// Traces what this supervisor did about the child at `path`.
    static void tell(ClusterCore& c, trace::SupervisionAction action, Duration wait, const Path& path,
                     const std::string& why) {
        IsolateCore& self = *IsolateCore::current();
        if (!self.traced()) return;
        c.trace(trace::Kind::Supervision, self.id(), static_cast<std::uint32_t>(action),
                path.str() + trace::field_separator + why,
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count()));
    }

    std::string intensity_passed() const {
        return "more than " + std::to_string(spec.max_restarts) + " restarts within " +
               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(spec.within).count()) + " ms";
    }

    /// How a child ended, for a person.
    static std::string ended(const DownReason& why) {
        return std::string(kind_name(why.kind)) + (why.error.empty() ? "" : ": " + why.error);
    }

    Future<void> restart(std::size_t i, Duration wait) {
        auto keep_alive = shared_from_this();
        if (wait > Duration::zero()) co_await delay(wait);
        switch (spec.strategy) {
        case RestartStrategy::OneForOne:
            co_await start(i, false);
            break;
        case RestartStrategy::OneForAll:
            for (std::size_t j = children.size(); j-- > 0;)
                if (j != i) co_await stop(j, ClusterCore::Stop::ForRestart);
            for (std::size_t j = 0; j < children.size(); ++j) co_await start(j, false);
            break;
        case RestartStrategy::RestForOne:
            co_await stop_all(ClusterCore::Stop::ForRestart, i + 1);
            for (std::size_t j = i; j < children.size(); ++j) co_await start(j, false);
            break;
        }
    }

    Future<void> give_up(DownReason last) {
        auto keep_alive = shared_from_this();
        giving_up = true;
        co_await stop_all(ClusterCore::Stop::ForGood);
        throw SupervisorGaveUp(self.str() + ": " + intensity_passed() + "; the last: " + ended(last));
    }

    /// Failures of background steps are the supervisor's own uncaught errors.
    static void report(Future<void> step) {
        step.state()->on_ready(bind_to_current_isolate([state = step.state()] {
            if (state->has_error()) report_uncaught(state->error());
        }));
    }
};

} // namespace

} // namespace iso::detail

namespace iso {

ClusterEntry supervisor(SupervisorSpec spec, std::vector<ChildSpec> children) {
    using detail::ClusterCore;
    using detail::ContextState;
    using detail::IsolateCore;
    using detail::Supervisor;
    return [spec = std::move(spec), children = std::move(children)](Context& context) -> Future<void> {
        auto run = std::make_shared<Supervisor>(spec, children);
        auto* state = static_cast<ContextState*>(IsolateCore::current()->attachment());
        run->cluster = state->cluster;
        run->self = context.path();
        state->on_child = [run](const Value& notice) { run->child_ended(notice); };
        if (run->spec.dynamic_child) {
            if (run->spec.strategy != RestartStrategy::OneForOne || !run->children.empty())
                throw std::invalid_argument(context.path().str() +
                                            ": a dynamic supervisor restarts one for one and has no fixed children");
            context.on_message([run](const Envelope& m) {
                if (m.type == detail::kStartChild) Supervisor::report(run->start_dynamic(m));
            });
        }
        run->publish();
        // Stopping is the supervisor's job: children first, newest first.
        context.on_shutdown_request([run, &context] {
            Supervisor::report([](std::shared_ptr<Supervisor> s, Context& ctx) -> Future<void> {
                co_await s->stop_all(ClusterCore::Stop::ForGood);
                ctx.shutdown_isolate();
            }(run, context));
        });
        for (std::size_t i = 0; i < run->children.size(); ++i) co_await run->start(i, true);
    };
}

Future<IsolateRef> start_child(const IsolateRef& supervisor, Value properties, Duration timeout) {
    auto answer = supervisor.ask(std::move(properties), timeout, std::string(detail::kStartChild));
    return std::move(answer).then([cluster = supervisor.cluster_](Value path) {
        auto c = cluster.lock();
        if (!c) throw StateError("start_child: the cluster is gone");
        auto ref = c->lookup(Path::of(path.as_string()));
        if (!ref) throw RemoteError("start_child: " + path.as_string() + " ended as soon as it started", "");
        return *ref;
    });
}

} // namespace iso
