// fjcreate, fork-join creation: 40,000 actors are made, each with one
// message it handles with a little computation before it ends (Savina's
// defaults).

#include "harness.h"

namespace isobench {

namespace {

double ours(Peers& peers, long actors) {
    return timeOurs(peers, "ours, fjcreate: every actor's answer", [actors](Finish finish) {
        iso::RawReceivePort port;
        port.set_handler([port, finish, actors, done = 0L](iso::Value message) mutable {
            if (!message.as_bool() || ++done == actors) {
                port.close();
                finish(message.as_bool());
            }
        });
        const iso::SendPort driver = port.send_port();
        for (long a = 0; a < actors; ++a)
            iso::spawn([driver](iso::Value m) { driver.send(compute(m.as_double()) > 0); }, kTheta);
    });
}

double caf(Peers& peers, long actors) {
    return timeCaf(peers, "CAF, fjcreate: every actor's answer", [&peers, actors](Finish finish) {
        peers.system.spawn([finish, actors](caf::event_based_actor* self) -> caf::behavior {
            for (long a = 0; a < actors; ++a)
                self->spawn(
                    [](caf::event_based_actor* worker, caf::actor driver, double m) -> caf::behavior {
                        worker->send(driver, compute(m) > 0);
                        return {};
                    },
                    caf::actor(self), kTheta);
            return {[self, finish, actors, done = 0L](bool ok) mutable {
                if (ok && ++done < actors) return;
                self->quit();
                finish(ok);
            }};
        });
    });
}

} // namespace

Benchmark fjcreate(Peers& peers) {
    const long actors = 40'000 / peers.scale;
    return {"fjcreate", "actors/s", true, [&peers, actors] { return actors / ours(peers, actors); },
            [&peers, actors] { return actors / caf(peers, actors); }};
}

} // namespace isobench
