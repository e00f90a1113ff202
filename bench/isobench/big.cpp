// big: 120 actors each ping a neighbour picked at random and wait for its
// pong, 20,000 times (Savina's defaults). The pings answered must add up to
// every actor's pings.

#include "harness.h"

#include <cstdint>

namespace isobench {

namespace {

/// A small, fast generator of neighbours, seeded per actor.
struct Random {
    std::uint64_t state;
    long below(long n) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<long>(state % static_cast<std::uint64_t>(n));
    }
};

constexpr long pong = -1, quit = -2;  // ours; CAF's quit is an atom

/// An actor's messages: its index and the neighbours (a list, first), a
/// ping (the sender's port: it may come before this actor has its list), a
/// pong, or the sink's quit.
void oursActor(iso::SendPort sink, long pings) {
    iso::RawReceivePort self;
    self.set_handler([self, sink, pings, me = 0L, neighbours = iso::Value(), random = Random{}, sent = 0L,
                      answered = 0L](iso::Value message) mutable {
        if (message.is_list()) {
            me = message[0].as_int();
            neighbours = message[1];
            random.state = static_cast<std::uint64_t>(me) * 0x9E3779B97F4A7C15ull + 1;
        } else if (message.is_send_port()) {
            ++answered;
            return message.as_send_port().send(pong);
        } else if (message.as_int() == quit) {
            sink.send(iso::Value::list({me, answered}));
            return self.close();
        } else if (sent == pings) {
            return sink.send(me);
        }
        ++sent;
        neighbours[static_cast<std::size_t>(random.below(static_cast<long>(neighbours.size())))].as_send_port().send(self.send_port());
    });
    sink.send(self.send_port());
}

double ours(Peers& peers, long actors, long pings) {
    return timeOurs(peers, "ours, big: the pings answered", [actors, pings](Finish finish) {
        iso::RawReceivePort sink;
        sink.set_handler([sink, finish, actors, pings, neighbours = iso::List(), done = 0L, closed = 0L,
                          answered = 0L](iso::Value message) mutable {
            if (message.is_send_port()) {
                neighbours.push_back(message);
                if (static_cast<long>(neighbours.size()) < actors) return;
                const iso::Value all(neighbours);
                for (long a = 0; a < actors; ++a) neighbours[static_cast<std::size_t>(a)].as_send_port().send(iso::Value::list({a, all}));
            } else if (message.is_int()) {
                if (++done < actors) return;
                for (const iso::Value& actor : neighbours) actor.as_send_port().send(quit);
            } else {
                answered += message[1].as_int();
                if (++closed < actors) return;
                sink.close();
                finish(answered == actors * pings);
            }
        });
        const iso::SendPort port = sink.send_port();
        for (long a = 0; a < actors; ++a) iso::spawn([port, pings](iso::Value) { oursActor(port, pings); });
    });
}

using quit_atom = caf::atom_constant<caf::atom("quit")>;

struct Actor {
    std::vector<caf::actor> neighbours;
    long me = 0;
    Random random{};
    long sent = 0;
    long answered = 0;
};

caf::behavior cafActor(caf::stateful_actor<Actor>* self, caf::actor sink, long pings) {
    auto ping = [self] {
        Actor& a = self->state;
        ++a.sent;
        self->send(a.neighbours[static_cast<std::size_t>(a.random.below(static_cast<long>(a.neighbours.size())))],
                   caf::actor(self));
    };
    return {[self, ping](long me, const std::vector<caf::actor>& neighbours) {
                self->state.me = me;
                self->state.neighbours = neighbours;
                self->state.random.state = static_cast<std::uint64_t>(me) * 0x9E3779B97F4A7C15ull + 1;
                ping();
            },
            [self](const caf::actor& from) {
                ++self->state.answered;
                self->send(from, pong);
            },
            [self, sink, pings, ping](long) {
                if (self->state.sent == pings) return self->send(sink, self->state.me);
                ping();
            },
            [self, sink](quit_atom) {
                self->send(sink, self->state.me, self->state.answered, quit_atom::value);
                self->quit();
            }};
}

struct Sink {
    long done = 0;
    long closed = 0;
    long answered = 0;
};

double caf(Peers& peers, long actors, long pings) {
    return timeCaf(peers, "CAF, big: the pings answered", [&peers, actors, pings](Finish finish) {
        peers.system.spawn([finish, actors, pings](caf::stateful_actor<Sink>* self) -> caf::behavior {
            std::vector<caf::actor> neighbours;
            for (long a = 0; a < actors; ++a) neighbours.push_back(self->spawn(cafActor, caf::actor(self), pings));
            for (long a = 0; a < actors; ++a) self->send(neighbours[static_cast<std::size_t>(a)], a, neighbours);
            return {[self, actors, neighbours](long) {
                        if (++self->state.done < actors) return;
                        for (const caf::actor& actor : neighbours) self->send(actor, quit_atom::value);
                    },
                    [self, finish, actors, pings](long, long answered, quit_atom) {
                        self->state.answered += answered;
                        if (++self->state.closed < actors) return;
                        self->quit();
                        finish(self->state.answered == actors * pings);
                    }};
        });
    });
}

} // namespace

Benchmark big(Peers& peers) {
    const long actors = 120, pings = 20'000 / peers.scale;
    // Two messages a ping: the ping and its pong.
    return {"big", "messages/s", true, [&peers, actors, pings] { return 2.0 * actors * pings / ours(peers, actors, pings); },
            [&peers, actors, pings] { return 2.0 * actors * pings / caf(peers, actors, pings); }};
}

} // namespace isobench
