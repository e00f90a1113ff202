#include "units.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace units {

QString duration(std::uint64_t nanoseconds)
{
    const double ns = static_cast<double>(nanoseconds);
    if (ns < 1e3)
        return QStringLiteral("%1 ns").arg(nanoseconds);
    if (ns < 1e6)
        return QStringLiteral("%1 µs").arg(ns / 1e3, 0, 'f', ns < 1e4 ? 1 : 0);
    if (ns < 1e9)
        return QStringLiteral("%1 ms").arg(ns / 1e6, 0, 'f', ns < 1e7 ? 1 : 0);
    return QStringLiteral("%1 s").arg(ns / 1e9, 0, 'f', 2);
}

QString offset(std::uint64_t nanoseconds, std::uint64_t step)
{
    struct Unit {
        double ns;
        const char16_t* name;
    };
    static constexpr Unit unitsBySize[] = {{1e9, u"s"}, {1e6, u"ms"}, {1e3, u"µs"}, {1, u"ns"}};
    const double ns = static_cast<double>(nanoseconds);
    Unit unit = unitsBySize[3];
    for (const Unit& u : unitsBySize) {
        if (ns >= u.ns) {
            unit = u;
            break;
        }
    }
    // Enough decimals that ticks a step apart read differently.
    const double stepInUnit = static_cast<double>(std::max<std::uint64_t>(step, 1)) / unit.ns;
    const int decimals = stepInUnit >= 1 ? 0 : std::min(9, static_cast<int>(std::ceil(-std::log10(stepInUnit) - 1e-9)));
    return QStringLiteral("+%1 %2").arg(ns / unit.ns, 0, 'f', decimals).arg(QString::fromUtf16(unit.name));
}

QString rate(double perSecond)
{
    if (perSecond <= 0)
        return QStringLiteral("0");
    if (perSecond < 10)
        return QString::number(perSecond, 'f', 1);
    if (perSecond < 1e6)
        return QLocale::c().toString(std::llround(perSecond));
    return QStringLiteral("%1 M").arg(perSecond / 1e6, 0, 'f', 1);
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(std::lround(std::clamp(share, 0.0, 1.0) * 100));
}

QString bytes(std::uint64_t count)
{
    const double n = static_cast<double>(count);
    if (n < 1024)
        return QStringLiteral("%1 B").arg(count);
    if (n < 1024.0 * 1024)
        return QStringLiteral("%1 KiB").arg(n / 1024, 0, 'f', 1);
    if (n < 1024.0 * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(n / (1024.0 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(n / (1024.0 * 1024 * 1024), 0, 'f', 2);
}

} // namespace units
