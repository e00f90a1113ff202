// "Actor Model Implementation": an actor is an isolate with a behaviour;
// messages are its only interface.
//
// Dart's ActorMessage(type, payload, replyTo) is the cluster's envelope: the
// type travels beside the content, and ask() supplies the reply port. Dart
// cannot pass the handler to the isolate ("simplified version"); a cluster
// entry is a closure, so the behaviour goes with it and its print shows up.
// Main runs as an isolate (iso::run_main) on the cluster's runtime, so its
// two asks reach the actor in the order they were made, as Dart's sends do.

#include <iso/iso.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <string>
#include <syncstream>

using namespace std::chrono_literals;

class Actor {
public:
    using Behaviour = std::function<void(const iso::Envelope&)>;

    static iso::Future<Actor> spawn(iso::Cluster& cluster, std::string_view path, Behaviour behaviour) {
        auto spawned = cluster.spawn_isolate(path, [behaviour](iso::Context& context) {
            context.on_message(iso::Dispatcher()
                                   .on("stop", [&context](const iso::Envelope&) { context.shutdown_isolate(); })
                                   .otherwise([behaviour](const iso::Envelope& message) {
                                       behaviour(message);
                                       message.reply("Processed: " + message.content.to_string());
                                   }));
        });
        return std::move(spawned).then([](iso::IsolateRef ref) { return Actor(std::move(ref)); });
    }

    iso::Future<iso::Value> ask(std::string type, iso::Value payload) const {
        return ref_.ask(std::move(payload), 1s, std::move(type));
    }
    void stop() const { ref_.send(nullptr, "stop"); }

private:
    explicit Actor(iso::IsolateRef ref) : ref_(std::move(ref)) {}
    iso::IsolateRef ref_;
};

iso::Future<void> async_main(iso::Cluster& cluster) {
    Actor actor = co_await Actor::spawn(cluster, "/actors/processor", [](const iso::Envelope& message) {
        std::osyncstream(std::cout) << "Actor received: " << message.type << " - " << message.content.to_string() << '\n';
    });

    auto reply1 = actor.ask("process", "data1");
    auto reply2 = actor.ask("process", "data2");

    // Both answers before printing, so that these lines follow the actor's.
    const iso::Value first = co_await std::move(reply1);
    const iso::Value second = co_await std::move(reply2);
    std::cout << "Reply: " << first.to_string() << '\n';
    std::cout << "Reply: " << second.to_string() << '\n';
    actor.stop();
}

int main() {
    iso::ClusterOptions options;
    options.runtime = &iso::Runtime::global();
    auto cluster = iso::Cluster::single_node(options);
    return iso::run_main([&cluster] { return async_main(cluster); });
}
