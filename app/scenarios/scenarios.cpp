#include "scenarios.h"

#include <iso/receiveport.h>
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

// ---- demo: what the workbench starts on; it runs until the cluster ends ---------

/// A stage of the demo pipeline: does its step and passes the result on.
ChildSpec stage(std::string name, std::string next, std::int64_t (*step)(std::int64_t)) {
    ChildSpec spec;
    spec.name = std::move(name);
    spec.entry = [next = std::move(next), step](Context& context) {
        context.on_message([&context, next, step](const Envelope& m) { tell(context, next, step(m.content.as_int())); });
    };
    return spec;
}

/// Busy for about `rounds` steps of arithmetic: work the scheduler can see.
std::int64_t churn(std::int64_t seed, int rounds) {
    std::uint64_t x = static_cast<std::uint64_t>(seed) | 1;
    for (int i = 0; i < rounds; ++i) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return static_cast<std::int64_t>(x % 1'000'000);
}

void demo_setup(Cluster& cluster) {
    // A supervised pipeline: parse, enrich and store, fed by a source.
    cluster.register_entry("demo.pipeline",
                           supervisor({}, {stage("parse", "/demo/pipeline/enrich", [](std::int64_t x) { return x * 3; }),
                                           stage("enrich", "/demo/pipeline/store",
                                                 [](std::int64_t x) { return churn(x, 2'000); }),
                                           stage("store", "/demo/sink", [](std::int64_t x) { return x % 97; })}));
    cluster.register_entry("demo.source", [](Context& context) {
        auto n = std::make_shared<std::int64_t>(0);
        context.on_message([&context, n](const Envelope&) {
            iso::Timer::periodic(2ms, [&context, n](iso::Timer&) { tell(context, "/demo/pipeline/parse", ++*n); });
        });
    });
    cluster.register_entry("demo.sink", [](Context& context) { context.on_message([](const Envelope&) {}); });

    // A worker pool under load: bursts of jobs, handed out round robin.
    std::vector<ChildSpec> workers;
    for (int i = 0; i < 6; ++i) {
        ChildSpec w;
        w.name = "w" + std::to_string(i);
        w.entry = [](Context& context) {
            // Kept, so that the work is done rather than optimized away.
            auto sum = std::make_shared<std::int64_t>(0);
            context.on_message([sum](const Envelope& m) { *sum += churn(m.content.as_int(), 100'000); });
        };
        workers.push_back(std::move(w));
    }
    cluster.register_entry("demo.workers", supervisor({}, std::move(workers)));
    cluster.register_entry("demo.dispatcher", [](Context& context) {
        auto next = std::make_shared<std::int64_t>(0);
        context.on_message([&context, next](const Envelope&) {
            iso::Timer::periodic(10ms, [&context, next](iso::Timer&) {
                // A burst bigger some times than others, so mailboxes rise and fall.
                const std::int64_t burst = 6 + static_cast<std::int64_t>(context.random() % 30);
                for (std::int64_t i = 0; i < burst; ++i, ++*next)
                    tell(context, "/demo/pool/workers/w" + std::to_string(*next % 6), *next);
            });
        });
    });

    // A flaky worker: one job in twenty fails, and its supervisor restarts it.
    ChildSpec flaky;
    flaky.name = "flaky";
    flaky.entry = [](Context& context) {
        context.on_message([&context](const Envelope& m) {
            if (context.random() % 20 == 0) throw std::runtime_error("job " + m.content.to_string() + " went wrong");
        });
    };
    SupervisorSpec patient;
    patient.max_restarts = 1'000'000;
    patient.within = 1s;
    cluster.register_entry("demo.flaky", supervisor(patient, {flaky}));
    // A help desk that answers what it is asked: for the workbench's Send.
    cluster.register_entry("demo.desk", [](Context& context) {
        auto answered = std::make_shared<std::int64_t>(0);
        context.on_message([&context, answered](const Envelope& m) {
            if (m.reply_to) m.reply(Map{{"answer", m.content}, {"from", context.path().str()}, {"count", ++*answered}});
        });
    });
    cluster.register_entry("demo.client", [](Context& context) {
        auto n = std::make_shared<std::int64_t>(0);
        context.on_message([&context, n](const Envelope&) {
            iso::Timer::periodic(25ms, [&context, n](iso::Timer&) { tell(context, "/demo/flaky/flaky", ++*n); });
        });
    });
}

void demo_start(Cluster& cluster) {
    Runtime& runtime = cluster.runtime();
    runtime.block_on(cluster.spawn_isolate("/demo/sink", "demo.sink"));
    runtime.block_on(cluster.spawn_isolate("/demo/pipeline", "demo.pipeline"));
    runtime.block_on(cluster.spawn_isolate("/demo/pool/workers", "demo.workers"));
    runtime.block_on(cluster.spawn_isolate("/demo/flaky", "demo.flaky"));
    runtime.block_on(cluster.spawn_isolate("/demo/source", "demo.source")).send("go");
    runtime.block_on(cluster.spawn_isolate("/demo/pool/dispatcher", "demo.dispatcher")).send("go");
    runtime.block_on(cluster.spawn_isolate("/demo/client", "demo.client")).send("go");
    runtime.block_on(cluster.spawn_isolate("/demo/desk", "demo.desk"));
}

// ---- flood: as many messages as the machine can pass --------------------------------

constexpr int flood_pairs = 4;
constexpr int flood_balls = 16;  ///< in flight per pair, so that no relay waits long

/// A plain isolate that passes every message on to its partner until its
/// conductor ends. Spawned with [the port to report its own port to, the
/// conductor's control port]; then learns its partner's port.
void relay(Value spawn_message) {
    const List& given = spawn_message.as_list();
    RawReceivePort port;
    port.set_handler([port, partner = SendPort()](Value message) mutable {
        if (message.is_null()) {  // the conductor has ended: so does the flood
            port.close();
        } else if (message.is_send_port()) {
            partner = message.as_send_port();
        } else {
            partner.send(std::move(message));
        }
    });
    Isolate(given[1].as_send_port()).add_on_exit_listener(port.send_port());
    given[0].as_send_port().send(port.send_port());
}

void flood_setup(Cluster& cluster) {
    // Pairs relays as their ports come in, then starts the balls: all
    // partners are told before the first ball moves. The relays are plain
    // isolates, for speed; they end with the conductor, whatever ends it.
    cluster.register_entry("flood.conductor", [](Context& context) {
        context.on_message([](const Envelope&) {});
        RawReceivePort ports;
        ports.set_handler([ports, relays = std::vector<SendPort>()](Value message) mutable {
            relays.push_back(message.as_send_port());
            if (relays.size() < 2 * flood_pairs) return;
            for (std::size_t i = 0; i < relays.size(); i += 2) {
                relays[i].send(relays[i + 1]);
                relays[i + 1].send(relays[i]);
            }
            for (std::size_t i = 0; i < relays.size(); i += 2)
                for (int ball = 0; ball < flood_balls; ++ball) relays[i].send(ball + 1);
            ports.close();
        });
        SpawnOptions named;
        named.debug_name = "relay";
        const Value given = List{ports.send_port(), Isolate::current().control_port()};
        for (int i = 0; i < 2 * flood_pairs; ++i) iso::spawn(relay, given, named);
    });
}

void flood_start(Cluster& cluster) {
    cluster.runtime().block_on(cluster.spawn_isolate("/flood/conductor", "flood.conductor"));
}

// ---- crowd: ten thousand isolates, to see the views at scale ----------------------

constexpr int crowd_shards = 100;
constexpr int crowd_cells = 100;  ///< in each shard
constexpr int crowd_jobs_per_tick = 500;

void crowd_setup(Cluster& cluster) {
    std::vector<ChildSpec> cells;
    for (int i = 0; i < crowd_cells; ++i) {
        ChildSpec cell;
        cell.name = "cell-" + std::to_string(i);
        cell.entry = [](Context& context) {
            auto sum = std::make_shared<std::int64_t>(0);
            context.on_message([sum](const Envelope& m) {
                const std::int64_t job = m.content.as_int();
                if (job % 4'999 == 0) throw std::runtime_error("job " + std::to_string(job) + " went wrong");
                *sum += churn(job, 500);
            });
        };
        cells.push_back(std::move(cell));
    }
    SupervisorSpec patient;
    patient.max_restarts = 1'000'000;
    patient.within = 1s;
    cluster.register_entry("crowd.shard", supervisor(patient, std::move(cells)));
    // Jobs to cells chosen at random, so that every row of the table moves now and then.
    cluster.register_entry("crowd.driver", [](Context& context) {
        auto next = std::make_shared<std::int64_t>(0);
        context.on_message([&context, next](const Envelope&) {
            iso::Timer::periodic(10ms, [&context, next](iso::Timer&) {
                for (int i = 0; i < crowd_jobs_per_tick; ++i) {
                    const auto shard = context.random() % crowd_shards;
                    const auto cell = context.random() % crowd_cells;
                    tell(context, "/crowd/shard-" + std::to_string(shard) + "/cell-" + std::to_string(cell), ++*next);
                }
            });
        });
    });
}

void crowd_start(Cluster& cluster) {
    for (int shard = 0; shard < crowd_shards; ++shard)
        cluster.runtime().block_on(cluster.spawn_isolate("/crowd/shard-" + std::to_string(shard), "crowd.shard"));
    cluster.runtime().block_on(cluster.spawn_isolate("/crowd/driver", "crowd.driver")).send("go");
}

constexpr Scenario scenarios[] = {
    {"crowd", "runs until stopped: 10,000 supervised cells in 100 shards take 50,000 jobs a second, "
              "and one job in 4,999 fails",
     crowd_setup, crowd_start},
    {"demo", "runs until stopped: a supervised pipeline, a worker pool under bursts of load, and a flaky "
             "worker whose supervisor restarts it",
     demo_setup, demo_start},
    {"flood", "runs until stopped: four pairs of plain isolates pass 64 messages around as fast as they can, "
              "to watch the workbench under full load",
     flood_setup, flood_start},
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
