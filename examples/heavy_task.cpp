// "Computing Heavy Task in Isolate": CPU-bound work on its own isolate while
// the main isolate stays free.
//
// The Dart original computes fibonacci(42), which takes seconds; fibonacci(30)
// shows the same and keeps the test run short.

#include <iso/iso.h>

#include <chrono>
#include <cstdint>
#include <iostream>

std::int64_t fibonacci(std::int64_t n) {
    if (n <= 1) return n;
    return fibonacci(n - 1) + fibonacci(n - 2);
}

iso::Future<void> async_main() {
    std::cout << "Starting heavy computation...\n";

    const auto start = std::chrono::steady_clock::now();

    // Run in isolate
    std::int64_t result = co_await iso::run([] { return fibonacci(30); });

    const auto elapsed = std::chrono::steady_clock::now() - start;

    std::cout << "Fibonacci(30) = " << result << '\n';
    std::cout << "Time: " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << "ms\n";
    std::cout << "Main thread remained responsive\n";
}

int main() { return iso::run_main(async_main); }
