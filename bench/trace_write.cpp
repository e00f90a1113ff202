// How fast trace files are written and read back, and how small they are,
// beside the 64-byte records of format version 1 and a plain uncompressed
// dump of the same records as references.
//
//   trace_write [events=1000000] [file=/tmp/trace_write.isotrace]

#include <iso/tracefile.h>

#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace iso::trace;

/// What a busy cluster of 200 isolates on two threads records: each
/// message is a send, an enqueue and a handler run; now and then an
/// isolate is spawned (a name and a path), a timer fires or a message
/// goes undelivered. With `payloads`, sends carry a JSON prefix.
std::vector<Event> busy_cluster(std::size_t n, bool payloads) {
    std::mt19937_64 random(42);
    std::vector<Event> events;
    events.reserve(n + 4);
    std::uint64_t time = 1'000'000'000;
    std::uint64_t message = 0;
    std::vector<std::uint64_t> handling(201, 0);  // the message each isolate handles now
    auto add = [&](Kind kind, std::uint64_t isolate) -> Event& {
        time += 80 + random() % 400;
        Event& e = events.emplace_back();
        e.kind = kind;
        e.time = time;
        e.isolate = isolate;
        e.thread = static_cast<std::uint16_t>(isolate % 2);
        return e;
    };
    while (events.size() < n) {
        const std::uint64_t from = 1 + random() % 200;
        const std::uint64_t to = 1 + random() % 200;
        const unsigned roll = random() % 100;
        if (roll == 0) {
            add(Kind::Spawn, to).text = "worker-" + std::to_string(to);
            add(Kind::Path, to).text = "/app/workers/w" + std::to_string(to) + "\x1fworker\x1f{}";
            continue;
        }
        if (roll == 1) {
            Event& fire = add(Kind::TimerFire, to);
            fire.arg = 1;
            fire.peer = message;
            continue;
        }
        Event& send = add(roll == 2 ? Kind::DeadLetter : Kind::Send, from);
        send.message = ++message;
        send.cause = handling[from];
        send.peer = to;
        send.port = 1000 + to;
        if (payloads) send.text = R"({"op":"add","key":"k)" + std::to_string(message % 977) + R"(","value":)" +
                                  std::to_string(random() % 100000) + "}";
        if (roll == 2) continue;
        send.arg = 1 + random() % 8;  // the receiver's mailbox depth
        Event& handle = add(Kind::Handle, to);
        handle.message = send.message;
        handle.port = 1000 + to;
        handle.peer = 500 + random() % 20000;
        handling[to] = send.message;
    }
    events.resize(n);
    return events;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t raw_bytes(const std::vector<Event>& events) {
    std::uint64_t bytes = 0;
    for (const Event& e : events) bytes += sizeof(Record) + e.text.size();
    return bytes;
}

struct Measured {
    double write_per_second;
    double bytes_per_event;
    double read_per_second;
};

Measured measure_trace_file(const std::vector<Event>& events, const std::filesystem::path& path) {
    const auto start = Clock::now();
    FileWriter writer(path, FileInfo{});
    writer.append(events);
    writer.close();
    const auto written = Clock::now();
    const std::size_t read = FileReader(path).read_all().size();
    const auto done = Clock::now();
    if (read != events.size()) std::fprintf(stderr, "trace_write: read %zu of %zu events\n", read, events.size());
    const double n = static_cast<double>(events.size());
    return {n / seconds(written - start), static_cast<double>(writer.bytes_written()) / n, n / seconds(done - written)};
}

/// The reference: every record and text written as it is, no chunks, no index.
Measured measure_plain_dump(const std::vector<Event>& events, const std::filesystem::path& path) {
    const auto start = Clock::now();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return {};
    for (const Event& e : events) {
        Record r = e;
        r.text_size = static_cast<std::uint32_t>(e.text.size());
        std::fwrite(&r, sizeof r, 1, file);
        std::fwrite(e.text.data(), 1, e.text.size(), file);
    }
    std::fclose(file);
    const double n = static_cast<double>(events.size());
    return {n / seconds(Clock::now() - start), static_cast<double>(std::filesystem::file_size(path)) / n, 0};
}

/// Format version 1's way, for comparison: every event a 64-byte record
/// and its text, chunks of 1 MiB compressed at level -1 and written out
/// (without its headers and checksums, so a little faster than it was).
Measured measure_version_1(const std::vector<Event>& events, const std::filesystem::path& path) {
    const auto start = Clock::now();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return {};
    ZSTD_CCtx* zstd = ZSTD_createCCtx();
    std::vector<unsigned char> chunk;
    chunk.reserve((1u << 20) + sizeof(Record));
    std::vector<unsigned char> out(ZSTD_compressBound(chunk.capacity()));
    auto compress = [&] {
        const std::size_t size = ZSTD_compressCCtx(zstd, out.data(), out.size(), chunk.data(), chunk.size(), -1);
        std::fwrite(out.data(), 1, size, file);
        chunk.clear();
    };
    for (const Event& e : events) {
        Record r = e;
        r.text_size = static_cast<std::uint32_t>(e.text.size());
        const std::size_t at = chunk.size();
        chunk.resize(at + sizeof r + e.text.size());
        std::memcpy(chunk.data() + at, &r, sizeof r);
        std::memcpy(chunk.data() + at + sizeof r, e.text.data(), e.text.size());
        if (chunk.size() >= (1u << 20)) compress();
    }
    if (!chunk.empty()) compress();
    ZSTD_freeCCtx(zstd);
    std::fclose(file);
    const double n = static_cast<double>(events.size());
    return {n / seconds(Clock::now() - start), static_cast<double>(std::filesystem::file_size(path)) / n, 0};
}

/// The chunk bodies of the trace file at `path`, decompressed (a chunk's
/// body starts after its 40-byte header).
std::vector<std::vector<unsigned char>> chunk_bodies(const std::filesystem::path& path) {
    std::vector<std::vector<unsigned char>> bodies;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return bodies;
    const FileReader reader(path);
    for (const ChunkInfo& c : reader.chunks()) {
        std::vector<unsigned char> stored(c.compressed_bytes);
        std::fseek(file, static_cast<long>(c.offset + 40), SEEK_SET);
        if (std::fread(stored.data(), 1, stored.size(), file) != stored.size()) break;
        std::vector<unsigned char>& body = bodies.emplace_back(c.raw_bytes);
        ZSTD_decompress(body.data(), body.size(), stored.data(), stored.size());
    }
    std::fclose(file);
    return bodies;
}

/// The writer's chunk bodies compressed alone at `level`: how fast, how
/// small. The writer uses -1.
void print_level(const std::vector<std::vector<unsigned char>>& bodies, std::size_t events, int level) {
    std::vector<unsigned char> out;
    std::uint64_t compressed = 0;
    Clock::duration spent{};
    for (const auto& body : bodies) {
        out.resize(ZSTD_compressBound(body.size()));
        const auto start = Clock::now();
        compressed += ZSTD_compress(out.data(), out.size(), body.data(), body.size(), level);
        spent += Clock::now() - start;
    }
    const double n = static_cast<double>(events);
    std::printf("zstd level %-2d %28.0f %10.1f\n", level, n / seconds(spent), static_cast<double>(compressed) / n);
}

void print_row(const char* name, const Measured& m, double raw_per_event) {
    std::printf("%-28s %12.0f %10.1f %10.1fx", name, m.write_per_second, m.bytes_per_event,
                raw_per_event / m.bytes_per_event);
    if (m.read_per_second > 0) std::printf(" %12.0f\n", m.read_per_second);
    else std::printf(" %12s\n", "-");
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
    const std::filesystem::path path = argc > 2 ? argv[2] : "/tmp/trace_write.isotrace";

    std::printf("%zu events, chunks of 1 MiB\n\n", n);
    std::printf("%-28s %12s %10s %11s %12s\n", "", "written/s", "bytes each", "vs raw", "read/s");
    for (const bool payloads : {false, true}) {
        const auto events = busy_cluster(n, payloads);
        const double raw_per_event = static_cast<double>(raw_bytes(events)) / static_cast<double>(n);
        const Measured file = measure_trace_file(events, path);
        const Measured old = measure_version_1(events, path);
        print_row(payloads ? "trace file, JSON payloads" : "trace file, no payloads", file, raw_per_event);
        print_row(payloads ? "version 1, JSON payloads" : "version 1, no payloads", old, raw_per_event);
        print_row(payloads ? "plain dump, JSON payloads" : "plain dump, no payloads", measure_plain_dump(events, path),
                  raw_per_event);
        std::printf("%-28s %11.1fx %9.1fx\n", "  trace file vs version 1", file.write_per_second / old.write_per_second,
                    old.bytes_per_event / file.bytes_per_event);
    }
    std::printf("\n%-41s %10s\n", "compressing the chunk bodies alone: events/s", "bytes each");
    const auto events = busy_cluster(n, false);
    {
        FileWriter writer(path, FileInfo{});
        writer.append(events);
    }
    const auto bodies = chunk_bodies(path);
    std::uint64_t encoded = 0;
    for (const auto& body : bodies) encoded += body.size();
    std::printf("%-41s %10.1f\n", "uncompressed", static_cast<double>(encoded) / static_cast<double>(n));
    for (const int level : {1, -1, -3, 3, 6}) print_level(bodies, events.size(), level);
    std::filesystem::remove(path);
    return 0;
}
