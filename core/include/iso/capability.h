#pragma once
/// An unforgeable token that grants a right (pausing, resuming, terminating).

#include <cstdint>
#include <functional>

namespace iso {

/// A capability is compared by identity only. A default-constructed one is
/// new and different from every other (Dart's `Capability()`).
/// @threadsafe: a plain value.
class Capability {
public:
    /// A fresh capability, unique within this process and hard to guess.
    Capability();

    /// Rebuilds a capability from its id (decoding, the network, JSON).
    static Capability from_id(std::uint64_t id) noexcept { return Capability(id, 0); }

    std::uint64_t id() const noexcept { return id_; }

    friend bool operator==(const Capability&, const Capability&) = default;

private:
    Capability(std::uint64_t id, int) noexcept : id_(id) {}
    std::uint64_t id_;
};

} // namespace iso

template <> struct std::hash<iso::Capability> {
    std::size_t operator()(const iso::Capability& c) const noexcept { return std::hash<std::uint64_t>{}(c.id()); }
};
