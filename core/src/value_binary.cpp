// The compact binary encoding of a Value (docs/value-format.md).

#include <iso/value.h>

#include <bit>
#include <iterator>
#include <optional>
#include <unordered_set>

namespace iso {

namespace {

constexpr std::uint8_t kFormatVersion = 1;
// Deeper input is refused: it keeps a hostile input from building values that
// every later consumer would have to survive.
constexpr std::size_t kMaxDepth = 512;
// Duplicate keys are looked for by a scan up to this many keys, then by a set.
constexpr std::size_t kLinearKeyCheck = 16;

enum Tag : std::uint8_t {
    kNull = 0x00,
    kFalse = 0x01,
    kTrue = 0x02,
    kInt = 0x03,
    kDouble = 0x04,
    kString = 0x05,
    kBytes = 0x06,
    kList = 0x07,
    kMap = 0x08,
    kSendPort = 0x09,
    kCapability = 0x0a,
    kTransferable = 0x0b,
};

// ---------------------------------------------------------------- writing

void put_varint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

// Zigzag maps small negative ints to small varints: 0, -1, 1, -2 -> 0, 1, 2, 3.
std::uint64_t zigzag(std::int64_t i) {
    return (static_cast<std::uint64_t>(i) << 1) ^ static_cast<std::uint64_t>(i >> 63);
}

std::int64_t unzigzag(std::uint64_t u) {
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
}

void put_fixed64(Bytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_blob(Bytes& out, const void* data, std::size_t size) {
    put_varint(out, size);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out.insert(out.end(), bytes, bytes + size);
}

/// The tag and payload of `v`; for a list or map, the tag and element count.
void put_head(Bytes& out, const Value& v) {
    switch (v.kind()) {
    case Kind::Null: out.push_back(kNull); break;
    case Kind::Bool: out.push_back(v.as_bool() ? kTrue : kFalse); break;
    case Kind::Int:
        out.push_back(kInt);
        put_varint(out, zigzag(v.as_int()));
        break;
    case Kind::Double:
        out.push_back(kDouble);
        put_fixed64(out, std::bit_cast<std::uint64_t>(v.as_double()));
        break;
    case Kind::String:
        out.push_back(kString);
        put_blob(out, v.as_string().data(), v.as_string().size());
        break;
    case Kind::Bytes:
        out.push_back(kBytes);
        put_blob(out, v.as_bytes().data(), v.as_bytes().size());
        break;
    case Kind::List:
        out.push_back(kList);
        put_varint(out, v.size());
        break;
    case Kind::Map:
        out.push_back(kMap);
        put_varint(out, v.size());
        break;
    case Kind::SendPort:
        out.push_back(kSendPort);
        put_varint(out, v.as_send_port().node());
        put_varint(out, v.as_send_port().id());
        break;
    case Kind::Capability:
        // Fixed width: ids are random, so a varint would take 10 bytes.
        out.push_back(kCapability);
        put_fixed64(out, v.as_capability().id());
        break;
    case Kind::Transferable:
        out.push_back(kTransferable);
        put_blob(out, v.transferable_data(), v.transferable_size());
        break;
    }
}

// ---------------------------------------------------------------- reading

/// Decodes with an explicit stack: finished values wait on `values_` (and
/// map keys on `keys_`) until their container is complete, so memory grows
/// only with bytes actually read, never with a declared count.
class Decoder {
public:
    explicit Decoder(std::span<const std::uint8_t> in) : in_(in) {}

    Expected<Value, ParseError> run() {
        if (in_.empty()) return failure(0, "empty input");
        if (in_[0] != kFormatVersion)
            return failure(0, "unsupported format version " + std::to_string(in_[0]) + " (expected " +
                                  std::to_string(kFormatVersion) + ")");
        pos_ = 1;
        for (;;) {
            if (!frames_.empty() && frames_.back().map && !read_key()) return take_error();
            const Step step = read_value();
            if (step == Step::Failed) return take_error();
            if (step == Step::Opened) continue;
            while (!frames_.empty() && --frames_.back().remaining == 0) close_container();
            if (frames_.empty()) break;
        }
        if (pos_ != in_.size())
            return failure(pos_, std::to_string(in_.size() - pos_) + " trailing bytes after the value");
        return std::move(values_.back());
    }

private:
    enum class Step { Failed, Complete, Opened };

    struct Frame {
        bool map = false;
        std::size_t remaining = 0;    // elements still to read
        std::size_t first_value = 0;  // where its elements start in values_
        std::size_t first_key = 0;    // where its keys start in keys_
        std::unordered_set<std::string_view> seen;  // its keys, once there are many
    };

    std::size_t left() const { return in_.size() - pos_; }

    bool fail(std::size_t position, std::string reason) {
        error_ = ParseError{position, std::move(reason)};
        return false;
    }
    Expected<Value, ParseError> failure(std::size_t position, std::string reason) {
        fail(position, std::move(reason));
        return take_error();
    }
    Expected<Value, ParseError> take_error() { return Unexpected<ParseError>{std::move(*error_)}; }

    /// Unsigned LEB128 in its shortest form, so that each value has exactly
    /// one encoding.
    bool read_varint(std::uint64_t& out, const char* what) {
        const std::size_t start = pos_;
        std::uint64_t result = 0;
        for (int shift = 0;; shift += 7) {
            if (pos_ == in_.size()) return fail(start, std::string("truncated varint (") + what + ")");
            const std::uint8_t b = in_[pos_++];
            if (shift == 63 && b > 1) return fail(start, std::string("varint overflows 64 bits (") + what + ")");
            result |= std::uint64_t{b & 0x7fu} << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift != 0)
                    return fail(start, std::string("overlong varint, not in shortest form (") + what + ")");
                out = result;
                return true;
            }
        }
    }

    bool read_fixed64(std::uint64_t& out, const char* what) {
        if (left() < 8)
            return fail(pos_, std::string("truncated ") + what + ": needs 8 bytes, " + std::to_string(left()) +
                                  " left");
        out = 0;
        for (int i = 0; i < 8; ++i) out |= std::uint64_t{in_[pos_ + static_cast<std::size_t>(i)]} << (8 * i);
        pos_ += 8;
        return true;
    }

    /// A length-prefixed run of bytes, checked against what is left before
    /// anything is allocated for it.
    bool read_blob(std::span<const std::uint8_t>& out, const char* what) {
        const std::size_t start = pos_;
        std::uint64_t size = 0;
        if (!read_varint(size, what)) return false;
        if (size > left())
            return fail(start, std::string(what) + " " + std::to_string(size) + " exceeds the " +
                                   std::to_string(left()) + " bytes left");
        out = in_.subspan(pos_, static_cast<std::size_t>(size));
        pos_ += static_cast<std::size_t>(size);
        return true;
    }

    bool read_key() {
        const std::size_t start = pos_;
        std::span<const std::uint8_t> bytes;
        if (!read_blob(bytes, "key length")) return false;
        const std::string_view key(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        Frame& f = frames_.back();
        const std::size_t count = keys_.size() - f.first_key;
        bool duplicate = false;
        if (count < kLinearKeyCheck) {
            for (std::size_t i = f.first_key; i < keys_.size() && !duplicate; ++i) duplicate = keys_[i] == key;
        } else {
            if (f.seen.empty()) f.seen.insert(keys_.begin() + static_cast<std::ptrdiff_t>(f.first_key), keys_.end());
            duplicate = !f.seen.insert(key).second;
        }
        // Rejected rather than merged: two spellings of one map would break
        // "each value has exactly one encoding".
        if (duplicate) return fail(start, "duplicate map key");
        keys_.push_back(key);
        return true;
    }

    Step complete(Value v) {
        values_.push_back(std::move(v));
        return Step::Complete;
    }

    Step read_value() {
        const std::size_t at = pos_;
        if (pos_ == in_.size()) {
            fail(at, "truncated: a value is missing");
            return Step::Failed;
        }
        const std::uint8_t tag = in_[pos_++];
        std::uint64_t n = 0;
        std::uint64_t m = 0;
        std::span<const std::uint8_t> blob;
        switch (tag) {
        case kNull: return complete(Value());
        case kFalse: return complete(Value(false));
        case kTrue: return complete(Value(true));
        case kInt:
            if (!read_varint(n, "int")) return Step::Failed;
            return complete(Value(unzigzag(n)));
        case kDouble:
            if (!read_fixed64(n, "double")) return Step::Failed;
            return complete(Value(std::bit_cast<double>(n)));
        case kString:
            if (!read_blob(blob, "string length")) return Step::Failed;
            return complete(Value(std::string(reinterpret_cast<const char*>(blob.data()), blob.size())));
        case kBytes:
            if (!read_blob(blob, "bytes length")) return Step::Failed;
            return complete(Value::bytes(blob));
        case kList:
        case kMap: return open_container(tag == kMap, at);
        case kSendPort:
            if (!read_varint(n, "port node") || !read_varint(m, "port id")) return Step::Failed;
            return complete(Value(SendPort(n, m)));
        case kCapability:
            if (!read_fixed64(n, "capability")) return Step::Failed;
            return complete(Value(Capability::from_id(n)));
        case kTransferable:
            if (!read_blob(blob, "transferable length")) return Step::Failed;
            return complete(Value(Transferable(Bytes(blob.begin(), blob.end()))));
        default: {
            static constexpr char kHex[] = "0123456789abcdef";
            fail(at, std::string("unknown tag 0x") + kHex[tag >> 4] + kHex[tag & 0xf]);
            return Step::Failed;
        }
        }
    }

    Step open_container(bool map, std::size_t at) {
        if (frames_.size() == kMaxDepth) {
            fail(at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
            return Step::Failed;
        }
        const std::size_t count_at = pos_;
        std::uint64_t count = 0;
        if (!read_varint(count, map ? "map size" : "list size")) return Step::Failed;
        // Every element takes at least one byte (its tag), every entry two
        // (key length and tag): a larger count cannot be honest.
        const std::uint64_t fits = map ? left() / 2 : left();
        if (count > fits) {
            fail(count_at, std::string(map ? "map of " : "list of ") + std::to_string(count) +
                               (map ? " entries" : " elements") + " cannot fit in the " + std::to_string(left()) +
                               " bytes left");
            return Step::Failed;
        }
        if (count == 0) return complete(map ? Value(Map{}) : Value(List{}));
        Frame f;
        f.map = map;
        f.remaining = static_cast<std::size_t>(count);
        f.first_value = values_.size();
        f.first_key = keys_.size();
        frames_.push_back(std::move(f));
        return Step::Opened;
    }

    void close_container() {
        Frame f = std::move(frames_.back());
        frames_.pop_back();
        const auto first = values_.begin() + static_cast<std::ptrdiff_t>(f.first_value);
        Value container;
        if (f.map) {
            Map entries;
            entries.reserve(values_.size() - f.first_value);
            for (std::size_t i = f.first_value, k = f.first_key; i < values_.size(); ++i, ++k)
                entries.emplace_back(std::string(keys_[k]), std::move(values_[i]));
            keys_.resize(f.first_key);
            container = Value(std::move(entries));
        } else {
            container = Value(List(std::make_move_iterator(first), std::make_move_iterator(values_.end())));
        }
        values_.erase(first, values_.end());
        values_.push_back(std::move(container));
    }

    std::span<const std::uint8_t> in_;
    std::size_t pos_ = 0;
    std::vector<Frame> frames_;
    std::vector<Value> values_;
    std::vector<std::string_view> keys_;  // views into in_
    std::optional<ParseError> error_;
};

} // namespace

Bytes Value::encode() const {
    Bytes out;
    encode_to(out);
    return out;
}

void Value::encode_to(Bytes& out) const {
    out.push_back(kFormatVersion);
    // Pre-order with an explicit stack, so any depth built in memory encodes.
    struct Frame {
        const Value* container;
        std::size_t next;
    };
    std::vector<Frame> stack;
    const Value* current = this;
    for (;;) {
        put_head(out, *current);
        if ((current->is_list() || current->is_map()) && current->size() != 0) stack.push_back({current, 0});
        while (!stack.empty() && stack.back().next == stack.back().container->size()) stack.pop_back();
        if (stack.empty()) return;
        Frame& top = stack.back();
        const std::size_t i = top.next++;
        if (top.container->is_list()) {
            current = &top.container->as_list()[i];
        } else {
            const auto& [key, value] = top.container->as_map()[i];
            put_blob(out, key.data(), key.size());
            current = &value;
        }
    }
}

Expected<Value, ParseError> Value::decode(std::span<const std::uint8_t> bytes) { return Decoder(bytes).run(); }

} // namespace iso
