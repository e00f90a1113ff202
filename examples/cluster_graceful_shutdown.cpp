// "Graceful Shutdown Pattern": asked to shut down, a worker refuses new
// work, finishes what it has started, and only then ends.
//
// Dart sends the worker a SHUTDOWN message; on the cluster the request comes
// from Cluster::shutdown through Context::on_shutdown_request, and the
// isolate ends when it calls shutdown_isolate (or is killed after the
// timeout). Dart's output interleaves by timing; this timeline is fixed by
// wide margins: five tasks start, the shutdown is requested at once, task 99
// arrives 100 ms later, and the tasks complete 400 ms after they started.
// Main asks the worker to take each task, so "Starting task" lines come first.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <syncstream>

using namespace std::chrono_literals;

void print(const std::string& line) { std::osyncstream(std::cout) << line << '\n'; }

void graceful_worker(iso::Context& context) {
    struct State {
        bool shutdown_requested = false;
        int active_work = 0;
    };
    auto state = std::make_shared<State>();

    auto finish_if_idle = [&context, state] {
        if (!state->shutdown_requested || state->active_work > 0) return;
        print("All work completed, shutting down");
        context.shutdown_isolate();
    };

    context.on_message([state, finish_if_idle](const iso::Envelope& message) {
        const std::string task = message.content.to_string();
        if (state->shutdown_requested) {
            print("Rejecting task " + task + " (shutdown in progress)");
            return;
        }
        print("Starting task " + task);
        ++state->active_work;
        message.reply("accepted");
        iso::Timer::once(400ms, [state, finish_if_idle, task] {
            print("Completed task " + task);
            --state->active_work;
            finish_if_idle();
        });
    });

    context.on_shutdown_request([state, finish_if_idle] {
        state->shutdown_requested = true;
        print("Shutdown requested, finishing active work...");
        finish_if_idle();
    });
}

int main() {
    auto cluster = iso::Cluster::single_node();
    iso::IsolateRef worker = cluster.spawn_isolate("/worker", graceful_worker).get();

    std::cout << "Starting tasks...\n\n";
    for (int i = 1; i <= 5; ++i) (void)worker.ask(i, 1s).get();

    std::cout << "\nRequesting graceful shutdown...\n\n";
    // Try sending more work after shutdown requested
    auto late_task = iso::delay(100ms).then([worker] { worker.send(99); });
    const bool clean = cluster.shutdown(2s);
    late_task.get();
    std::cout << "\nWorker " << (clean ? "finished its work and shut down" : "had to be killed") << '\n';
}
