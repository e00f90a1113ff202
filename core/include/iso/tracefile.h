#pragma once
/// Trace files: append-only, zstd-compressed chunks of events with an index
/// for seeking by time. The format is described in docs/trace-format.md.

#include <iso/observer.h>
#include <iso/trace.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace iso::trace {

/// A file that is missing, foreign, damaged or unwritable. what() is one
/// line that names the file and the problem.
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a recording says about itself, written once at its start.
struct FileInfo {
    std::uint64_t start_time = 0;       ///< steady-clock ns when recording began
    std::int64_t wall_clock_ns = 0;     ///< Unix time at start_time
    std::string program;                ///< what was recorded (a scenario name, a program)
    /// The cluster's ClusterOptions::random_seed, if the recorder knew it
    /// (0: not said). Replay needs none: each isolate's own seed is in its
    /// Path event.
    std::uint64_t run_seed = 0;
    PayloadCapture payload = PayloadCapture::None;
};

/// Writes a trace file. Events are buffered and compressed into chunks of
/// about `chunk_bytes` uncompressed; each chunk is written whole, so a
/// process killed mid-recording leaves every finished chunk readable.
/// Not thread-safe: one writer thread.
class FileWriter {
public:
    /// Creates (replacing) `path`. Throws FileError.
    FileWriter(const std::filesystem::path& path, const FileInfo& info, std::size_t chunk_bytes = 1 << 20);
    /// Closes (writes the index) if not yet closed; errors are swallowed.
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    /// Texts longer than 16 MiB are cut to that and flagged PayloadTruncated.
    /// Throws FileError if a write failed, StateError after close().
    void append(const Event& event);
    void append(std::span<const Event> events);
    /// Writes the buffered events as a chunk now.
    void flush();
    /// Flushes, writes the index and the footer. Throws FileError.
    void close();

    std::uint64_t events_written() const noexcept;
    std::uint64_t bytes_written() const noexcept;  ///< file size so far
    std::uint64_t chunks_written() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One chunk as the index (or a scan) knows it.
struct ChunkInfo {
    std::uint64_t offset = 0;        ///< of its header in the file
    std::uint64_t first_time = 0;
    std::uint64_t last_time = 0;
    std::uint64_t events = 0;
    std::uint64_t compressed_bytes = 0;
    std::uint64_t raw_bytes = 0;
};

/// Reads a trace file. A file without an index (its recorder was killed)
/// is scanned chunk by chunk up to the last whole one.
class FileReader {
public:
    /// Throws FileError: missing, not a trace file, unsupported version.
    explicit FileReader(const std::filesystem::path& path);
    ~FileReader();
    FileReader(FileReader&&) noexcept;
    FileReader& operator=(FileReader&&) noexcept;

    const FileInfo& info() const noexcept;
    const std::vector<ChunkInfo>& chunks() const noexcept;
    /// True when the file ended with its index (it was closed cleanly).
    bool complete() const noexcept;
    /// Bytes after the last whole chunk that were ignored (a torn write).
    std::uint64_t trailing_bytes() const noexcept;

    /// The events of chunk `index`. Throws FileError if it is damaged.
    std::vector<Event> read_chunk(std::size_t index) const;
    /// The first chunk that may hold events at or after `time`;
    /// chunks().size() if none can.
    std::size_t chunk_at(std::uint64_t time) const noexcept;
    /// Every event, in file order.
    std::vector<Event> read_all() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct RecorderStats {
    std::uint64_t events = 0;
    std::uint64_t bytes = 0;
    std::uint64_t chunks = 0;
    std::uint64_t missed_events = 0;  ///< lost because the recorder fell behind
};

/// Subscribes to an observer and writes what it publishes to a file, on a
/// thread of its own. It begins with the observer's current state, so a
/// recording started late still names every isolate. With the observer's
/// full_wait set, nothing is lost: a recorder that falls behind makes the
/// monitor wait, and the monitor's producers in turn. The observer must
/// outlive it. Call stop() from the thread that made it; stats() from any.
class Recorder {
public:
    Recorder(Observer& observer, const std::filesystem::path& path, FileInfo info = {});
    /// Stops if not yet stopped.
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    /// Takes what is published up to now (after an observer.poll()), writes
    /// it, closes the file. Throws FileError if writing failed.
    RecorderStats stop();
    RecorderStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace iso::trace
