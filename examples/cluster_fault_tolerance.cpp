// "Isolate Fault Tolerance": a worker that fails is restarted with a growing
// delay, and work goes on.
//
// Dart's SupervisedWorker wires error and exit ports and restarts by hand.
// Here iso::supervisor does it: a permanent child restarted one for one with
// an exponential backoff (100 ms, then 200 ms), at most three times. A
// monitor isolate watches the worker's down events; main asks it for each
// failure, so it sends the next task only once the worker is down, and that
// task waits for the next incarnation. (A message already in the mailbox of
// the incarnation that fails dies with it.) The worker prints its restart a
// backoff after main prints the failure, so the order is fixed.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <syncstream>
#include <vector>

using namespace std::chrono_literals;

const std::string kName = "Resilient-1";

void worker_entry(iso::Context& context) {
    std::osyncstream(std::cout) << "Worker " << kName << " started\n";
    context.on_message([](const iso::Envelope& message) {
        if (message.content == iso::Value("FAIL")) throw iso::Exception("Simulated failure");
        message.reply("Processed: " + message.content.to_string());
    });
}

/// Answers "failure N" with the error of the worker's Nth failure, once there is one.
void monitor(iso::Context& context) {
    struct State {
        std::vector<std::string> errors;
        std::vector<iso::Envelope> waiting;
    };
    auto state = std::make_shared<State>();
    auto answer = [state] {
        std::erase_if(state->waiting, [&state](const iso::Envelope& request) {
            const auto n = static_cast<std::size_t>(request.content.as_int());
            if (n > state->errors.size()) return false;
            request.reply(state->errors[n - 1]);
            return true;
        });
    };
    context.on_isolate_down([state, answer](const iso::IsolateRef& ref, const iso::DownReason& why) {
        if (ref.path().name() != kName || why.kind != iso::DownReason::Kind::Failed) return;
        state->errors.push_back(why.error);
        answer();
    });
    context.on_message([state, answer](const iso::Envelope& request) {
        state->waiting.push_back(request);
        answer();
    });
}

iso::SupervisorSpec restart_with_backoff() {
    iso::SupervisorSpec spec;
    spec.max_restarts = 3;
    spec.within = 10s;
    spec.backoff.min = 100ms;
    spec.backoff.max = 1s;
    return spec;
}

int main() {
    auto cluster = iso::Cluster::single_node();
    iso::IsolateRef failures = cluster.spawn_isolate("/monitor", monitor).get();

    iso::ChildSpec worker_spec;
    worker_spec.name = kName;
    worker_spec.entry = worker_entry;
    (void)cluster.spawn_isolate("/supervisor", iso::supervisor(restart_with_backoff(), {worker_spec})).get();
    iso::IsolateRef worker = *cluster.lookup(iso::Path::of("/supervisor/" + kName));

    // Send normal work
    iso::Value reply = worker.ask("Task-1", 1s).get();
    std::cout << "Received: " << reply.to_string() << '\n';

    for (int failure = 1; failure <= 2; ++failure) {
        // Trigger failure
        std::cout << "\nTriggering failure...\n";
        const auto start = std::chrono::steady_clock::now();
        worker.send("FAIL");
        const iso::Value error = failures.ask(failure, 1s).get();
        std::cout << "Worker " << kName << " error: " << error.as_string() << '\n';
        const auto backoff = 100ms * (1 << (failure - 1));
        std::cout << "Restarting worker " << kName << " after " << backoff.count() << " ms (attempt " << failure << ")\n";

        // Sent while the worker is down: it waits for the restart.
        const std::string task = "Task-" + std::to_string(failure + 1);
        reply = worker.ask(task, 2s).get();
        std::cout << "Received: " << reply.to_string() << '\n';
        const auto waited = std::chrono::steady_clock::now() - start;
        std::cout << "  (the restart waited " << (waited >= backoff ? "at least " : "less than ")
                  << backoff.count() << " ms)\n";
    }

    cluster.shutdown(1s);
}
