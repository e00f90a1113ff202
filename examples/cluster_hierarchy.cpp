// "Hierarchical Isolate Structure": a supervisor isolate spawns its workers
// as children, spreads work over them round-robin and forwards the results.
//
// On the cluster the hierarchy is in the paths: the workers live under the
// supervisor ("/supervisor/worker1"), and Cluster::shutdown stops them before
// their parent, which replaces Dart's STOP and SHUTDOWN messages. The Dart
// supervisor forwards each result as it arrives, so its order varies; this
// one gathers them and answers with all of them in task order.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <syncstream>
#include <vector>

using namespace std::chrono_literals;

void worker(iso::Context& context) {
    context.on_message([](const iso::Envelope& message) { message.reply(message.content.as_int() * message.content.as_int()); });
}

iso::Future<void> supervisor(iso::Context& context) {
    const int worker_count = 3;
    std::vector<iso::IsolateRef> workers;
    for (int i = 1; i <= worker_count; ++i)
        workers.push_back(co_await context.spawn_child("worker" + std::to_string(i), worker));
    auto round_robin = std::make_shared<iso::IsolateRefGroup>(std::move(workers), iso::Routing::RoundRobin);

    // Distribute work to workers
    context.on_message(iso::Dispatcher().on("WORK", [round_robin](const iso::Envelope& message) {
        std::vector<iso::Future<iso::Value>> results;
        for (const iso::Value& task : message.content.as_list()) results.push_back(round_robin->pick()->ask(task, 1s));
        (void)iso::when_all(std::move(results)).then([message](std::vector<iso::Value> squares) {
            message.reply(iso::List(std::move(squares)));
        });
    }));
    // Leaves first: by the time this runs, the workers are gone.
    context.on_shutdown_request([&context] {
        std::osyncstream(std::cout) << "Supervisor shutdown (workers left: " << context.lookup_all(context.path()).size() - 1
                                    << ")\n";
        context.shutdown_isolate();
    });
}

int main() {
    auto cluster = iso::Cluster::single_node();
    iso::IsolateRef supervisor_ref = cluster.spawn_isolate("/supervisor", supervisor).get();

    auto workers = cluster.lookup_matching(iso::PathPattern::of("/supervisor/*"));
    std::cout << "Supervisor ready with " << workers.size() << " workers\n";
    for (const auto& w : workers) std::cout << "  " << w.path().str() << '\n';

    // Send work through supervisor
    iso::Value results = supervisor_ref.ask(iso::Value::list({1, 2, 3, 4, 5, 6, 7, 8, 9}), 1s, "WORK").get();
    for (const iso::Value& result : results.as_list()) std::cout << "Worker result: " << result.to_string() << '\n';

    // Shutdown
    cluster.shutdown(1s);
}
