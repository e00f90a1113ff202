#include "format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace isoctl {
namespace {

std::string printed(const char* format, double value, const char* unit) {
    char text[64];
    std::snprintf(text, sizeof text, format, value, unit);
    return text;
}

} // namespace

std::string duration_text(std::uint64_t ns) {
    if (ns < 1'000)
        return std::to_string(ns) + " ns";
    if (ns < 1'000'000)
        return printed("%.1f %s", static_cast<double>(ns) / 1e3, "µs");
    if (ns < 1'000'000'000)
        return printed("%.1f %s", static_cast<double>(ns) / 1e6, "ms");
    return printed("%.3f %s", static_cast<double>(ns) / 1e9, "s");
}

std::string size_text(std::uint64_t bytes) {
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    if (bytes < 1024 * 1024)
        return printed("%.1f %s", static_cast<double>(bytes) / 1024, "KiB");
    if (bytes < 1024ull * 1024 * 1024)
        return printed("%.1f %s", static_cast<double>(bytes) / (1024 * 1024), "MiB");
    return printed("%.2f %s", static_cast<double>(bytes) / (1024.0 * 1024 * 1024), "GiB");
}

std::string wall_clock(std::int64_t unix_ns) {
    if (unix_ns == 0)
        return "unknown";
    const std::time_t seconds = static_cast<std::time_t>(unix_ns / 1'000'000'000);
    std::tm utc{};
    if (!gmtime_r(&seconds, &utc))
        return "unknown";
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
    return text;
}

std::string payload_name(iso::trace::PayloadCapture capture) {
    switch (capture) {
    case iso::trace::PayloadCapture::None: return "none";
    case iso::trace::PayloadCapture::Prefix: return "prefix";
    case iso::trace::PayloadCapture::Whole: return "whole";
    }
    return "unknown";
}

std::string system_error_text() { return std::strerror(errno); }

} // namespace isoctl
