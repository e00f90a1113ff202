#include <iso/observer.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace iso {

namespace {

// Values below 4 have a bucket each; above, each power of two [2^(e-1), 2^e)
// is split into four equal buckets by the two bits after the leading one.
std::size_t bucket_of(std::uint64_t v, std::size_t buckets) {
    const int e = std::bit_width(v);
    if (e <= 2) return static_cast<std::size_t>(v);
    const std::size_t sub = (v >> (e - 3)) & 3;
    return std::min(static_cast<std::size_t>(4 * (e - 2)) + sub, buckets - 1);
}

std::uint64_t upper_bound_of(std::size_t index) {
    if (index < 4) return index;
    const int e = static_cast<int>(index / 4) + 2;
    const std::uint64_t width = std::uint64_t{1} << (e - 3);
    return (std::uint64_t{1} << (e - 1)) + (index % 4) * width + width - 1;
}

} // namespace

void Histogram::add(std::uint64_t nanoseconds) noexcept {
    ++buckets_[bucket_of(nanoseconds, buckets_.size())];
    ++count_;
    max_ = std::max(max_, nanoseconds);
}

std::uint64_t Histogram::quantile(double q) const noexcept {
    if (count_ == 0) return 0;
    const auto wanted = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= std::max<std::uint64_t>(wanted, 1)) return std::min(upper_bound_of(i), max_);
    }
    return max_;
}

void Histogram::merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
}

Histogram Histogram::since(const Histogram& earlier) const noexcept {
    Histogram d;
    std::size_t highest = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        // Not an earlier copy (a bucket went down): that bucket counts nothing.
        d.buckets_[i] = buckets_[i] - std::min(buckets_[i], earlier.buckets_[i]);
        d.count_ += d.buckets_[i];
        if (d.buckets_[i] != 0) highest = i;
    }
    // The last bucket also holds everything above its bound.
    if (d.count_ != 0) d.max_ = highest + 1 == buckets_.size() ? max_ : std::min(upper_bound_of(highest), max_);
    return d;
}

} // namespace iso
