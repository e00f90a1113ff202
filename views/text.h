#pragma once

#include <QString>

#include <string_view>

/// The core's text (UTF-8, as paths, names and errors come) as Qt text.
inline QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}
