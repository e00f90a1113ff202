#pragma once
// A real recording to read back: a small cluster on worker threads, with an
// observer and a recorder.

#include <iso/cluster.h>
#include <iso/observer.h>
#include <iso/tracefile.h>

#include <string>

namespace test {

/// Two cluster isolates on worker threads that pass a count back and forth
/// up to `last`, started from outside, recorded to `file`. The cluster
/// shuts down before the recording stops, so that every handling, whose
/// record is written when it ends, is in it.
inline void record_ping_pong(const std::string& file, std::int64_t last) {
    auto cluster = iso::Cluster::single_node();
    iso::ObserverOptions options;
    options.interval = std::chrono::milliseconds(0);
    options.payload = iso::trace::PayloadCapture::Prefix;
    iso::Observer observer(cluster.runtime(), options);
    iso::trace::FileInfo info;
    info.program = "ping-pong";
    iso::trace::Recorder recorder(observer, file, info);
    iso::Promise<void> done;
    auto finished = done.future();
    auto bouncer = [&done, last](std::string other) {
        return [&done, last, other](iso::Context& context) {
            context.on_message([&done, &context, last, other](const iso::Envelope& m) {
                if (m.content.as_int() == last)
                    done.set_value();
                else
                    context.lookup(iso::Path::of(other))->send(m.content.as_int() + 1);
            });
        };
    };
    cluster.spawn_isolate("/app/ping", bouncer("/app/pong")).get();
    cluster.spawn_isolate("/app/pong", bouncer("/app/ping")).get();
    cluster.lookup(iso::Path::of("/app/ping"))->send(1);
    finished.get();
    cluster.shutdown(std::chrono::seconds(10));
    // Every isolate gone, its worker done with it, before the last drain.
    cluster.runtime().wait_until_idle();
    observer.poll();
    recorder.stop();
}

} // namespace test
