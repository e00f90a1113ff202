#pragma once
/// A byte buffer whose ownership moves between isolates without a copy.

#include <cstdint>
#include <vector>

namespace iso {

using Bytes = std::vector<std::uint8_t>;

/// Dart's `TransferableTypedData`: the bytes are handed over, never copied.
/// Move-only; once moved into a `Value` and sent, the receiver takes the bytes
/// out with `Value::materialize()`, exactly once.
/// @threadsafe: no; it belongs to whoever holds it.
class Transferable {
public:
    Transferable() = default;
    explicit Transferable(Bytes bytes) noexcept : bytes_(std::move(bytes)) {}

    Transferable(Transferable&&) noexcept = default;
    Transferable& operator=(Transferable&&) noexcept = default;
    Transferable(const Transferable&) = delete;
    Transferable& operator=(const Transferable&) = delete;

    std::size_t size() const noexcept { return bytes_.size(); }
    const std::uint8_t* data() const noexcept { return bytes_.data(); }

    /// Takes the bytes out; the buffer is empty afterwards.
    Bytes take() && noexcept { return std::move(bytes_); }

private:
    Bytes bytes_;
};

} // namespace iso
