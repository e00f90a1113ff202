#pragma once

#include <QString>

#include <cstdint>

/// How the workbench writes numbers with units, the same in every view.
namespace units {

/// "850 ns", "12.5 µs", "3.2 ms", "1.50 s".
QString duration(std::uint64_t nanoseconds);
/// A point on a trace's clock, `nanoseconds` after its start, with as
/// many digits as a tick `step` nanoseconds apart needs: "+250 ms",
/// "+1.000250 s", "+12.345 µs".
QString offset(std::uint64_t nanoseconds, std::uint64_t step);
/// Per second, without the unit: "0", "0.4", "12.5", "1,234", "1.2 M".
QString rate(double perSecond);
/// "0 %" .. "100 %" from a share in 0..1.
QString percent(double share);
/// "512 B", "3.4 KiB", "120.0 MiB", "1.25 GiB".
QString bytes(std::uint64_t count);

} // namespace units
