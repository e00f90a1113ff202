// fjthrput, fork-join throughput: 60 workers are each sent 10,000 messages,
// each handled with a little computation (Savina's defaults).

#include "harness.h"

namespace isobench {

namespace {

constexpr double theta = 37.2;

double ours(Peers& peers, long workers, long messages) {
    return timeOurs(peers, "ours, fjthrput: every worker's count", [workers, messages](Finish finish) {
        iso::RawReceivePort port;
        port.set_handler([port, finish, workers, messages, ready = std::vector<iso::SendPort>(),
                          done = 0L](iso::Value message) mutable {
            if (message.is_send_port()) {
                ready.push_back(message.as_send_port());
                if (static_cast<long>(ready.size()) == workers)
                    for (long m = 0; m < messages; ++m)
                        for (const iso::SendPort& worker : ready) worker.send(theta);
            } else if (message.as_int() != messages || ++done == workers) {
                port.close();
                finish(message.as_int() == messages);
            }
        });
        for (long w = 0; w < workers; ++w)
            iso::spawn(
                [messages](iso::Value driver) {
                    iso::RawReceivePort worker;
                    worker.set_handler([worker, driver, messages, handled = 0L, work = 0.0](iso::Value m) mutable {
                        work += compute(m.as_double());
                        if (++handled < messages) return;
                        driver.as_send_port().send(work > 0 ? handled : -1);
                        worker.close();
                    });
                    driver.as_send_port().send(worker.send_port());
                },
                port.send_port());
    });
}

double caf(Peers& peers, long workers, long messages) {
    return timeCaf(peers, "CAF, fjthrput: every worker's count", [&peers, workers, messages](Finish finish) {
        peers.system.spawn([finish, workers, messages](caf::event_based_actor* self) -> caf::behavior {
            auto worker = [messages](caf::event_based_actor* w, caf::actor driver) -> caf::behavior {
                return {[w, driver, messages, handled = 0L, work = 0.0](double m) mutable {
                    work += compute(m);
                    if (++handled < messages) return;
                    w->send(driver, work > 0 ? handled : -1L);
                    w->quit();
                }};
            };
            std::vector<caf::actor> ready;
            for (long w = 0; w < workers; ++w) ready.push_back(self->spawn(worker, caf::actor(self)));
            for (long m = 0; m < messages; ++m)
                for (const caf::actor& w : ready) self->send(w, theta);
            return {[self, finish, workers, messages, done = 0L](long handled) mutable {
                if (handled == messages && ++done < workers) return;
                self->quit();
                finish(handled == messages);
            }};
        });
    });
}

} // namespace

Benchmark fjthrput(Peers& peers) {
    const long workers = 60, messages = 10'000 / peers.scale;
    return {"fjthrput", "messages/s", true,
            [&peers, workers, messages] { return workers * messages / ours(peers, workers, messages); },
            [&peers, workers, messages] { return workers * messages / caf(peers, workers, messages); }};
}

} // namespace isobench
