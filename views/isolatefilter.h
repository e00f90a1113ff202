#pragma once

#include <iso/path.h>

#include <QString>

#include <optional>
#include <string_view>

/// What a person typed in a view's filter box. Text that starts with '/'
/// and parses as a path pattern (`/demo/pool/*`, `/app/**`) keeps the
/// isolates whose path it matches; anything else keeps those whose path,
/// debug name or state contains it, ignoring case. Empty keeps everything.
class IsolateFilter
{
public:
    IsolateFilter() = default;
    explicit IsolateFilter(const QString& text);

    bool isEmpty() const { return m_text.isEmpty(); }
    bool isPathPattern() const { return m_pattern.has_value(); }

    bool matches(std::string_view path, std::string_view name, std::string_view state) const;

private:
    QString m_text;
    std::optional<iso::PathPattern> m_pattern;
};
