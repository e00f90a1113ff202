#include "democluster.h"

#include <iso/isolate.h>
#include <iso/receiveport.h>
#include <iso/timer.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int workerCount = 3;
constexpr int jobsPerTick = 4;
constexpr auto tickPeriod = 50ms;
/// The ticker holds back while this many jobs (two seconds' worth) are
/// unanswered, so a slow machine sees full mailboxes, not ever-growing ones.
constexpr std::int64_t maxOutstanding = 40 * workerCount * jobsPerTick;
/// One worker is paused this long every napPeriod: its mailbox fills while
/// the others go on, and drains when it resumes.
constexpr auto napPeriod = 3s;
constexpr auto napLength = 1s;
constexpr auto jobPeriod = 1s;
/// A job outlives the next one's start, so the list shows them come and go.
constexpr auto jobLifetime = 1500ms;
constexpr auto rallyPause = 10ms;

/// A little CPU work per message, so handlers take measurable time.
std::int64_t collatzSteps(std::int64_t first, std::int64_t count)
{
    std::int64_t steps = 0;
    for (std::int64_t n = first; n < first + count; ++n) {
        for (std::int64_t x = n; x > 1; x = x % 2 != 0 ? 3 * x + 1 : x / 2)
            ++steps;
    }
    return steps;
}

iso::SpawnOptions named(std::string name)
{
    iso::SpawnOptions options;
    options.debug_name = std::move(name);
    return options;
}

/// Tells the ticker its job port, then answers each job with its result.
void workerMain(iso::Value ticker)
{
    const iso::SendPort results = ticker.as_send_port();
    iso::ReceivePort jobs;
    results.send(iso::Value::map({{"worker", jobs.send_port()}}));
    jobs.listen([results](iso::Value job) {
        results.send(iso::Value::map({{"steps", collatzSteps(job.as_int(), 500)}}));
    });
}

/// Works on one job for a while, reports, and ends with nothing left open.
void jobMain(iso::Value job)
{
    iso::Timer::once(jobLifetime, [job] {
        job["reply"].as_send_port().send(iso::Value::map({{"job", collatzSteps(job["first"].as_int(), 20000)}}));
    });
}

struct TickerState {
    std::vector<iso::SendPort> workers;
    std::int64_t nextJob = 1;
    std::int64_t outstanding = 0;
};

void tickerMain(iso::Value)
{
    auto state = std::make_shared<TickerState>();
    iso::ReceivePort inbox;
    const iso::SendPort reply = inbox.send_port();
    std::vector<iso::Isolate> workers;
    for (int i = 1; i <= workerCount; ++i)
        workers.push_back(iso::spawn(workerMain, reply, named("worker-" + std::to_string(i))));

    inbox.listen([state](iso::Value message) {
        if (const iso::Value* worker = message.find("worker"))
            state->workers.push_back(worker->as_send_port());
        else if (message.contains("steps"))
            --state->outstanding;
    });
    iso::Timer::periodic(tickPeriod, [state](iso::Timer&) {
        if (state->outstanding >= maxOutstanding)
            return;
        state->outstanding += static_cast<std::int64_t>(state->workers.size()) * jobsPerTick;
        for (const iso::SendPort& worker : state->workers) {
            for (int job = 0; job < jobsPerTick; ++job)
                worker.send(state->nextJob++);
        }
    });
    iso::Timer::periodic(napPeriod, [napper = workers.back()](iso::Timer&) {
        const iso::Capability resume = napper.pause();
        iso::Timer::once(napLength, [napper, resume] { napper.resume(resume); });
    });
    iso::Timer::periodic(jobPeriod, [reply](iso::Timer& timer) {
        const auto number = static_cast<std::int64_t>(timer.tick());
        iso::spawn(jobMain, iso::Value::map({{"first", number * 1000}, {"reply", reply}}),
                   named("job-" + std::to_string(number)));
    });
}

/// Returns every ball it gets, one higher.
void pongMain(iso::Value ping)
{
    const iso::SendPort back = ping.as_send_port();
    iso::ReceivePort balls;
    back.send(balls.send_port());
    balls.listen([back](iso::Value ball) { back.send(ball.as_int() + 1); });
}

/// Starts a pong and rallies with it, pausing between strokes so the pair
/// stays busy without spinning a worker thread.
void pingMain(iso::Value)
{
    iso::ReceivePort balls;
    iso::spawn(pongMain, balls.send_port(), named("pong"));
    auto pong = std::make_shared<std::optional<iso::SendPort>>();
    balls.listen([pong](iso::Value message) {
        if (message.is_send_port()) {
            *pong = message.as_send_port();
            (*pong)->send(0);
            return;
        }
        iso::Timer::once(rallyPause, [pong, next = message.as_int() + 1] { (*pong)->send(next); });
    });
}

iso::RuntimeOptions demoOptions()
{
    iso::RuntimeOptions options;
    // The demo is there to be watched; two workers keep it off the user's cores.
    options.threads = 2;
    return options;
}

} // namespace

DemoCluster::DemoCluster()
    : m_runtime(demoOptions())
{
    m_runtime.spawn(tickerMain, {}, named("ticker"));
    m_runtime.spawn(pingMain, {}, named("ping"));
}
