// "Isolate Error Port": an uncaught error ends the worker, and its error port
// receives the list [message, where it was thrown] (Dart: [message, stack trace]).

#include <iso/iso.h>

#include <cstdint>
#include <exception>
#include <iostream>
#include <stdexcept>

// Dart's `~/` throws on a zero divisor; C++ integer division by zero is
// undefined behaviour, so the divisor is checked first.
std::int64_t truncating_divide(std::int64_t dividend, std::int64_t divisor) {
    if (divisor == 0) throw iso::Exception("IntegerDivisionByZeroException");
    return dividend / divisor;
}

void risky_worker(iso::Value message) {
    const std::int64_t input = message.as_int();
    if (input < 0) {
        throw std::invalid_argument("Negative input not allowed");
    }

    // Simulate processing
    std::int64_t result = truncating_divide(100, input);
    std::cout << "Result: " << result << '\n';
}

iso::Future<void> async_main() {
    iso::ReceivePort error_port;

    // The Dart original waits a second for the listener; here the listener
    // uses async_main's locals, so async_main waits until the port closes.
    iso::Promise<void> closed;
    iso::Future<void> error_port_closed = closed.future();

    // Configure error handling
    error_port.listen(
        [&](iso::Value error_data) {
            std::cout << "Error captured:\n";
            std::cout << "  Message: " << error_data[0].to_string() << '\n';
            std::cout << "  Stack trace: " << error_data[1].to_string() << '\n';
            error_port.close();
        },
        [&closed] { closed.set_value(); });

    try {
        // Spawn with error port
        iso::SpawnOptions options;
        options.on_error = error_port.send_port();
        iso::spawn(risky_worker,
                   0,  // This will cause division by zero
                   options);
    } catch (const std::exception& e) {
        std::cout << "Spawn error: " << e.what() << '\n';
    }

    co_await error_port_closed;
}

int main() { return iso::run_main(async_main); }
