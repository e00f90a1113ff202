// Encoding and decoding of the fixed-size parts of a trace file.

#include "tracefile_format.h"

#include <zlib.h>

#include <cstring>

namespace iso::trace::format {

namespace {

template <typename U>
void store(unsigned char* p, U v) noexcept {
    for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

void put_magic(Bytes& out, const char* magic, std::size_t size) {
    out.insert(out.end(), magic, magic + size);
}

bool has_magic(const unsigned char* in, const char* magic, std::size_t size) noexcept {
    return std::memcmp(in, magic, size) == 0;
}

/// Appends the CRC of everything from `start` to the end of `out`.
void seal(Bytes& out, std::size_t start) {
    put_u32(out, crc32({out.data() + start, out.size() - start}));
}

bool sealed(const unsigned char* in, std::size_t size) noexcept {
    return crc32({in, size}) == get_u32(in + size);
}

} // namespace

std::uint32_t crc32(std::span<const unsigned char> bytes, std::uint32_t crc) noexcept {
    return static_cast<std::uint32_t>(::crc32_z(crc, bytes.data(), bytes.size()));
}

void put_u32(Bytes& out, std::uint32_t v) {
    out.resize(out.size() + 4);
    store(out.data() + out.size() - 4, v);
}

void put_u64(Bytes& out, std::uint64_t v) {
    out.resize(out.size() + 8);
    store(out.data() + out.size() - 8, v);
}

std::uint16_t get_u16(const unsigned char* in) noexcept {
    return static_cast<std::uint16_t>(in[0] | in[1] << 8);
}

std::uint32_t get_u32(const unsigned char* in) noexcept {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | in[i];
    return v;
}

std::uint64_t get_u64(const unsigned char* in) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | in[i];
    return v;
}

void put_file_header(Bytes& out, const FileInfo& info) {
    const std::size_t start = out.size();
    put_magic(out, file_magic, sizeof file_magic);
    put_u32(out, version);
    put_u32(out, static_cast<std::uint32_t>(file_fixed_fields_size + info.program.size()));
    put_u64(out, info.start_time);
    put_u64(out, static_cast<std::uint64_t>(info.wall_clock_ns));
    put_u64(out, info.run_seed);
    out.push_back(static_cast<unsigned char>(info.payload));
    put_u32(out, static_cast<std::uint32_t>(info.program.size()));
    out.insert(out.end(), info.program.begin(), info.program.end());
    seal(out, start);
}

void put_chunk_header(Bytes& out, const ChunkHeader& header) {
    const std::size_t start = out.size();
    put_magic(out, chunk_magic, sizeof chunk_magic);
    put_u32(out, header.raw_size);
    put_u32(out, header.compressed_size);
    put_u32(out, header.events);
    put_u64(out, header.first_time);
    put_u64(out, header.last_time);
    put_u32(out, header.body_crc);
    seal(out, start);
}

bool get_chunk_header(const unsigned char* in, ChunkHeader& header) noexcept {
    if (!has_magic(in, chunk_magic, sizeof chunk_magic) || !sealed(in, chunk_header_size - 4)) return false;
    header.raw_size = get_u32(in + 4);
    header.compressed_size = get_u32(in + 8);
    header.events = get_u32(in + 12);
    header.first_time = get_u64(in + 16);
    header.last_time = get_u64(in + 24);
    header.body_crc = get_u32(in + 32);
    return true;
}

void put_index(Bytes& out, std::span<const IndexEntry> entries) {
    Bytes body;
    body.reserve(entries.size() * index_entry_size);
    for (const IndexEntry& e : entries) {
        put_u64(body, e.offset);
        put_u64(body, e.first_time);
        put_u64(body, e.last_time);
        put_u32(body, e.events);
        put_u32(body, e.compressed_size);
        put_u32(body, e.raw_size);
        put_u32(body, 0);
    }
    const std::size_t start = out.size();
    put_magic(out, index_magic, sizeof index_magic);
    put_u32(out, static_cast<std::uint32_t>(entries.size()));
    put_u32(out, crc32(body));
    seal(out, start);
    out.insert(out.end(), body.begin(), body.end());
}

bool get_index_header(const unsigned char* in, std::uint32_t& count, std::uint32_t& entries_crc) noexcept {
    if (!has_magic(in, index_magic, sizeof index_magic) || !sealed(in, index_header_size - 4)) return false;
    count = get_u32(in + 4);
    entries_crc = get_u32(in + 8);
    return true;
}

IndexEntry get_index_entry(const unsigned char* in) noexcept {
    IndexEntry e;
    e.offset = get_u64(in);
    e.first_time = get_u64(in + 8);
    e.last_time = get_u64(in + 16);
    e.events = get_u32(in + 24);
    e.compressed_size = get_u32(in + 28);
    e.raw_size = get_u32(in + 32);
    return e;
}

void put_footer(Bytes& out, const Footer& footer) {
    const std::size_t start = out.size();
    put_u64(out, footer.index_offset);
    put_u32(out, footer.chunks);
    seal(out, start);
    put_magic(out, footer_magic, sizeof footer_magic);
}

bool get_footer(const unsigned char* in, Footer& footer) noexcept {
    if (!has_magic(in + 16, footer_magic, sizeof footer_magic) || !sealed(in, 12)) return false;
    footer.index_offset = get_u64(in);
    footer.chunks = get_u32(in + 8);
    return true;
}

void put_record(Bytes& out, const Record& r, std::uint32_t text_size) {
    // One resize and plain stores: this runs for every event recorded.
    const std::size_t at = out.size();
    out.resize(at + record_size);
    unsigned char* p = out.data() + at;
    store(p, r.time);
    store(p + 8, r.isolate);
    store(p + 16, r.message);
    store(p + 24, r.cause);
    store(p + 32, r.peer);
    store(p + 40, r.port);
    store(p + 48, r.arg);
    store(p + 52, text_size);
    p[56] = static_cast<std::uint8_t>(r.kind);
    p[57] = r.flags;
    store(p + 58, r.thread);
    store(p + 60, r.reserved);
}

Record get_record(const unsigned char* in) noexcept {
    Record r;
    r.time = get_u64(in);
    r.isolate = get_u64(in + 8);
    r.message = get_u64(in + 16);
    r.cause = get_u64(in + 24);
    r.peer = get_u64(in + 32);
    r.port = get_u64(in + 40);
    r.arg = get_u32(in + 48);
    r.text_size = get_u32(in + 52);
    r.kind = static_cast<Kind>(in[56]);
    r.flags = in[57];
    r.thread = get_u16(in + 58);
    r.reserved = get_u32(in + 60);
    return r;
}

} // namespace iso::trace::format
