#include "clustercore.h"

#include "contextstate.h"
#include "portcell.h"
#include "replaygate.h"
#include "runtimecore.h"

#include <iso/receiveport.h>

#include <algorithm>
#include <random>

namespace iso::detail {

namespace k = envelope_key;

namespace {

constexpr std::size_t kEndedMemory = 4096;

std::string_view notice_name(Notice n) {
    switch (n) {
    case Notice::Up: return "up";
    case Notice::Down: return "down";
    case Notice::ShutdownRequest: return "shutdown";
    case Notice::ChildEnded: return "child";
    }
    return "";
}

DownReason down_reason(ExitReason exit, const ErrorDescription* error, bool shutdown_requested) {
    DownReason reason;
    switch (exit) {
    case ExitReason::Failed:
        reason.kind = DownReason::Kind::Failed;
        if (error != nullptr) {
            reason.error = error->message;
            reason.where = error->where;
        }
        break;
    case ExitReason::Killed: reason.kind = DownReason::Kind::Killed; break;
    case ExitReason::Normal:
    case ExitReason::Exited:
        reason.kind = shutdown_requested ? DownReason::Kind::Shutdown : DownReason::Kind::Normal;
        break;
    }
    return reason;
}

template <typename E> Future<IsolateRef> refuse(E error) {
    return Future<IsolateRef>::failed(std::make_exception_ptr(std::move(error)));
}

} // namespace

Value make_envelope(Value content, const SendOptions& options, const std::optional<Path>& sender) {
    Map m;
    m.emplace_back(k::content, std::move(content));
    if (!options.type.empty()) m.emplace_back(k::type, options.type);
    if (sender) m.emplace_back(k::sender, sender->str());
    if (options.reply_to) m.emplace_back(k::reply_to, *options.reply_to);
    if (!options.correlation_id.empty()) m.emplace_back(k::correlation, options.correlation_id);
    return Value(std::move(m));
}

Envelope read_envelope(const Value& v) {
    Envelope e;
    e.content = v[k::content];
    if (const Value* t = v.find(k::type)) e.type = t->as_string();
    if (const Value* s = v.find(k::sender)) e.sender = Path::of(s->as_string());
    if (const Value* r = v.find(k::reply_to)) e.reply_to = r->as_send_port();
    if (const Value* c = v.find(k::correlation)) e.correlation_id = c->as_string();
    return e;
}

Value make_notice(Notice notice, const Path& path, const Value& properties, const DownReason* reason) {
    Map m{{std::string(k::system), Value(notice_name(notice))}, {"path", Value(path.str())},
          {"properties", properties}};
    if (reason != nullptr) {
        m.emplace_back("kind", std::string(kind_name(reason->kind)));
        m.emplace_back("error", reason->error);
        m.emplace_back("where", reason->where);
    }
    return Value(std::move(m));
}

ClusterCore::ClusterCore(ClusterOptions opts)
    : options(std::move(opts)),
      owned_runtime(options.runtime ? nullptr : std::make_unique<Runtime>(options.runtime_options)),
      runtime(options.runtime ? *options.runtime : *owned_runtime),
      random_seed(options.random_seed != 0 ? options.random_seed : std::random_device{}() * 0x9E3779B97F4A7C15ull) {}

ClusterCore::~ClusterCore() = default;

ClusterEntry ClusterCore::entry_named(std::string_view name) const {
    std::lock_guard lock(mutex);
    auto it = entries.find(name);
    return it == entries.end() ? ClusterEntry() : it->second;
}

Future<IsolateRef> ClusterCore::spawn(std::string_view name, ClusterEntry entry, Value properties,
                                      const std::optional<Path>& parent, std::optional<Supervision> supervision,
                                      std::string entry_name) {
    if (!entry) return refuse(std::invalid_argument("spawn: no entry"));
    if (!properties.is_null() && !properties.is_map())
        return refuse(std::invalid_argument("spawn: properties must be a map, not " +
                                            std::string(kind_name(properties.kind()))));
    if (properties.is_null()) properties = Value(Map{});
    auto generated = [this] { return "_" + std::to_string(next_generated.fetch_add(1)); };
    Path path;
    if (parent) {
        const std::string segment = name.empty() ? generated() : std::string(name);
        if (auto why = Path::check_segment(segment); !why.empty())
            return refuse(std::invalid_argument("spawn: child of " + parent->str() + ": " + why));
        path = parent->child(segment);
    } else {
        std::string text(name);
        if (!text.empty() && text.back() == '/') text += generated();
        auto parsed = Path::parse(text);
        if (!parsed) return refuse(std::invalid_argument("spawn: " + parsed.error()));
        path = *parsed;
    }
    if (path.is_root()) return refuse(std::invalid_argument("spawn: '/' is the cluster itself"));
    {
        std::lock_guard lock(mutex);
        if (shutting_down) return refuse(StateError("spawn: the cluster is shutting down"));
        auto [it, fresh] = records.try_emplace(path);
        Record& r = it->second;
        // A supervisor starting a child again finds the record it kept.
        const bool restarting = !fresh && r.state == State::Restarting && supervision &&
                                r.supervision.supervisor == supervision->supervisor;
        if (!fresh && !restarting) return refuse(std::invalid_argument("spawn: path " + path.str() + " is taken"));
        r.properties = properties;
        r.entry = std::move(entry);
        r.entry_name = std::move(entry_name);
        r.supervision = supervision.value_or(Supervision{std::nullopt, options.top_level_restart});
    }
    return launch(path);
}

Future<IsolateRef> ClusterCore::launch(const Path& path) {
    Value properties;
    ClusterEntry entry;
    {
        std::lock_guard lock(mutex);
        Record& r = records.at(path);
        r.state = State::Starting;
        properties = r.properties;
        entry = r.entry;
        if (r.launches++ > 0) trace(trace::Kind::Restart, r.isolate_id, r.launches - 1, path.str());
    }
    auto up = std::make_shared<Promise<IsolateRef>>();
    auto result = up->future();
    auto state = std::make_shared<ContextState>(weak_from_this(), path, properties, std::move(entry), up);
    SpawnOptions spawn_options;
    spawn_options.debug_name = path.str();
    std::weak_ptr<ClusterCore> weak = weak_from_this();
    // The isolate records its own handle when it opens its inbox, so that a
    // fast entry cannot race this thread to it.
    runtime.core().spawn(
        [state] { state->start(); }, std::move(spawn_options),
        [weak, path, up](ExitReason exit, const ErrorDescription* error) {
            if (auto self = weak.lock()) self->ended(path, exit, error);
            up->set_error(RemoteError(error ? error->message : "the isolate ended before it was up",
                                      error ? error->where : path.str()));
        });
    return result;
}

void ClusterCore::ask_to_shut_down(const Path& path, Record& r) {
    r.shutdown_requested = true;
    const Value notice = make_notice(Notice::ShutdownRequest, path, r.properties);
    if (r.inbox.valid())
        r.inbox.send(notice);
    else if (Tracer& tracer = runtime.core().tracer; tracer.on())
        r.pending.emplace_back(notice, trace_send(tracer, nullptr, 0, notice));
    else
        r.pending.emplace_back(notice, 0);
}

namespace {

/// Kills incarnation `launch` of `path` if it is still running at `timeout`;
/// done on an isolate of its own, so that it can wait, and can still kill an
/// isolate that is paused.
Future<void> kill_when_late(std::shared_ptr<ClusterCore> self, Path path, std::uint32_t launch, Duration timeout) {
    // Called with the mutex held.
    auto running = [self, path, launch] {
        auto it = self->records.find(path);
        return it != self->records.end() && it->second.launches == launch &&
               it->second.state != ClusterCore::State::Restarting;
    };
    if (co_await self->until(self->runtime.now() + timeout, running)) co_return;
    std::optional<Isolate> late;
    {
        std::lock_guard lock(self->mutex);
        if (running()) {
            ClusterCore::Record& r = self->records.at(path);
            r.shutdown_timed_out = true;
            late = r.isolate;
        }
    }
    if (late) late->kill(Priority::Immediate);
}

} // namespace

bool ClusterCore::stop(const Path& path, Stop stop) {
    Duration timeout;
    std::uint32_t launch = 0;
    {
        std::lock_guard lock(mutex);
        auto it = records.find(path);
        if (it == records.end() || it->second.state == State::Restarting) return false;
        Record& r = it->second;
        r.stop = std::max(r.stop, stop);
        ask_to_shut_down(path, r);
        timeout = r.supervision.shutdown_timeout;
        launch = r.launches;
    }
    spawn_task(&runtime,
               [self = shared_from_this(), path, launch, timeout] { (void)kill_when_late(self, path, launch, timeout); },
               "cluster-stop");
    return true;
}

std::optional<IsolateDescription> ClusterCore::describe(const Path& path) const {
    std::lock_guard lock(mutex);
    auto it = records.find(path);
    if (it == records.end()) return std::nullopt;
    const Record& r = it->second;
    IsolateDescription d;
    d.path = path;
    d.entry_name = r.entry_name;
    d.properties = r.properties;
    d.supervisor = r.supervision.supervisor;
    d.restart = r.supervision.restart;
    d.shutdown_timeout = r.supervision.shutdown_timeout;
    d.incarnation = r.launches > 0 ? r.launches - 1 : 0;
    d.isolate = r.isolate ? r.isolate_id : 0;
    d.restarting = r.state == State::Restarting;
    if (r.supervises) {
        d.supervises = r.supervises;
        // The spec names children that may have ended for good since.
        std::erase_if(d.supervises->children,
                      [&](const std::string& name) { return !records.contains(path.child(name)); });
    }
    return d;
}

void ClusterCore::record_supervisor(const Path& path, IsolateDescription::Supervises spec) {
    std::lock_guard lock(mutex);
    if (auto it = records.find(path); it != records.end()) it->second.supervises = std::move(spec);
}

void ClusterCore::kill(const Path& path) {
    std::optional<Isolate> isolate;
    {
        std::lock_guard lock(mutex);
        if (auto it = records.find(path); it != records.end()) isolate = it->second.isolate;
    }
    if (isolate) isolate->kill(Priority::Immediate);
}

void ClusterCore::deliver(const Path& to, Value envelope) {
    SendPort inbox;
    {
        std::lock_guard lock(mutex);
        auto it = records.find(to);
        if (it == records.end()) {
            runtime.core().counters.count_sent();
            runtime.core().dead_letters.record_path(DeadLetterReason::UnknownPath, runtime.node(), to.str(), envelope);
            return;
        }
        Record& r = it->second;
        if (!r.inbox.valid()) {
            if (r.pending.size() >= options.pending_limit) {
                runtime.core().counters.count_sent();
                runtime.core().dead_letters.record_path(DeadLetterReason::Overflow, runtime.node(), to.str(), envelope);
                return;
            }
            // Traced as sent now, to the isolate that will have the path.
            Tracer& tracer = runtime.core().tracer;
            const std::uint64_t id = tracer.on() ? trace_send(tracer, nullptr, 0, envelope) : 0;
            r.pending.emplace_back(std::move(envelope), id);
            return;
        }
        inbox = r.inbox;
    }
    inbox.send(std::move(envelope));
}

IsolateRef ClusterCore::ref(const Path& path, const Value& properties) {
    return IsolateRef(weak_from_this(), path, runtime.node(), properties);
}

std::size_t ClusterCore::mailbox_depth(const Path& path) {
    std::optional<Isolate> isolate;
    std::size_t pending = 0;
    {
        std::lock_guard lock(mutex);
        auto it = records.find(path);
        if (it == records.end()) return 0;
        isolate = it->second.isolate;
        pending = it->second.pending.size();
    }
    if (!isolate) return pending;
    auto core = find_control_port(isolate->control_port().node(), isolate->control_port().id());
    return pending + (core ? core->mailbox_depth() : 0);
}

std::optional<IsolateRef> ClusterCore::lookup(const Path& path) {
    std::lock_guard lock(mutex);
    auto it = records.find(path);
    if (it == records.end()) return std::nullopt;
    return ref(path, it->second.properties);
}

std::vector<IsolateRef> ClusterCore::lookup_where(const Path& from, const std::function<bool(const Path&)>& keep) {
    std::vector<IsolateRef> out;
    std::lock_guard lock(mutex);
    for (auto it = records.lower_bound(from); it != records.end(); ++it) {
        if (it->first != from && !from.is_ancestor_of(it->first)) break;
        if (keep(it->first)) out.push_back(ref(it->first, it->second.properties));
    }
    return out;
}

void ClusterCore::trace(trace::Kind kind, IsolateId isolate, std::uint32_t arg, std::string_view text,
                        std::uint64_t peer) {
    Tracer& tracer = runtime.core().tracer;
    if (!tracer.on()) return;
    trace::Record r;
    r.kind = kind;
    r.isolate = isolate;
    r.arg = arg;
    r.peer = peer;
    tracer.emit(r, text);
}

std::uint64_t ClusterCore::opened_inbox(const Path& path, SendPort inbox, Isolate isolate) {
    std::lock_guard lock(mutex);
    Record& r = records.at(path);
    r.inbox = inbox;
    r.isolate = std::move(isolate);
    IsolateCore& self = *IsolateCore::current();
    r.isolate_id = self.id();
    self.mark_named();
    runtime.core().tracer.name_isolate(self, path);
    const std::uint32_t incarnation = r.launches - 1;
    std::uint64_t seed = random_seed ^ std::hash<std::string>{}(path.str()) ^ (std::uint64_t{incarnation} << 48);
    if (ReplayGate* gate = runtime.core().gate) seed = gate->name(self, path.str(), seed);
    if (runtime.core().tracer.on() && self.traced()) {
        std::string text = path.str();
        for (const std::string& field : {r.supervision.supervisor ? r.supervision.supervisor->str() : std::string(),
                                         r.entry_name, std::to_string(seed), r.properties.to_json()})
            (text += trace::field_separator) += field;
        trace(trace::Kind::Path, r.isolate_id, incarnation, text);
    }
    // Under the lock, so that later senders cannot overtake what waited.
    for (auto& [envelope, id] : r.pending) PortAccess::send(inbox, std::move(envelope), id);
    r.pending.clear();
    if (ReplayGate* gate = runtime.core().gate)
        for (Value& envelope : gate->take_stale(self)) inbox.send(std::move(envelope));
    return seed;
}

void ClusterCore::came_up(const Path& path) {
    std::vector<SendPort> tell;
    Value notice;
    {
        std::lock_guard lock(mutex);
        Record& r = records.at(path);
        r.state = State::Up;
        if (IsolateCore::current()->traced()) trace(trace::Kind::Up, r.isolate_id, 0);
        notice = make_notice(Notice::Up, path, r.properties);
        tell = inboxes_of(wants_up);
    }
    for (const auto& port : tell) port.send(notice);
}

namespace {

bool wants_restart(RestartType type, DownReason::Kind kind) {
    switch (type) {
    case RestartType::Permanent: return true;
    case RestartType::Transient: return kind == DownReason::Kind::Failed || kind == DownReason::Kind::Killed;
    case RestartType::Temporary: return false;
    }
    return false;
}

} // namespace

void ClusterCore::ended(const Path& path, ExitReason exit, const ErrorDescription* error) {
    std::vector<SendPort> tell;
    Value notice;
    std::optional<std::pair<SendPort, Value>> tell_supervisor;
    std::vector<std::shared_ptr<Promise<bool>>> waiters;
    bool root_restart = false;
    bool root_gives_up = false;
    std::vector<Isolate> orphans;
    std::vector<std::pair<SendPort, Value>> more_notices;
    {
        std::lock_guard lock(mutex);
        waiters = std::move(change_waiters);
        change_waiters.clear();
        auto it = records.find(path);
        if (it == records.end()) return;
        Record& r = it->second;
        const DownReason reason = down_reason(exit, error, r.shutdown_requested || shutting_down);
        trace(trace::Kind::Down, r.isolate_id, static_cast<std::uint32_t>(reason.kind),
              reason.error + trace::field_separator + reason.where);
        notice = make_notice(Notice::Down, path, r.properties, &reason);
        const bool asked = r.stop == Stop::Restart;
        // A stop that had to kill was still a stop: a transient child stays down.
        const DownReason::Kind decided = r.shutdown_timed_out ? DownReason::Kind::Shutdown : reason.kind;
        const bool restart = !shutting_down && (asked || (r.stop == Stop::None &&
                                                          wants_restart(r.supervision.restart, decided)));
        const bool keep = !shutting_down && (r.stop == Stop::ForRestart || restart);
        std::set<Path> targets = std::move(r.watchers);
        r.watchers.clear();
        targets.insert(wants_down.begin(), wants_down.end());
        targets.erase(path);
        tell = inboxes_of(targets);
        if (const auto& boss = r.supervision.supervisor) {
            if (auto s = records.find(*boss); s != records.end() && s->second.inbox.valid()) {
                Value child = make_notice(Notice::ChildEnded, path, r.properties, &reason);
                tell_supervisor.emplace(s->second.inbox,
                                        Value(Map{{"child", child}, {"restart", restart}, {"asked", asked},
                                                  {std::string(envelope_key::system), "child"}}));
            }
        } else if (asked && restart) {
            root_restart = true;  // asked for by a person: not counted towards giving up
        } else if (restart) {
            root_restarts.push_back(runtime.now());
            while (!root_restarts.empty() && root_restarts.front() < runtime.now() - options.root_within)
                root_restarts.pop_front();
            root_restart = static_cast<int>(root_restarts.size()) <= options.root_max_restarts;
            root_gives_up = !root_restart;
        }
        remember_ended(path, reason);
        // Children do not outlive their parent (as in Akka and OTP): what
        // lies under the path is killed and forgotten now, so that a new
        // incarnation of the parent starts with its paths free.
        for (auto d = std::next(it); d != records.end() && path.is_ancestor_of(d->first);) {
            Record& orphan = d->second;
            if (orphan.isolate) orphans.push_back(*orphan.isolate);
            DownReason killed;
            killed.kind = DownReason::Kind::Killed;
            killed.error = "its parent " + path.str() + " ended";
            remember_ended(d->first, killed);
            const Value orphan_notice = make_notice(Notice::Down, d->first, orphan.properties, &killed);
            std::set<Path> told = orphan.watchers;
            told.insert(wants_down.begin(), wants_down.end());
            for (const auto& inbox : inboxes_of(told, &path)) more_notices.emplace_back(inbox, orphan_notice);
            drop_pending(d->first, orphan);
            d = erase_record(d);
        }
        if (keep && !root_gives_up) {
            // Messages by path wait for the next incarnation.
            r.state = State::Restarting;
            r.inbox = SendPort();
            r.isolate.reset();
            r.stop = Stop::None;
            r.shutdown_requested = false;
            r.shutdown_timed_out = false;
        } else {
            drop_pending(path, r);
            erase_record(it);
        }
    }
    for (auto& orphan : orphans) orphan.kill(Priority::Immediate);
    for (auto& [port, n] : more_notices) port.send(std::move(n));
    for (auto& woke : waiters) woke->set_value(true);
    for (const auto& port : tell) port.send(notice);
    if (tell_supervisor) tell_supervisor->first.send(std::move(tell_supervisor->second));
    if (root_restart) (void)launch(path);
    if (root_gives_up) (void)start_shutdown(options.shutdown_timeout);
}

void ClusterCore::drop_pending(const Path& path, Record& record) {
    for (const auto& [dropped, id] : record.pending) {
        // Never sent through a port, so counted as sent here.
        runtime.core().counters.count_sent();
        runtime.core().dead_letters.record_path(DeadLetterReason::IsolateDead, runtime.node(), path.str(), dropped, id);
    }
    record.pending.clear();
}

std::map<Path, ClusterCore::Record>::iterator ClusterCore::erase_record(std::map<Path, Record>::iterator it) {
    wants_up.erase(it->first);
    wants_down.erase(it->first);
    return records.erase(it);
}

std::vector<SendPort> ClusterCore::inboxes_of(const std::set<Path>& paths, const Path* except) const {
    std::vector<SendPort> inboxes;
    for (const Path& p : paths) {
        if (except != nullptr && (p == *except || except->is_ancestor_of(p))) continue;
        if (auto it = records.find(p); it != records.end() && it->second.inbox.valid())
            inboxes.push_back(it->second.inbox);
    }
    return inboxes;
}

void ClusterCore::remember_ended(const Path& path, const DownReason& reason) {
    ended_recently.insert_or_assign(path, reason);
    ended_order.push_back(path);
    if (ended_order.size() > kEndedMemory) {
        ended_recently.erase(ended_order.front());
        ended_order.pop_front();
    }
}

void ClusterCore::subscribe(const Path& who, Notice notice) {
    std::vector<Value> current;
    SendPort inbox;
    {
        std::lock_guard lock(mutex);
        Record& me = records.at(who);
        inbox = me.inbox;
        if (notice == Notice::Down) {
            wants_down.insert(who);
            return;
        }
        wants_up.insert(who);
        for (const auto& [p, r] : records)
            if (r.state == State::Up) current.push_back(make_notice(Notice::Up, p, r.properties));
    }
    for (auto& n : current) inbox.send(std::move(n));
}

void ClusterCore::watch(const Path& who, const Path& target) {
    SendPort inbox;
    Value notice;
    {
        std::lock_guard lock(mutex);
        inbox = records.at(who).inbox;
        if (auto it = records.find(target); it != records.end()) {
            it->second.watchers.insert(who);
            return;
        }
        DownReason reason;
        if (auto gone = ended_recently.find(target); gone != ended_recently.end()) {
            reason = gone->second;
        } else {
            reason.error = "no isolate at " + target.str();
        }
        notice = make_notice(Notice::Down, target, Value(Map{}), &reason);
    }
    inbox.send(std::move(notice));
}

void ClusterCore::unwatch(const Path& who, const Path& target) {
    std::lock_guard lock(mutex);
    if (auto it = records.find(target); it != records.end()) it->second.watchers.erase(who);
}

namespace {

Future<void> drive_shutdown(std::shared_ptr<ClusterCore> self, Duration timeout) {
    const Duration deadline = self->runtime.now() + timeout;
    // Both are called with the mutex held.
    auto left_at = [self](std::size_t depth) {
        return [self, depth] {
            return std::any_of(self->records.begin(), self->records.end(),
                               [&](const auto& r) { return r.first.segments().size() == depth; });
        };
    };
    auto any_left = [self] { return !self->records.empty(); };
    std::size_t depth = 0;
    {
        std::lock_guard lock(self->mutex);
        for (const auto& [p, r] : self->records) depth = std::max(depth, p.segments().size());
    }
    bool clean = true;
    // Leaves first: a level is asked once the one below it has gone.
    for (; depth > 0 && clean; --depth) {
        {
            std::lock_guard lock(self->mutex);
            for (auto it = self->records.begin(); it != self->records.end();) {
                if (it->first.segments().size() != depth) {
                    ++it;
                } else if (it->second.state == ClusterCore::State::Restarting) {
                    // Between incarnations there is nobody to ask.
                    self->drop_pending(it->first, it->second);
                    it = self->erase_record(it);
                } else {
                    self->ask_to_shut_down(it->first, it->second);
                    ++it;
                }
            }
        }
        clean = co_await self->until(deadline, left_at(depth));
    }
    bool left;
    {
        std::lock_guard lock(self->mutex);
        left = any_left();
    }
    if (left) {
        clean = false;
        {
            std::lock_guard lock(self->mutex);
            for (auto& [p, r] : self->records)
                if (r.isolate) r.isolate->kill(Priority::Immediate);
        }
        // A handler that never returns cannot be killed; do not wait for it forever.
        (void)co_await self->until(self->runtime.now() + std::chrono::seconds(1), any_left);
    }
    {
        std::lock_guard asks(self->asks_mutex);
        if (self->ask_port.valid()) self->ask_port.send(Value());
    }
    std::vector<Promise<bool>> waiters;
    {
        std::lock_guard lock(self->mutex);
        self->shutdown_result = clean;
        waiters = std::move(self->shutdown_waiters);
    }
    for (auto& w : waiters) w.set_value(clean);
}

} // namespace

Future<bool> ClusterCore::start_shutdown(Duration timeout) {
    Promise<bool> waiter;
    Future<bool> result = waiter.future();
    std::lock_guard lock(mutex);
    if (shutdown_result) {
        waiter.set_value(*shutdown_result);
        return result;
    }
    shutdown_waiters.push_back(std::move(waiter));
    if (shutting_down) return result;
    shutting_down = true;
    // The driver's own awaits keep its isolate alive until it is done.
    spawn_task(&runtime, [self = shared_from_this(), timeout] { (void)drive_shutdown(self, timeout); },
               "cluster-shutdown");
    return result;
}

void ClusterCore::ask_from_outside(OutsideAsk ask) {
    std::unique_lock lock(asks_mutex);
    if (!ask_port.valid()) {
        Promise<SendPort> opened;
        auto port_future = opened.future();
        spawn_task(&runtime, [weak = weak_from_this(), opened = std::move(opened)]() mutable {
            auto port = std::make_shared<RawReceivePort>();
            port->set_handler([weak, port](Value id) {
                auto self = weak.lock();
                if (!self || id.is_null()) return port->close();  // null: the cluster shuts down
                OutsideAsk a;
                {
                    std::lock_guard asks(self->asks_mutex);
                    auto it = self->outside_asks.find(static_cast<std::uint64_t>(id.as_int()));
                    if (it == self->outside_asks.end()) return;
                    a = std::move(it->second);
                    self->outside_asks.erase(it);
                }
                auto reply = await_reply(self, std::move(a.to), std::move(a.content), a.timeout, std::move(a.type));
                reply.state()->on_ready([answer = a.answer, state = reply.state()] {
                    if (state->has_error())
                        answer->set_exception(state->error());
                    else
                        answer->set_value(state->take());
                });
            });
            opened.set_value(port->send_port());
        }, "cluster-asks");
        // Held while waiting, so that one ask isolate serves every caller; it
        // takes the lock only for asks, and none can reach it before this.
        ask_port = runtime.block_on(std::move(port_future));
    }
    const std::uint64_t id = ++next_outside_ask;
    outside_asks.emplace(id, std::move(ask));
    ask_port.send(static_cast<std::int64_t>(id));
}

Future<bool> ClusterCore::until(Duration deadline, std::function<bool()> waiting) {
    auto woke = std::make_shared<Promise<bool>>();
    Future<bool> result = woke->future();
    {
        // Checked and registered under one lock: an end in between cannot be missed.
        std::lock_guard lock(mutex);
        if (!waiting()) return Future<bool>::ready(true);
        change_waiters.push_back(woke);
    }
    auto timer = std::make_shared<Timer>(Timer::once(deadline - runtime.now(), [woke] { woke->set_value(false); }));
    return std::move(result).then([self = shared_from_this(), deadline, waiting = std::move(waiting), timer](bool changed) {
        timer->cancel();
        if (!changed) return Future<bool>::ready(false);
        return self->until(deadline, waiting);
    });
}

} // namespace iso::detail
