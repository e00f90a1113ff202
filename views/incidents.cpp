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
    case Kind::Supervision:
        if (arg == static_cast<std::uint32_t>(iso::trace::SupervisionAction::GiveUp))
            return QColor(0xf0, 0xa8, 0xa8);
        return QColor(0xe4, 0xd4, 0xf4);  // a restart that waits
    default:
        return std::nullopt;
    }
}

} // namespace incidents

namespace incidents {

Mark mark(iso::trace::Kind kind, std::uint32_t arg)
{
    using Kind = iso::trace::Kind;
    const QColor failure(0xc6, 0x28, 0x28);
    const QColor quiet(0x80, 0x80, 0x80);
    switch (kind) {
    case Kind::Error:
        return {QStringLiteral("✖"), failure};
    case Kind::Fault:
        return {QStringLiteral("⚡"), QColor(0xe0, 0x8a, 0x00)};
    case Kind::Restart:
        return {QStringLiteral("↻"), QColor(0x1e, 0x5f, 0xd6)};
    case Kind::Exit:
        return {QStringLiteral("■"), QColor(0x55, 0x55, 0x55)};
    case Kind::Kill:
        return {QStringLiteral("☠"), failure};
    case Kind::Pause:
        return {QStringLiteral("❚❚"), quiet};
    case Kind::Resume:
        return {QStringLiteral("▶"), quiet};
    case Kind::DeadLetter:
        return {QStringLiteral("✉"), failure};
    case Kind::Supervision:
        if (arg == static_cast<std::uint32_t>(iso::trace::SupervisionAction::GiveUp))
            return {QStringLiteral("⊘"), failure};
        return {QStringLiteral("◔"), QColor(0x7b, 0x1f, 0xa2)};
    default:
        return {QStringLiteral("•"), quiet};
    }
}

} // namespace incidents
