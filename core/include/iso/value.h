#pragma once
/// The message type: an immutable value whose heap parts are shared.

#include <iso/capability.h>
#include <iso/expected.h>
#include <iso/sendport.h>
#include <iso/transferable.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iso {

// GCC 12 (not clang) takes the scoped enumerator Kind::Bytes for a
// redeclaration of iso::Bytes under -Wshadow; nothing is shadowed.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class Kind : std::uint8_t {
    Null, Bool, Int, Double, String, Bytes, List, Map, SendPort, Capability, Transferable
};
#pragma GCC diagnostic pop

/// "null", "bool", ... as used in error messages and the JSON spelling.
std::string_view kind_name(Kind kind) noexcept;

class Value;
using List = std::vector<Value>;
/// Maps keep insertion order (as Dart's do); keys are strings and unique.
using Map = std::vector<std::pair<std::string, Value>>;

/// Thrown when a `Value` is read as a kind it is not.
class TypeError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// Where and why text or bytes could not be turned into a `Value`.
struct ParseError {
    std::size_t position = 0;  ///< byte offset into the input
    std::string reason;
    /// "at byte 12: expected ':' after an object key"
    std::string message() const;
};

/// An immutable message value. Copying shares the heap parts by reference
/// count, so sending a value between isolates is O(1) and shares nothing
/// mutable. The one exception is a Transferable's bytes, which can be taken
/// out once (`materialize`).
/// @threadsafe: const members may be called from any thread concurrently.
class Value {
public:
    // Scalars, moves and ends are inline: a message makes and moves its
    // value several times between the send and the handler.
    Value() noexcept {}
    Value(std::nullptr_t) noexcept {}
    Value(bool b) noexcept : kind_(Kind::Bool), i_(b ? 1 : 0) {}
    Value(int i) noexcept : kind_(Kind::Int), i_(i) {}
    Value(long i) noexcept : kind_(Kind::Int), i_(i) {}
    Value(long long i) noexcept : kind_(Kind::Int), i_(i) {}
    Value(unsigned i) noexcept : kind_(Kind::Int), i_(i) {}
    /// Sizes and counts; throws std::out_of_range above INT64_MAX.
    Value(unsigned long i);
    Value(unsigned long long i);
    Value(double d) noexcept : kind_(Kind::Double), d_(d) {}
    Value(const char* s);
    Value(std::string_view s);
    Value(std::string s);
    Value(List list);
    Value(Map map);
    Value(SendPort port);
    Value(Capability capability) noexcept;
    Value(Transferable&& transferable);
    /// A list from its elements (a braced constructor would make `Value{5}` a list).
    static Value list(std::initializer_list<Value> elements);
    /// A bytes value (a `std::vector<uint8_t>` would be ambiguous with a list).
    static Value bytes(Bytes data);
    static Value bytes(std::span<const std::uint8_t> data);
    /// Builds a map from key/value pairs; a repeated key keeps the last value.
    static Value map(std::initializer_list<std::pair<std::string_view, Value>> entries);

    Value(const Value& other) noexcept;
    Value(Value&& other) noexcept { take(other); }
    Value& operator=(const Value& other) noexcept;
    Value& operator=(Value&& other) noexcept {
        if (this != &other) {
            // Taken first: `other` may live inside the heap part this drops.
            Value taken(std::move(other));
            release();
            take(taken);
        }
        return *this;
    }
    ~Value() { release(); }

    Kind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == Kind::Null; }
    bool is_bool() const noexcept { return kind_ == Kind::Bool; }
    bool is_int() const noexcept { return kind_ == Kind::Int; }
    bool is_double() const noexcept { return kind_ == Kind::Double; }
    bool is_number() const noexcept { return is_int() || is_double(); }
    bool is_string() const noexcept { return kind_ == Kind::String; }
    bool is_bytes() const noexcept { return kind_ == Kind::Bytes; }
    bool is_list() const noexcept { return kind_ == Kind::List; }
    bool is_map() const noexcept { return kind_ == Kind::Map; }
    bool is_send_port() const noexcept { return kind_ == Kind::SendPort; }
    bool is_capability() const noexcept { return kind_ == Kind::Capability; }
    bool is_transferable() const noexcept { return kind_ == Kind::Transferable; }

    /// Typed reads; each throws TypeError naming both kinds on a mismatch.
    bool as_bool() const;
    std::int64_t as_int() const;
    /// An int is widened; anything else throws.
    double as_double() const;
    const std::string& as_string() const;
    const Bytes& as_bytes() const;
    const List& as_list() const;
    const Map& as_map() const;
    const SendPort& as_send_port() const;
    Capability as_capability() const;

    /// Size of a list, map, string or bytes; 0 for everything else.
    std::size_t size() const noexcept;
    /// List element; throws std::out_of_range past the end, TypeError on a non-list.
    const Value& operator[](std::size_t index) const;
    /// So that `v[0]` is not ambiguous with the map lookup by `const char*`.
    const Value& operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }
    /// Map lookup; nullptr when absent; TypeError on a non-map.
    const Value* find(std::string_view key) const;
    /// Map lookup; a null value when absent; TypeError on a non-map.
    const Value& operator[](std::string_view key) const;
    const Value& operator[](const char* key) const { return (*this)[std::string_view(key)]; }
    bool contains(std::string_view key) const { return find(key) != nullptr; }

    /// Byte count of a transferable (0 once materialized).
    std::size_t transferable_size() const;
    /// Address of a transferable's bytes, to show they were not copied.
    const std::uint8_t* transferable_data() const;
    /// Takes a transferable's bytes out. The second call on any copy of
    /// this value throws std::logic_error (Dart's `materialize`).
    /// @threadsafe
    Bytes materialize() const;

    /// Deep equality. Int and double are different kinds: 1 != 1.0. NaN equals
    /// NaN here so that equality is an equivalence and works as a hash key.
    friend bool operator==(const Value& a, const Value& b) noexcept;
    std::size_t hash() const noexcept;

    /// The text Dart's `toString` would print: `[1, 2]`, `{a: 1}`, `hello`.
    std::string to_string() const;

    /// JSON text. Bytes, ports, capabilities and transferables use tagged
    /// objects; see docs/value-format.md. `indent` < 0 gives one line.
    std::string to_json(int indent = -1) const;
    static Expected<Value, ParseError> from_json(std::string_view text);

    /// The compact binary encoding (docs/value-format.md).
    Bytes encode() const;
    void encode_to(Bytes& out) const;
    /// Decodes untrusted bytes; any malformed input is an error, never a crash.
    static Expected<Value, ParseError> decode(std::span<const std::uint8_t> bytes);

    /// Identity of the shared heap part (nullptr for inline kinds): two
    /// values with the same identity share storage.
    const void* identity() const noexcept;

private:
    struct Heap;
    /// The kinds from String on keep their content in a shared heap part,
    /// but for Capability.
    bool has_heap() const noexcept { return kind_ >= Kind::String && kind_ != Kind::Capability; }
    static_assert(static_cast<int>(Kind::String) == 4 && static_cast<int>(Kind::Capability) == 9 &&
                      static_cast<int>(Kind::Transferable) == 10,
                  "has_heap() knows the order of the kinds");
    /// Drops the reference to the heap part, if any; null after.
    void release() noexcept {
        if (has_heap()) release_heap();
    }
    void release_heap() noexcept;
    /// Moves `from`'s representation here (this holds none) and leaves it null.
    void take(Value& from) noexcept {
        copy_representation(from);
        from.kind_ = Kind::Null;
    }
    /// Whatever the kind, its representation is the union's bytes.
    void copy_representation(const Value& from) noexcept {
        kind_ = from.kind_;
        std::memcpy(static_cast<void*>(&i_), &from.i_, sizeof i_);
    }

    Kind kind_ = Kind::Null;
    // Every member fills all eight bytes (a bool is an int here), so that
    // the representation can be copied whatever the kind.
    union {
        std::int64_t i_ = 0;
        double d_;
        std::uint64_t cap_;
        Heap* heap_;
    };
    static_assert(sizeof(Heap*) == sizeof(std::int64_t) && sizeof(double) == sizeof(std::int64_t));
};

} // namespace iso

template <> struct std::hash<iso::Value> {
    std::size_t operator()(const iso::Value& v) const noexcept { return v.hash(); }
};
