#pragma once
// Helpers shared by the core suites.

#include <iso/iso.h>

#include <QtTest>

#include <limits>
#include <vector>

Q_DECLARE_METATYPE(iso::Value)

namespace iso {
/// Lets QCOMPARE print values, as JSON.
inline char* toString(const Value& v) { return qstrdup(v.to_json().c_str()); }
} // namespace iso

namespace test {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

inline iso::Value transferable(iso::Bytes bytes) { return iso::Value(iso::Transferable(std::move(bytes))); }

/// A runtime with no threads: events run only when the test steps it.
inline iso::RuntimeOptions deterministic() {
    iso::RuntimeOptions options;
    options.deterministic = true;
    return options;
}

/// A cluster on a deterministic runtime of its own.
inline iso::ClusterOptions stepped() {
    iso::ClusterOptions options;
    options.runtime_options = deterministic();
    return options;
}

/// Spawns an isolate on a deterministic runtime that appends every message
/// it receives to `inbox`, and returns its port. Everything runs on the test
/// thread, so `inbox` needs no lock.
inline iso::SendPort probe(iso::Runtime& rt, std::vector<iso::Value>& inbox) {
    iso::SendPort port;
    rt.spawn([&](iso::Value) {
        iso::RawReceivePort receiver([&inbox](iso::Value v) { inbox.push_back(std::move(v)); });
        port = receiver.send_port();
    });
    rt.run_until_idle();
    return port;
}

/// Spawns an isolate with a RawReceivePort whose handler is `handler`, runs
/// it up to idle and returns the isolate and its port.
template <typename H>
std::pair<iso::Isolate, iso::SendPort> listener(iso::Runtime& rt, H handler, iso::SpawnOptions options = {}) {
    iso::SendPort port;
    auto isolate = rt.spawn([&port, handler](iso::Value) mutable {
        iso::RawReceivePort receiver(handler);
        port = receiver.send_port();
    }, {}, std::move(options));
    rt.run_until_idle();
    return {isolate, port};
}

} // namespace test
