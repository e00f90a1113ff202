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
#include <memory>
#include <new>

#include <fcntl.h>
#include <unistd.h>

namespace iso::trace {

namespace {

// The compact records leave zstd little to find but in texts: level -1
// costs least, level 1 is 20% smaller at 1.4 times the time, and speed
// comes first (bench/trace_write prints the levels side by side).
constexpr int compression_level = -1;

std::string error_text(int error) { return std::strerror(error); }

} // namespace

struct FileWriter::Impl {
    std::string name;  // the path as given, for messages
    int fd = -1;
    std::size_t chunk_target = 0;
    ZSTD_CCtx* zstd = nullptr;

    // The pending chunk's body. Not a vector: records are encoded straight
    // into the room past its end, which a vector would zero first.
    std::unique_ptr<unsigned char[]> raw;
    std::size_t raw_size = 0;
    std::size_t raw_capacity = 0;
    format::RecordBase base;
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

    void reserve_raw(std::size_t more) {
        if (raw_capacity - raw_size >= more) return;
        const std::size_t capacity = std::max(raw_size + more, raw_capacity * 2);
        auto bigger = std::make_unique_for_overwrite<unsigned char[]>(capacity);
        if (raw_size > 0) std::memcpy(bigger.get(), raw.get(), raw_size);
        raw = std::move(bigger);
        raw_capacity = capacity;
    }

    void add(const Event& e) {
        check_writable();
        // Longer texts are cut rather than refused, so that one huge payload
        // cannot end a recording; the flag tells the reader.
        const std::size_t text_size = std::min<std::size_t>(e.text.size(), format::max_text_size);
        const std::size_t most = format::max_record_head + text_size;
        if (raw_events > 0 && raw_size + most > chunk_target) write_chunk();
        reserve_raw(most);

        Record r = e;
        if (text_size < e.text.size()) r.flags |= static_cast<std::uint8_t>(Flag::PayloadTruncated);
        unsigned char* end = format::put_record(raw.get() + raw_size, r, static_cast<std::uint32_t>(text_size), base);
        if (text_size > 0) std::memcpy(end, e.text.data(), text_size);
        raw_size = static_cast<std::size_t>(end - raw.get()) + text_size;
        first_time = raw_events == 0 ? e.time : std::min(first_time, e.time);
        last_time = raw_events == 0 ? e.time : std::max(last_time, e.time);
        ++raw_events;
        ++events;
        if (raw_size >= chunk_target || raw_events == format::max_chunk_events) write_chunk();
    }

    void write_chunk() {
        const std::size_t bound = ZSTD_compressBound(raw_size);
        out.resize(format::chunk_header_size + bound);
        const std::size_t compressed = ZSTD_compressCCtx(zstd, out.data() + format::chunk_header_size, bound,
                                                         raw.get(), raw_size, compression_level);
        if (ZSTD_isError(compressed)) fail(std::string("compression failed (") + ZSTD_getErrorName(compressed) + ")");
        out.resize(format::chunk_header_size + compressed);

        format::ChunkHeader header;
        header.raw_size = static_cast<std::uint32_t>(raw_size);
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
        raw_size = 0;
        raw_events = 0;
        base = {};
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
    impl_->reserve_raw(impl_->chunk_target + format::max_record_head);
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
