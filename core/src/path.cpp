#include <iso/path.h>

#include <stdexcept>

namespace iso {

namespace {

bool segment_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~' || c == ':' || c == '@' || c == '+';
}

std::vector<std::string_view> split(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 1;
    while (start <= text.size()) {
        std::size_t end = text.find('/', start);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

/// Matches one segment against a segment pattern with `*` and `?`.
bool match_segment(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool match_segments(const std::vector<std::string>& pattern, std::size_t p, const std::vector<std::string_view>& path,
                    std::size_t s) {
    for (; p < pattern.size(); ++p, ++s) {
        if (pattern[p] == "**") {
            for (std::size_t skip = s; skip <= path.size(); ++skip)
                if (match_segments(pattern, p + 1, path, skip)) return true;
            return false;
        }
        if (s >= path.size() || !match_segment(pattern[p], path[s])) return false;
    }
    return s == path.size();
}

} // namespace

std::string Path::check_segment(std::string_view segment) {
    if (segment.empty()) return "a segment is empty";
    if (segment == "." || segment == "..") return "'" + std::string(segment) + "' is not allowed as a segment";
    for (char c : segment)
        if (!segment_char(c))
            return "'" + std::string(segment) + "' holds '" + std::string(1, c) +
                   "'; segments take letters, digits and -_.~:@+";
    return {};
}

Expected<Path, std::string> Path::parse(std::string_view text) {
    if (text.empty() || text.front() != '/')
        return Unexpected{"path '" + std::string(text) + "' must start with '/'"};
    if (text == "/") return Path();
    if (text.back() == '/') return Unexpected{"path '" + std::string(text) + "' ends with '/'"};
    for (std::string_view segment : split(text))
        if (auto why = check_segment(segment); !why.empty())
            return Unexpected{"path '" + std::string(text) + "': " + why};
    return Path(std::string(text));
}

Path Path::of(std::string_view text) {
    auto parsed = parse(text);
    if (!parsed) throw std::invalid_argument(parsed.error());
    return std::move(parsed).value();
}

std::vector<std::string_view> Path::segments() const {
    if (is_root()) return {};
    return split(text_);
}

std::string_view Path::name() const {
    if (is_root()) return {};
    return std::string_view(text_).substr(text_.rfind('/') + 1);
}

Path Path::parent() const {
    const auto slash = text_.rfind('/');
    if (slash == 0) return Path();
    return Path(text_.substr(0, slash));
}

Path Path::child(std::string_view segment) const {
    if (auto why = check_segment(segment); !why.empty()) throw std::invalid_argument("iso::Path::child: " + why);
    return Path(is_root() ? "/" + std::string(segment) : text_ + "/" + std::string(segment));
}

bool Path::is_ancestor_of(const Path& other) const noexcept {
    if (other.text_.size() <= text_.size()) return false;
    if (is_root()) return true;
    return other.text_.compare(0, text_.size(), text_) == 0 && other.text_[text_.size()] == '/';
}

Expected<PathPattern, std::string> PathPattern::parse(std::string_view text) {
    if (text.empty() || text.front() != '/')
        return Unexpected{"pattern '" + std::string(text) + "' must start with '/'"};
    PathPattern pattern;
    pattern.text_ = std::string(text);
    if (text == "/") return pattern;
    for (std::string_view segment : split(text)) {
        if (segment.empty()) return Unexpected{"pattern '" + std::string(text) + "' has an empty segment"};
        if (segment.find("**") != std::string_view::npos && segment != "**")
            return Unexpected{"pattern '" + std::string(text) + "': '**' must be a whole segment"};
        for (char c : segment)
            if (c != '*' && c != '?' && !segment_char(c))
                return Unexpected{"pattern '" + std::string(text) + "' holds '" + std::string(1, c) + "'"};
        pattern.segments_.emplace_back(segment);
    }
    return pattern;
}

PathPattern PathPattern::of(std::string_view text) {
    auto parsed = parse(text);
    if (!parsed) throw std::invalid_argument(parsed.error());
    return std::move(parsed).value();
}

bool PathPattern::matches(const Path& path) const { return match_segments(segments_, 0, path.segments(), 0); }

Path PathPattern::fixed_prefix() const {
    Path prefix;
    for (const auto& segment : segments_) {
        if (segment.find_first_of("*?") != std::string::npos) break;
        prefix = prefix.child(segment);
    }
    return prefix;
}

} // namespace iso
