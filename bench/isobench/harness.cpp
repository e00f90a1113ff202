#include "harness.h"

#include "event.h"  // the mailbox's queue and its events, for the stream reference

#include <atomic>
#include <stdexcept>
#include <thread>

namespace isobench {

double timed(std::string_view what, const std::function<void(Finish)>& start) {
    Finish finish;
    auto end = finish.end_->get_future();
    const auto begin = Clock::now();
    start(finish);
    const Finish::End result = end.get();
    if (!result.ok) throw std::runtime_error("wrong result: " + std::string(what));
    return std::chrono::duration<double>(result.at - begin).count();
}

double timeOurs(Peers& peers, std::string_view what, std::function<void(Finish)> entry) {
    const double seconds = timed(what, [&](Finish finish) {
        peers.runtime.spawn([entry = std::move(entry), finish](iso::Value) { entry(finish); });
    });
    peers.runtime.wait_until_idle();
    return seconds;
}

double timeCaf(Peers& peers, std::string_view what, const std::function<void(Finish)>& start) {
    const double seconds = timed(what, start);
    peers.system.await_all_actors_done();
    return seconds;
}

double handoffReference(long rounds) {
    std::atomic<long> ball{0};
    const auto start = Clock::now();
    std::thread other([&] {
        for (long i = 1; i <= rounds; i += 2) {
            while (ball.load(std::memory_order_acquire) != i) {
            }
            ball.store(i + 1, std::memory_order_release);
        }
    });
    for (long i = 0; i < rounds; i += 2) {
        while (ball.load(std::memory_order_acquire) != i) {
        }
        ball.store(i + 1, std::memory_order_release);
    }
    other.join();
    return static_cast<double>(rounds) / std::chrono::duration<double>(Clock::now() - start).count();
}

double streamReference(long messages) {
    using iso::detail::Event;
    // The mailbox's own queue and the runtime's own events, allocated as it
    // allocates them, with nothing else around them.
    iso::detail::MpscQueue queue;
    long total = 0;
    const auto start = Clock::now();
    std::thread receiver([&] {
        iso::detail::MpscQueue::Reader reader;
        for (long received = 0; received < messages;) {
            if (auto* e = static_cast<Event*>(queue.pop(reader))) {
                total += e->value.as_int();
                delete e;
                ++received;
            }
        }
    });
    for (long i = 0; i < messages; ++i) {
        auto* e = new Event;
        e->value = 1;
        queue.push(e);
    }
    receiver.join();
    if (total != messages) throw std::runtime_error("wrong result: the stream reference");
    return static_cast<double>(messages) / std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace isobench
