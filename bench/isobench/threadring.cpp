// threadring: a token goes round a ring of 100 actors, one less at each hop,
// until it is spent after 100,000 hops (Savina's defaults). The actor it is
// spent at proves the count: hops modulo the ring's size.

#include "harness.h"

#include <algorithm>

namespace isobench {

namespace {

double ours(Peers& peers, long actors, long hops) {
    return timeOurs(peers, "ours, threadring: where the token is spent", [actors, hops](Finish finish) {
        iso::RawReceivePort port;
        port.set_handler([port, finish, actors, hops, ring = std::vector<iso::SendPort>(static_cast<std::size_t>(actors))](
                             iso::Value message) mutable {
            if (message.is_list()) {  // an actor's index and port, as it starts
                ring[static_cast<std::size_t>(message[0].as_int())] = message[1].as_send_port();
                if (std::find(ring.begin(), ring.end(), iso::SendPort()) != ring.end()) return;
                for (std::size_t a = 0; a < ring.size(); ++a) ring[a].send(ring[(a + 1) % ring.size()]);
                return ring[0].send(hops);
            }
            for (const iso::SendPort& actor : ring) actor.send(-1);
            port.close();
            finish(message.as_int() == hops % actors);
        });
        const iso::SendPort driver = port.send_port();
        for (long a = 0; a < actors; ++a)
            iso::spawn([driver, a](iso::Value) {
                iso::RawReceivePort actor;
                actor.set_handler([actor, driver, a, next = iso::SendPort()](iso::Value message) mutable {
                    if (message.is_send_port()) {
                        next = message.as_send_port();
                    } else if (const std::int64_t token = message.as_int(); token > 0) {
                        next.send(token - 1);
                    } else if (token == 0) {
                        driver.send(a);
                    } else {
                        actor.close();
                    }
                });
                driver.send(iso::Value::list({a, actor.send_port()}));
            });
    });
}

struct Member {
    caf::actor next;
};

double caf(Peers& peers, long actors, long hops) {
    return timeCaf(peers, "CAF, threadring: where the token is spent", [&peers, actors, hops](Finish finish) {
        peers.system.spawn([finish, actors, hops](caf::event_based_actor* self) -> caf::behavior {
            auto member = [](caf::stateful_actor<Member>* actor, caf::actor driver, long a) -> caf::behavior {
                return {[actor](caf::actor next) { actor->state.next = std::move(next); },
                        [actor, driver, a](long token) {
                            if (token > 0) return actor->send(actor->state.next, token - 1);
                            actor->send(driver, a);
                        }};
            };
            std::vector<caf::actor> ring;
            for (long a = 0; a < actors; ++a) ring.push_back(self->spawn(member, caf::actor(self), a));
            for (std::size_t a = 0; a < ring.size(); ++a) self->send(ring[a], ring[(a + 1) % ring.size()]);
            self->send(ring[0], hops);
            return {[self, finish, actors, hops, ring](long spentAt) {
                for (const caf::actor& actor : ring) self->send_exit(actor, caf::exit_reason::user_shutdown);
                self->quit();
                finish(spentAt == hops % actors);
            }};
        });
    });
}

} // namespace

Benchmark threadring(Peers& peers) {
    const long actors = 100, hops = 100'000 / peers.scale;
    return {"threadring", "messages/s", true, [&peers, actors, hops] { return hops / ours(peers, actors, hops); },
            [&peers, actors, hops] { return hops / caf(peers, actors, hops); }};
}

} // namespace isobench
