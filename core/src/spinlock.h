#pragma once
// A lock for data that is touched rarely and briefly (an isolate's control
// queue): one byte, where std::mutex takes forty in every isolate.

#include <atomic>
#include <thread>

namespace iso::detail {

class SpinLock {
public:
    void lock() noexcept {
        while (locked_.exchange(true, std::memory_order_acquire))
            while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

} // namespace iso::detail
