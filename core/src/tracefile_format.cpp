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

namespace {

unsigned char* put_varint(unsigned char* p, std::uint64_t v) noexcept {
    while (v >= 0x80) {
        *p++ = static_cast<unsigned char>(v | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<unsigned char>(v);
    return p;
}

// Deltas wrap modulo 2^64, so any two values have one and adding it back
// restores the value exactly.
std::uint64_t zigzag(std::uint64_t delta) noexcept {
    return delta << 1 ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(delta) >> 63);
}

std::uint64_t unzigzag(std::uint64_t v) noexcept { return v >> 1 ^ (0 - (v & 1)); }

/// Reads a varint of at most `bits` bits written in as few bytes as it
/// needs, so that each value has one encoding; nullptr or its problem.
const char* get_varint(const unsigned char*& p, const unsigned char* end, unsigned bits, std::uint64_t& v) noexcept {
    // Most fields fit in one byte, and one byte is always a valid varint.
    if (p != end && *p < 0x80) {
        v = *p++;
        return nullptr;
    }
    v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (shift >= bits) return "is over-long";
        if (p == end) return "runs past the body";
        const unsigned char b = *p++;
        if (shift > 0 && b == 0) return "is over-long";
        const std::uint64_t part = b & 0x7F;
        if (bits - shift < 7 && part >> (bits - shift) != 0) return "is too large for its field";
        v |= part << shift;
        if ((b & 0x80) == 0) return nullptr;
    }
}

/// The mask bits of a record's non-zero fields, `more` aside.
unsigned fields_of(const Record& r, std::uint32_t text_size) noexcept {
    return (r.isolate != 0) * field::isolate | (r.message != 0) * field::message | (r.cause != 0) * field::cause |
           (r.peer != 0) * field::peer | (r.port != 0) * field::port | (r.arg != 0) * field::arg |
           (r.thread != 0) * field::thread | (text_size != 0) * field::text | (r.flags != 0) * field::flags |
           (r.reserved != 0) * field::reserved;
}

/// A record's fields in the order they are stored; the first problem sticks
/// and every later read gives zero.
struct FieldReader {
    const unsigned char* p;
    const unsigned char* end;
    unsigned mask;
    RecordError error{};

    bool has(unsigned bit) const noexcept { return (mask & bit) != 0 && error.problem == nullptr; }

    std::uint64_t varint(unsigned bits, const char* name) noexcept {
        std::uint64_t v = 0;
        if (error.problem != nullptr) return 0;
        if (const char* problem = get_varint(p, end, bits, v)) error = {name, problem};
        return v;
    }

    std::uint64_t plain(unsigned bit, unsigned bits, const char* name) noexcept {
        return has(bit) ? varint(bits, name) : 0;
    }

    std::uint8_t byte(const char* name) noexcept {
        if (p == end) {
            error = {name, "runs past the body"};
            return 0;
        }
        return *p++;
    }
};

} // namespace

unsigned char* put_record(unsigned char* p, const Record& r, std::uint32_t text_size, RecordBase& base) noexcept {
    // Runs for every event recorded: one pass, no allocation, and branches
    // that each kind takes the same way every time.
    unsigned mask = fields_of(r, text_size);
    if (mask > 0xFF) mask |= field::more;
    *p++ = static_cast<unsigned char>(r.kind);
    *p++ = static_cast<unsigned char>(mask);
    if (mask & field::more) *p++ = static_cast<unsigned char>(mask >> 8);
    p = put_varint(p, zigzag(r.time - base.time));
    base.time = r.time;
    if (mask & field::isolate) p = put_varint(p, r.isolate);
    if (mask & field::message) {
        p = put_varint(p, zigzag(r.message - base.message));
        base.message = r.message;
    }
    if (mask & field::cause) p = put_varint(p, zigzag(r.cause - r.message));
    if (mask & field::peer) p = put_varint(p, r.peer);
    if (mask & field::port) p = put_varint(p, r.port);
    if (mask & field::arg) p = put_varint(p, r.arg);
    if (mask & field::thread) p = put_varint(p, r.thread);
    if (mask & field::more) {
        if (mask & field::text) p = put_varint(p, text_size);
        if (mask & field::flags) *p++ = r.flags;
        if (mask & field::reserved) p = put_varint(p, r.reserved);
    }
    return p;
}

RecordError get_record(const unsigned char*& in, const unsigned char* end, Record& r, RecordBase& base) noexcept {
    const unsigned char* p = in;
    if (end - p < 2) return {nullptr, "runs past the body"};
    Record out;
    out.kind = static_cast<Kind>(p[0]);
    unsigned mask = p[1];
    p += 2;
    if (mask & field::more) {
        if (p == end) return {nullptr, "runs past the body"};
        const unsigned high = *p++;
        if (high == 0) return {nullptr, "has an empty second mask byte"};
        if ((high << 8 & ~field::known) != 0) return {nullptr, "has unknown bits in its mask"};
        mask |= high << 8;
    }

    FieldReader f{p, end, mask};
    out.time = base.time + unzigzag(f.varint(64, "time"));
    out.isolate = f.plain(field::isolate, 64, "isolate");
    if (f.has(field::message)) out.message = base.message + unzigzag(f.varint(64, "message"));
    if (f.has(field::cause)) out.cause = out.message + unzigzag(f.varint(64, "cause"));
    out.peer = f.plain(field::peer, 64, "peer");
    out.port = f.plain(field::port, 64, "port");
    out.arg = static_cast<std::uint32_t>(f.plain(field::arg, 32, "arg"));
    out.thread = static_cast<std::uint16_t>(f.plain(field::thread, 16, "thread"));
    out.text_size = static_cast<std::uint32_t>(f.plain(field::text, 32, "text size"));
    if (f.has(field::flags)) out.flags = f.byte("flags byte");
    out.reserved = static_cast<std::uint32_t>(f.plain(field::reserved, 32, "reserved"));
    if (f.error.problem != nullptr) return f.error;
    // A bit set for a zero value would give a record a second encoding.
    if ((mask & ~field::more) != fields_of(out, out.text_size)) return {nullptr, "marks a zero field present"};

    base.time = out.time;
    if (out.message != 0) base.message = out.message;
    r = out;
    in = f.p;
    return {};
}

} // namespace iso::trace::format
