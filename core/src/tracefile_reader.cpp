// FileReader: finds a trace file's chunks through its index, or by a scan
// when the recording was cut short, and decodes them on demand
// (docs/trace-format.md). Every size read from the file is checked against
// the file's length and the format's caps before anything is allocated.

#include "tracefile_format.h"

#include <iso/tracefile.h>

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace iso::trace {

namespace {

// pread rather than a stream: read_chunk is const and may be called from
// several threads at once, and a position-free read needs no lock.
bool read_at(int fd, std::uint64_t offset, unsigned char* out, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

bool within_caps(const format::ChunkHeader& h) {
    return h.events > 0 && h.events <= format::max_chunk_events && h.raw_size <= format::max_raw_size &&
           h.compressed_size <= ZSTD_compressBound(format::max_raw_size) &&
           std::uint64_t(h.events) * format::min_record_size <= h.raw_size;
}

} // namespace

struct FileReader::Impl {
    std::string name;
    int fd = -1;
    std::uint64_t size = 0;
    std::uint64_t header_end = 0;
    FileInfo info;
    std::vector<ChunkInfo> chunks;
    // The running maximum of chunks' last_time: events are not sorted
    // across threads, so last_time alone need not grow from chunk to chunk.
    std::vector<std::uint64_t> reach;
    bool complete = false;
    std::uint64_t trailing = 0;

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    [[noreturn]] void fail(const std::string& what) const { throw FileError(name + ": " + what); }

    format::Bytes read(std::uint64_t offset, std::size_t count) const {
        format::Bytes bytes(count);
        if (!read_at(fd, offset, bytes.data(), count)) fail("read failed at offset " + std::to_string(offset));
        return bytes;
    }

    void open(const std::filesystem::path& path) {
        name = path.string();
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) fail("no such file");
        if (fd < 0) fail(std::string("cannot open (") + std::strerror(errno) + ")");
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) fail("not a regular file");
        size = static_cast<std::uint64_t>(st.st_size);
    }

    void read_header() {
        if (size == 0) fail("not a trace file (empty)");
        if (size < sizeof format::file_magic) fail("not a trace file (bad magic)");
        const format::Bytes prefix = read(0, std::min<std::uint64_t>(size, format::file_prefix_size));
        if (std::memcmp(prefix.data(), format::file_magic, sizeof format::file_magic) != 0)
            fail("not a trace file (bad magic)");
        if (prefix.size() < format::file_prefix_size) fail("the file header is cut short");
        const std::uint32_t version = format::get_u32(prefix.data() + 8);
        if (version != format::version)
            fail("unsupported format version " + std::to_string(version) + " (this reader knows " +
                 std::to_string(format::version) + ")");
        const std::uint32_t fields = format::get_u32(prefix.data() + 12);
        if (fields < format::file_fixed_fields_size || fields > format::max_file_fields_size)
            fail("damaged file header");
        header_end = format::file_prefix_size + fields + 4;
        if (header_end > size) fail("the file header is cut short");

        const format::Bytes header = read(0, header_end);
        const unsigned char* f = header.data() + format::file_prefix_size;
        if (format::crc32({header.data(), header_end - 4}) != format::get_u32(header.data() + header_end - 4))
            fail("damaged file header (checksum mismatch)");
        info.start_time = format::get_u64(f);
        info.wall_clock_ns = static_cast<std::int64_t>(format::get_u64(f + 8));
        info.run_seed = format::get_u64(f + 16);
        const std::uint8_t payload = f[24];
        if (payload > static_cast<std::uint8_t>(PayloadCapture::Whole)) fail("damaged file header (payload capture)");
        info.payload = static_cast<PayloadCapture>(payload);
        const std::uint32_t program = format::get_u32(f + 25);
        if (program > fields - format::file_fixed_fields_size) fail("damaged file header (program name)");
        info.program.assign(reinterpret_cast<const char*>(f + format::file_fixed_fields_size), program);
    }

    /// The chunks as the index lists them; false (and nothing kept) if the
    /// footer or index is missing or does not describe this file exactly.
    bool read_index() {
        if (size < header_end + format::index_header_size + format::footer_size) return false;
        format::Footer footer;
        if (!format::get_footer(read(size - format::footer_size, format::footer_size).data(), footer)) return false;
        const std::uint64_t index_bytes = format::index_header_size + std::uint64_t(footer.chunks) * format::index_entry_size;
        if (footer.index_offset < header_end || footer.index_offset > size ||
            size - footer.index_offset != index_bytes + format::footer_size)
            return false;

        const format::Bytes index = read(footer.index_offset, index_bytes);
        std::uint32_t count = 0;
        std::uint32_t entries_crc = 0;
        if (!format::get_index_header(index.data(), count, entries_crc) || count != footer.chunks) return false;
        const unsigned char* entries = index.data() + format::index_header_size;
        if (format::crc32({entries, index_bytes - format::index_header_size}) != entries_crc) return false;

        std::vector<ChunkInfo> listed;
        std::uint64_t next = header_end;  // chunks are contiguous, from the header to the index
        for (std::uint32_t i = 0; i < count; ++i) {
            const format::IndexEntry e = format::get_index_entry(entries + i * format::index_entry_size);
            const format::ChunkHeader as_header{e.raw_size, e.compressed_size, e.events, e.first_time, e.last_time, 0};
            if (e.offset != next || !within_caps(as_header)) return false;
            next = e.offset + format::chunk_header_size + e.compressed_size;
            listed.push_back({e.offset, e.first_time, e.last_time, e.events, e.compressed_size, e.raw_size});
        }
        if (next != footer.index_offset) return false;
        chunks = std::move(listed);
        return true;
    }

    /// Walks the chunks from the header on, keeping each whose header and
    /// body check out, up to the first that does not (a torn write).
    void scan() {
        std::uint64_t at = header_end;
        while (size - at >= format::chunk_header_size) {
            format::ChunkHeader h;
            if (!format::get_chunk_header(read(at, format::chunk_header_size).data(), h) || !within_caps(h)) break;
            const std::uint64_t body_at = at + format::chunk_header_size;
            if (h.compressed_size > size - body_at) break;
            if (format::crc32(read(body_at, h.compressed_size)) != h.body_crc) break;
            chunks.push_back({at, h.first_time, h.last_time, h.events, h.compressed_size, h.raw_size});
            at = body_at + h.compressed_size;
        }
        trailing = size - at;
    }

    void index_reach() {
        reach.reserve(chunks.size());
        std::uint64_t most = 0;
        for (const ChunkInfo& c : chunks) reach.push_back(most = std::max(most, c.last_time));
    }

    std::string chunk_name(std::size_t i) const {
        return "chunk " + std::to_string(i) + " at offset " + std::to_string(chunks[i].offset);
    }

    std::vector<Event> decode(std::size_t i) const {
        const ChunkInfo& c = chunks.at(i);
        auto damaged = [&](const std::string& why) { fail(chunk_name(i) + " is damaged (" + why + ")"); };

        if (c.offset + format::chunk_header_size + c.compressed_bytes > size) damaged("it runs past the end of the file");
        const format::Bytes bytes = read(c.offset, format::chunk_header_size + c.compressed_bytes);
        format::ChunkHeader h;
        if (!format::get_chunk_header(bytes.data(), h)) damaged("bad chunk header");
        if (h.raw_size != c.raw_bytes || h.compressed_size != c.compressed_bytes || h.events != c.events)
            damaged("its header disagrees with the index");
        const unsigned char* body = bytes.data() + format::chunk_header_size;
        if (format::crc32({body, h.compressed_size}) != h.body_crc) damaged("checksum mismatch");

        if (ZSTD_getFrameContentSize(body, h.compressed_size) != h.raw_size) damaged("wrong decompressed size");
        format::Bytes raw(h.raw_size);
        const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), body, h.compressed_size);
        if (ZSTD_isError(got)) damaged(std::string("cannot decompress: ") + ZSTD_getErrorName(got));
        if (got != h.raw_size) damaged("wrong decompressed size");

        std::vector<Event> events;
        events.reserve(h.events);
        const unsigned char* at = raw.data();
        const unsigned char* const end = raw.data() + raw.size();
        format::RecordBase base;
        for (std::uint32_t n = 0; n < h.events; ++n) {
            const std::ptrdiff_t start = at - raw.data();
            auto where = [&] {
                return "record " + std::to_string(n) + " at byte " + std::to_string(start) + " of the body";
            };
            if (at == end) damaged("fewer records than its header says: the body ends before " + where());
            Event e;
            const format::RecordError error = format::get_record(at, end, e, base);
            if (error.problem != nullptr)
                damaged(where() + ": " + (error.field != nullptr ? std::string("its ") + error.field + " " : "it ") +
                        error.problem);
            if (e.text_size > std::size_t(end - at)) damaged(where() + ": its text runs past the chunk");
            e.text.assign(reinterpret_cast<const char*>(at), e.text_size);
            at += e.text_size;
            events.push_back(std::move(e));
        }
        if (at != end)
            damaged("more records than its header says: " + std::to_string(end - at) + " bytes after record " +
                    std::to_string(h.events - 1));
        return events;
    }
};

FileReader::FileReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    impl_->open(path);
    impl_->read_header();
    impl_->complete = impl_->read_index();
    if (!impl_->complete) impl_->scan();
    impl_->index_reach();
}

FileReader::~FileReader() = default;
FileReader::FileReader(FileReader&&) noexcept = default;
FileReader& FileReader::operator=(FileReader&&) noexcept = default;

const FileInfo& FileReader::info() const noexcept { return impl_->info; }
const std::vector<ChunkInfo>& FileReader::chunks() const noexcept { return impl_->chunks; }
bool FileReader::complete() const noexcept { return impl_->complete; }
std::uint64_t FileReader::trailing_bytes() const noexcept { return impl_->trailing; }

std::vector<Event> FileReader::read_chunk(std::size_t index) const { return impl_->decode(index); }

std::size_t FileReader::chunk_at(std::uint64_t time) const noexcept {
    const auto& reach = impl_->reach;
    return static_cast<std::size_t>(std::lower_bound(reach.begin(), reach.end(), time) - reach.begin());
}

std::vector<Event> FileReader::read_all() const {
    std::vector<Event> all;
    std::uint64_t total = 0;
    for (const ChunkInfo& c : impl_->chunks) total += c.events;
    // The counts are checked only as each chunk is decoded: a damaged file
    // may claim more than it holds, and the vector grows from there.
    all.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(total, format::max_chunk_events)));
    for (std::size_t i = 0; i < impl_->chunks.size(); ++i) {
        std::vector<Event> part = impl_->decode(i);
        all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return all;
}

} // namespace iso::trace
