// "Basic Isolate with Isolate.run": iso::run runs a computation on a new
// isolate, completes with its result and ends the isolate.

#include <iso/iso.h>

#include <cstdint>
#include <iostream>
#include <string>

iso::Future<void> async_main() {
    // Simple computation in isolate
    std::int64_t result = co_await iso::run([] {
        std::int64_t sum = 0;
        for (int i = 1; i <= 1000000; i++) {
            sum += i;
        }
        return sum;
    });

    std::cout << "Sum: " << result << '\n';

    // With parameter passing
    std::string message = co_await iso::run([] {
        return std::string("Hello there! from isolate");
    });

    std::cout << message << '\n';
}

int main() { return iso::run_main(async_main); }
