// skynet: a tree of actors ten wide and seven deep; each of the million
// leaves answers its number, each parent the sum of its ten children's.

#include "harness.h"

namespace isobench {

namespace {

constexpr long width = 10;

/// The sum of the leaves' numbers, num .. num + size - 1.
constexpr std::int64_t sumOf(std::int64_t num, std::int64_t size) { return size * num + size * (size - 1) / 2; }

void oursNode(std::int64_t num, std::int64_t size, iso::SendPort parent) {
    if (size == 1) return parent.send(num);
    iso::RawReceivePort self;
    self.set_handler([self, parent, sum = std::int64_t{0}, answers = 0L](iso::Value answer) mutable {
        sum += answer.as_int();
        if (++answers < width) return;
        parent.send(sum);
        self.close();
    });
    const iso::SendPort port = self.send_port();
    const std::int64_t part = size / width;
    for (std::int64_t child = 0; child < width; ++child)
        iso::spawn([num = num + child * part, part, port](iso::Value) { oursNode(num, part, port); });
}

double ours(Peers& peers, std::int64_t leaves) {
    return timeOurs(peers, "ours, skynet: the sum", [leaves](Finish finish) {
        iso::RawReceivePort result;
        result.set_handler([result, finish, leaves](iso::Value sum) mutable {
            result.close();
            finish(sum.as_int() == sumOf(0, leaves));
        });
        const iso::SendPort port = result.send_port();
        iso::spawn([leaves, port](iso::Value) { oursNode(0, leaves, port); });
    });
}

struct Node {
    std::int64_t sum = 0;
    long answers = 0;
};

caf::behavior cafNode(caf::stateful_actor<Node>* self, std::int64_t num, std::int64_t size, caf::actor parent) {
    if (size == 1) {
        self->send(parent, num);
        return {};
    }
    const std::int64_t part = size / width;
    for (std::int64_t child = 0; child < width; ++child) self->spawn(cafNode, num + child * part, part, caf::actor(self));
    return {[self, parent](std::int64_t answer) {
        self->state.sum += answer;
        if (++self->state.answers < width) return;
        self->send(parent, self->state.sum);
        self->quit();
    }};
}

double caf(Peers& peers, std::int64_t leaves) {
    return timeCaf(peers, "CAF, skynet: the sum", [&peers, leaves](Finish finish) {
        peers.system.spawn([finish, leaves](caf::event_based_actor* self) -> caf::behavior {
            self->spawn(cafNode, std::int64_t{0}, leaves, caf::actor(self));
            return {[self, finish, leaves](std::int64_t sum) {
                self->quit();
                finish(sum == sumOf(0, leaves));
            }};
        });
    });
}

} // namespace

Benchmark skynet(Peers& peers) {
    const std::int64_t leaves = peers.scale == 1 ? 1'000'000 : 100'000;
    return {"skynet", "s", false, [&peers, leaves] { return ours(peers, leaves); },
            [&peers, leaves] { return caf(peers, leaves); }};
}

} // namespace isobench
