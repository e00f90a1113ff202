// How fast the flow views open a large recording and draw it while a person
// pans: the time to read a trace file into the FlowIndex, and the frame
// time of the sequence chart and the timeline at several zoom levels. The
// peer for opening is what any viewer of Chrome trace JSON (Perfetto's
// legacy import, chrome://tracing) must do at the least: parse that JSON,
// here with QJsonDocument, for the same events. Then the views of the
// cluster on the same recording: how long showing it at a moment takes
// (at its end, as it opens; back to its middle, which starts over; a frame
// of play), with the tree, the table and the event log taking the batches.
//
//   flow_views [events=10000000] [file=/tmp/flow_views.isotrace]

#include "clustertreemodel.h"
#include "eventlogmodel.h"
#include "flowfeed.h"
#include "flowrecording.h"
#include "isolatetablemodel.h"
#include "recordedcluster.h"
#include "sequencechart.h"
#include "timelinechart.h"

#include <iso/traceexport.h>
#include <iso/tracefile.h>

#include <QApplication>
#include <QImage>
#include <QJsonDocument>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using iso::trace::Event;
using iso::trace::Kind;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// A supervised pool of `workers` isolates passing jobs around, as a run
/// records it: per message a send (with a short payload) and a handler
/// run, in time order; `sink` gets each batch of events as it fills.
template <typename Sink>
void generate(std::size_t events, int workers, Sink sink)
{
    std::mt19937_64 random(42);
    std::vector<Event> batch;
    std::uint64_t time = 1'000'000'000;
    const auto add = [&](Kind kind, std::uint64_t isolate) -> Event& {
        Event& e = batch.emplace_back();
        e.kind = kind;
        e.time = time;
        e.isolate = isolate;
        return e;
    };
    add(Kind::Path, 1).text = std::string("/bench\x1f\x1f" "pool\x1f" "1\x1f{}");
    for (int w = 0; w < workers; ++w)
        add(Kind::Path, std::uint64_t(w) + 2).text =
            "/bench/w" + std::to_string(w) + "\x1f/bench\x1fworker\x1f" "1\x1f{}";
    std::size_t made = batch.size();
    std::uint64_t message = 1;
    std::uint64_t cause = 0;
    while (made < events) {
        const std::uint64_t from = 2 + random() % workers;
        const std::uint64_t to = 2 + random() % workers;
        time += 200 + random() % 2'000;
        Event& send = add(Kind::Send, from);
        send.message = message;
        send.cause = cause;
        send.peer = to;
        send.arg = 1;
        send.text = "{\"job\":" + std::to_string(message) + "}";
        time += 100 + random() % 500;
        Event& handle = add(Kind::Handle, to);
        handle.message = message;
        handle.peer = 500 + random() % 5'000;
        cause = message++;
        made += 2;
        if (batch.size() >= 1 << 16) {
            sink(batch);
            batch.clear();
        }
    }
    sink(batch);
}

struct Frames {
    double median = 0;
    double worst = 0;
};

/// Draws `chart` into an image `frames` times, panning by a tenth of the
/// view each time, from `from` with `span` nanoseconds in view.
Frames pan(TimeChart& chart, std::uint64_t from, std::uint64_t span, int frames)
{
    QImage image(chart.size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<double> times;
    for (int frame = 0; frame < frames; ++frame) {
        const std::uint64_t start = from + static_cast<std::uint64_t>(frame) * (span / 10);
        chart.showRange(start, start + span);
        const auto began = Clock::now();
        chart.render(&image);
        times.push_back(millisecondsSince(began));
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times.back()};
}

} // namespace

int main(int argc, char* argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const std::size_t events = argc > 1 ? std::stoull(argv[1]) : 10'000'000;
    const std::string file = argc > 2 ? argv[2] : "/tmp/flow_views.isotrace";
    constexpr int workers = 64;

    {
        iso::trace::FileInfo info;
        info.program = "flow_views";
        iso::trace::FileWriter writer(file, info);
        generate(events, workers, [&](const std::vector<Event>& batch) { writer.append(batch); });
        writer.close();
        std::printf("%zu events in %s: %.1f MB\n", events, file.c_str(),
                    static_cast<double>(writer.bytes_written()) / 1e6);
    }

    auto began = Clock::now();
    FlowRecording recording = readFlowRecording(file);
    const double openMs = millisecondsSince(began);
    std::printf("open: %.0f ms (%zu messages, %zu lanes)\n", openMs, recording.index.messages().size(),
                recording.index.lanes().size());

    {
        RecordedCluster cluster(std::move(recording.run));
        ClusterTreeModel tree;
        EventLogModel log;
        IsolateTableModel table;
        QObject::connect(&cluster, &RecordedCluster::batchApplied, &tree, &ClusterTreeModel::take);
        QObject::connect(&cluster, &RecordedCluster::batchApplied, &log,
                         [&log](const ClusterState& state, const iso::Batch& batch) { log.append(state, batch.events); });
        QObject::connect(&cluster, &RecordedCluster::polled, &table, [&](const ClusterState& state) {
            tree.show();
            table.apply(state);
        });
        QObject::connect(&cluster, &RecordedCluster::restarted, &tree, [&] {
            tree.clear();
            log.clear();
        });
        const RunEvents& run = cluster.events();
        const auto timed = [](auto&& step) {
            const auto start = Clock::now();
            step();
            return millisecondsSince(start);
        };
        const double atEnd = timed([&] { cluster.seek(run.end()); });
        const double toMiddle = timed([&] { cluster.seek(run.begin() + (run.end() - run.begin()) / 2); });
        std::vector<double> frames;
        for (int frame = 0; frame < 30; ++frame)
            frames.push_back(timed([&] { cluster.seek(cluster.position() + 33'000'000); }));
        std::sort(frames.begin(), frames.end());
        std::printf("views of the cluster: at the end %.0f ms, back to the middle %.0f ms, "
                    "a frame of play at 1x %.2f ms median / %.2f worst; %zu isolates\n",
                    atEnd, toMiddle, frames[frames.size() / 2], frames.back(), cluster.state().isolates().size());
    }

    FlowFeed feed;
    feed.show(std::move(recording.index));
    const FlowIndex& index = feed.index();
    const std::uint64_t run = index.end() - index.begin();
    SequenceChart sequence;
    TimelineChart timeline;
    for (TimeChart* chart : std::initializer_list<TimeChart*>{&sequence, &timeline}) {
        chart->resize(1400, 800);
        chart->setFollowing(false);
        chart->showFeed(&feed);
    }
    struct Zoom {
        const char* name;
        std::uint64_t span;
    };
    const Zoom zooms[] = {{"whole run", run}, {"1/1000 of it", run / 1000}, {"50 µs", 50'000}, {"500 ns", 500}};
    std::printf("%-14s %-12s %10s %10s\n", "chart", "in view", "median ms", "worst ms");
    for (const Zoom& zoom : zooms) {
        const std::uint64_t from = index.begin() + run / 3;
        const Frames s = pan(sequence, from, zoom.span, 40);
        std::printf("%-14s %-12s %10.2f %10.2f\n", "sequence", zoom.name, s.median, s.worst);
        const Frames t = pan(timeline, from, zoom.span, 40);
        std::printf("%-14s %-12s %10.2f %10.2f\n", "timeline", zoom.name, t.median, t.worst);
    }

    // The peer, on a tenth of the events (its JSON for all would not fit
    // comfortably in memory): the same events as Chrome trace JSON, parsed.
    const std::size_t sample = std::min<std::size_t>(events, 1'000'000);
    std::vector<Event> some;
    generate(sample, workers, [&](const std::vector<Event>& batch) { some.insert(some.end(), batch.begin(), batch.end()); });
    std::ostringstream json;
    iso::trace::export_chrome(some, json);
    const std::string text = json.str();
    const std::string sampleFile = file + ".sample";
    {
        iso::trace::FileWriter writer(sampleFile, {});
        writer.append(some);
        writer.close();
    }
    began = Clock::now();
    const FlowRecording ours = readFlowRecording(sampleFile);
    const double oursMs = millisecondsSince(began);
    began = Clock::now();
    const QJsonDocument parsed = QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), qsizetype(text.size())));
    const double peerMs = millisecondsSince(began);
    std::printf("open %zu events: ours %.0f ms (%zu messages), Chrome JSON parse %.0f ms (%.1f MB, %s): %.1fx\n",
                sample, oursMs, ours.index.messages().size(), peerMs, static_cast<double>(text.size()) / 1e6,
                parsed.isObject() ? "ok" : "failed", peerMs / oursMs);
    std::remove(sampleFile.c_str());
    return 0;
}
