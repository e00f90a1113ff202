#pragma once
/// Errors that cross isolate boundaries.

#include <source_location>
#include <stdexcept>
#include <string>

namespace iso {

/// An exception that remembers where it was thrown. Throw it (or derive from
/// it) in isolate code so that error listeners and `run` callers learn the
/// source location, not only the message.
class Exception : public std::runtime_error {
public:
    explicit Exception(const std::string& message,
                       std::source_location where = std::source_location::current());
    /// "file.cpp:42 in function"
    const std::string& where() const noexcept { return where_; }

private:
    std::string where_;
};

/// An error raised in another isolate: its message and where it was thrown
/// (a source location for iso::Exception, else the exception's type and the
/// isolate and event that were running). Dart's `RemoteError`.
class RemoteError : public std::runtime_error {
public:
    RemoteError(std::string message, std::string stack_trace);
    const std::string& message() const noexcept { return message_; }
    const std::string& stack_trace() const noexcept { return stack_trace_; }

private:
    std::string message_;
    std::string stack_trace_;
};

/// The isolate that was to complete a future ended first (it was killed, or
/// it failed, or it returned without answering).
class BrokenPromise : public RemoteError {
public:
    using RemoteError::RemoteError;
};

/// A call was made where it cannot work: a ReceivePort created outside an
/// isolate, `Future::get()` inside one, a second `listen`. Dart's `StateError`.
class StateError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

} // namespace iso
