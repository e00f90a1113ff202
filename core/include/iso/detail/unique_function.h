#pragma once
// A move-only `void()` callable: continuations and events capture promises
// and transferables, which std::function (copyable only) cannot hold.

#include <memory>
#include <type_traits>
#include <utility>

namespace iso::detail {

class UniqueFunction {
public:
    UniqueFunction() = default;
    UniqueFunction(std::nullptr_t) noexcept {}
    template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, UniqueFunction>>>
    UniqueFunction(F&& f) : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}

    UniqueFunction(UniqueFunction&&) noexcept = default;
    UniqueFunction& operator=(UniqueFunction&&) noexcept = default;

    explicit operator bool() const noexcept { return impl_ != nullptr; }
    void operator()() { impl_->call(); }

private:
    struct Base {
        virtual ~Base() = default;
        virtual void call() = 0;
    };
    template <typename F> struct Impl final : Base {
        explicit Impl(F&& f) : fn(std::move(f)) {}
        explicit Impl(const F& f) : fn(f) {}
        void call() override { fn(); }
        F fn;
    };
    std::unique_ptr<Base> impl_;
};

} // namespace iso::detail
