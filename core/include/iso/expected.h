#pragma once
/// A value or the error that prevented it (std::expected arrives with C++23).

#include <stdexcept>
#include <utility>
#include <variant>

namespace iso {

template <typename E> struct Unexpected {
    E error;
};
template <typename E> Unexpected(E) -> Unexpected<E>;

/// Either a `T` or an `E`. Accessing the wrong one throws std::logic_error.
template <typename T, typename E> class Expected {
public:
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Expected(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { check(); return std::get<0>(v_); }
    const T& value() const& { check(); return std::get<0>(v_); }
    T&& value() && { check(); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const {
        if (has_value()) throw std::logic_error("iso::Expected: error() called on a value");
        return std::get<1>(v_);
    }

private:
    void check() const {
        if (!has_value()) throw std::logic_error("iso::Expected: value() called on an error");
    }
    std::variant<T, E> v_;
};

} // namespace iso
