#include "control.h"
#include "errordescription.h"
#include "isolatecore.h"
#include "runtimecore.h"

#include <iso/runtime.h>

#include <iso/isolate.h>

#include <iostream>

namespace iso {

using detail::ControlMessage;
using detail::IsolateCore;

Isolate::Isolate(SendPort control_port, std::optional<Capability> pause_capability,
                 std::optional<Capability> terminate_capability, std::string debug_name)
    : control_port_(std::move(control_port)),
      pause_capability_(pause_capability),
      terminate_capability_(terminate_capability),
      debug_name_(std::move(debug_name)) {}

Isolate Isolate::current() {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) throw StateError("Isolate::current() called outside an isolate");
    return Isolate(core->control_port(), core->pause_capability(), core->terminate_capability(),
                   core->debug_name());
}

Capability Isolate::pause(std::optional<Capability> resume_capability) const {
    const Capability id = resume_capability.value_or(Capability());
    ControlMessage m(ControlMessage::Kind::Pause);
    m.authority = pause_capability_;
    m.pause_id = id;
    detail::send_control(control_port_, std::move(m));
    return id;
}

void Isolate::resume(Capability resume_capability) const {
    ControlMessage m(ControlMessage::Kind::Resume);
    m.pause_id = resume_capability;
    detail::send_control(control_port_, std::move(m));
}

void Isolate::step() const {
    ControlMessage m(ControlMessage::Kind::Step);
    m.authority = pause_capability_;
    detail::send_control(control_port_, std::move(m));
}

namespace {

/// A question about the mailbox, put to the isolate's control handling.
template <typename T>
Future<T> ask_control(const SendPort& control_port, const std::optional<Capability>& pause_capability,
                      ControlMessage::Kind kind, std::uint64_t number, detail::Reply<T> ControlMessage::*reply) {
    if (!pause_capability)
        return Future<T>::failed(std::make_exception_ptr(StateError("iso::Isolate: needs the pause capability")));
    Promise<T> promise;
    Future<T> answer = promise.future();
    ControlMessage m(kind);
    m.authority = pause_capability;
    m.number = number;
    m.*reply = detail::Reply<T>(std::move(promise));
    detail::send_control(control_port, std::move(m));
    return answer;
}

} // namespace

Future<MailboxView> Isolate::pending(std::size_t limit) const {
    return ask_control(control_port_, pause_capability_, ControlMessage::Kind::Inspect, limit, &ControlMessage::view);
}

Future<bool> Isolate::drop_pending(std::uint64_t ordinal) const {
    return ask_control(control_port_, pause_capability_, ControlMessage::Kind::Drop, ordinal,
                       &ControlMessage::dropped);
}

void Isolate::kill(Priority priority) const {
    ControlMessage m(ControlMessage::Kind::Kill, priority);
    m.authority = terminate_capability_;
    detail::send_control(control_port_, std::move(m));
}

void Isolate::inject(const Fault& fault) const {
    ControlMessage m(ControlMessage::Kind::Inject, Priority::Immediate);
    m.authority = terminate_capability_;
    m.fault = fault;
    detail::send_control(control_port_, std::move(m));
}

namespace {

/// The control messages that name a port (and maybe a response) only.
void send_port_control(const SendPort& control_port, ControlMessage::Kind kind, SendPort port,
                       Value response = {}, Priority priority = Priority::BeforeNextEvent) {
    ControlMessage m(kind, priority);
    m.port = std::move(port);
    m.response = std::move(response);
    detail::send_control(control_port, std::move(m));
}

} // namespace

void Isolate::ping(SendPort response_port, Value response, Priority priority) const {
    send_port_control(control_port_, ControlMessage::Kind::Ping, std::move(response_port), std::move(response),
                      priority);
}

void Isolate::add_error_listener(SendPort port) const {
    send_port_control(control_port_, ControlMessage::Kind::AddErrorListener, std::move(port));
}

void Isolate::remove_error_listener(SendPort port) const {
    send_port_control(control_port_, ControlMessage::Kind::RemoveErrorListener, std::move(port));
}

void Isolate::add_on_exit_listener(SendPort port, Value response) const {
    send_port_control(control_port_, ControlMessage::Kind::AddExitListener, std::move(port), std::move(response));
}

void Isolate::remove_on_exit_listener(SendPort port) const {
    send_port_control(control_port_, ControlMessage::Kind::RemoveExitListener, std::move(port));
}

void Isolate::set_errors_fatal(bool fatal) const {
    ControlMessage m(ControlMessage::Kind::SetErrorsFatal);
    m.authority = terminate_capability_;
    m.flag = fatal;
    detail::send_control(control_port_, std::move(m));
}

Isolate spawn(Entry entry, Value message, SpawnOptions options) {
    return Runtime::current().spawn(std::move(entry), std::move(message), std::move(options));
}

Isolate spawn_async(AsyncEntry entry, Value message, SpawnOptions options) {
    return Runtime::current().spawn_async(std::move(entry), std::move(message), std::move(options));
}

void exit(SendPort port, Value message) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) throw StateError("iso::exit() called outside an isolate");
    if (port.valid()) port.send(std::move(message));
    core->request_exit();
    throw detail::ExitSignal{};
}

namespace detail {

Isolate spawn_task(Runtime* runtime, UniqueFunction task, std::string debug_name) {
    SpawnOptions options;
    options.debug_name = std::move(debug_name);
    Runtime& target = runtime != nullptr ? *runtime : Runtime::current();
    return target.core().spawn(std::move(task), std::move(options));
}

UniqueFunction bind_to_current_isolate(UniqueFunction fn) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) return fn;
    core->retain();
    return [target = core->shared_from_this(), fn = std::move(fn)]() mutable {
        target->post_task(std::move(fn), true);
    };
}

UniqueFunction resume_on_current_isolate(std::coroutine_handle<> handle) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) return [handle] { handle.resume(); };
    core->retain();
    core->track_suspended(handle);
    return [target = core->shared_from_this(), handle] { target->post_resume(handle); };
}

void check_may_block(const char* what) {
    if (IsolateCore* core = IsolateCore::current())
        throw StateError(std::string(what) + " would block isolate '" + core->debug_name() +
                         "'; use co_await or then() inside isolates");
}

void report_uncaught(std::exception_ptr error) {
    if (IsolateCore* core = IsolateCore::current()) {
        core->handle_uncaught(std::move(error));
        return;
    }
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        std::cerr << "iso: uncaught error outside isolates: " << e.what() << '\n';
    } catch (...) {
        std::cerr << "iso: uncaught error outside isolates\n";
    }
}

void finish_current_isolate() {
    if (IsolateCore* core = IsolateCore::current()) core->request_exit();
}

} // namespace detail

} // namespace iso
