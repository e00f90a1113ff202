// fib: the 25th Fibonacci number, each call an actor that spawns two more
// and adds their answers (Savina's default; 150,049 actors).

#include "harness.h"

namespace isobench {

namespace {

constexpr std::int64_t fibonacci25 = 75025;

void oursFib(long n, iso::SendPort parent) {
    if (n <= 2) return parent.send(1);
    iso::RawReceivePort self;
    self.set_handler([self, parent, sum = std::int64_t{0}, answers = 0](iso::Value answer) mutable {
        sum += answer.as_int();
        if (++answers < 2) return;
        parent.send(sum);
        self.close();
    });
    const iso::SendPort port = self.send_port();
    iso::spawn([n, port](iso::Value) { oursFib(n - 1, port); });
    iso::spawn([n, port](iso::Value) { oursFib(n - 2, port); });
}

double ours(Peers& peers, long n) {
    return timeOurs(peers, "ours, fib: the sum", [n](Finish finish) {
        iso::RawReceivePort result;
        result.set_handler([result, finish](iso::Value sum) mutable {
            result.close();
            finish(sum.as_int() == fibonacci25);
        });
        const iso::SendPort port = result.send_port();
        iso::spawn([n, port](iso::Value) { oursFib(n, port); });
    });
}

struct Adder {
    long sum = 0;
    int answers = 0;
};

caf::behavior cafFib(caf::stateful_actor<Adder>* self, long n, caf::actor parent) {
    if (n <= 2) {
        self->send(parent, 1L);
        return {};
    }
    self->spawn(cafFib, n - 1, caf::actor(self));
    self->spawn(cafFib, n - 2, caf::actor(self));
    return {[self, parent](long answer) {
        self->state.sum += answer;
        if (++self->state.answers < 2) return;
        self->send(parent, self->state.sum);
        self->quit();
    }};
}

double caf(Peers& peers, long n) {
    return timeCaf(peers, "CAF, fib: the sum", [&peers, n](Finish finish) {
        peers.system.spawn([finish, n](caf::event_based_actor* self) -> caf::behavior {
            self->spawn(cafFib, n, caf::actor(self));
            return {[self, finish](long sum) {
                self->quit();
                finish(sum == fibonacci25);
            }};
        });
    });
}

} // namespace

Benchmark fib(Peers& peers) {
    const long n = 25;  // the check is of this one number: --quick does not shrink it
    return {"fib", "s", false, [&peers, n] { return ours(peers, n); }, [&peers, n] { return caf(peers, n); }};
}

} // namespace isobench
