// Value as text: Dart's toString spelling, and JSON both ways
// (docs/value-format.md).

#include <iso/value.h>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <optional>

namespace iso {

namespace {

// Deeper JSON is refused rather than parsed: the limit keeps a hostile input
// from building values that every later consumer would have to survive.
constexpr std::size_t kMaxDepth = 512;

// ---------------------------------------------------------------- walking

/// Visits a value depth-first with an explicit stack, so that values nested
/// deeper than the thread's stack can still be written. The sink receives
/// `leaf` for anything but a non-empty list or map, `open`/`close` around
/// the elements of those, `key` before each map value and `comma` between
/// siblings.
template <typename Sink> void walk(const Value& root, Sink& sink) {
    struct Frame {
        const Value* container;
        std::size_t next;
    };
    std::vector<Frame> stack;
    const Value* current = &root;
    for (;;) {
        if ((current->is_list() || current->is_map()) && current->size() != 0) {
            sink.open(*current);
            stack.push_back({current, 0});
        } else {
            sink.leaf(*current);
            while (!stack.empty() && stack.back().next == stack.back().container->size()) {
                sink.close(*stack.back().container);
                stack.pop_back();
            }
            if (stack.empty()) return;
            sink.comma();
        }
        Frame& top = stack.back();
        const std::size_t i = top.next++;
        if (top.container->is_list()) {
            current = &top.container->as_list()[i];
        } else {
            const auto& entry = top.container->as_map()[i];
            sink.key(entry.first);
            current = &entry.second;
        }
    }
}

// ---------------------------------------------------------------- numbers

void append_int(std::string& out, std::int64_t i) {
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, i).ptr);
}

/// Dart's double.toString: the shortest digits that read back to the same
/// double, in decimal notation from 1e-6 up to 1e21 (always with a fraction
/// part, "3.0") and in exponent notation ("1e+21", "1.5e-7") outside it.
void append_dart_double(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::signbit(d)) out += '-';
    d = std::fabs(d);
    if (std::isinf(d)) {
        out += "Infinity";
        return;
    }
    if (d == 0) {
        out += "0.0";
        return;
    }
    char buf[32];
    const char* end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
    const std::string_view sci(buf, static_cast<std::size_t>(end - buf));  // "d.ddde±XX"
    const std::size_t e = sci.find('e');
    std::string digits(1, sci[0]);
    if (e > 1) digits.append(sci.substr(2, e - 2));
    int exponent = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);

    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // digits before the decimal point
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
        out += ".0";
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += n - 1 >= 0 ? "e+" : "e-";
        append_int(out, std::abs(n - 1));
    }
}

std::string capability_hex(std::uint64_t id) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
    return buf;
}

std::string port_text(const SendPort& port) {
    return std::to_string(port.node()) + ":" + std::to_string(port.id());
}

// ---------------------------------------------------------------- base64

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out += kBase64[n >> 18];
        out += kBase64[(n >> 12) & 63];
        out += kBase64[(n >> 6) & 63];
        out += kBase64[n & 63];
    }
    if (const std::size_t rest = size - i; rest != 0) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (rest == 2 ? std::uint32_t{data[i + 1]} << 8 : 0);
        out += kBase64[n >> 18];
        out += kBase64[(n >> 12) & 63];
        out += rest == 2 ? kBase64[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

/// Strict RFC 4648 base64: padded to a multiple of four, and the bits below
/// the last byte zero, so every byte string has exactly one spelling.
std::optional<Bytes> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    Bytes out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        const std::size_t sextet = kBase64.find(text[i]);
        if (sextet == std::string_view::npos) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(sextet);
        if (i % 4 == 3) {
            out.push_back(static_cast<std::uint8_t>(bits >> 16));
            out.push_back(static_cast<std::uint8_t>(bits >> 8));
            out.push_back(static_cast<std::uint8_t>(bits));
            bits = 0;
        }
    }
    if (padding == 2) {
        if ((bits & 0xf) != 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(bits >> 4));
    } else if (padding == 1) {
        if ((bits & 0x3) != 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(bits >> 10));
        out.push_back(static_cast<std::uint8_t>(bits >> 2));
    }
    return out;
}

// ---------------------------------------------------------------- strings

/// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 with
/// `bad` set to the length of its longest well-formed prefix (at least 1):
/// that many bytes become one U+FFFD, as Unicode recommends.
std::size_t utf8_sequence(std::string_view s, std::size_t& bad) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        length = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        length = 3;
        if (b0 == 0xe0) low = 0xa0;   // no overlong forms
        if (b0 == 0xed) high = 0x9f;  // no surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        length = 4;
        if (b0 == 0xf0) low = 0x90;   // no overlong forms
        if (b0 == 0xf4) high = 0x8f;  // nothing above U+10FFFF
    }
    bad = 1;
    if (length == 0) return 0;
    for (std::size_t i = 1; i < length; ++i, low = 0x80, high = 0xbf) {
        if (i >= s.size()) return 0;
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < low || b > high) return 0;
        bad = i + 1;
    }
    return length;
}

/// A JSON string literal. UTF-8 passes through; a byte that is not part of
/// well-formed UTF-8 becomes U+FFFD, because JSON text must be Unicode.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t bad = 0;
            if (const std::size_t n = utf8_sequence(s.substr(i), bad); n != 0) {
                out.append(s, i, n);
                i += n;
            } else {
                out += "\xef\xbf\xbd";
                i += bad;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

// ---------------------------------------------------------------- writers

class DartTextSink {
public:
    explicit DartTextSink(std::string& out) : out_(out) {}

    void open(const Value& v) { out_ += v.is_list() ? '[' : '{'; }
    void close(const Value& v) { out_ += v.is_list() ? ']' : '}'; }
    void comma() { out_ += ", "; }
    void key(const std::string& k) {
        out_ += k;
        out_ += ": ";
    }

    void leaf(const Value& v) {
        switch (v.kind()) {
        case Kind::Null: out_ += "null"; break;
        case Kind::Bool: out_ += v.as_bool() ? "true" : "false"; break;
        case Kind::Int: append_int(out_, v.as_int()); break;
        case Kind::Double: append_dart_double(out_, v.as_double()); break;
        case Kind::String: out_ += v.as_string(); break;
        case Kind::Bytes: {
            // As Dart prints a Uint8List.
            out_ += '[';
            const Bytes& bytes = v.as_bytes();
            for (std::size_t i = 0; i < bytes.size(); ++i) {
                if (i != 0) out_ += ", ";
                append_int(out_, bytes[i]);
            }
            out_ += ']';
            break;
        }
        case Kind::List: out_ += "[]"; break;
        case Kind::Map: out_ += "{}"; break;
        case Kind::SendPort: out_ += "SendPort(" + port_text(v.as_send_port()) + ")"; break;
        case Kind::Capability: out_ += "Capability(" + capability_hex(v.as_capability().id()) + ")"; break;
        case Kind::Transferable:
            out_ += "TransferableTypedData(" + std::to_string(v.transferable_size()) + " bytes)";
            break;
        }
    }

private:
    std::string& out_;
};

class JsonSink {
public:
    JsonSink(std::string& out, int indent) : out_(out), indent_(indent) {}

    void open(const Value& v) {
        if (v.is_list()) {
            out_ += '[';
        } else if (needs_map_tag(v)) {
            out_ += '{';
            descend();
            out_ += "\"$map\"";
            colon();
            out_ += '{';
        } else {
            out_ += '{';
        }
        descend();
    }

    void close(const Value& v) {
        ascend();
        if (v.is_list()) {
            out_ += ']';
            return;
        }
        out_ += '}';
        if (needs_map_tag(v)) {
            ascend();
            out_ += '}';
        }
    }

    void comma() {
        out_ += ',';
        newline();
    }

    void key(const std::string& k) {
        append_json_string(out_, k);
        colon();
    }

    void leaf(const Value& v) {
        switch (v.kind()) {
        case Kind::Null: out_ += "null"; break;
        case Kind::Bool: out_ += v.as_bool() ? "true" : "false"; break;
        case Kind::Int: append_int(out_, v.as_int()); break;
        case Kind::Double: {
            const double d = v.as_double();
            if (std::isnan(d)) {
                tag("$double", "NaN");
            } else if (std::isinf(d)) {
                tag("$double", d > 0 ? "Infinity" : "-Infinity");
            } else {
                // Dart's spelling is also a JSON number, and always has a '.'
                // or an exponent, so it reads back as a double.
                append_dart_double(out_, d);
            }
            break;
        }
        case Kind::String: append_json_string(out_, v.as_string()); break;
        case Kind::Bytes: tag("$bytes", base64_encode(v.as_bytes().data(), v.as_bytes().size())); break;
        case Kind::List: out_ += "[]"; break;
        case Kind::Map: out_ += "{}"; break;
        case Kind::SendPort: tag("$port", port_text(v.as_send_port())); break;
        case Kind::Capability: tag("$capability", capability_hex(v.as_capability().id())); break;
        case Kind::Transferable:
            tag("$transferable", base64_encode(v.transferable_data(), v.transferable_size()));
            break;
        }
    }

private:
    // A real map whose only key starts with '$' would read back as a tag.
    static bool needs_map_tag(const Value& map) { return map.size() == 1 && map.as_map()[0].first.starts_with('$'); }

    // Tags stay on one line even when indenting: they stand for one value.
    void tag(std::string_view name, std::string_view text) {
        out_ += '{';
        append_json_string(out_, name);
        colon();
        append_json_string(out_, text);
        out_ += '}';
    }

    void colon() { out_ += indent_ < 0 ? ":" : ": "; }
    void descend() {
        ++level_;
        newline();
    }
    void ascend() {
        --level_;
        newline();
    }
    void newline() {
        if (indent_ < 0) return;
        out_ += '\n';
        out_.append(level_ * static_cast<std::size_t>(indent_), ' ');
    }

    std::string& out_;
    int indent_;
    std::size_t level_ = 0;
};

// ---------------------------------------------------------------- reading JSON

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Hands the text to nlohmann's lexer byte by byte and remembers how far it
/// got, because SAX callbacks carry no position and errors need one.
class TrackingIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    TrackingIterator(const char* at, const char** cursor) : at_(at), cursor_(cursor) {}

    reference operator*() const { return *at_; }
    TrackingIterator& operator++() {
        *cursor_ = ++at_;
        return *this;
    }
    TrackingIterator operator++(int) {
        TrackingIterator before = *this;
        ++*this;
        return before;
    }
    friend bool operator==(const TrackingIterator& a, const TrackingIterator& b) { return a.at_ == b.at_; }

private:
    const char* at_;
    const char** cursor_;
};

using Reading = Expected<Value, ParseError>;

Reading failure(std::size_t position, std::string reason) {
    return Unexpected<ParseError>{ParseError{position, std::move(reason)}};
}

std::optional<SendPort> parse_port(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view digits, std::uint64_t& out) {
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
    };
    std::uint64_t node = 0;
    std::uint64_t id = 0;
    if (!number(text.substr(0, colon), node) || !number(text.substr(colon + 1), id)) return std::nullopt;
    return SendPort(node, id);
}

std::optional<std::uint64_t> parse_capability(std::string_view text) {
    std::uint64_t id = 0;
    if (text.size() != 16) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id, 16);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return id;
}

/// The value a single-key object `{"$name": payload}` stands for.
Reading read_tag(const std::string& name, const Value& payload, std::size_t key_at, std::size_t payload_at) {
    const std::string* text = payload.is_string() ? &payload.as_string() : nullptr;
    if (name == "$bytes" || name == "$transferable") {
        std::optional<Bytes> bytes = text ? base64_decode(*text) : std::nullopt;
        if (!bytes) return failure(payload_at, "\"" + name + "\" needs a base64 string");
        if (name == "$bytes") return Value::bytes(std::move(*bytes));
        return Value(Transferable(std::move(*bytes)));
    }
    if (name == "$port") {
        std::optional<SendPort> port = text ? parse_port(*text) : std::nullopt;
        if (!port) return failure(payload_at, "\"$port\" needs a string \"<node>:<id>\" of two decimal numbers");
        return Value(std::move(*port));
    }
    if (name == "$capability") {
        std::optional<std::uint64_t> id = text ? parse_capability(*text) : std::nullopt;
        if (!id) return failure(payload_at, "\"$capability\" needs a string of 16 hex digits");
        return Value(Capability::from_id(*id));
    }
    if (name == "$double") {
        constexpr double kInf = std::numeric_limits<double>::infinity();
        if (text && *text == "NaN") return Value(std::numeric_limits<double>::quiet_NaN());
        if (text && *text == "Infinity") return Value(kInf);
        if (text && *text == "-Infinity") return Value(-kInf);
        return failure(payload_at, "\"$double\" needs \"NaN\", \"Infinity\" or \"-Infinity\"");
    }
    return failure(key_at, "unknown tag \"" + name + "\" (a map whose only key starts with '$' is written as {\"$map\": {...}})");
}

/// nlohmann SAX handler that builds Values directly, iteratively, with the
/// nesting limit.
///
/// The subtle part is the `$map` escape. An object `{"$map": X}` means "X,
/// read as a plain map", while X itself, read normally, may be a tag. Which
/// reading counts is known only when the object holding `"$map"` ends (one
/// key: the escape) or gets a second key (a plain map). So the value of a
/// first key `"$map"` is kept both ways until then, and either way may be an
/// error that matters only if that reading is chosen.
class JsonReader {
public:
    explicit JsonReader(std::string_view text) : text_(text), cursor_(text.data()) {}

    TrackingIterator begin() { return {text_.data(), &cursor_}; }
    TrackingIterator end() { return {text_.data() + text_.size(), &cursor_}; }

    Reading take_result() && {
        if (error_) return Unexpected<ParseError>{std::move(*error_)};
        return std::move(result_);
    }

    // nlohmann's SAX interface.
    bool null() { return deliver(Value()); }
    bool boolean(bool b) { return deliver(Value(b)); }
    bool number_integer(std::int64_t i) { return deliver(Value(i)); }
    bool number_unsigned(std::uint64_t u) {
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return integer_out_of_range(std::to_string(u));
        return deliver(Value(static_cast<std::int64_t>(u)));
    }
    bool number_float(double d, const std::string& literal) {
        // nlohmann turns an integer literal too large for 64 bits into a
        // double; an int must not silently lose digits, so that is an error.
        if (literal.find_first_of(".eE") == std::string::npos) return integer_out_of_range(literal);
        return deliver(Value(d));
    }
    bool string(std::string& s) { return deliver(Value(std::move(s))); }
    bool binary(nlohmann::json::binary_t&) { return fail({offset(), "binary data has no JSON spelling"}); }
    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool key(std::string& k) {
        Frame& f = stack_.back();
        if (f.keys == 1 && f.first_normal) {
            // A second key: the object is a plain map, and its "$map" entry
            // is the value read normally.
            if (!f.first_normal->has_value()) return fail(f.first_normal->error());
            f.entries.front().second = std::move(*f.first_normal).value();
            f.first_normal.reset();
            f.first_literal.reset();
        }
        if (f.keys == 0) f.first_value_at = value_start(offset());
        ++f.keys;
        f.key = std::move(k);
        return true;
    }
    bool end_object() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        const bool tagged = f.keys == 1 && f.entries.front().first.starts_with('$');
        const bool literal_wanted = expecting_map_escape();
        if (tagged && f.first_normal) {
            // {"$map": X}: X read literally.
            std::optional<Reading> literal;
            if (literal_wanted) {
                literal = f.first_normal->has_value()
                              ? Reading(Value(Map{{"$map", std::move(*f.first_normal).value()}}))
                              : Reading(Unexpected<ParseError>{f.first_normal->error()});
            }
            Reading normal = f.first_literal ? std::move(*f.first_literal)
                                             : failure(f.first_value_at, "\"$map\" needs an object");
            return deliver(std::move(normal), std::move(literal));
        }
        if (tagged) {
            Reading normal = read_tag(f.entries.front().first, f.entries.front().second, key_start(f.start),
                                      f.first_value_at);
            std::optional<Reading> literal;
            if (literal_wanted) literal = Reading(Value(std::move(f.entries)));
            return deliver(std::move(normal), std::move(literal));
        }
        Value map(std::move(f.entries));
        std::optional<Reading> literal;
        if (literal_wanted) literal = Reading(map);
        return deliver(Reading(std::move(map)), std::move(literal));
    }
    bool end_array() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        return deliver(Value(std::move(f.items)));
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
        // nlohmann counts the bytes it has read; the last one is where it gave
        // up. Its message repeats the position as line and column after an
        // exception id, "[json.exception.parse_error.101] parse error at line
        // 1, column 4: ", which is dropped in favour of the byte offset.
        std::string_view what = e.what();
        if (const std::size_t id_end = what.find("] "); what.starts_with('[') && id_end != std::string_view::npos)
            what.remove_prefix(id_end + 2);
        if (const std::size_t colon = what.find(": "); what.starts_with("parse error") && colon != std::string_view::npos)
            what.remove_prefix(colon + 2);
        return fail({position == 0 ? 0 : position - 1, std::string(what)});
    }

private:
    struct Frame {
        bool object = false;
        std::size_t start = 0;  // offset of '{' or '['
        List items;
        Map entries;
        std::string key;         // the key whose value comes next
        std::size_t keys = 0;    // keys seen so far, repeats included
        std::size_t first_value_at = 0;
        // The value of a first key "$map", read normally and (for an object)
        // literally, while it is open which reading counts.
        std::optional<Reading> first_normal;
        std::optional<Reading> first_literal;
    };

    std::size_t offset() const { return static_cast<std::size_t>(cursor_ - text_.data()); }

    std::size_t skip_space(std::size_t at) const {
        while (at < text_.size() && is_json_space(text_[at])) ++at;
        return at;
    }
    std::size_t key_start(std::size_t object_start) const { return skip_space(object_start + 1); }
    std::size_t value_start(std::size_t after_key) const {
        std::size_t at = skip_space(after_key);
        if (at < text_.size() && text_[at] == ':') ++at;
        return skip_space(at);
    }

    bool expecting_map_escape() const {
        if (stack_.empty()) return false;
        const Frame& f = stack_.back();
        return f.object && f.keys == 1 && f.entries.empty() && f.key == "$map";
    }

    bool open(bool object) {
        const std::size_t at = offset() - 1;
        if (stack_.size() == kMaxDepth)
            return fail({at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels"});
        Frame f;
        f.object = object;
        f.start = at;
        stack_.push_back(std::move(f));
        return true;
    }

    bool integer_out_of_range(const std::string& literal) {
        // The lexer has read one byte past the number unless the text ended;
        // that byte cannot be a digit after an integer this long.
        std::size_t end = offset();
        if (end > 0 && (text_[end - 1] < '0' || text_[end - 1] > '9')) --end;
        return fail({end - literal.size(), "integer " + literal + " is outside the int64 range"});
    }

    bool deliver(Reading normal, std::optional<Reading> literal = std::nullopt) {
        if (stack_.empty()) {
            if (!normal.has_value()) return fail(normal.error());
            result_ = std::move(normal).value();
            return true;
        }
        if (expecting_map_escape()) {
            Frame& f = stack_.back();
            f.first_normal = std::move(normal);
            f.first_literal = std::move(literal);
            f.entries.emplace_back(std::move(f.key), Value());
            return true;
        }
        if (!normal.has_value()) return fail(normal.error());
        Frame& f = stack_.back();
        if (f.object) {
            f.entries.emplace_back(std::move(f.key), std::move(normal).value());
        } else {
            f.items.push_back(std::move(normal).value());
        }
        return true;
    }

    bool fail(ParseError error) {
        error_ = std::move(error);
        return false;
    }

    std::string_view text_;
    const char* cursor_;
    std::vector<Frame> stack_;
    Value result_;
    std::optional<ParseError> error_;
};

} // namespace

std::string Value::to_string() const {
    std::string out;
    DartTextSink sink(out);
    walk(*this, sink);
    return out;
}

std::string Value::to_json(int indent) const {
    std::string out;
    JsonSink sink(out, indent);
    walk(*this, sink);
    return out;
}

Expected<Value, ParseError> Value::from_json(std::string_view text) {
    JsonReader reader(text);
    nlohmann::json::sax_parse(reader.begin(), reader.end(), &reader);
    return std::move(reader).take_result();
}

} // namespace iso
