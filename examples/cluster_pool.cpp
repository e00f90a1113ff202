// "Isolate Pool Pattern": a fixed pool of workers takes tasks round-robin.
//
// The pool is a dynamic supervisor at "/pool": start_child adds workers from
// one template (so a worker that fails comes back), and an IsolateRefGroup
// hands out the tasks in turn. Each worker simulates 100 ms of work with a
// timer, as Dart's awaits Future.delayed, and answers the ask.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <vector>

using namespace std::chrono_literals;

void pool_worker(iso::Context& context) {
    context.on_message([](const iso::Envelope& message) {
        // Simulate work
        iso::Timer::once(100ms, [message] { message.reply(message.content.as_int() * message.content.as_int()); });
    });
}

class WorkerPool {
public:
    WorkerPool(iso::Cluster& cluster, int size) : workers_(start(cluster, size), iso::Routing::RoundRobin) {}

    std::size_t size() const { return workers_.members().size(); }
    const std::vector<iso::IsolateRef>& workers() const { return workers_.members(); }

    iso::Future<iso::Value> execute(int value) { return workers_.pick()->ask(value, 1s); }

private:
    static std::vector<iso::IsolateRef> start(iso::Cluster& cluster, int size) {
        iso::SupervisorSpec spec;
        spec.dynamic_child.emplace();
        spec.dynamic_child->entry = pool_worker;
        iso::IsolateRef pool = cluster.spawn_isolate("/pool", iso::supervisor(spec, {})).get();
        std::vector<iso::IsolateRef> workers;
        for (int i = 0; i < size; ++i) workers.push_back(iso::start_child(pool).get());
        return workers;
    }

    iso::IsolateRefGroup workers_;
};

int main() {
    auto cluster = iso::Cluster::single_node();
    WorkerPool pool(cluster, 3);

    std::cout << "Processing tasks with pool of " << pool.size() << " workers...\n";
    for (const auto& worker : pool.workers()) std::cout << "  " << worker.path().str() << '\n';

    std::vector<iso::Future<iso::Value>> tasks;
    for (int i = 1; i <= 10; ++i) tasks.push_back(pool.execute(i));

    std::vector<iso::Value> results = iso::when_all(std::move(tasks)).get();
    std::cout << "Results: " << iso::Value(iso::List(std::move(results))).to_string() << '\n';
}
