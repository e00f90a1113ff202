// "Isolate.spawn with SendPort and ReceivePort": a spawned isolate answers
// through the SendPort it was started with.

#include <iso/iso.h>

#include <iostream>

void isolate_entry(iso::Value send_port) {
    // Worker isolate entry point
    int result = 0;
    for (int i = 1; i <= 100; i++) {
        result += i;
    }

    // Send result back to main isolate
    send_port.as_send_port().send(result);
}

iso::Future<void> async_main() {
    // Create ReceivePort to get messages
    iso::ReceivePort receive_port;

    // Spawn isolate with our entry point
    iso::spawn(isolate_entry, receive_port.send_port());

    // Wait for result
    iso::Value result = co_await receive_port.first();
    std::cout << "Sum from isolate: " << result.to_string() << '\n';

    // Clean up
    receive_port.close();
}

int main() { return iso::run_main(async_main); }
