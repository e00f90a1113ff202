// pingpong: two actors pass one message back and forth, each reply counting
// up (Savina: 40,000 pings; here ten times that, long enough to time).

#include "harness.h"

namespace isobench {

namespace {

double ours(Peers& peers, long pings) {
    return timeOurs(peers, "ours, pingpong: a pong's count", [pings](Finish finish) {
        iso::RawReceivePort port;
        port.set_handler([port, finish, pings, pong = iso::SendPort(), sent = 0L](iso::Value message) mutable {
            if (message.is_send_port()) {
                pong = message.as_send_port();
            } else if (message.as_int() != sent || sent == pings) {
                pong.send(-1);
                port.close();
                return finish(message.as_int() == pings);
            }
            pong.send(++sent);
        });
        iso::spawn(
            [](iso::Value back) {
                const iso::SendPort ping = back.as_send_port();
                iso::RawReceivePort port;
                port.set_handler([port, ping](iso::Value message) mutable {
                    if (message.as_int() < 0) return port.close();
                    ping.send(std::move(message));
                });
                ping.send(port.send_port());
            },
            port.send_port());
    });
}

double caf(Peers& peers, long pings) {
    return timeCaf(peers, "CAF, pingpong: a pong's count", [&peers, pings](Finish finish) {
        peers.system.spawn([finish, pings](caf::event_based_actor* self) -> caf::behavior {
            auto pong = self->spawn([](caf::event_based_actor*) -> caf::behavior { return {[](long n) { return n; }}; });
            self->send(pong, 1L);
            return {[self, finish, pings, pong, sent = 1L](long n) mutable {
                if (n != sent || n == pings) {
                    self->send_exit(pong, caf::exit_reason::user_shutdown);
                    self->quit();
                    return finish(n == pings);
                }
                self->send(pong, ++sent);
            }};
        });
    });
}

} // namespace

Benchmark pingpong(Peers& peers) {
    const long pings = 400'000 / peers.scale;
    return {"pingpong", "messages/s", true, [&peers, pings] { return 2.0 * pings / ours(peers, pings); },
            [&peers, pings] { return 2.0 * pings / caf(peers, pings); }};
}

} // namespace isobench
