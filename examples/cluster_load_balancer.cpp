// "Load Balancer Pattern": tasks go to the worker with the least load.
//
// Dart's balancer counts each worker's active tasks itself. The cluster's
// IsolateRefGroup routes by a rule instead: RoundRobin takes turns, and
// LeastLoaded picks the member with the fewest messages waiting in its
// mailbox. Which worker gets a task in Dart depends on timing, so this
// program prints what does not: round-robin assignments, and that the least
// loaded rule steers every quick task away from a worker with a backlog.
// The workers sleep to stand for CPU-bound work: while one is busy its
// backlog waits in its mailbox, which is the load LeastLoaded sees.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

void load_balancer_worker(iso::Context& context) {
    context.on_message([&context](const iso::Envelope& message) {
        // Simulate work
        std::this_thread::sleep_for(std::chrono::milliseconds(message.content["workload"].as_int()));
        if (message.reply_to)
            message.reply(iso::Value::map({{"workerId", context.property("id")}, {"taskId", message.content["taskId"]}}));
    });
}

iso::Value task(int task_id, int workload) { return iso::Value::map({{"taskId", task_id}, {"workload", workload}}); }

/// Asks `group` to run tasks first_id..first_id+count-1 and waits for all the answers.
std::vector<iso::Value> submit(iso::IsolateRefGroup& group, int first_id, int count, int workload) {
    std::vector<iso::Future<iso::Value>> answers;
    for (int i = first_id; i < first_id + count; ++i) answers.push_back(group.pick()->ask(task(i, workload), 5s));
    return iso::when_all(std::move(answers)).get();
}

int main() {
    const int num_workers = 4;
    auto cluster = iso::Cluster::single_node();

    // Create workers
    std::cout << "Creating " << num_workers << " workers...\n";
    std::vector<iso::IsolateRef> workers;
    for (int i = 0; i < num_workers; ++i)
        workers.push_back(cluster.spawn_isolate("/workers/w" + std::to_string(i), load_balancer_worker,
                                                iso::Value::map({{"id", i}})).get());

    std::cout << "\nRound robin: 8 equal tasks\n";
    iso::IsolateRefGroup round_robin(workers, iso::Routing::RoundRobin);
    for (const iso::Value& result : submit(round_robin, 0, 8, 10))
        std::cout << "Task " << result["taskId"].to_string() << " completed by worker " << result["workerId"].to_string()
                  << '\n';

    std::cout << "\nLeast loaded: worker 0 has a backlog of 4 slow tasks; 9 quick tasks follow\n";
    for (int i = 100; i < 104; ++i) workers[0].send(task(i, 100));
    iso::IsolateRefGroup least_loaded(workers, iso::Routing::LeastLoaded);
    std::map<std::int64_t, int> quick_tasks;
    for (const iso::Value& result : submit(least_loaded, 8, 9, 10)) ++quick_tasks[result["workerId"].as_int()];
    std::cout << "Quick tasks done by worker 0: " << quick_tasks[0] << '\n';
    std::cout << "Quick tasks done by workers 1-3: " << quick_tasks[1] + quick_tasks[2] + quick_tasks[3] << '\n';

    // The backlog is done once a last task queued behind it is.
    (void)workers[0].ask(task(104, 0), 5s).get();
    std::cout << "\nFinal worker loads:\n";
    for (const auto& worker : workers)
        std::cout << "Worker " << worker.property("id").to_string() << ": " << worker.mailbox_depth() << " queued tasks\n";
}
