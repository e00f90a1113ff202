#pragma once
// The on-disk layout of trace files (docs/trace-format.md), shared by the
// writer, the reader and the format tests. Every integer is little-endian.

#include <iso/trace.h>
#include <iso/tracefile.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace iso::trace::format {

using Bytes = std::vector<unsigned char>;

constexpr std::uint32_t version = 2;

// The file header: magic, version, the size of the fields that follow,
// the fields, then a CRC-32 of everything before it.
constexpr char file_magic[8] = {'I', 'S', 'O', 'T', 'R', 'A', 'C', 'E'};
constexpr std::size_t file_prefix_size = 16;        // magic, version, fields size
constexpr std::size_t file_fixed_fields_size = 29;  // the fields before the program's bytes
// Refused when reading: no honest header comes near it.
constexpr std::uint32_t max_file_fields_size = 1 << 20;
// Refused when writing: a program's name, not its output.
constexpr std::size_t max_program_size = 1 << 16;

// A chunk: this header, then `compressed_size` bytes of one zstd frame.
constexpr char chunk_magic[4] = {'I', 'C', 'H', 'K'};
constexpr std::size_t chunk_header_size = 40;
// Caps that keep a hostile file from making the reader allocate much: a
// writer never comes near them (see max_chunk_target below).
constexpr std::uint32_t max_raw_size = 64u << 20;
constexpr std::uint32_t max_text_size = 16u << 20;
// Writers aim for at most this much per chunk, so that with one event of
// max_text_size on top a chunk stays under max_raw_size.
constexpr std::size_t max_chunk_target = 32u << 20;

// The index, written by close(): this header, then one entry per chunk.
constexpr char index_magic[4] = {'I', 'I', 'D', 'X'};
constexpr std::size_t index_header_size = 16;
constexpr std::size_t index_entry_size = 40;

// The footer: the last bytes of a file that was closed.
constexpr char footer_magic[8] = {'E', 'N', 'D', 'T', 'R', 'A', 'C', 'E'};
constexpr std::size_t footer_size = 24;

// A record in a chunk body: its kind, a mask of its non-zero fields, then
// those fields as LEB128 varints, the time and message as deltas from the
// record before (docs/trace-format.md, "Records").
constexpr std::size_t min_record_size = 3;  // kind, mask, time
constexpr std::size_t max_record_head = 1 + 2 + 6 * 10 + 5 + 3 + 5 + 1 + 5;  // all but the text
// Caps the events of a chunk, whatever its bytes: decoded, each is an
// Event of about 100 bytes, so this bounds a hostile chunk's memory as
// max_raw_size bounds its bytes.
constexpr std::uint32_t max_chunk_events = 1u << 20;

// The mask's bits. The first byte's top bit says a second byte follows; it
// does only when one of its bits is set.
namespace field {
constexpr unsigned isolate = 1u << 0;
constexpr unsigned message = 1u << 1;
constexpr unsigned cause = 1u << 2;
constexpr unsigned peer = 1u << 3;
constexpr unsigned port = 1u << 4;
constexpr unsigned arg = 1u << 5;
constexpr unsigned thread = 1u << 6;
constexpr unsigned more = 1u << 7;
constexpr unsigned text = 1u << 8;
constexpr unsigned flags = 1u << 9;
constexpr unsigned reserved = 1u << 10;
constexpr unsigned known = (1u << 11) - 1;
} // namespace field

/// What a record's deltas are taken from: the record before it in the
/// chunk (zero at the chunk's start).
struct RecordBase {
    std::uint64_t time = 0;
    std::uint64_t message = 0;  ///< the last non-zero message id
};

/// Writes `record` with `text_size` at `out`, which has room for
/// max_record_head bytes, and returns where it ends. The text is the
/// caller's to append.
unsigned char* put_record(unsigned char* out, const Record& record, std::uint32_t text_size, RecordBase& base) noexcept;

/// What is wrong with a record that cannot be read: `field` is the one
/// (nullptr: the kind and mask), `problem` what is wrong with it.
struct RecordError {
    const char* field = nullptr;
    const char* problem = nullptr;
};

/// Reads the record at `in`, not its text, from a body that ends at `end`.
/// On success `in` moves past it; on a problem `in` and `record` stay.
RecordError get_record(const unsigned char*& in, const unsigned char* end, Record& record, RecordBase& base) noexcept;

/// The file header, whole. `info.program` is at most max_program_size bytes.
void put_file_header(Bytes& out, const FileInfo& info);

/// CRC-32 (IEEE 802.3: zlib's), continued from `crc`.
std::uint32_t crc32(std::span<const unsigned char> bytes, std::uint32_t crc = 0) noexcept;

struct ChunkHeader {
    std::uint32_t raw_size = 0;
    std::uint32_t compressed_size = 0;
    std::uint32_t events = 0;
    std::uint64_t first_time = 0;
    std::uint64_t last_time = 0;
    std::uint32_t body_crc = 0;
};

struct IndexEntry {
    std::uint64_t offset = 0;
    std::uint64_t first_time = 0;
    std::uint64_t last_time = 0;
    std::uint32_t events = 0;
    std::uint32_t compressed_size = 0;
    std::uint32_t raw_size = 0;
};

struct Footer {
    std::uint64_t index_offset = 0;
    std::uint32_t chunks = 0;
};

// Writing appends to `out`; reading takes exactly the fixed size and
// returns false when the magic or the header's own checksum is wrong.
void put_chunk_header(Bytes& out, const ChunkHeader& header);
bool get_chunk_header(const unsigned char* in, ChunkHeader& header) noexcept;

/// The index header and entries, whole.
void put_index(Bytes& out, std::span<const IndexEntry> entries);
/// Reads the index header: the number of entries and their checksum.
bool get_index_header(const unsigned char* in, std::uint32_t& count, std::uint32_t& entries_crc) noexcept;
IndexEntry get_index_entry(const unsigned char* in) noexcept;

void put_footer(Bytes& out, const Footer& footer);
bool get_footer(const unsigned char* in, Footer& footer) noexcept;

// Little-endian integers, for the file header and the tests.
void put_u32(Bytes& out, std::uint32_t v);
void put_u64(Bytes& out, std::uint64_t v);
std::uint16_t get_u16(const unsigned char* in) noexcept;
std::uint32_t get_u32(const unsigned char* in) noexcept;
std::uint64_t get_u64(const unsigned char* in) noexcept;

} // namespace iso::trace::format
