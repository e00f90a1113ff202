#pragma once
/// Asynchronous results: `co_await` them inside an isolate, chain them with
/// `then`, or block on them with `get()` outside isolates.

#include <iso/detail/unique_function.h>
#include <iso/error.h>

#include <atomic>
#include <coroutine>
#include <exception>
#include <vector>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace iso {

template <typename T> class Future;
template <typename T> class Promise;

namespace detail {

/// Runs `fn` later as an ordinary event of the isolate current at the time of
/// the call, keeping that isolate alive until then; outside isolates it
/// returns `fn` unchanged, to run on whichever thread completes the future.
UniqueFunction bind_to_current_isolate(UniqueFunction fn);

/// Like bind_to_current_isolate for a suspended coroutine; the isolate also
/// destroys the coroutine if it ends before the resumption runs.
UniqueFunction resume_on_current_isolate(std::coroutine_handle<> handle);

/// Throws StateError when called on an isolate thread (get() would block it).
void check_may_block(const char* what);

/// Reports a failed fire-and-forget future as an uncaught error of the
/// current isolate (Dart's unhandled async error).
void report_uncaught(std::exception_ptr error);

struct Unit {};
template <typename T> using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;

/// What a Future and its Promise share. Completes once; one continuation.
/// @threadsafe
template <typename T> class SharedState {
public:
    bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

    template <typename... A> void set_value(A&&... args) {
        finish([&] { result_.template emplace<1>(std::forward<A>(args)...); });
    }
    void set_error(std::exception_ptr e) {
        finish([&] { result_.template emplace<2>(std::move(e)); });
    }

    /// Runs `k` once the state is ready (at once, on this thread, if it is).
    void on_ready(UniqueFunction k) {
        {
            std::lock_guard lock(mutex_);
            if (!ready_.load(std::memory_order_relaxed)) {
                continuation_ = std::move(k);
                return;
            }
        }
        k();
    }

    void wait() const {
        while (!ready_.load(std::memory_order_acquire)) ready_.wait(false, std::memory_order_acquire);
    }

    bool has_error() const noexcept { return result_.index() == 2; }
    std::exception_ptr error() const noexcept { return has_error() ? std::get<2>(result_) : nullptr; }

    /// Moves the value out, or rethrows the error. Only after ready().
    Stored<T> take() {
        if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
        return std::move(std::get<1>(result_));
    }

private:
    template <typename F> void finish(F&& store) {
        UniqueFunction k;
        {
            std::lock_guard lock(mutex_);
            if (ready_.load(std::memory_order_relaxed)) return;  // completes once; later ones are ignored
            store();
            k = std::move(continuation_);
            ready_.store(true, std::memory_order_release);
        }
        ready_.notify_all();
        if (k) k();
    }

    mutable std::mutex mutex_;
    std::atomic<bool> ready_{false};
    std::variant<std::monostate, Stored<T>, std::exception_ptr> result_;
    UniqueFunction continuation_;
};

template <typename T> struct PromiseType;

template <typename F, typename A> struct ThenResult {
    using type = std::invoke_result_t<F, A>;
};
template <typename F> struct ThenResult<F, void> {
    using type = std::invoke_result_t<F>;
};

} // namespace detail

/// The writing end of a Future. Completing it twice is ignored; destroying it
/// uncompleted fails the future with BrokenPromise.
/// @threadsafe: may be completed from any thread.
template <typename T> class Promise {
public:
    Promise() : state_(std::make_shared<detail::SharedState<T>>()) {}
    Promise(Promise&&) noexcept = default;
    Promise& operator=(Promise&& other) noexcept {
        if (this != &other) {
            abandon();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    Promise(const Promise&) = delete;
    Promise& operator=(const Promise&) = delete;
    ~Promise() { abandon(); }

    /// The future; call once.
    Future<T> future() { return Future<T>(state_); }

    template <typename... A> void set_value(A&&... args) { state_->set_value(std::forward<A>(args)...); }
    void set_exception(std::exception_ptr e) { state_->set_error(std::move(e)); }
    template <typename E> void set_error(E error) { set_exception(std::make_exception_ptr(std::move(error))); }

private:
    void abandon() noexcept {
        if (state_ && !state_->ready()) {
            state_->set_error(std::make_exception_ptr(
                BrokenPromise("the promise was abandoned before it was completed", "")));
        }
    }
    std::shared_ptr<detail::SharedState<T>> state_;
};

/// An asynchronous result of type T (or void). Move-only: consume it once,
/// with `co_await`, `then` or `get`.
///
/// A function returning Future<T> may be a coroutine: it runs at once up to
/// its first `co_await` of a pending future, and resumes as an event of the
/// isolate it runs on, so its state is only ever touched by that isolate.
template <typename T> class [[nodiscard]] Future {
public:
    using promise_type = detail::PromiseType<T>;
    using value_type = T;

    Future() = default;
    explicit Future(std::shared_ptr<detail::SharedState<T>> state) noexcept : state_(std::move(state)) {}

    /// A future that is complete already.
    template <typename... A> static Future ready(A&&... args) {
        Promise<T> p;
        p.set_value(std::forward<A>(args)...);
        return p.future();
    }
    static Future failed(std::exception_ptr e) {
        Promise<T> p;
        p.set_exception(std::move(e));
        return p.future();
    }

    bool valid() const noexcept { return state_ != nullptr; }
    bool is_ready() const noexcept { return state_ && state_->ready(); }

    /// Blocks until ready and returns the value or throws the error. Only
    /// outside isolates: inside one it throws StateError (use co_await).
    detail::Stored<T> get() && { return wait_and_take(); }
    detail::Stored<T> get() & { return wait_and_take(); }

    /// Calls `fn` with the value once it is ready, as an event of the calling
    /// isolate (outside isolates: on the thread that completes the future).
    /// An error skips `fn` and passes on. `fn` may return a Future, which is
    /// flattened.
    template <typename F> auto then(F fn) &&;

    /// Calls `fn()` once the future is ready, without consuming it: `get()`
    /// then returns at once. Outside isolates `fn` runs on the thread that
    /// completes the future, or at once if it is ready: the bridge for code
    /// that must not block, such as a GUI, which posts to its own thread from
    /// `fn`. Inside an isolate `fn` runs as an event of the calling isolate.
    /// A future has one continuation: call this once, and neither `then` nor
    /// `co_await` the future as well. Keep the future to read it in `fn`.
    /// @threadsafe
    template <typename F> void on_ready(F fn) const&;

    // Awaiter interface.
    bool await_ready() const noexcept { return state_->ready(); }
    void await_suspend(std::coroutine_handle<> h) { state_->on_ready(detail::resume_on_current_isolate(h)); }
    detail::Stored<T> await_resume() { return state_->take(); }

    /// For the runtime: where the result lands.
    const std::shared_ptr<detail::SharedState<T>>& state() const noexcept { return state_; }

private:
    detail::Stored<T> wait_and_take() {
        if (!state_) throw StateError("iso::Future: get() on an empty future");
        if (!state_->ready()) {
            detail::check_may_block("iso::Future::get()");
            state_->wait();
        }
        return state_->take();
    }

    std::shared_ptr<detail::SharedState<T>> state_;
};

namespace detail {

template <typename T> struct IsFuture : std::false_type {};
template <typename T> struct IsFuture<Future<T>> : std::true_type {};

/// Completes `promise` with what `fn(args...)` gives, flattening a Future.
template <typename R, typename F, typename... A> void complete_with(Promise<R>& promise, F& fn, A&&... args) {
    using Result = std::invoke_result_t<F&, A...>;
    try {
        if constexpr (IsFuture<Result>::value) {
            auto inner = std::make_shared<Result>(fn(std::forward<A>(args)...));
            auto p = std::make_shared<Promise<R>>(std::move(promise));
            inner->state()->on_ready([inner, p] {
                try {
                    if constexpr (std::is_void_v<R>) {
                        inner->state()->take();
                        p->set_value();
                    } else {
                        p->set_value(inner->state()->take());
                    }
                } catch (...) {
                    p->set_exception(std::current_exception());
                }
            });
        } else if constexpr (std::is_void_v<Result>) {
            fn(std::forward<A>(args)...);
            promise.set_value();
        } else {
            promise.set_value(fn(std::forward<A>(args)...));
        }
    } catch (...) {
        promise.set_exception(std::current_exception());
    }
}

template <typename T> struct Unwrap {
    using type = T;
};
template <typename T> struct Unwrap<Future<T>> {
    using type = T;
};

template <typename T> struct PromiseBase {
    Promise<T> promise;
    Future<T> get_return_object() { return promise.future(); }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void unhandled_exception() { promise.set_exception(std::current_exception()); }
};

template <typename T> struct PromiseType : PromiseBase<T> {
    template <typename U> void return_value(U&& v) { this->promise.set_value(std::forward<U>(v)); }
};
template <> struct PromiseType<void> : PromiseBase<void> {
    void return_void() { this->promise.set_value(); }
};

} // namespace detail

template <typename T> template <typename F> auto Future<T>::then(F fn) && {
    using Raw = typename detail::ThenResult<F, T>::type;
    using R = typename detail::Unwrap<Raw>::type;
    if (!state_) throw StateError("iso::Future: then() on an empty future");
    Promise<R> next;
    Future<R> result = next.future();
    auto state = std::move(state_);
    auto job = [state, fn = std::move(fn), next = std::make_shared<Promise<R>>(std::move(next))]() mutable {
        if (state->has_error()) {
            next->set_exception(state->error());
            return;
        }
        if constexpr (std::is_void_v<T>) {
            detail::complete_with(*next, fn);
        } else {
            detail::complete_with(*next, fn, state->take());
        }
    };
    state->on_ready(detail::bind_to_current_isolate(std::move(job)));
    return result;
}

template <typename T> template <typename F> void Future<T>::on_ready(F fn) const& {
    static_assert(std::is_invocable_v<F&>, "Future::on_ready takes a callable with no arguments");
    if (!state_) throw StateError("iso::Future: on_ready() on an empty future");
    state_->on_ready(detail::bind_to_current_isolate(std::move(fn)));
}

/// A future that completes when all of `futures` have, with their values in
/// order, or with the first error.
template <typename T> Future<std::vector<T>> when_all(std::vector<Future<T>> futures) {
    struct Gather {
        std::mutex mutex;
        std::vector<std::optional<T>> values;
        std::size_t left;
        Promise<std::vector<T>> promise;
    };
    auto g = std::make_shared<Gather>();
    g->values.resize(futures.size());
    g->left = futures.size();
    Future<std::vector<T>> result = g->promise.future();
    if (futures.empty()) g->promise.set_value();
    for (std::size_t i = 0; i < futures.size(); ++i) {
        auto state = futures[i].state();
        state->on_ready([g, state, i] {
            std::unique_lock lock(g->mutex);
            if (state->has_error()) {
                lock.unlock();
                g->promise.set_exception(state->error());
                return;
            }
            g->values[i].emplace(state->take());
            if (--g->left != 0) return;
            std::vector<T> out;
            out.reserve(g->values.size());
            for (auto& v : g->values) out.push_back(std::move(*v));
            lock.unlock();
            g->promise.set_value(std::move(out));
        });
    }
    return result;
}

} // namespace iso
