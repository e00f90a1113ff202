#pragma once
/// The receiving ends of ports, owned by the isolate that creates them.

#include <iso/future.h>
#include <iso/sendport.h>
#include <iso/value.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace iso {

/// A port with a plain handler: each message is one call (Dart's
/// `RawReceivePort`). While open it keeps its isolate alive, unless
/// `keep_isolate_alive(false)`. Destroying the handle does not close it.
/// @threadsafe: only the owning isolate may call members, except send_port().
class RawReceivePort {
public:
    /// Opens a port on the current isolate; throws StateError outside one.
    explicit RawReceivePort(std::function<void(Value)> handler = {});

    void set_handler(std::function<void(Value)> handler);
    SendPort send_port() const;
    /// Messages not yet handled become dead letters.
    void close();
    bool is_closed() const;
    void keep_isolate_alive(bool keep);

private:
    friend struct detail::PortAccess;
    std::shared_ptr<detail::PortCell> cell_;
};

/// A port whose messages form a single-subscription stream (Dart's
/// `ReceivePort`): messages are buffered until `listen`, `first` or `next`
/// asks for them. Keeps its isolate alive while open.
/// @threadsafe: only the owning isolate may call members, except send_port().
class ReceivePort {
public:
    /// Opens a port on the current isolate; throws StateError outside one.
    ReceivePort();

    SendPort send_port() const;

    /// Delivers every message, buffered ones first, to `on_data`; `on_done`
    /// runs once the port is closed. A second listener throws StateError.
    void listen(std::function<void(Value)> on_data, std::function<void()> on_done = {});
    /// The first message; closes the port. Fails with StateError if the port
    /// closes first.
    Future<Value> first();
    /// The next message, or nothing once the port is closed and drained:
    /// `while (auto m = co_await port.next()) { ... }` is Dart's `await for`.
    Future<std::optional<Value>> next();
    /// Closes the port; buffered, unread messages become dead letters.
    void close();
    bool is_closed() const;

private:
    struct Stream;
    std::shared_ptr<Stream> stream_;
};

} // namespace iso
