// FileWriter: buffers events, compresses them into chunks and appends each
// chunk to the file with one write (docs/trace-format.md).

#include "tracefile_format.h"

#include <iso/error.h>
#include <iso/tracefile.h>

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>

#include <fcntl.h>
#include <unistd.h>

namespace iso::trace {

namespace {

// Level -1 is the fastest at level 1's size on trace records; higher levels
// gain a few percent of size for several times the time, lower ones cost
// size (bench/trace_write prints them side by side).
constexpr int compression_level = -1;

std::string error_text(int error) { return std::strerror(error); }

} // namespace

struct FileWriter::Impl {
    std::string name;  // the path as given, for messages
    int fd = -1;
    std::size_t chunk_target = 0;
    ZSTD_CCtx* zstd = nullptr;

    format::Bytes raw;  // the pending chunk's records and texts
    std::uint32_t raw_events = 0;
    std::uint64_t first_time = 0;
    std::uint64_t last_time = 0;
    format::Bytes out;  // reused for each chunk's header and body

    std::vector<format::IndexEntry> index;
    std::uint64_t events = 0;
    std::uint64_t bytes = 0;
    bool closed = false;
    // Set by the first failed write; the file may end in a torn chunk after
    // it, so nothing more is written.
    std::string failure;

    ~Impl() {
        if (fd >= 0) ::close(fd);
        ZSTD_freeCCtx(zstd);
    }

    [[noreturn]] void fail(const std::string& what) {
        failure = name + ": " + what;
        throw FileError(failure);
    }

    void check_writable() const {
        if (!failure.empty()) throw FileError(failure);
        if (closed) throw StateError(name + ": trace file used after close()");
    }

    void write_all(const format::Bytes& bytes_out) {
        const unsigned char* p = bytes_out.data();
        std::size_t left = bytes_out.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("write failed (" + error_text(errno) + ")");
            p += n;
            left -= static_cast<std::size_t>(n);
            bytes += static_cast<std::uint64_t>(n);
        }
    }

    void add(const Event& e) {
        check_writable();
        // Longer texts are cut rather than refused, so that one huge payload
        // cannot end a recording; the flag tells the reader.
        const std::size_t text_size = std::min<std::size_t>(e.text.size(), format::max_text_size);
        const std::size_t size = format::record_size + text_size;
        if (raw_events > 0 && raw.size() + size > chunk_target) write_chunk();

        Record r = e;
        if (text_size < e.text.size()) r.flags |= static_cast<std::uint8_t>(Flag::PayloadTruncated);
        format::put_record(raw, r, static_cast<std::uint32_t>(text_size));
        raw.insert(raw.end(), e.text.data(), e.text.data() + text_size);
        first_time = raw_events == 0 ? e.time : std::min(first_time, e.time);
        last_time = raw_events == 0 ? e.time : std::max(last_time, e.time);
        ++raw_events;
        ++events;
        if (raw.size() >= chunk_target) write_chunk();
    }

    void write_chunk() {
        const std::size_t bound = ZSTD_compressBound(raw.size());
        out.resize(format::chunk_header_size + bound);
        const std::size_t compressed = ZSTD_compressCCtx(zstd, out.data() + format::chunk_header_size, bound,
                                                         raw.data(), raw.size(), compression_level);
        if (ZSTD_isError(compressed)) fail(std::string("compression failed (") + ZSTD_getErrorName(compressed) + ")");
        out.resize(format::chunk_header_size + compressed);

        format::ChunkHeader header;
        header.raw_size = static_cast<std::uint32_t>(raw.size());
        header.compressed_size = static_cast<std::uint32_t>(compressed);
        header.events = raw_events;
        header.first_time = first_time;
        header.last_time = last_time;
        header.body_crc = format::crc32({out.data() + format::chunk_header_size, compressed});
        format::Bytes head;
        format::put_chunk_header(head, header);
        std::copy(head.begin(), head.end(), out.begin());

        const std::uint64_t offset = bytes;
        // Header and body in one write: a kill leaves the chunk whole or
        // visibly short, never a whole header over a partial body that a
        // later chunk follows.
        write_all(out);
        index.push_back({offset, first_time, last_time, raw_events, header.compressed_size, header.raw_size});
        raw.clear();
        raw_events = 0;
    }

    void finish() {
        if (raw_events > 0) write_chunk();
        out.clear();
        const std::uint64_t index_offset = bytes;
        format::put_index(out, index);
        format::put_footer(out, {index_offset, static_cast<std::uint32_t>(index.size())});
        write_all(out);
        const int fd_closing = fd;
        fd = -1;
        if (::close(fd_closing) != 0) fail("close failed (" + error_text(errno) + ")");
        closed = true;
    }
};

FileWriter::FileWriter(const std::filesystem::path& path, const FileInfo& info, std::size_t chunk_bytes)
    : impl_(std::make_unique<Impl>()) {
    impl_->name = path.string();
    impl_->chunk_target = std::min(chunk_bytes, format::max_chunk_target);
    if (info.program.size() > format::max_program_size)
        throw FileError(impl_->name + ": the program name is " + std::to_string(info.program.size()) +
                        " bytes, more than " + std::to_string(format::max_program_size));
    impl_->zstd = ZSTD_createCCtx();
    if (impl_->zstd == nullptr) throw std::bad_alloc();
    impl_->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (impl_->fd < 0) throw FileError(impl_->name + ": cannot create (" + error_text(errno) + ")");
    impl_->raw.reserve(impl_->chunk_target + format::record_size);
    format::Bytes header;
    format::put_file_header(header, info);
    impl_->write_all(header);
}

FileWriter::~FileWriter() {
    if (impl_->closed || !impl_->failure.empty()) return;
    try {
        impl_->finish();
    } catch (...) {
        // A destructor has no one to tell; close() reports the same errors.
    }
}

void FileWriter::append(const Event& event) { impl_->add(event); }

void FileWriter::append(std::span<const Event> events) {
    for (const Event& e : events) impl_->add(e);
}

void FileWriter::flush() {
    impl_->check_writable();
    if (impl_->raw_events > 0) impl_->write_chunk();
}

void FileWriter::close() {
    if (impl_->closed) return;
    impl_->check_writable();
    impl_->finish();
}

std::uint64_t FileWriter::events_written() const noexcept { return impl_->events; }
std::uint64_t FileWriter::bytes_written() const noexcept { return impl_->bytes; }
std::uint64_t FileWriter::chunks_written() const noexcept { return impl_->index.size(); }

} // namespace iso::trace
