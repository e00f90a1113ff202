// chameneos: 100 creatures of three colours meet in pairs at a mall, 200,000
// times; each takes on the complement of the two colours (Savina's
// defaults). The creatures' own counts of meetings must add up to twice the
// mall's.

#include "harness.h"

namespace isobench {

namespace {

int complement(int a, int b) { return a == b ? a : 3 - a - b; }

/// A creature's messages: a meeting (the other's colour and port, forwarded
/// by the mall), a new colour (from the other), or the mall's closing (null).
void oursCreature(iso::SendPort mall, int colour) {
    iso::RawReceivePort self;
    self.set_handler([self, mall, colour, meetings = 0L](iso::Value message) mutable {
        if (message.is_null()) {
            mall.send(meetings);
            return self.close();
        }
        if (message.is_list()) {
            colour = complement(colour, static_cast<int>(message[0].as_int()));
            message[1].as_send_port().send(colour);
        } else {
            colour = static_cast<int>(message.as_int());
        }
        ++meetings;
        mall.send(iso::Value::list({colour, self.send_port()}));
    });
    mall.send(iso::Value::list({colour, self.send_port()}));
}

double ours(Peers& peers, long creatures, long meetings) {
    return timeOurs(peers, "ours, chameneos: the creatures' meetings", [creatures, meetings](Finish finish) {
        iso::RawReceivePort mall;
        mall.set_handler([mall, finish, creatures, left = meetings, meetings, waiting = iso::Value(), closed = 0L,
                          met = 0L](iso::Value message) mutable {
            if (message.is_int()) {  // a creature's count, as it leaves
                met += message.as_int();
                if (++closed < creatures) return;
                mall.close();
                return finish(met == 2 * meetings);
            }
            if (left == 0) return message[1].as_send_port().send(iso::Value());
            if (waiting.is_null()) {
                waiting = std::move(message);
                return;
            }
            --left;
            waiting[1].as_send_port().send(std::move(message));
            waiting = iso::Value();
        });
        const iso::SendPort port = mall.send_port();
        for (long c = 0; c < creatures; ++c)
            iso::spawn([port, colour = static_cast<int>(c % 3)](iso::Value) { oursCreature(port, colour); });
    });
}

using close_atom = caf::atom_constant<caf::atom("close")>;

struct Creature {
    int colour = 0;
    long meetings = 0;
};

caf::behavior cafCreature(caf::stateful_actor<Creature>* self, caf::actor mall, int colour) {
    self->state.colour = colour;
    self->send(mall, colour, caf::actor(self));
    return {[self, mall](int otherColour, const caf::actor& other) {
                self->state.colour = complement(self->state.colour, otherColour);
                self->send(other, self->state.colour);
                ++self->state.meetings;
                self->send(mall, self->state.colour, caf::actor(self));
            },
            [self, mall](int colour) {
                self->state.colour = colour;
                ++self->state.meetings;
                self->send(mall, colour, caf::actor(self));
            },
            [self, mall](close_atom) {
                self->send(mall, self->state.meetings);
                self->quit();
            }};
}

struct Mall {
    long left = 0;
    long closed = 0;
    long met = 0;
    caf::actor waiting;
};

double caf(Peers& peers, long creatures, long meetings) {
    return timeCaf(peers, "CAF, chameneos: the creatures' meetings", [&peers, creatures, meetings](Finish finish) {
        peers.system.spawn([finish, creatures, meetings](caf::stateful_actor<Mall>* self) -> caf::behavior {
            self->state.left = meetings;
            for (long c = 0; c < creatures; ++c) self->spawn(cafCreature, caf::actor(self), static_cast<int>(c % 3));
            return {[self](int colour, const caf::actor& creature) {
                        Mall& mall = self->state;
                        if (mall.left == 0) return self->send(creature, close_atom::value);
                        if (!mall.waiting) {
                            mall.waiting = creature;
                            return;
                        }
                        --mall.left;
                        self->send(mall.waiting, colour, creature);
                        mall.waiting = caf::actor();
                    },
                    [self, finish, creatures, meetings](long met) {
                        Mall& mall = self->state;
                        mall.met += met;
                        if (++mall.closed < creatures) return;
                        self->quit();
                        finish(mall.met == 2 * meetings);
                    }};
        });
    });
}

} // namespace

Benchmark chameneos(Peers& peers) {
    const long creatures = 100, meetings = 200'000 / peers.scale;
    // Four messages a meeting: two to the mall, the forward, the new colour.
    return {"chameneos", "messages/s", true,
            [&peers, creatures, meetings] { return 4.0 * meetings / ours(peers, creatures, meetings); },
            [&peers, creatures, meetings] { return 4.0 * meetings / caf(peers, creatures, meetings); }};
}

} // namespace isobench
