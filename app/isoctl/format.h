#pragma once
// Text for people: durations, sizes, times, enum names.

#include <iso/trace.h>

#include <cstdint>
#include <string>

namespace isoctl {

/// "812 ns", "3.4 µs", "12.5 ms", "2.031 s".
std::string duration_text(std::uint64_t nanoseconds);
/// "512 B", "3.2 KiB", "1.5 MiB".
std::string size_text(std::uint64_t bytes);
/// "2024-05-01 12:00:03 UTC"; "unknown" for 0.
std::string wall_clock(std::int64_t unix_ns);
std::string payload_name(iso::trace::PayloadCapture capture);
/// strerror(errno), read once.
std::string system_error_text();

} // namespace isoctl
