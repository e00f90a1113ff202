#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

/// The stretch of a trace's time that a flow view shows along one axis:
/// where it starts and how many nanoseconds one pixel holds. Zooms from a
/// nanosecond a pixel out to the whole trace, and keeps within the trace
/// while panning. A plain value.
class TimeWindow
{
public:
    /// Zoomed in no further than this: a nanosecond is the clock's grain.
    static constexpr double finestNsPerPixel = 0.01;

    std::uint64_t start() const { return m_start; }
    double nsPerPixel() const { return m_nsPerPixel; }
    /// The time at `pixel` from the window's start edge.
    std::uint64_t timeAt(double pixel) const
    {
        return static_cast<std::uint64_t>(std::max(0.0, static_cast<double>(m_start) + pixel * m_nsPerPixel));
    }
    /// Where `time` is, in pixels from the start edge (negative: before it).
    double pixelOf(std::uint64_t time) const
    {
        return (static_cast<double>(time) - static_cast<double>(m_start)) / m_nsPerPixel;
    }
    std::uint64_t endFor(double pixels) const { return timeAt(pixels); }

    void setStart(std::uint64_t start) { m_start = start; }
    /// Shows [from, to] across `pixels`.
    void show(std::uint64_t from, std::uint64_t to, double pixels)
    {
        m_start = from;
        m_nsPerPixel = std::max(finestNsPerPixel, static_cast<double>(std::max(to, from + 1) - from) / std::max(pixels, 1.0));
    }
    /// Multiplies the time a pixel holds by `factor` (below 1: zoom in),
    /// keeping the time under `pixel` where it is.
    void zoom(double factor, double pixel)
    {
        const double anchor = static_cast<double>(m_start) + pixel * m_nsPerPixel;
        m_nsPerPixel = std::max(finestNsPerPixel, m_nsPerPixel * factor);
        m_start = static_cast<std::uint64_t>(std::max(0.0, anchor - pixel * m_nsPerPixel));
    }
    /// Moves the view by `pixels` (positive: later).
    void pan(double pixels)
    {
        m_start = static_cast<std::uint64_t>(std::max(0.0, static_cast<double>(m_start) + pixels * m_nsPerPixel));
    }
    /// Keeps [start, start + pixels) overlapping [begin, end], and no
    /// wider than it needs to be to show all of it.
    void clamp(std::uint64_t begin, std::uint64_t end, double pixels)
    {
        const double span = static_cast<double>(std::max(end, begin + 1) - begin);
        m_nsPerPixel = std::min(m_nsPerPixel, span * 1.05 / std::max(pixels, 1.0));
        m_nsPerPixel = std::max(finestNsPerPixel, m_nsPerPixel);
        const double shown = pixels * m_nsPerPixel;
        const double earliest = static_cast<double>(begin) - shown * 0.02;
        const double latest = static_cast<double>(end) - shown * 0.1;
        m_start = static_cast<std::uint64_t>(
            std::max(0.0, std::clamp(static_cast<double>(m_start), std::min(earliest, latest), std::max(earliest, latest))));
    }

private:
    std::uint64_t m_start = 0;
    double m_nsPerPixel = 1e6;
};

/// The distance between labelled ticks on a time axis: 1, 2 or 5 times a
/// power of ten nanoseconds, at least `minPixels` apart at `nsPerPixel`.
inline std::uint64_t tickStep(double nsPerPixel, double minPixels)
{
    const double least = std::max(1.0, nsPerPixel * minPixels);
    double step = std::pow(10.0, std::floor(std::log10(least)));
    for (double multiple : {1.0, 2.0, 5.0, 10.0}) {
        if (step * multiple >= least)
            return static_cast<std::uint64_t>(step * multiple);
    }
    return static_cast<std::uint64_t>(step * 10.0);
}
