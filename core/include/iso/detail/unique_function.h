#pragma once
// A move-only `void()` callable: continuations and events capture promises
// and transferables, which std::function (copyable only) cannot hold.

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace iso::detail {

/// Memory for the callables: they are made on one thread and run and
/// freed on another, as events are (see the runtime's objectmemory.h).
void* allocate_task(std::size_t size);
void free_task(void* memory) noexcept;

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
        static void* operator new(std::size_t size) { return allocate_task(size); }
        static void operator delete(void* memory) noexcept { free_task(memory); }
        // Over-aligned callables, rare, take the general allocator's way.
        static void* operator new(std::size_t size, std::align_val_t align) { return ::operator new(size, align); }
        static void operator delete(void* memory, std::align_val_t align) noexcept { ::operator delete(memory, align); }
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
