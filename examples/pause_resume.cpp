// "Pausing and Resuming Isolates": pause() holds the worker's events
// (its timers included) until resume() with the same capability.

#include <iso/iso.h>

#include <chrono>
#include <iostream>
#include <string>

using namespace std::chrono_literals;

iso::Future<void> controllable_worker(iso::Value message) {
    const iso::SendPort send_port = message.as_send_port();
    int counter = 0;

    while (counter < 20) {
        counter++;
        send_port.send("Count: " + std::to_string(counter));
        co_await iso::delay(100ms);
    }

    send_port.send("Done");
}

iso::Future<void> async_main() {
    iso::ReceivePort receive_port;

    iso::Isolate isolate = iso::spawn_async(controllable_worker, receive_port.send_port());

    int message_count = 0;

    // The Dart original returns from main here (its closures keep the locals
    // alive); the listener below uses async_main's locals, so async_main
    // waits until the port closes.
    iso::Promise<void> closed;
    iso::Future<void> receive_port_closed = closed.future();

    receive_port.listen(
        [&](iso::Value message) {
            std::cout << message.to_string() << '\n';
            message_count++;

            // Pause after 5 messages
            if (message_count == 5) {
                std::cout << "Pausing isolate...\n";
                iso::Capability capability = isolate.pause();

                // Resume after delay
                iso::Timer::once(2s, [isolate, capability] {
                    std::cout << "Resuming isolate...\n";
                    isolate.resume(capability);
                });
            }

            if (message == iso::Value("Done")) {
                receive_port.close();
                isolate.kill();
            }
        },
        [&closed] { closed.set_value(); });

    co_await receive_port_closed;
}

int main() { return iso::run_main(async_main); }
