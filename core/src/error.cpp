#include "errordescription.h"
#include "isolatecore.h"

#include <iso/error.h>

#include <cstdlib>
#include <cxxabi.h>

namespace iso {

namespace {

std::string format_location(const std::source_location& where) {
    return std::string(where.file_name()) + ":" + std::to_string(where.line()) + " in " + where.function_name();
}

std::string current_exception_type() {
    std::type_info* type = abi::__cxa_current_exception_type();
    if (type == nullptr) return "unknown exception";
    int status = 0;
    char* name = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
    std::string result = status == 0 && name != nullptr ? name : type->name();
    std::free(name);
    return result;
}

} // namespace

Exception::Exception(const std::string& message, std::source_location where)
    : std::runtime_error(message), where_(format_location(where)) {}

RemoteError::RemoteError(std::string message, std::string stack_trace)
    : std::runtime_error(message), message_(std::move(message)), stack_trace_(std::move(stack_trace)) {}

namespace detail {

ErrorDescription describe(std::exception_ptr error, const std::string& isolate_name) {
    try {
        std::rethrow_exception(error);
    } catch (const RemoteError& e) {
        return {e.message(), e.stack_trace()};
    } catch (const Exception& e) {
        return {e.what(), e.where()};
    } catch (const std::exception& e) {
        return {e.what(), current_exception_type() + " thrown in isolate '" + isolate_name + "'"};
    } catch (...) {
        return {"unknown exception", current_exception_type() + " thrown in isolate '" + isolate_name + "'"};
    }
}

std::exception_ptr as_remote_error(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const RemoteError&) {
        return error;
    } catch (...) {
    }
    IsolateCore* core = IsolateCore::current();
    auto d = describe(error, core != nullptr ? core->debug_name() : std::string("(none)"));
    return std::make_exception_ptr(RemoteError(std::move(d.message), std::move(d.where)));
}

} // namespace detail

} // namespace iso
