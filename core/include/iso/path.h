#pragma once
/// Cluster paths: hierarchical, absolute names such as `/app/workers/w1`.

#include <iso/expected.h>

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace iso {

/// An absolute path of one or more segments. A segment is non-empty, is not
/// `.` or `..`, and holds letters, digits and `-_.~:@+` only, so that paths
/// are safe in URLs, file names and glob patterns.
/// @threadsafe: a plain value.
class Path {
public:
    /// The root, `/`.
    Path() = default;

    /// Parses `text`; the error says which segment is wrong and why.
    static Expected<Path, std::string> parse(std::string_view text);
    /// Parses `text`; throws std::invalid_argument with the parse error.
    static Path of(std::string_view text);

    const std::string& str() const noexcept { return text_; }
    bool is_root() const noexcept { return text_ == "/"; }
    std::vector<std::string_view> segments() const;
    std::string_view name() const;  ///< the last segment; empty for the root
    Path parent() const;            ///< the root's parent is the root
    /// This path with `segment` appended; throws std::invalid_argument if
    /// `segment` is not a valid segment.
    Path child(std::string_view segment) const;
    /// True if `other` lies strictly under this path.
    bool is_ancestor_of(const Path& other) const noexcept;

    friend bool operator==(const Path&, const Path&) = default;
    friend std::strong_ordering operator<=>(const Path& a, const Path& b) noexcept { return a.text_ <=> b.text_; }

    /// Why `segment` is not a valid segment, or empty if it is.
    static std::string check_segment(std::string_view segment);

private:
    explicit Path(std::string text) : text_(std::move(text)) {}
    std::string text_ = "/";
};

/// A glob over paths: `*` is any one segment (or, inside a segment, any run
/// of characters), `?` one character, `**` any number of segments (zero
/// included). `/app/workers/*` matches `/app/workers/w1` but not
/// `/app/workers/w1/helper`; `/app/**` matches everything under `/app`.
/// @threadsafe: a plain value.
class PathPattern {
public:
    /// Parses `text`; the error says what is wrong.
    static Expected<PathPattern, std::string> parse(std::string_view text);
    static PathPattern of(std::string_view text);

    bool matches(const Path& path) const;
    const std::string& str() const noexcept { return text_; }
    /// The longest path that every match equals or lies under (`/app` for
    /// `/app/*/x`): where a lookup can start instead of scanning everything.
    Path fixed_prefix() const;

private:
    std::string text_;
    std::vector<std::string> segments_;
};

} // namespace iso

template <> struct std::hash<iso::Path> {
    std::size_t operator()(const iso::Path& p) const noexcept { return std::hash<std::string>{}(p.str()); }
};
