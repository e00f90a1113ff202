// "Bidirectional Communication": each side owns a ReceivePort and hands the
// other its SendPort; `while (auto m = co_await port.next())` is `await for`.

#include <iso/iso.h>

#include <cstdint>
#include <iostream>

iso::Future<void> worker_isolate(iso::Value message) {
    const iso::SendPort main_send_port = message.as_send_port();

    // Create receive port for this isolate
    iso::ReceivePort worker_receive_port;

    // Send our send port to main isolate
    main_send_port.send(worker_receive_port.send_port());

    // Listen for messages
    while (auto request = co_await worker_receive_port.next()) {
        if (*request == iso::Value("shutdown")) {
            worker_receive_port.close();
            break;
        }

        // Process and respond
        std::int64_t squared = request->as_int() * request->as_int();
        main_send_port.send(squared);
    }
}

iso::Future<void> async_main() {
    iso::ReceivePort main_receive_port;

    // Spawn worker
    iso::spawn_async(worker_isolate, main_receive_port.send_port());

    // Get worker's send port. The Dart original reads it with `.first`, which
    // closes the port, and then runs `await for` over the same port, so Dart
    // stops with "Bad state: Stream has already been listened to". Reading
    // every message with next() is what the program means.
    const auto handshake = co_await main_receive_port.next();
    const iso::SendPort worker_send_port = handshake.value().as_send_port();

    // Send messages to worker
    worker_send_port.send(5);
    worker_send_port.send(10);
    worker_send_port.send(15);

    // Receive responses
    int count = 0;
    while (auto response = co_await main_receive_port.next()) {
        std::cout << "Received: " << response->to_string() << '\n';
        count++;

        if (count == 3) {
            worker_send_port.send("shutdown");
            break;
        }
    }

    main_receive_port.close();
    std::cout << "Communication complete\n";
}

int main() { return iso::run_main(async_main); }
