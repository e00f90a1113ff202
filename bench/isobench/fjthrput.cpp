// fjthrput, fork-join throughput: 60 workers are each sent 10,000 messages,
// each handled with a little computation (Savina's defaults).

#include "harness.h"

namespace isobench {

namespace {

double ours(Peers& peers, long workers, long messages) {
    return timeOurs(peers, "ours, fjthrput: every worker's count", [workers, messages](Finish finish) {
        fjthrputOurs(workers, messages, {}, finish);
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
                for (const caf::actor& w : ready) self->send(w, kTheta);
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
    const long workers = kFjthrputWorkers, messages = kFjthrputMessages / peers.scale;
    return {"fjthrput", "messages/s", true,
            [&peers, workers, messages] { return workers * messages / ours(peers, workers, messages); },
            [&peers, workers, messages] { return workers * messages / caf(peers, workers, messages); }};
}

} // namespace isobench
