// count: a producer sends a counter a million increments, then asks for the
// total (Savina: 1,000,000).

#include "harness.h"

namespace isobench {

namespace {

double ours(Peers& peers, long increments) {
    return timeOurs(peers, "ours, count: the total", [increments](Finish finish) {
        iso::RawReceivePort port;
        port.set_handler([port, finish, increments](iso::Value message) mutable {
            if (message.is_send_port()) {
                const iso::SendPort counter = message.as_send_port();
                for (long i = 0; i < increments; ++i) counter.send(1);
                return counter.send(port.send_port());
            }
            port.close();
            finish(message.as_int() == increments);
        });
        iso::spawn(
            [](iso::Value producer) {
                iso::RawReceivePort counter;
                counter.set_handler([counter, total = std::int64_t{0}](iso::Value message) mutable {
                    if (message.is_int()) {
                        total += message.as_int();
                        return;
                    }
                    message.as_send_port().send(total);
                    counter.close();
                });
                producer.as_send_port().send(counter.send_port());
            },
            port.send_port());
    });
}

struct Counter {
    long total = 0;
};

double caf(Peers& peers, long increments) {
    return timeCaf(peers, "CAF, count: the total", [&peers, increments](Finish finish) {
        peers.system.spawn([finish, increments](caf::event_based_actor* self) -> caf::behavior {
            auto counter = self->spawn([](caf::stateful_actor<Counter>* counter) -> caf::behavior {
                return {[counter](long increment) { counter->state.total += increment; },
                        [counter](caf::get_atom) {
                            counter->quit();
                            return counter->state.total;
                        }};
            });
            for (long i = 0; i < increments; ++i) self->send(counter, 1L);
            self->send(counter, caf::get_atom::value);
            return {[self, finish, increments](long total) {
                self->quit();
                finish(total == increments);
            }};
        });
    });
}

} // namespace

Benchmark count(Peers& peers) {
    const long increments = 1'000'000 / peers.scale;
    return {"count", "messages/s", true, [&peers, increments] { return increments / ours(peers, increments); },
            [&peers, increments] { return increments / caf(peers, increments); }};
}

} // namespace isobench
