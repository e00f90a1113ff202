// "Killing Isolates": kill(Priority::Immediate) ends a worker that would
// otherwise run forever.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

iso::Future<void> endless_worker(iso::Value message) {
    const iso::SendPort send_port = message.as_send_port();
    int count = 0;
    while (true) {
        count++;
        send_port.send("Message " + std::to_string(count));
        co_await iso::delay(500ms);
    }
}

iso::Future<void> async_main() {
    iso::ReceivePort receive_port;
    // The Dart original sleeps five seconds to let the kill happen; waiting
    // for the worker's exit notice says the same without guessing a time.
    iso::ReceivePort exit_port;

    iso::SpawnOptions options;
    options.on_exit = exit_port.send_port();
    iso::Isolate isolate = iso::spawn_async(endless_worker, receive_port.send_port(), options);

    int message_count = 0;

    receive_port.listen([&](iso::Value message) {
        std::cout << message.to_string() << '\n';
        message_count++;

        if (message_count >= 5) {
            std::cout << "Killing isolate...\n";
            isolate.kill(iso::Priority::Immediate);
            receive_port.close();
        }
    });

    co_await exit_port.first();
    std::cout << "Main isolate exiting\n";
}

int main() { return iso::run_main(async_main); }
