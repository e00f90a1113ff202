// The debugger's controls over any isolate of a runtime: find_isolate, and
// the mailbox while paused. Deterministic runtimes: every step is explicit.

#include "support.h"

#include <QtTest>

using namespace iso;
using test::deterministic;

namespace {

/// Spawns, from inside another isolate, a listener that appends what it
/// receives to `got`; returns its id and port. The test never holds a
/// handle with its capabilities.
std::pair<IsolateId, SendPort> spawned_elsewhere(Runtime& rt, std::vector<Value>& got) {
    SendPort port;
    rt.spawn([&](Value) {
        spawn([&](Value) {
            RawReceivePort receiver([&got](Value v) { got.push_back(std::move(v)); });
            port = receiver.send_port();
        });
    });
    rt.run_until_idle();
    const auto live = rt.isolates();
    if (live.size() != 1) throw std::logic_error("expected the listener alone");
    return {live.front().id, port};
}

} // namespace

class TestDebugControls : public QObject {
    Q_OBJECT

private slots:
    void findIsolateGivesPauseAndKill() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [id, port] = spawned_elsewhere(rt, got);
        const auto found = rt.find_isolate(id);
        QVERIFY(found.has_value());
        QVERIFY(found->pause_capability().has_value());
        QVERIFY(found->terminate_capability().has_value());
        const Capability held = found->pause();
        port.send(1);
        rt.run_until_idle();
        QVERIFY(got.empty());
        found->resume(held);
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{Value(1)});
        found->kill();
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
        QVERIFY(!rt.find_isolate(id).has_value());
    }

    void findIsolateOfAnUnknownIdIsEmpty() {
        Runtime rt(deterministic());
        QVERIFY(!rt.find_isolate(12345).has_value());
    }
};

QTEST_APPLESS_MAIN(TestDebugControls)
#include "tst_debugcontrols.moc"
