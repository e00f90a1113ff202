#pragma once
// Work that isobench and the diagnostics beside it share, without CAF:
// Savina's computation, and fjthrput's isolates on our runtime (isobench
// times them against CAF's, iso_fjthrput_phases times their sending and
// what is left after apart).

#include <functional>

namespace isobench {

/// Savina's stand-in for a handler's own work (fjthrput, fjcreate): the
/// square of a sine, positive for the arguments used. Out of line, so that
/// no caller can fold it away.
double compute(double theta);
/// The argument Savina's benchmarks compute with.
inline constexpr double kTheta = 37.2;

/// Savina's fjthrput: so many workers, each sent so many messages.
inline constexpr long kFjthrputWorkers = 60, kFjthrputMessages = 10'000;

/// From inside an isolate: spawns `workers` receivers, and once every one
/// has reported sends each of them `messages` messages, round the workers.
/// `sent` runs after the last send; `finish` once every receiver has had
/// its messages, with whether each counted them all.
void fjthrputOurs(long workers, long messages, std::function<void()> sent, std::function<void(bool)> finish);

} // namespace isobench
