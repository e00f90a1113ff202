// "Long-Running Isolate with Command Pattern": one worker serves typed
// commands, each carrying the port its answer goes to.
//
// Dart sends the Command object itself. In libiso a message is an iso::Value,
// so a user type crosses isolates as a map built from its fields and is
// rebuilt on the other side.

#include <iso/iso.h>

#include <cstdint>
#include <iostream>
#include <numeric>
#include <optional>
#include <string>

struct Command {
    std::string type;
    iso::Value data;
    std::optional<iso::SendPort> reply_port;

    iso::Value to_value() const {
        return iso::Value::map({
            {"type", type},
            {"data", data},
            {"reply_port", reply_port ? iso::Value(*reply_port) : iso::Value()},
        });
    }

    /// Nothing when `value` is not a command (Dart's `message is Command`).
    static std::optional<Command> from_value(const iso::Value& value) {
        if (!value.is_map() || !value["type"].is_string()) return std::nullopt;
        const iso::Value& reply = value["reply_port"];
        return Command{value["type"].as_string(), value["data"],
                       reply.is_send_port() ? std::optional(reply.as_send_port()) : std::nullopt};
    }
};

iso::Future<void> command_processor(iso::Value message) {
    const iso::SendPort main_send_port = message.as_send_port();
    iso::ReceivePort command_port;
    main_send_port.send(command_port.send_port());

    while (auto incoming = co_await command_port.next()) {
        if (auto command = Command::from_value(*incoming)) {
            if (command->type == "square") {
                std::int64_t result = command->data.as_int() * command->data.as_int();
                if (command->reply_port) command->reply_port->send(result);
            } else if (command->type == "sum") {
                const iso::List& numbers = command->data.as_list();
                std::int64_t sum = std::accumulate(numbers.begin(), numbers.end(), std::int64_t{0},
                                                   [](std::int64_t a, const iso::Value& b) { return a + b.as_int(); });
                if (command->reply_port) command->reply_port->send(sum);
            } else if (command->type == "exit") {
                command_port.close();
                co_return;
            } else {
                if (command->reply_port) command->reply_port->send("Unknown command: " + command->type);
            }
        }
    }
}

iso::Future<void> async_main() {
    iso::ReceivePort main_port;

    iso::spawn_async(command_processor, main_port.send_port());
    iso::SendPort command_sender = (co_await main_port.first()).as_send_port();

    // Send various commands
    iso::ReceivePort reply_port1;
    command_sender.send(Command{"square", 7, reply_port1.send_port()}.to_value());
    iso::Value square = co_await reply_port1.first();
    std::cout << "Square result: " << square.to_string() << '\n';
    reply_port1.close();

    iso::ReceivePort reply_port2;
    command_sender.send(Command{"sum", iso::Value::list({1, 2, 3, 4, 5}), reply_port2.send_port()}.to_value());
    iso::Value sum = co_await reply_port2.first();
    std::cout << "Sum result: " << sum.to_string() << '\n';
    reply_port2.close();

    // Shutdown
    command_sender.send(Command{"exit", nullptr, std::nullopt}.to_value());
    main_port.close();
}

int main() { return iso::run_main(async_main); }
