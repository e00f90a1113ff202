// Trace files: round trips, seeking by time, recordings cut short at any
// byte, damaged chunks, foreign files, hostile input, and the recorder.

#include "support.h"

#include <iso/cluster.h>
#include <iso/error.h>
#include <iso/observer.h>
#include <iso/tracefile.h>

// The on-disk layout, to build files no writer would.
#include "tracefile_format.h"

#include <QtTest>

#include <zstd.h>

#include <algorithm>
#include <limits>
#include <random>

Q_DECLARE_METATYPE(iso::trace::Event)

using namespace iso::trace;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

Event make_event(Kind kind, std::uint64_t time, std::uint64_t isolate, std::string text = {}) {
    Event e;
    e.kind = kind;
    e.time = time;
    e.isolate = isolate;
    e.text = std::move(text);
    return e;
}

/// What a busy cluster records: mostly sends and handler runs between a
/// few dozen isolates, some spawns and paths with names, payloads now and
/// then. Times grow, as they do within one drained batch.
std::vector<Event> busy_run(std::size_t n, std::uint32_t seed = 1) {
    std::mt19937 random(seed);
    std::vector<Event> events;
    events.reserve(n);
    std::uint64_t time = 1'000'000;
    std::uint64_t message = 0;
    for (std::size_t i = 0; i < n; ++i) {
        time += 50 + random() % 500;
        Event e = make_event(Kind::Send, time, 1 + random() % 40);
        switch (random() % 8) {
        case 0: e.kind = Kind::Spawn; e.text = "worker-" + std::to_string(e.isolate); break;
        case 1: e.kind = Kind::Path; e.text = "/app/w" + std::to_string(e.isolate) + "\x1fw\x1f{}"; break;
        case 2: e.kind = Kind::Send; e.text = "{\"n\":" + std::to_string(i) + "}"; break;
        case 3: e.kind = Kind::Enqueue; e.peer = random() % 16; break;
        case 4: e.kind = Kind::Handle; e.peer = 1000 + random() % 50'000; break;
        case 5: e.kind = Kind::Send; e.arg = random() % 16; break;
        default: break;
        }
        e.message = ++message;
        e.port = 100 + e.isolate;
        e.thread = static_cast<std::uint16_t>(random() % 2);
        e.text_size = static_cast<std::uint32_t>(e.text.size());
        events.push_back(std::move(e));
    }
    return events;
}

QString describe(const Event& e) {
    const QByteArray text(e.text.data(), qsizetype(e.text.size()));
    return QStringLiteral("kind %1 time %2 isolate %3 message %4 cause %5 peer %6 port %7 arg %8 "
                          "text_size %9 flags %10 thread %11 reserved %12 text %13")
        .arg(int(e.kind)).arg(e.time).arg(e.isolate).arg(e.message).arg(e.cause).arg(e.peer)
        .arg(e.port).arg(e.arg).arg(e.text_size).arg(int(e.flags)).arg(e.thread).arg(e.reserved)
        .arg(QString::fromLatin1(text.toHex()));
}

bool same(const Event& a, const Event& b) {
    return a.time == b.time && a.isolate == b.isolate && a.message == b.message && a.cause == b.cause &&
           a.peer == b.peer && a.port == b.port && a.arg == b.arg && a.text_size == b.text_size &&
           a.kind == b.kind && a.flags == b.flags && a.thread == b.thread && a.reserved == b.reserved &&
           a.text == b.text;
}

/// Empty if `got` is `want`, else where they first differ.
QString difference(const std::vector<Event>& got, const std::vector<Event>& want) {
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
        if (!same(got[i], want[i]))
            return QStringLiteral("event %1:\n   got: %2\n  want: %3").arg(i).arg(describe(got[i]), describe(want[i]));
    if (got.size() != want.size()) return QStringLiteral("%1 events, want %2").arg(got.size()).arg(want.size());
    return {};
}

// A macro, as QVERIFY2 must return from the test function itself.
#define COMPARE_EVENTS(got, want)                                                                                  \
    do {                                                                                                           \
        const QString diff = difference(got, want);                                                                \
        QVERIFY2(diff.isEmpty(), qPrintable(diff));                                                                \
    } while (false)

/// `events` as the file gives them back: text_size is the text's size.
std::vector<Event> as_stored(std::vector<Event> events) {
    for (Event& e : events) e.text_size = static_cast<std::uint32_t>(e.text.size());
    return events;
}

QByteArray file_bytes(const std::filesystem::path& path) {
    QFile file(QString::fromStdString(path.string()));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

void write_bytes(const std::filesystem::path& path, const QByteArray& bytes) {
    QFile file(QString::fromStdString(path.string()));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

std::string error_of(const std::filesystem::path& path) {
    try {
        FileReader reader(path);
    } catch (const FileError& e) {
        return e.what();
    }
    return "no error";
}

iso::ObserverOptions polled_by_hand() {
    iso::ObserverOptions options;
    options.interval = 0ms;
    return options;
}

/// A cluster isolate that keeps what it is sent.
iso::ClusterEntry collector(std::vector<iso::Value>& got) {
    return [&got](iso::Context& c) { c.on_message([&got](const iso::Envelope& m) { got.push_back(m.content); }); };
}

std::uint64_t chunk_end(const ChunkInfo& c) { return c.offset + format::chunk_header_size + c.compressed_bytes; }

/// Records as a chunk body holds them, each followed by `text` bytes of
/// text when its text_size is at most that.
QByteArray encoded(const std::vector<Record>& records, std::uint32_t text = 64) {
    QByteArray body;
    format::RecordBase base;
    for (const Record& r : records) {
        unsigned char head[format::max_record_head];
        const unsigned char* end = format::put_record(head, r, r.text_size, base);
        body.append(reinterpret_cast<const char*>(head), end - head);
        if (r.text_size <= text) body.append(qsizetype(r.text_size), 't');
    }
    return body;
}

Record send_record(std::uint64_t time = 1, std::uint32_t text_size = 0) {
    Record r;
    r.kind = Kind::Send;
    r.time = time;
    r.text_size = text_size;
    return r;
}

/// A file header and one chunk of `body`, framed and checksummed as a
/// writer would, whatever the body and the header's claims.
QByteArray one_chunk_file(const QByteArray& body, std::uint32_t raw_size, std::uint32_t events) {
    const auto* raw = reinterpret_cast<const unsigned char*>(body.data());
    format::Bytes compressed(ZSTD_compressBound(std::size_t(body.size())));
    compressed.resize(ZSTD_compress(compressed.data(), compressed.size(), raw, std::size_t(body.size()), 1));
    format::Bytes bytes;
    format::put_file_header(bytes, FileInfo{});
    format::put_chunk_header(bytes, {raw_size, std::uint32_t(compressed.size()), events, 0, 0, format::crc32(compressed)});
    bytes.insert(bytes.end(), compressed.begin(), compressed.end());
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

/// A value for a record's field of `bits` bits, drawn to reach the
/// encoding's edges: zero, one, the largest, near its neighbour's
/// value (deltas of either sign), or anything.
std::uint64_t extreme(std::mt19937_64& random, unsigned bits, std::uint64_t near = 0) {
    const std::uint64_t max = bits == 64 ? u64_max : (std::uint64_t(1) << bits) - 1;
    switch (random() % 8) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max;
    case 3: return max - random() % 3;
    case 4: return (near + random() % 5 - 2) & max;
    case 5: return (std::uint64_t(1) << (random() % bits)) & max;  // a varint's byte boundaries
    case 6: return ((std::uint64_t(1) << (random() % bits)) - 1) & max;
    default: return random() & max;
    }
}

} // namespace

class TestTraceFile : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::filesystem::path file(const char* name) const { return dir_.filePath(QString::fromLatin1(name)).toStdString(); }

    /// A closed recording of `events` in chunks of about `chunk_bytes`.
    std::filesystem::path record(const char* name, const std::vector<Event>& events, std::size_t chunk_bytes = 1 << 20) {
        const auto path = file(name);
        FileWriter writer(path, FileInfo{}, chunk_bytes);
        writer.append(events);
        writer.close();
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void checksumIsZlibsCrc32() {
        // Other readers check chunks with their platform's CRC-32.
        const std::string_view check = "123456789";
        const auto* bytes = reinterpret_cast<const unsigned char*>(check.data());
        QCOMPARE(format::crc32({bytes, check.size()}), 0xCBF43926u);
        QCOMPARE(format::crc32({bytes + 4, 5}, format::crc32({bytes, 4})), 0xCBF43926u);
    }

    void recordBytesAreTheDocumentedOnes() {
        // The example of docs/trace-format.md, byte for byte.
        format::RecordBase base{1000, 41};
        Record r = send_record(1300);
        r.kind = static_cast<Kind>(5);  // the kinds may be renumbered; the example's bytes stay
        r.isolate = 3;
        r.message = 42;
        r.cause = 40;
        r.peer = 7;
        r.port = 1007;
        r.thread = 1;
        unsigned char bytes[format::max_record_head];
        const unsigned char* end = format::put_record(bytes, r, 0, base);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(bytes), end - bytes).toHex(' '),
                 QByteArray("05 5f d8 04 03 02 03 07 ef 07 01"));
        QCOMPARE(base.time, 1300u);
        QCOMPARE(base.message, 42u);
    }

    void roundTrip_data() {
        QTest::addColumn<std::vector<Event>>("events");

        QTest::addRow("one without text") << std::vector<Event>{make_event(Kind::Handle, 5, 2)};
        QTest::addRow("one with text") << std::vector<Event>{make_event(Kind::Spawn, 5, 2, "worker")};

        Event all;
        all.time = u64_max;
        all.isolate = u64_max - 1;
        all.message = u64_max - 2;
        all.cause = u64_max - 3;
        all.peer = u64_max - 4;
        all.port = u64_max - 5;
        all.arg = std::numeric_limits<std::uint32_t>::max();
        all.kind = static_cast<Kind>(0xff);  // a kind from a newer writer
        all.flags = 0xff;
        all.thread = 0xffff;
        all.reserved = 0xdeadbeef;
        all.text = std::string_view("nul\0and\x1f" "fields\xff", 15);
        QTest::addRow("every field at its largest") << std::vector<Event>{all};

        // A stale text_size is the writer's to correct, not to trust.
        Event stale = make_event(Kind::Send, 9, 3, "{\"a\":1}");
        stale.text_size = 1000;
        QTest::addRow("stale text_size") << std::vector<Event>{stale};

        QTest::addRow("mixed") << busy_run(500);
    }
    void roundTrip() {
        QFETCH(std::vector<Event>, events);
        const auto path = record("round-trip.isotrace", events);

        FileReader reader(path);
        QVERIFY(reader.complete());
        QCOMPARE(reader.trailing_bytes(), 0u);
        QCOMPARE(reader.chunks().size(), 1u);
        QCOMPARE(reader.chunks()[0].events, events.size());
        COMPARE_EVENTS(reader.read_all(), as_stored(events));
        COMPARE_EVENTS(reader.read_chunk(0), as_stored(events));
    }

    void fileInfoRoundTrip() {
        FileInfo info;
        info.start_time = 123'456'789;
        info.wall_clock_ns = -42;  // before 1970: still a number to keep
        info.program = "clustér /app \x1f scenario";
        info.run_seed = u64_max;
        info.payload = PayloadCapture::Whole;
        const auto path = file("info.isotrace");
        FileWriter(path, info).close();

        FileReader reader(path);
        QCOMPARE(reader.info().start_time, info.start_time);
        QCOMPARE(reader.info().wall_clock_ns, info.wall_clock_ns);
        QCOMPARE(reader.info().program, info.program);
        QCOMPARE(reader.info().run_seed, info.run_seed);
        QCOMPARE(reader.info().payload, info.payload);
    }

    void emptyRecording() {
        const auto path = record("empty.isotrace", {});
        FileReader reader(path);
        QVERIFY(reader.complete());
        QVERIFY(reader.chunks().empty());
        QVERIFY(reader.read_all().empty());
        QCOMPARE(reader.chunk_at(0), 0u);
        QCOMPARE(reader.trailing_bytes(), 0u);
    }

    void writerCounts() {
        const auto path = file("counts.isotrace");
        FileWriter writer(path, FileInfo{}, 4096);
        const auto events = busy_run(1000);
        writer.append(events);
        writer.flush();
        writer.flush();  // nothing pending: no empty chunk
        const auto chunks = writer.chunks_written();
        QVERIFY(chunks > 1);
        writer.close();
        writer.close();  // a second close does nothing
        QCOMPARE(writer.events_written(), events.size());
        QCOMPARE(writer.chunks_written(), chunks);
        QCOMPARE(writer.bytes_written(), std::uint64_t(std::filesystem::file_size(path)));
        QCOMPARE(FileReader(path).chunks().size(), chunks);
    }

    void manyChunksAndSeeking() {
        const auto events = busy_run(20'000);
        const auto path = record("many.isotrace", events, 1024);

        FileReader reader(path);
        QVERIFY(reader.complete());
        const auto& chunks = reader.chunks();
        QVERIFY2(chunks.size() > 100, qPrintable(QString::number(chunks.size())));

        std::vector<Event> all;
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            const auto part = reader.read_chunk(i);
            QCOMPARE(part.size(), chunks[i].events);
            QCOMPARE(part.front().time, chunks[i].first_time);
            QCOMPARE(part.back().time, chunks[i].last_time);
            QVERIFY(chunks[i].raw_bytes <= 1024);
            if (i > 0) QCOMPARE(chunks[i].offset, chunk_end(chunks[i - 1]));
            all.insert(all.end(), part.begin(), part.end());
        }
        COMPARE_EVENTS(all, as_stored(events));

        QCOMPARE(reader.chunk_at(0), 0u);
        QCOMPARE(reader.chunk_at(events.back().time), chunks.size() - 1);
        QCOMPARE(reader.chunk_at(events.back().time + 1), chunks.size());
        std::mt19937 random(3);
        for (int probe = 0; probe < 500; ++probe) {
            const auto& target = events[random() % events.size()];
            const std::size_t at = reader.chunk_at(target.time);
            QVERIFY(at < chunks.size());
            const auto part = reader.read_chunk(at);
            // Times grow here, so the event itself is in that chunk and no earlier one.
            QVERIFY(std::any_of(part.begin(), part.end(), [&](const Event& e) { return e.message == target.message; }));
            if (at > 0) QVERIFY(chunks[at - 1].last_time < target.time);
        }
    }

    void seekingWhenTimesInterleave() {
        // Batches drained from several threads are not sorted by time, so a
        // later chunk may end before an earlier one does.
        const auto path = file("interleaved.isotrace");
        FileWriter writer(path, FileInfo{});
        for (auto [from, to] : {std::pair{10, 20}, {5, 8}, {30, 40}}) {
            writer.append(make_event(Kind::Send, std::uint64_t(from), 1));
            writer.append(make_event(Kind::Send, std::uint64_t(to), 1));
            writer.flush();
        }
        writer.close();

        FileReader reader(path);
        QCOMPARE(reader.chunks().size(), 3u);
        QCOMPARE(reader.chunk_at(6), 0u);   // chunk 0 runs to 20
        QCOMPARE(reader.chunk_at(20), 0u);
        QCOMPARE(reader.chunk_at(21), 2u);  // chunk 1 ends at 8: nothing at 21 there
        QCOMPARE(reader.chunk_at(41), 3u);
    }

    void killedRecording() {
        // A recorder killed mid-recording leaves the header and whole chunks,
        // maybe a part of one more, and no index: the file as it was before
        // close(), cut anywhere.
        const auto events = busy_run(1200, 11);
        const auto whole_path = record("whole.isotrace", events, 2048);
        const QByteArray whole = file_bytes(whole_path);
        FileReader complete_reader(whole_path);
        const auto chunks = complete_reader.chunks();
        const std::uint64_t header_end = chunks.front().offset;
        const std::uint64_t index_offset = chunk_end(chunks.back());

        std::vector<std::uint64_t> cuts{0, 3, 8, 15, 16, header_end - 1, header_end, header_end + 1};
        for (const ChunkInfo& c : chunks)
            for (std::uint64_t at : {c.offset + 1, c.offset + 39, c.offset + 40, chunk_end(c) - 1, chunk_end(c)})
                cuts.push_back(at);
        std::mt19937 random(5);
        for (int i = 0; i < 100; ++i) cuts.push_back(header_end + random() % (index_offset - header_end));
        // Cut inside the index or the footer: they are ignored and the chunks scanned.
        for (std::uint64_t at = index_offset + 1; at < std::uint64_t(whole.size()); at += 13) cuts.push_back(at);

        const auto path = file("killed.isotrace");
        for (const std::uint64_t cut : cuts) {
            write_bytes(path, whole.left(qsizetype(cut)));
            if (cut < header_end) {
                const std::string error = error_of(path);
                QVERIFY2(error.starts_with(path.string() + ": "), error.c_str());
                continue;
            }
            FileReader reader(path);
            QVERIFY(!reader.complete());
            std::size_t kept = 0;
            std::uint64_t kept_events = 0;
            while (kept < chunks.size() && chunk_end(chunks[kept]) <= cut) kept_events += chunks[kept++].events;
            QCOMPARE(reader.chunks().size(), kept);
            const std::uint64_t end = kept == 0 ? header_end : chunk_end(chunks[kept - 1]);
            QCOMPARE(reader.trailing_bytes(), cut - end);
            const std::vector<Event> prefix(events.begin(), events.begin() + std::ptrdiff_t(kept_events));
            COMPARE_EVENTS(reader.read_all(), as_stored(prefix));
        }
    }

    void damagedChunk_data() {
        QTest::addColumn<int>("where");  // bytes into chunk 2
        QTest::addRow("body") << 60;
        QTest::addRow("header") << 6;
    }
    void damagedChunk() {
        QFETCH(int, where);
        const auto path = record("damaged.isotrace", busy_run(2000), 4096);
        QByteArray bytes = file_bytes(path);
        const auto chunks = FileReader(path).chunks();
        QVERIFY(chunks.size() > 4);
        bytes[qsizetype(chunks[2].offset) + where] ^= 0x10;
        write_bytes(path, bytes);

        // The index still stands: only chunk 2 is lost, and it says so.
        FileReader reader(path);
        QVERIFY(reader.complete());
        QCOMPARE(reader.chunks().size(), chunks.size());
        QCOMPARE(reader.read_chunk(1).size(), chunks[1].events);
        QCOMPARE(reader.read_chunk(3).size(), chunks[3].events);
        try {
            reader.read_chunk(2);
            QFAIL("a damaged chunk was read");
        } catch (const FileError& e) {
            const std::string expected = path.string() + ": chunk 2 at offset " + std::to_string(chunks[2].offset) + " is damaged";
            QVERIFY2(std::string(e.what()).starts_with(expected), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(FileError, reader.read_all());

        // Without the index, the scan keeps the chunks before the damage.
        write_bytes(path, bytes.left(qsizetype(chunk_end(chunks.back()))));
        FileReader scanned(path);
        QVERIFY(!scanned.complete());
        QCOMPARE(scanned.chunks().size(), 2u);
        QCOMPARE(scanned.trailing_bytes(), chunk_end(chunks.back()) - chunks[2].offset);
    }

    void openErrors_data() {
        QTest::addColumn<QByteArray>("content");  // "-": no file at all
        QTest::addColumn<QString>("error");

        QTest::addRow("missing") << QByteArray("-") << "no such file";
        QTest::addRow("empty") << QByteArray() << "not a trace file (empty)";
        QTest::addRow("foreign") << QByteArray("hello, I am a text file\n") << "not a trace file (bad magic)";
        QTest::addRow("short") << QByteArray("ISOT") << "not a trace file (bad magic)";
        QTest::addRow("magic only") << QByteArray("ISOTRACE") << "the file header is cut short";

        QByteArray v7("ISOTRACE", 8);
        v7.append("\x07\0\0\0", 4);
        v7.append(QByteArray(40, '\0'));
        QTest::addRow("version 7") << v7 << "unsupported format version 7 (this reader knows 2)";

        format::Bytes header;
        FileInfo info;
        info.program = "program";
        format::put_file_header(header, info);
        // Version 1 stored 64-byte records; its files are refused, not misread.
        QByteArray v1(reinterpret_cast<const char*>(header.data()), qsizetype(header.size()));
        v1[8] = 1;
        QTest::addRow("version 1") << v1 << "unsupported format version 1 (this reader knows 2)";
        QByteArray damaged(reinterpret_cast<const char*>(header.data()), qsizetype(header.size()));
        damaged[damaged.size() - 6] = 'X';  // in the program's name
        QTest::addRow("damaged header") << damaged << "damaged file header (checksum mismatch)";
        QByteArray huge = damaged.left(12);
        huge.append("\xff\xff\xff\x7f", 4);  // fields size, far past any honest one
        QTest::addRow("huge header") << huge << "damaged file header";
        QByteArray cut(reinterpret_cast<const char*>(header.data()), qsizetype(header.size()) - 1);
        QTest::addRow("cut header") << cut << "the file header is cut short";
    }
    void openErrors() {
        QFETCH(QByteArray, content);
        QFETCH(QString, error);
        const auto path = file("trace.isotrace");
        std::filesystem::remove(path);
        if (content != "-") write_bytes(path, content);
        QCOMPARE(QString::fromStdString(error_of(path)), QString::fromStdString(path.string()) + QStringLiteral(": ") + error);
    }

    void directoryIsNoTraceFile() {
        const std::string error = error_of(dir_.path().toStdString());
        QVERIFY2(error.ends_with(": not a regular file"), error.c_str());
    }

    void writerErrors() {
        const auto nowhere = file("no-such-folder/trace.isotrace");
        try {
            FileWriter writer(nowhere, FileInfo{});
            QFAIL("created a file in a missing folder");
        } catch (const FileError& e) {
            QVERIFY2(std::string(e.what()).starts_with(nowhere.string() + ": cannot create"), e.what());
        }

        if (std::filesystem::exists("/dev/full")) {
            try {
                FileWriter writer("/dev/full", FileInfo{});
                QFAIL("wrote to a full device");
            } catch (const FileError& e) {
                QVERIFY2(std::string(e.what()).starts_with("/dev/full: write failed"), e.what());
            }
        }

        FileInfo long_name;
        long_name.program.assign(format::max_program_size + 1, 'p');
        QVERIFY_THROWS_EXCEPTION(FileError, FileWriter(file("long.isotrace"), long_name));

        FileWriter writer(file("closed.isotrace"), FileInfo{});
        writer.close();
        QVERIFY_THROWS_EXCEPTION(iso::StateError, writer.append(make_event(Kind::Send, 1, 1)));
        QVERIFY_THROWS_EXCEPTION(iso::StateError, writer.flush());
    }

    void destructorCloses() {
        const auto path = file("unclosed.isotrace");
        {
            FileWriter writer(path, FileInfo{});
            writer.append(make_event(Kind::Spawn, 1, 1, "a"));
        }
        FileReader reader(path);
        QVERIFY(reader.complete());
        QCOMPARE(reader.read_all().size(), 1u);
    }

    void longTextIsCut() {
        std::string text(format::max_text_size + 10, 'x');
        const auto path = record("long-text.isotrace", {make_event(Kind::Send, 1, 1, text)});
        const auto events = FileReader(path).read_all();
        QCOMPARE(events.size(), 1u);
        QCOMPARE(events[0].text.size(), std::size_t(format::max_text_size));
        QVERIFY(events[0].has(Flag::PayloadTruncated));
    }

    void recorderBeginsWithTheCurrentState() {
        auto cluster = iso::Cluster::single_node(test::stepped());
        iso::Observer observer(cluster.runtime(), polled_by_hand());
        std::vector<iso::Value> got;
        auto a = cluster.runtime().block_on(cluster.spawn_isolate("/a", collector(got)));
        auto b = cluster.runtime().block_on(cluster.spawn_isolate("/b", collector(got)));
        observer.poll();  // the recording starts after the spawns were published

        const auto path = file("recorded.isotrace");
        FileInfo info;
        info.program = "two collectors";
        info.run_seed = 7;
        Recorder recorder(observer, path, info);
        a.send(1);
        b.send(2);
        cluster.runtime().run_until_idle();
        QCOMPARE(got.size(), 2u);
        observer.poll();
        const RecorderStats stats = recorder.stop();

        FileReader reader(path);
        QVERIFY(reader.complete());
        QCOMPARE(reader.info().program, info.program);
        QCOMPARE(reader.info().run_seed, info.run_seed);
        QVERIFY(reader.info().start_time != 0);
        QVERIFY(reader.info().wall_clock_ns > 0);
        const auto events = reader.read_all();
        QCOMPARE(stats.events, events.size());
        QCOMPARE(stats.chunks, reader.chunks().size());
        QCOMPARE(stats.bytes, std::uint64_t(std::filesystem::file_size(path)));
        QCOMPARE(stats.missed_events, 0u);

        // Both isolates are named (Spawn and Path) before anything they did.
        const auto first_send = std::find_if(events.begin(), events.end(), [](const Event& e) { return e.kind == Kind::Send; });
        QVERIFY(first_send != events.end());
        QStringList named;
        for (auto e = events.begin(); e != first_send; ++e)
            if (e->kind == Kind::Path) named << QString::fromStdString(std::string(e->field(0)));
        named.sort();
        QCOMPARE(named, (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
        QCOMPARE(std::count_if(first_send, events.end(), [](const Event& e) { return e.kind == Kind::Send; }), 2);
        QCOMPARE(std::count_if(events.begin(), events.end(), [](const Event& e) { return e.kind == Kind::Gap; }), 0);
    }

    void recorderStopsOnce() {
        auto cluster = iso::Cluster::single_node(test::stepped());
        iso::Observer observer(cluster.runtime(), polled_by_hand());
        const auto path = file("stopped.isotrace");
        {
            Recorder recorder(observer, path);
            const auto first = recorder.stop();
            const auto second = recorder.stop();
            QCOMPARE(second.bytes, first.bytes);
            QCOMPARE(recorder.stats().bytes, first.bytes);
        }
        QVERIFY(FileReader(path).complete());

        // Destroyed without stop(): the destructor closes the file.
        {
            Recorder recorder(observer, path);
        }
        QVERIFY(FileReader(path).complete());
    }

    void recorderCannotCreateItsFile() {
        auto cluster = iso::Cluster::single_node(test::stepped());
        iso::Observer observer(cluster.runtime(), polled_by_hand());
        QVERIFY_THROWS_EXCEPTION(FileError, Recorder(observer, file("no-such-folder/trace.isotrace")));
    }

    void hostileChunks_data() {
        QTest::addColumn<QByteArray>("body");   // uncompressed
        QTest::addColumn<quint32>("raw_size");  // that the header claims; 0: the body's
        QTest::addColumn<quint32>("events");    // that the header claims
        QTest::addColumn<bool>("listed");       // whether the scan accepts the header
        QTest::addColumn<QString>("error");     // from read_chunk

        const QByteArray one = encoded({send_record()});
        QTest::addRow("raw size 4 GiB") << one << 0xffffffffu << 1u << false << "";
        QTest::addRow("raw size over the cap") << one << format::max_raw_size + 1 << 1u << false << "";
        QTest::addRow("more records than bytes") << one << 64u << 22u << false << "";
        QTest::addRow("events over the cap") << one << format::max_raw_size << format::max_chunk_events + 1 << false << "";
        QTest::addRow("no records") << one << 64u << 0u << false << "";
        QTest::addRow("raw size not the body's") << one << 128u << 1u << true << "wrong decompressed size";

        QTest::addRow("text past the chunk") << encoded({send_record(1, 0xfffffff0u)}) << 0u << 1u << true
                                             << "record 0 at byte 0 of the body: its text runs past the chunk";
        const QByteArray two = encoded({send_record(1, 4), send_record(2, 70)});  // the second text is missing
        QTest::addRow("second text past the chunk")
            << two << 0u << 2u << true << "record 1 at byte 9 of the body: its text runs past the chunk";
        QTest::addRow("fewer records than claimed")
            << encoded({send_record(1, 8)}) << 0u << 2u << true
            << "fewer records than its header says: the body ends before record 1 at byte 13 of the body";
        QTest::addRow("more records than claimed")
            << encoded({send_record(1), send_record(2)}) << 0u << 1u << true
            << "more records than its header says: 3 bytes after record 0";

        // Records written by hand: kind, mask, then the fields' varints.
        auto record = [](std::initializer_list<int> bytes) {
            QByteArray body;
            for (int b : bytes) body.append(char(b));
            return body;
        };
        const int isolate = int(format::field::isolate);
        const int thread = int(format::field::thread);
        const int more = int(format::field::more);
        const int arg = int(format::field::arg);
        QTest::addRow("cut in the mask") << record({5}) << 0u << 1u << false << "";
        // A first record long enough that the header's count passes.
        QTest::addRow("cut in the next record") << record({5, isolate, 0x80, 0x01, 100, 5}) << 0u << 2u << true
                                                << "record 1 at byte 5 of the body: it runs past the body";
        QTest::addRow("cut in a varint") << record({5, isolate, 2, 0x80}) << 0u << 1u << true
                                         << "record 0 at byte 0 of the body: its isolate runs past the body";
        QTest::addRow("cut in the second mask byte") << record({5, more}) << 0u << 1u << false << "";
        QTest::addRow("cut in the next second mask byte")
            << record({5, isolate, 0x80, 0x01, 100, 5, more}) << 0u << 2u << true
            << "record 1 at byte 5 of the body: it runs past the body";
        QTest::addRow("eleven-byte varint")
            << record({5, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00}) << 0u << 1u << true
            << "record 0 at byte 0 of the body: its time is over-long";
        QTest::addRow("ten bytes past 64 bits")
            << record({5, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}) << 0u << 1u << true
            << "record 0 at byte 0 of the body: its time is too large for its field";
        QTest::addRow("zero in two bytes") << record({5, isolate, 2, 0x80, 0x00}) << 0u << 1u << true
                                           << "record 0 at byte 0 of the body: its isolate is over-long";
        QTest::addRow("thread past 16 bits") << record({5, thread, 2, 0x80, 0x80, 0x04}) << 0u << 1u << true
                                             << "record 0 at byte 0 of the body: its thread is too large for its field";
        QTest::addRow("arg past 32 bits") << record({5, arg, 2, 0xff, 0xff, 0xff, 0xff, 0x1f}) << 0u << 1u << true
                                          << "record 0 at byte 0 of the body: its arg is too large for its field";
        QTest::addRow("unknown mask bits") << record({5, more, 0x08, 2}) << 0u << 1u << true
                                           << "record 0 at byte 0 of the body: it has unknown bits in its mask";
        QTest::addRow("empty second mask byte") << record({5, more, 0, 2}) << 0u << 1u << true
                                                << "record 0 at byte 0 of the body: it has an empty second mask byte";
        QTest::addRow("zero marked present") << record({5, isolate, 2, 0}) << 0u << 1u << true
                                             << "record 0 at byte 0 of the body: it marks a zero field present";
        QTest::addRow("message back to zero") << record({5, int(format::field::message), 2, 0}) << 0u << 1u << true
                                              << "record 0 at byte 0 of the body: it marks a zero field present";
        QTest::addRow("flags cut") << record({5, more, int(format::field::flags >> 8), 2}) << 0u << 1u << true
                                   << "record 0 at byte 0 of the body: its flags byte runs past the body";
    }
    void hostileChunks() {
        // Each chunk is well framed, its checksums right; only what it
        // claims is wrong. The reader must refuse it without trusting it.
        QFETCH(QByteArray, body);
        QFETCH(quint32, raw_size);
        QFETCH(quint32, events);
        QFETCH(bool, listed);
        QFETCH(QString, error);

        const QByteArray bytes = one_chunk_file(body, raw_size != 0 ? raw_size : quint32(body.size()), events);
        const auto path = file("hostile.isotrace");
        write_bytes(path, bytes);
        format::Bytes header;
        format::put_file_header(header, FileInfo{});

        FileReader reader(path);
        QCOMPARE(reader.chunks().size(), listed ? 1u : 0u);
        QCOMPARE(reader.trailing_bytes(), listed ? 0u : std::uint64_t(bytes.size()) - header.size());
        if (!listed) return;
        try {
            reader.read_chunk(0);
            QFAIL("a hostile chunk was read");
        } catch (const FileError& e) {
            const std::string expected = path.string() + ": chunk 0 at offset " + std::to_string(header.size()) +
                                         " is damaged (" + error.toStdString() + ")";
            QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(expected));
        }
    }

    void randomRecordsRoundTrip() {
        // Every field at its edges, times and ids that jump either way:
        // whatever a record holds comes back, in chunks small and large.
        std::mt19937_64 random(23);
        std::vector<Event> events;
        Event previous;
        for (int i = 0; i < 20'000; ++i) {
            Event e;
            e.kind = static_cast<Kind>(random() % 256);  // kinds this reader does not know pass through
            e.time = extreme(random, 64, previous.time);
            e.isolate = extreme(random, 64, previous.isolate);
            e.message = extreme(random, 64, previous.message);
            e.cause = extreme(random, 64, e.message);
            e.peer = extreme(random, 64);
            e.port = extreme(random, 64, previous.port);
            e.arg = std::uint32_t(extreme(random, 32));
            e.flags = std::uint8_t(extreme(random, 8));
            e.thread = std::uint16_t(extreme(random, 16, previous.thread));
            e.reserved = std::uint32_t(extreme(random, 32));
            if (random() % 4 == 0) e.text.assign(random() % 40, char(random()));
            events.push_back(e);
            previous = e;
        }
        for (const std::size_t chunk_bytes : {std::size_t(64), std::size_t(4096), std::size_t(1) << 20}) {
            const auto path = record("random-records.isotrace", events, chunk_bytes);
            COMPARE_EVENTS(FileReader(path).read_all(), as_stored(events));
        }
    }

    void eventsPerChunkAreCapped() {
        const auto path = file("capped.isotrace");
        FileWriter writer(path, FileInfo{}, format::max_chunk_target);
        Event e = make_event(Kind::Up, 1, 1);
        for (std::uint32_t i = 0; i <= format::max_chunk_events; ++i) writer.append(e);
        writer.close();
        FileReader reader(path);
        QCOMPARE(reader.chunks().size(), 2u);
        QCOMPARE(reader.chunks()[0].events, std::uint64_t(format::max_chunk_events));
        QCOMPARE(reader.read_chunk(1).size(), 1u);
    }

    void randomBodies() {
        // Bodies damaged after compression fail their checksum; these are
        // damaged before it, so only the decoding stands between them and
        // the reader: it must read them or throw FileError, and nothing else.
        std::vector<Record> records;
        for (const Event& e : busy_run(60, 4)) records.push_back(e);
        const QByteArray good = encoded(records);
        const auto path = file("random-body.isotrace");
        std::mt19937 random(29);
        int refused = 0;
        int read = 0;
        for (int round = 0; round < 2000; ++round) {
            QByteArray body = good;
            const int flips = 1 + int(random() % 3);
            for (int i = 0; i < flips; ++i) body[qsizetype(random() % std::uint32_t(body.size()))] = char(random());
            if (round % 4 == 0) body.truncate(qsizetype(random() % std::uint32_t(body.size())) + 1);
            write_bytes(path, one_chunk_file(body, quint32(body.size()), quint32(records.size())));
            FileReader reader(path);
            if (reader.chunks().empty()) continue;
            try {
                QCOMPARE(reader.read_chunk(0).size(), records.size());
                ++read;
            } catch (const FileError&) {
                ++refused;
            }
        }
        // Both outcomes are common, so both paths were taken.
        QVERIFY2(refused > 500 && read > 200, qPrintable(QStringLiteral("%1 refused, %2 read").arg(refused).arg(read)));
    }

    void randomDamage() {
        // Whatever bytes change, opening and reading either work or throw
        // FileError: no crash, no other exception, no runaway allocation.
        const auto path = record("random.isotrace", busy_run(400, 9), 2048);
        const QByteArray good = file_bytes(path);
        std::mt19937 random(17);
        for (int round = 0; round < 1000; ++round) {
            QByteArray bytes = good;
            const int flips = 1 + int(random() % 4);
            for (int i = 0; i < flips; ++i) bytes[qsizetype(random() % std::uint32_t(bytes.size()))] = char(random());
            if (round % 3 == 0) bytes.truncate(qsizetype(random() % std::uint32_t(bytes.size())));
            write_bytes(path, bytes);
            try {
                FileReader reader(path);
                for (std::size_t i = 0; i < reader.chunks().size(); ++i) {
                    try {
                        (void)reader.read_chunk(i);
                    } catch (const FileError&) {
                    }
                }
            } catch (const FileError&) {
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestTraceFile)
#include "tst_tracefile.moc"
