#include "clustercore.h"
#include "contextstate.h"
#include "portcell.h"

#include <iso/isolateref.h>
#include <iso/receiveport.h>

namespace iso {

using detail::ClusterCore;
using detail::await_reply;

IsolateRef::IsolateRef(std::weak_ptr<ClusterCore> cluster, Path path, NodeId node, Value properties)
    : cluster_(std::move(cluster)), path_(std::move(path)), node_(node), properties_(std::move(properties)) {}

const Value& IsolateRef::property(std::string_view key) const {
    static const Value null;
    const Value* v = properties_.is_map() ? properties_.find(key) : nullptr;
    return v != nullptr ? *v : null;
}

namespace {

/// The path of the cluster isolate running the caller, if any.
std::optional<Path> sender_path() {
    auto* isolate = detail::IsolateCore::current();
    if (isolate == nullptr || isolate->attachment() == nullptr) return std::nullopt;
    return static_cast<const detail::ContextState*>(isolate->attachment())->path;
}

/// A cluster isolate numbers its own asks, so that a replay of it makes the
/// same ids; elsewhere one process-wide counter does.
std::string next_correlation_id() {
    auto* isolate = detail::IsolateCore::current();
    if (isolate != nullptr && isolate->attachment() != nullptr) {
        auto* state = static_cast<detail::ContextState*>(isolate->attachment());
        return "ask-" + state->path.str() + "-" + std::to_string(++state->asks_made);
    }
    static std::atomic<std::uint64_t> next{1};
    return "ask-" + std::to_string(next.fetch_add(1, std::memory_order_relaxed));
}

} // namespace

namespace detail {

Future<Value> await_reply(std::shared_ptr<ClusterCore> cluster, Path to, Value content, Duration timeout,
                          std::string type) {
    auto answer = std::make_shared<Promise<Value>>();
    Future<Value> result = answer->future();
    auto port = std::make_shared<RawReceivePort>();
    detail::PortAccess::cell(*port).awaits_reply.store(true, std::memory_order_relaxed);
    auto timer = std::make_shared<std::optional<Timer>>();
    const std::string id = next_correlation_id();
    port->set_handler([answer, port, timer, id](Value envelope) {
        const Envelope reply = detail::read_envelope(envelope);
        if (reply.correlation_id != id) return;
        if (*timer) (*timer)->cancel();
        port->close();
        answer->set_value(reply.content);
    });
    *timer = Timer::once(timeout, [answer, port, to, timeout] {
        port->close();  // a late reply is now a dead letter
        answer->set_error(TimeoutError("ask " + to.str() + ": no reply within " +
                                       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
                                       " ms"));
    });
    SendOptions options;
    options.type = std::move(type);
    options.reply_to = port->send_port();
    options.correlation_id = id;
    cluster->deliver(to, detail::make_envelope(std::move(content), options, sender_path()));
    return result;
}

} // namespace detail

void IsolateRef::send(Value content, std::string_view type) const {
    SendOptions options;
    options.type = std::string(type);
    send(std::move(content), std::move(options));
}

std::size_t IsolateRef::mailbox_depth() const {
    auto cluster = cluster_.lock();
    return cluster ? cluster->mailbox_depth(path_) : 0;
}

void IsolateRef::send(Value content, SendOptions options) const {
    auto cluster = cluster_.lock();
    if (!cluster) return;
    cluster->deliver(path_, detail::make_envelope(std::move(content), options, sender_path()));
}

Future<Value> IsolateRef::ask(Value content, Duration timeout, std::string type) const {
    auto cluster = cluster_.lock();
    if (!cluster) return Future<Value>::failed(std::make_exception_ptr(StateError("ask: the cluster is gone")));
    if (detail::IsolateCore::current() != nullptr)
        return await_reply(std::move(cluster), path_, std::move(content), timeout, std::move(type));
    // Outside isolates the reply port needs an isolate to live on: the
    // cluster's ask isolate, which sends the requests in the order they came.
    auto answer = std::make_shared<Promise<Value>>();
    Future<Value> result = answer->future();
    cluster->ask_from_outside({path_, std::move(content), timeout, std::move(type), answer});
    return result;
}

} // namespace iso
