#pragma once
/// Forward declarations of libiso's public types.

#include <chrono>
#include <cstdint>

namespace iso {

using NodeId = std::uint64_t;
using PortId = std::uint64_t;
using IsolateId = std::uint64_t;
using Duration = std::chrono::nanoseconds;

class Value;
class Capability;
class SendPort;
class Transferable;
class ReceivePort;
class RawReceivePort;
class Isolate;
class Runtime;
class Timer;
class RemoteError;
template <typename T> class Future;
template <typename T> class Promise;

namespace detail {
struct PortCell;
class IsolateCore;
struct RuntimeCore;
struct TimerState;
struct PortAccess;
} // namespace detail

} // namespace iso
