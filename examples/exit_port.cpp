// "Isolate Exit Port": the exit port hears when the worker ends.

#include <iso/iso.h>

#include <iostream>
#include <string>

void short_lived_worker(iso::Value message) {
    const iso::SendPort send_port = message.as_send_port();
    send_port.send("Starting work");

    // Do some work
    int sum = 0;
    for (int i = 0; i < 1000; i++) {
        sum += i;
    }

    send_port.send("Work complete: " + std::to_string(sum));
    // Isolate exits here
}

iso::Future<void> async_main() {
    iso::ReceivePort receive_port;
    iso::ReceivePort exit_port;

    exit_port.listen([&](iso::Value message) {
        std::cout << "Isolate exited with message: " << message.to_string() << '\n';
        exit_port.close();
        // The Dart original never closes receivePort, so its `await for`
        // waits forever after the last line; here the exit notice ends it.
        receive_port.close();
    });

    iso::SpawnOptions options;
    options.on_exit = exit_port.send_port();
    iso::spawn(short_lived_worker, receive_port.send_port(), options);

    while (auto message = co_await receive_port.next()) {
        std::cout << "Received: " << message->to_string() << '\n';
    }
}

int main() { return iso::run_main(async_main); }
