#include "contextstate.h"
#include "runtimecore.h"

#include <iso/cluster.h>

namespace iso {

using detail::ClusterCore;
using detail::ContextState;
using detail::Notice;

std::string_view kind_name(DownReason::Kind kind) noexcept {
    switch (kind) {
    case DownReason::Kind::Normal: return "normal";
    case DownReason::Kind::Shutdown: return "shutdown";
    case DownReason::Kind::Killed: return "killed";
    case DownReason::Kind::Failed: return "failed";
    }
    return "unknown";
}

void Envelope::reply(Value reply_content) const {
    SendOptions options;
    options.correlation_id = correlation_id;
    // Without a reply_to port the reply goes to the invalid port: a dead letter.
    reply_to.value_or(SendPort()).send(detail::make_envelope(std::move(reply_content), options, std::nullopt));
}

std::optional<Envelope> as_envelope(const Value& message) {
    namespace k = detail::envelope_key;
    if (!message.is_map() || !message.contains(k::content)) return std::nullopt;
    // Exactly the keys make_envelope writes, each of its kind: the cluster's
    // notices (with `sys`) and other maps are not envelopes.
    for (const auto& [key, value] : message.as_map()) {
        const bool fits = key == k::content ||
                          ((key == k::type || key == k::correlation) && value.is_string()) ||
                          (key == k::sender && value.is_string() && Path::parse(value.as_string())) ||
                          (key == k::reply_to && value.is_send_port());
        if (!fits) return std::nullopt;
    }
    return detail::read_envelope(message);
}

namespace detail {

DownReason read_reason(const Value& notice) {
    DownReason r;
    const std::string& kind = notice["kind"].as_string();
    for (auto k : {DownReason::Kind::Normal, DownReason::Kind::Shutdown, DownReason::Kind::Killed,
                   DownReason::Kind::Failed})
        if (kind_name(k) == kind) r.kind = k;
    r.error = notice["error"].as_string();
    r.where = notice["where"].as_string();
    return r;
}

ContextState::ContextState(std::weak_ptr<ClusterCore> c, Path p, Value props, ClusterEntry e,
                           std::shared_ptr<Promise<IsolateRef>> u)
    : cluster(std::move(c)), path(std::move(p)), properties(std::move(props)), entry(std::move(e)), up(std::move(u)) {}

ContextState::~ContextState() {
    auto c = cluster.lock();
    if (!c) return;
    for (const auto& envelope : early)
        if (!envelope.contains(envelope_key::system))
            c->runtime.core().dead_letters.record_path(DeadLetterReason::Unread, c->runtime.node(), path.str(),
                                                       envelope);
}

std::shared_ptr<ClusterCore> ContextState::cluster_or_throw() const {
    auto c = cluster.lock();
    if (!c) throw StateError("the cluster of " + path.str() + " is gone");
    return c;
}

void ContextState::start() {
    auto c = cluster_or_throw();
    IsolateCore::current()->attach(shared_from_this());
    inbox.emplace([self = shared_from_this()](Value envelope) { self->receive(std::move(envelope)); });
    random_state = c->opened_inbox(path, inbox->send_port(), Isolate::current());
    Future<void> done = entry(context);
    if (done.is_ready() && !done.state()->has_error()) {
        entry_finished();
        return;
    }
    done.state()->on_ready(bind_to_current_isolate([self = shared_from_this(), state = done.state()] {
        if (state->has_error())
            report_uncaught(state->error());
        else
            self->entry_finished();
    }));
}

void ContextState::entry_finished() {
    auto c = cluster_or_throw();
    entry_returned = true;
    auto waiting = std::move(early);
    early.clear();
    for (const auto& envelope : waiting) dispatch(envelope);
    c->came_up(path);
    up->set_value(c->ref(path, properties));
}

void ContextState::receive(Value envelope) {
    if (!entry_returned) {
        early.push_back(std::move(envelope));
        return;
    }
    dispatch(envelope);
}

void ContextState::dispatch(const Value& envelope) {
    const Value* system = envelope.find(envelope_key::system);
    if (system == nullptr) {
        if (on_message) {
            on_message(read_envelope(envelope));
        } else if (auto c = cluster.lock()) {
            c->runtime.core().dead_letters.record_path(DeadLetterReason::Unread, c->runtime.node(), path.str(),
                                                       envelope);
        }
        return;
    }
    const std::string& kind = system->as_string();
    if (kind == "shutdown") {
        if (on_shutdown)
            on_shutdown();
        else
            finish_current_isolate();
        return;
    }
    if (kind == "child") {
        if (on_child) on_child(envelope);
        return;
    }
    auto c = cluster.lock();
    if (!c) return;
    const IsolateRef who = c->ref(Path::of(envelope["path"].as_string()), envelope["properties"]);
    if (kind == "up" && on_up) on_up(who);
    if (kind == "down" && on_down) on_down(who, read_reason(envelope));
}

} // namespace detail

const Path& Context::path() const noexcept { return state_->path; }
const Value& Context::properties() const noexcept { return state_->properties; }

const Value& Context::property(std::string_view key) const {
    static const Value null;
    const Value* v = state_->properties.find(key);
    return v != nullptr ? *v : null;
}

IsolateRef Context::self() const { return state_->cluster_or_throw()->ref(state_->path, state_->properties); }

void Context::on_message(std::function<void(const Envelope&)> handler) { state_->on_message = std::move(handler); }

void Context::on_isolate_up(std::function<void(const IsolateRef&)> handler) {
    const bool first = !state_->on_up;
    state_->on_up = std::move(handler);
    if (first) state_->cluster_or_throw()->subscribe(state_->path, Notice::Up);
}

void Context::on_isolate_down(std::function<void(const IsolateRef&, const DownReason&)> handler) {
    const bool first = !state_->on_down;
    state_->on_down = std::move(handler);
    if (first) state_->cluster_or_throw()->subscribe(state_->path, Notice::Down);
}

void Context::on_shutdown_request(std::function<void()> handler) { state_->on_shutdown = std::move(handler); }

void Context::shutdown_isolate() { detail::finish_current_isolate(); }

void Context::shutdown_node() {
    auto cluster = state_->cluster_or_throw();
    (void)cluster->start_shutdown(cluster->options.shutdown_timeout);
}

Future<IsolateRef> Context::spawn_child(std::string_view segment, ClusterEntry entry, Value properties) {
    return state_->cluster_or_throw()->spawn(segment, std::move(entry), std::move(properties), state_->path);
}

Future<IsolateRef> Context::spawn_child(std::string_view segment, std::string_view entry_name, Value properties) {
    auto c = state_->cluster_or_throw();
    ClusterEntry entry = c->entry_named(entry_name);
    if (!entry)
        return Future<IsolateRef>::failed(
            std::make_exception_ptr(std::invalid_argument("spawn: no entry named '" + std::string(entry_name) + "'")));
    return c->spawn(segment, std::move(entry), std::move(properties), state_->path, std::nullopt,
                    std::string(entry_name));
}

std::uint64_t Context::random() {
    // splitmix64: small, fast, and every seed gives a full-period sequence.
    std::uint64_t z = (state_->random_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void Context::send_self(Value content, SendOptions options) const { self().send(std::move(content), std::move(options)); }

void Context::watch(const IsolateRef& ref) { state_->cluster_or_throw()->watch(state_->path, ref.path()); }
void Context::unwatch(const IsolateRef& ref) { state_->cluster_or_throw()->unwatch(state_->path, ref.path()); }

std::optional<IsolateRef> Context::lookup(const Path& p) const { return state_->cluster_or_throw()->lookup(p); }

std::vector<IsolateRef> Context::lookup_all(const Path& prefix) const {
    return state_->cluster_or_throw()->lookup_where(prefix, [](const Path&) { return true; });
}

std::vector<IsolateRef> Context::lookup_matching(const PathPattern& pattern) const {
    return state_->cluster_or_throw()->lookup_where(pattern.fixed_prefix(),
                                                    [&](const Path& p) { return pattern.matches(p); });
}

} // namespace iso
