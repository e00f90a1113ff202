#pragma once
// Control messages: they travel ahead of ordinary events and are handled
// even while the isolate is paused.

#include <iso/capability.h>
#include <iso/error.h>
#include <iso/fault.h>
#include <iso/isolate.h>
#include <iso/mailbox.h>
#include <iso/sendport.h>
#include <iso/value.h>

#include <memory>
#include <optional>

namespace iso::detail {

/// Where the isolate answers a tool's question (pending, drop_pending). A
/// question dropped unanswered, because the isolate ended first or never
/// was, fails with BrokenPromise: its asker must never wait forever.
template <typename T> class Reply {
public:
    Reply() = default;
    explicit Reply(Promise<T> promise) : promise_(std::make_unique<Promise<T>>(std::move(promise))) {}
    Reply(Reply&&) noexcept = default;
    Reply& operator=(Reply&& other) noexcept {
        if (this == &other) return *this;
        Reply replaced(std::move(*this));  // fails the question it held, if any
        promise_ = std::move(other.promise_);
        return *this;
    }
    ~Reply() {
        if (promise_) promise_->set_error(BrokenPromise("the isolate has ended", ""));
    }

    void answer(T value) { std::exchange(promise_, nullptr)->set_value(std::move(value)); }
    template <typename E> void fail(E error) { std::exchange(promise_, nullptr)->set_error(std::move(error)); }

private:
    std::unique_ptr<Promise<T>> promise_;
};

struct ControlMessage {
    enum class Kind : std::uint8_t {
        Pause, Resume, Kill, Ping,
        AddErrorListener, RemoveErrorListener,
        AddExitListener, RemoveExitListener,
        SetErrorsFatal,
        Step, Inspect, Drop,
        Inject,
    };
    ControlMessage() = default;
    explicit ControlMessage(Kind k, Priority p = Priority::BeforeNextEvent) : kind(k), priority(p) {}

    Kind kind = Kind::Ping;
    Priority priority = Priority::BeforeNextEvent;
    /// The capability presented: the pause or terminate capability the
    /// sender holds, or the capability that names a pause.
    std::optional<Capability> authority;
    std::optional<Capability> pause_id;
    SendPort port;
    Value response;
    bool flag = false;
    /// Inspect: the most events to list; Drop: the ordinal.
    std::uint64_t number = 0;
    Reply<MailboxView> view;
    Reply<bool> dropped;
    /// Inject: the failure to make.
    Fault fault;
    /// The isolate that sent it (0: outside isolates), for tracing.
    IsolateId requester = 0;
};

/// Delivers `message` to the isolate behind `control_port`; a dead or
/// unknown isolate ignores it (as Dart does). @threadsafe
void send_control(const SendPort& control_port, ControlMessage message);

} // namespace iso::detail
