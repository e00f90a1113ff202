#include "incidents.h"

namespace incidents {

std::optional<QColor> tint(iso::trace::Kind kind, std::uint32_t arg)
{
    using Kind = iso::trace::Kind;
    constexpr std::uint32_t exitFailed = 2;
    switch (kind) {
    case Kind::Fault:
        return QColor(0xff, 0xe0, 0xa6);
    case Kind::Error:
    case Kind::Kill:
        return QColor(0xf8, 0xc8, 0xc8);
    case Kind::Exit:
        if (arg == exitFailed)
            return QColor(0xf8, 0xc8, 0xc8);
        return std::nullopt;
    case Kind::Restart:
        return QColor(0xc8, 0xdc, 0xf8);
    default:
        return std::nullopt;
    }
}

} // namespace incidents
