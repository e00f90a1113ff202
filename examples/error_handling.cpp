// "Error Handling in Isolates": an error thrown inside iso::run comes back as
// iso::RemoteError; a spawned worker reports its own caught errors as
// ordinary messages, and uncaught ones would reach its error port.

#include <iso/iso.h>

#include <cstddef>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

// Dart's List checks every index and throws a RangeError; this spells that
// error the way Dart prints it (std::vector::at would word it differently).
int element_at(const std::vector<int>& list, std::size_t index) {
    if (index >= list.size()) {
        throw std::out_of_range("RangeError (index): Index out of range: index should be less than " +
                                std::to_string(list.size()) + ": " + std::to_string(index));
    }
    return list[index];
}

void faulty_worker(iso::Value message) {
    const iso::SendPort send_port = message.as_send_port();
    try {
        // Simulate work that might fail
        std::vector<int> numbers{1, 2, 3};
        int value = element_at(numbers, 10);  // Index out of bounds

        send_port.send(value);
    } catch (const std::exception& e) {
        send_port.send("Error: " + std::string(e.what()));
    }
}

iso::Future<void> async_main() {
    // Using iso::run with try-catch
    try {
        co_await iso::run([] { throw iso::Exception("Something went wrong in isolate"); });
    } catch (const iso::RemoteError& e) {
        // Dart prints an Exception as "Exception: <message>".
        std::cout << "Caught error from Isolate.run: Exception: " << e.message() << '\n';
    }

    // Using spawn with error handling
    iso::ReceivePort receive_port;
    iso::ReceivePort error_port;

    iso::SpawnOptions options;
    options.on_error = error_port.send_port();
    iso::spawn(faulty_worker, receive_port.send_port(), options);

    // The Dart original waits a second for the listeners below. Here the
    // listeners use async_main's locals, so async_main waits until the ports
    // have closed rather than for a guessed time.
    iso::Promise<void> closed;
    iso::Future<void> ports_closed = closed.future();

    // Listen for both messages and errors
    receive_port.listen(
        [&](iso::Value message) {
            std::cout << "Received: " << message.to_string() << '\n';
            receive_port.close();
            error_port.close();
        },
        [&closed] { closed.set_value(); });

    error_port.listen([&](iso::Value error) {
        std::cout << "Error port received: " << error.to_string() << '\n';
        receive_port.close();
        error_port.close();
    });

    co_await ports_closed;
}

int main() { return iso::run_main(async_main); }
