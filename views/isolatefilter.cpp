#include "isolatefilter.h"

namespace {

bool contains(std::string_view haystack, const QString& needle)
{
    return QString::fromUtf8(haystack.data(), static_cast<qsizetype>(haystack.size()))
        .contains(needle, Qt::CaseInsensitive);
}

} // namespace

IsolateFilter::IsolateFilter(const QString& text)
    : m_text(text.trimmed())
{
    if (!m_text.startsWith(u'/'))
        return;
    if (auto pattern = iso::PathPattern::parse(m_text.toStdString()))
        m_pattern = std::move(*pattern);
}

bool IsolateFilter::matches(std::string_view path, std::string_view name, std::string_view state) const
{
    if (m_text.isEmpty())
        return true;
    if (m_pattern) {
        // Plain isolates have no path, so a pattern never keeps them.
        if (path.empty())
            return false;
        auto parsed = iso::Path::parse(path);
        return parsed && m_pattern->matches(*parsed);
    }
    return contains(path, m_text) || contains(name, m_text) || contains(state, m_text);
}
