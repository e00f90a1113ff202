#include <iso/value.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <variant>

namespace iso {

namespace {

// Up to this many entries a linear scan beats hashing the key; larger maps
// get a lazily built index.
constexpr std::size_t kLinearLookupLimit = 16;

[[noreturn]] void throw_type_error(Kind expected, Kind actual) {
    throw TypeError("iso::Value: expected " + std::string(kind_name(expected)) + ", got " +
                    std::string(kind_name(actual)));
}

// The splitmix64 finaliser: a cheap bijection that spreads every input bit.
std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

std::uint64_t hash_text(std::string_view text) noexcept { return std::hash<std::string_view>{}(text); }

/// Open-addressing table from key to entry position, for maps too large to scan.
class KeyIndex {
public:
    explicit KeyIndex(const Map& entries)
        : slots_(std::bit_ceil(entries.size() * 2), 0), mask_(slots_.size() - 1) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            std::size_t slot = hash_text(entries[i].first) & mask_;
            while (slots_[slot] != 0) slot = (slot + 1) & mask_;
            slots_[slot] = i + 1;
        }
    }

    // Keys are unique and the table is at most half full, so probing ends.
    const Value* find(const Map& entries, std::string_view key) const noexcept {
        for (std::size_t slot = hash_text(key) & mask_; slots_[slot] != 0; slot = (slot + 1) & mask_) {
            const auto& entry = entries[slots_[slot] - 1];
            if (entry.first == key) return &entry.second;
        }
        return nullptr;
    }

private:
    std::vector<std::size_t> slots_;  // entry position + 1; 0 marks an empty slot
    std::size_t mask_;
};

struct MapData {
    explicit MapData(Map map) : entries(std::move(map)) {}
    MapData(const MapData&) = delete;
    MapData& operator=(const MapData&) = delete;
    ~MapData() { delete index.load(std::memory_order_relaxed); }

    /// @threadsafe: concurrent first lookups may each build an index; one
    /// publishes it and the others discard theirs.
    const Value* find(std::string_view key) const {
        if (entries.size() <= kLinearLookupLimit) {
            for (const auto& [k, v] : entries)
                if (k == key) return &v;
            return nullptr;
        }
        const KeyIndex* current = index.load(std::memory_order_acquire);
        if (current == nullptr) {
            auto built = std::make_unique<KeyIndex>(entries);
            if (index.compare_exchange_strong(current, built.get(), std::memory_order_acq_rel,
                                              std::memory_order_acquire))
                current = built.release();
        }
        return current->find(entries, key);
    }

    Map entries;
    mutable std::atomic<const KeyIndex*> index{nullptr};
};

struct TransferData {
    explicit TransferData(Transferable&& transferable)
        : bytes(std::move(transferable).take()), size(bytes.size()), data(bytes.data()) {}

    Bytes bytes;  // touched only by the one materialize() that wins `taken`, and by the destructor
    // Copies of the buffer's shape, so that readers never look at `bytes`
    // while another thread moves it out.
    const std::size_t size;
    const std::uint8_t* const data;
    std::atomic<bool> taken{false};
};

std::string_view non_null(const char* s) {
    if (s == nullptr) throw std::invalid_argument("iso::Value: null C string");
    return s;
}

const Value& null_value() noexcept {
    static const Value null;
    return null;
}

// Keeps the position of a key's first occurrence and the value of its last
// one, as assigning to an existing key of a Dart map does.
void keep_last_of_each_key(Map& entries) {
    std::size_t kept = 0;
    if (entries.size() <= kLinearLookupLimit) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            std::size_t j = 0;
            while (j < kept && entries[j].first != entries[i].first) ++j;
            if (j < kept) {
                entries[j].second = std::move(entries[i].second);
            } else {
                if (kept != i) entries[kept] = std::move(entries[i]);
                ++kept;
            }
        }
    } else {
        // Views point into entries[0, kept), which are never moved again.
        std::unordered_map<std::string_view, std::size_t> position;
        position.reserve(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (auto it = position.find(entries[i].first); it != position.end()) {
                entries[it->second].second = std::move(entries[i].second);
            } else {
                if (kept != i) entries[kept] = std::move(entries[i]);
                position.emplace(entries[kept].first, kept);
                ++kept;
            }
        }
    }
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(kept), entries.end());
}

} // namespace

struct Value::Heap {
    template <typename T, typename... Args>
    explicit Heap(std::in_place_type_t<T> type, Args&&... args) : payload(type, std::forward<Args>(args)...) {}

    template <typename T> const T& get() const noexcept { return *std::get_if<T>(&payload); }

    std::atomic<std::size_t> refs{1};
    Heap* next_dead = nullptr;  // links heaps that release_heap() is about to delete
    std::variant<std::string, Bytes, List, MapData, SendPort, TransferData> payload;
};

std::string_view kind_name(Kind kind) noexcept {
    switch (kind) {
    case Kind::Null: return "null";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Double: return "double";
    case Kind::String: return "string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Map: return "map";
    case Kind::SendPort: return "port";
    case Kind::Capability: return "capability";
    case Kind::Transferable: return "transferable";
    }
    return "unknown";
}

std::string ParseError::message() const { return "at byte " + std::to_string(position) + ": " + reason; }

namespace {
std::int64_t checked_int(unsigned long long i) {
    if (i > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
        throw std::out_of_range("iso::Value: " + std::to_string(i) + " does not fit in an int64");
    return static_cast<std::int64_t>(i);
}
} // namespace

Value::Value(unsigned long i) : kind_(Kind::Int), i_(checked_int(i)) {}
Value::Value(unsigned long long i) : kind_(Kind::Int), i_(checked_int(i)) {}

Value::Value(const char* s) : Value(non_null(s)) {}
Value::Value(std::string_view s) : Value(std::string(s)) {}
Value::Value(std::string s) : kind_(Kind::String), heap_(new Heap(std::in_place_type<std::string>, std::move(s))) {}
Value::Value(List list) : kind_(Kind::List), heap_(new Heap(std::in_place_type<List>, std::move(list))) {}

Value::Value(Map map) : kind_(Kind::Map) {
    keep_last_of_each_key(map);
    heap_ = new Heap(std::in_place_type<MapData>, std::move(map));
}

Value::Value(SendPort port) : kind_(Kind::SendPort), heap_(new Heap(std::in_place_type<SendPort>, std::move(port))) {}
Value::Value(Capability capability) noexcept : kind_(Kind::Capability), cap_(capability.id()) {}
Value::Value(Transferable&& transferable)
    : kind_(Kind::Transferable), heap_(new Heap(std::in_place_type<TransferData>, std::move(transferable))) {}

Value Value::list(std::initializer_list<Value> elements) { return Value(List(elements)); }

Value Value::bytes(Bytes data) {
    Value v;
    v.heap_ = new Heap(std::in_place_type<Bytes>, std::move(data));
    v.kind_ = Kind::Bytes;
    return v;
}

Value Value::bytes(std::span<const std::uint8_t> data) { return bytes(Bytes(data.begin(), data.end())); }

Value Value::map(std::initializer_list<std::pair<std::string_view, Value>> entries) {
    Map m;
    m.reserve(entries.size());
    for (const auto& [key, value] : entries) m.emplace_back(std::string(key), value);
    return Value(std::move(m));
}

Value::Value(const Value& other) noexcept {
    copy_representation(other);
    // A new reference is made from an existing one, so no ordering is needed.
    if (has_heap()) heap_->refs.fetch_add(1, std::memory_order_relaxed);
}

Value& Value::operator=(const Value& other) noexcept {
    if (this != &other) *this = Value(other);
    return *this;
}

void Value::release_heap() noexcept {
    Heap* heap = heap_;
    kind_ = Kind::Null;
    if (heap->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;

    // Letting ~List run would recurse once per nesting level and overflow the
    // stack on deep values. Instead children are detached, and those that lose
    // their last reference are queued here: constant stack, no allocation.
    Heap* dead = heap;
    heap->next_dead = nullptr;
    auto detach = [&dead](Value& child) noexcept {
        if (!child.has_heap()) return;
        Heap* h = child.heap_;
        child.kind_ = Kind::Null;
        if (h->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            h->next_dead = dead;
            dead = h;
        }
    };
    while (dead != nullptr) {
        Heap* current = dead;
        dead = current->next_dead;
        if (auto* list = std::get_if<List>(&current->payload)) {
            for (Value& child : *list) detach(child);
        } else if (auto* map = std::get_if<MapData>(&current->payload)) {
            for (auto& entry : map->entries) detach(entry.second);
        }
        delete current;
    }
}

bool Value::as_bool() const {
    if (kind_ != Kind::Bool) throw_type_error(Kind::Bool, kind_);
    return i_ != 0;
}

std::int64_t Value::as_int() const {
    if (kind_ != Kind::Int) throw_type_error(Kind::Int, kind_);
    return i_;
}

double Value::as_double() const {
    if (kind_ == Kind::Int) return static_cast<double>(i_);
    if (kind_ != Kind::Double) throw_type_error(Kind::Double, kind_);
    return d_;
}

const std::string& Value::as_string() const {
    if (kind_ != Kind::String) throw_type_error(Kind::String, kind_);
    return heap_->get<std::string>();
}

const Bytes& Value::as_bytes() const {
    if (kind_ != Kind::Bytes) throw_type_error(Kind::Bytes, kind_);
    return heap_->get<Bytes>();
}

const List& Value::as_list() const {
    if (kind_ != Kind::List) throw_type_error(Kind::List, kind_);
    return heap_->get<List>();
}

const Map& Value::as_map() const {
    if (kind_ != Kind::Map) throw_type_error(Kind::Map, kind_);
    return heap_->get<MapData>().entries;
}

const SendPort& Value::as_send_port() const {
    if (kind_ != Kind::SendPort) throw_type_error(Kind::SendPort, kind_);
    return heap_->get<SendPort>();
}

Capability Value::as_capability() const {
    if (kind_ != Kind::Capability) throw_type_error(Kind::Capability, kind_);
    return Capability::from_id(cap_);
}

std::size_t Value::size() const noexcept {
    switch (kind_) {
    case Kind::String: return heap_->get<std::string>().size();
    case Kind::Bytes: return heap_->get<Bytes>().size();
    case Kind::List: return heap_->get<List>().size();
    case Kind::Map: return heap_->get<MapData>().entries.size();
    default: return 0;
    }
}

const Value& Value::operator[](std::size_t index) const {
    const List& list = as_list();
    if (index >= list.size())
        throw std::out_of_range("iso::Value: index " + std::to_string(index) + " out of range for a list of " +
                                std::to_string(list.size()));
    return list[index];
}

const Value* Value::find(std::string_view key) const {
    if (kind_ != Kind::Map) throw_type_error(Kind::Map, kind_);
    return heap_->get<MapData>().find(key);
}

const Value& Value::operator[](std::string_view key) const {
    const Value* found = find(key);
    return found != nullptr ? *found : null_value();
}

std::size_t Value::transferable_size() const {
    if (kind_ != Kind::Transferable) throw_type_error(Kind::Transferable, kind_);
    const auto& t = heap_->get<TransferData>();
    return t.taken.load(std::memory_order_acquire) ? 0 : t.size;
}

const std::uint8_t* Value::transferable_data() const {
    if (kind_ != Kind::Transferable) throw_type_error(Kind::Transferable, kind_);
    const auto& t = heap_->get<TransferData>();
    return t.taken.load(std::memory_order_acquire) ? nullptr : t.data;
}

Bytes Value::materialize() const {
    if (kind_ != Kind::Transferable) throw_type_error(Kind::Transferable, kind_);
    // The bytes are the one mutable part of a value; the exchange makes exactly
    // one caller their owner, however many copies and threads race for them.
    auto& t = const_cast<TransferData&>(heap_->get<TransferData>());
    if (t.taken.exchange(true, std::memory_order_acq_rel))
        throw std::logic_error("iso::Value: transferable already materialized");
    return std::move(t.bytes);
}

const void* Value::identity() const noexcept { return has_heap() ? heap_ : nullptr; }

namespace {

// Compares everything but the elements of lists and maps, which it queues.
// Maps compare as sets of entries: insertion order is not part of equality.
bool shallow_equal(const Value& a, const Value& b,
                   std::vector<std::pair<const Value*, const Value*>>& pending) {
    if (a.kind() != b.kind()) return false;
    if (a.identity() != nullptr && a.identity() == b.identity()) return true;
    switch (a.kind()) {
    case Kind::Null: return true;
    case Kind::Bool: return a.as_bool() == b.as_bool();
    case Kind::Int: return a.as_int() == b.as_int();
    case Kind::Double: {
        const double x = a.as_double();
        const double y = b.as_double();
        return x == y || (std::isnan(x) && std::isnan(y));
    }
    case Kind::String: return a.as_string() == b.as_string();
    case Kind::Bytes: return a.as_bytes() == b.as_bytes();
    case Kind::List: {
        const List& x = a.as_list();
        const List& y = b.as_list();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i) pending.emplace_back(&x[i], &y[i]);
        return true;
    }
    case Kind::Map: {
        if (a.size() != b.size()) return false;
        for (const auto& [key, value] : a.as_map()) {
            const Value* other = b.find(key);
            if (other == nullptr) return false;
            pending.emplace_back(&value, other);
        }
        return true;
    }
    case Kind::SendPort: return a.as_send_port() == b.as_send_port();
    case Kind::Capability: return a.as_capability() == b.as_capability();
    case Kind::Transferable: return false;  // a transferable equals only itself (same identity, above)
    }
    return false;
}

constexpr std::uint64_t kListSeed = 0x6c697374ull;
constexpr std::uint64_t kMapSeed = 0x6d6170ull;

// Hash of a value without elements; lists and maps get theirs folded in by hash().
std::uint64_t leaf_hash(const Value& v) noexcept {
    const auto salt = static_cast<std::uint64_t>(v.kind()) << 56;
    switch (v.kind()) {
    case Kind::Null: return mix64(salt);
    case Kind::Bool: return mix64(salt ^ (v.as_bool() ? 1 : 0));
    case Kind::Int: return mix64(salt ^ static_cast<std::uint64_t>(v.as_int()));
    case Kind::Double: {
        double d = v.as_double();
        // Equal doubles must hash alike: -0.0 == 0.0, and every NaN equals every other.
        if (d == 0) d = 0;
        if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
        return mix64(salt ^ mix64(std::bit_cast<std::uint64_t>(d)));
    }
    case Kind::String: return mix64(salt ^ hash_text(v.as_string()));
    case Kind::Bytes: {
        const Bytes& b = v.as_bytes();
        return mix64(salt ^ hash_text({reinterpret_cast<const char*>(b.data()), b.size()}));
    }
    case Kind::List: return mix64(kListSeed);
    case Kind::Map: return mix64(kMapSeed);
    case Kind::SendPort: return mix64(salt ^ std::hash<SendPort>{}(v.as_send_port()));
    case Kind::Capability: return mix64(salt ^ v.as_capability().id());
    case Kind::Transferable: return mix64(salt ^ reinterpret_cast<std::uintptr_t>(v.identity()));
    }
    return 0;
}

} // namespace

bool operator==(const Value& a, const Value& b) noexcept {
    // Iterative so that comparing values nested deeper than the stack works.
    std::vector<std::pair<const Value*, const Value*>> pending;
    const Value* x = &a;
    const Value* y = &b;
    for (;;) {
        if (!shallow_equal(*x, *y, pending)) return false;
        if (pending.empty()) return true;
        std::tie(x, y) = pending.back();
        pending.pop_back();
    }
}

std::size_t Value::hash() const noexcept {
    // A post-order fold with an explicit stack, for the same reason as operator==.
    // List elements fold in order; map entries are summed so that the hash,
    // like equality, ignores insertion order.
    struct Frame {
        const Value* container;
        std::size_t next;
        std::uint64_t acc;
    };
    std::vector<Frame> stack;
    const Value* current = this;
    for (;;) {
        std::uint64_t h = 0;
        if ((current->is_list() || current->is_map()) && current->size() != 0) {
            stack.push_back({current, 0, current->is_list() ? kListSeed : kMapSeed});
        } else {
            h = leaf_hash(*current);
            for (;;) {
                if (stack.empty()) return static_cast<std::size_t>(h);
                Frame& top = stack.back();
                if (top.container->is_list()) {
                    top.acc = mix64(top.acc ^ h);
                } else {
                    const std::string& key = top.container->as_map()[top.next - 1].first;
                    top.acc += mix64(hash_text(key) ^ (h * 0x9e3779b97f4a7c15ull));
                }
                if (top.next < top.container->size()) break;
                h = mix64(top.acc ^ top.container->size());
                stack.pop_back();
            }
        }
        Frame& top = stack.back();
        const std::size_t i = top.next++;
        current = top.container->is_list() ? &top.container->as_list()[i] : &top.container->as_map()[i].second;
    }
}

} // namespace iso
