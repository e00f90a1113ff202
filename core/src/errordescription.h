#pragma once
// Turns any exception into the message and location an error report carries.

#include <exception>
#include <string>

namespace iso::detail {

/// Thrown by iso::exit() to unwind the running handler. Not derived from
/// std::exception so that `catch (const std::exception&)` lets it pass.
struct ExitSignal {};

struct ErrorDescription {
    std::string message;
    /// A source location for iso::Exception; else the exception's type and
    /// the isolate it was thrown on.
    std::string where;
};

/// `error` must not be an ExitSignal.
ErrorDescription describe(std::exception_ptr error, const std::string& isolate_name);

} // namespace iso::detail
