#include "scenarios.h"

#include <iso/supervision.h>

#include <memory>
#include <stdexcept>

namespace iso::scenarios {

namespace {

using namespace std::chrono_literals;

/// Sends to the isolate at `path` if there is one: while the cluster shuts
/// down, the others go away.
void tell(const Context& context, std::string_view path, Value content) {
    if (auto ref = context.lookup(Path::of(path))) ref->send(std::move(content));
}

// ---- pipeline: two senders race into a supervised accumulator ----------------------

/// Folds each number into its state (so the order matters), reports the
/// state to /sink and replies with it; 13 makes it crash.
void accumulator(Context& context) {
    auto state = std::make_shared<std::int64_t>(1);
    context.on_message([&context, state](const Envelope& m) {
        const std::int64_t x = m.content.as_int();
        if (x == 13) throw std::runtime_error("13 is unlucky");
        *state = (*state * 31 + x + static_cast<std::int64_t>(context.random() % 3)) % 1'000'003;
        tell(context, "/pipeline/sink", *state);
        m.reply(*state);
    });
}

Future<void> send_numbers(Context& context, std::int64_t first, std::int64_t count) {
    for (std::int64_t i = first; i < first + count; ++i) {
        auto acc = context.lookup(Path::of("/pipeline/sup/acc"));
        if (!acc) co_return;  // the cluster is shutting down
        try {
            (void)co_await acc->ask(i, 300ms);
        } catch (const std::exception&) {
            // It crashed on this one; its supervisor restarts it. Go on.
        }
    }
    tell(context, "/pipeline/sink", "end");
}

void pipeline_setup(Cluster& cluster) {
    ChildSpec acc;
    acc.name = "acc";
    acc.entry = accumulator;
    cluster.register_entry("pipeline.supervisor", supervisor({}, {acc}));
    cluster.register_entry("pipeline.sender", [](Context& context) {
        context.on_message([&context](const Envelope& m) { (void)send_numbers(context, m.content.as_int(), 200); });
    });
    cluster.register_entry("pipeline.sink", [](Context& context) { context.on_message([](const Envelope&) {}); });
}

void pipeline_start(Cluster& cluster) {
    cluster.runtime().block_on(cluster.spawn_isolate("/pipeline/sink", "pipeline.sink"));
    cluster.runtime().block_on(cluster.spawn_isolate("/pipeline/sup", "pipeline.supervisor"));
    cluster.runtime().block_on(cluster.spawn_isolate("/pipeline/a", "pipeline.sender")).send(0);
    cluster.runtime().block_on(cluster.spawn_isolate("/pipeline/b", "pipeline.sender")).send(1000);
}

// ---- ping-pong ------------------------------------------------------------------

void pingpong_setup(Cluster& cluster) {
    cluster.register_entry("pingpong.player", [](Context& context) {
        context.on_message([&context](const Envelope& m) {
            const std::int64_t n = m.content.as_int();
            if (n >= 10'000) return;
            const std::string other = context.path().str() == "/pingpong/ping" ? "/pingpong/pong" : "/pingpong/ping";
            tell(context, other, n + 1);
        });
    });
}

void pingpong_start(Cluster& cluster) {
    cluster.runtime().block_on(cluster.spawn_isolate("/pingpong/pong", "pingpong.player"));
    cluster.runtime().block_on(cluster.spawn_isolate("/pingpong/ping", "pingpong.player")).send(0);
}

// ---- supervision: a driver on a timer, workers that fail now and then -------------

void supervision_setup(Cluster& cluster) {
    std::vector<ChildSpec> workers;
    for (int i = 0; i < 4; ++i) {
        ChildSpec w;
        w.name = "w" + std::to_string(i);
        w.entry = [](Context& context) {
            context.on_message([](const Envelope& m) {
                if (m.content.as_int() % 17 == 0) throw std::runtime_error("job " + m.content.to_string() + " failed");
            });
        };
        workers.push_back(std::move(w));
    }
    SupervisorSpec spec;
    spec.max_restarts = 100;
    cluster.register_entry("supervision.workers", supervisor(spec, std::move(workers)));
    cluster.register_entry("supervision.driver", [](Context& context) {
        auto sent = std::make_shared<std::int64_t>(0);
        context.on_message([&context, sent](const Envelope&) {
            iso::Timer::periodic(5ms, [&context, sent](iso::Timer& timer) {
                const auto worker = "/supervision/workers/w" + std::to_string(context.random() % 4);
                tell(context, worker, ++*sent);
                if (*sent == 200) timer.cancel();
            });
        });
    });
}

void supervision_start(Cluster& cluster) {
    cluster.runtime().block_on(cluster.spawn_isolate("/supervision/workers", "supervision.workers"));
    cluster.runtime().block_on(cluster.spawn_isolate("/supervision/driver", "supervision.driver")).send("go");
}

constexpr Scenario scenarios[] = {
    {"pipeline", "two senders ask a supervised accumulator that crashes on 13; results go to a sink",
     pipeline_setup, pipeline_start},
    {"ping-pong", "two isolates bounce a counter 10,000 times", pingpong_setup, pingpong_start},
    {"supervision", "a driver on a timer sends 200 jobs to four supervised workers; every 17th fails",
     supervision_setup, supervision_start},
};

} // namespace

std::span<const Scenario> all() { return scenarios; }

const Scenario* find(std::string_view name) {
    for (const Scenario& s : scenarios)
        if (s.name == name) return &s;
    return nullptr;
}

} // namespace iso::scenarios
