#pragma once
/// Deterministic replay: re-executes a recorded run of registered entry
/// points on a fresh cluster, enforcing the recorded delivery order for
/// every isolate, and checks that each isolate handled the same messages,
/// with the same contents, in the same order.
///
/// What it needs: a recording made with PayloadCapture::Whole, of isolates
/// spawned from outside by registered entry name (Cluster::spawn_isolate
/// with a name). What cannot be replayed, and why, is listed in
/// docs/replay.md.

#include <iso/cluster.h>
#include <iso/trace.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace iso::trace {

/// The recording cannot be replayed (no whole payloads, an unnamed entry...).
class ReplayError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where the runs first differ.
struct Divergence {
    std::string path;              ///< the isolate's cluster path
    std::uint32_t incarnation = 0; ///< 0 first, +1 per restart
    std::size_t index = 0;         ///< of the delivery on that isolate, 0 first
    std::string recorded;          ///< what the recording delivered there ("" none)
    std::string replayed;          ///< what the replay delivered there ("" none)
    /// "/app/worker (incarnation 1), delivery 3: recorded {...}, replayed {...}"
    std::string describe() const;
};

struct ReplayResult {
    std::size_t isolates = 0;    ///< incarnations compared
    std::size_t deliveries = 0;  ///< messages and timer fires compared
    /// Incarnations whose recording ends at a message whose send it does
    /// not hold (the recording stopped, or started, while it was in flight):
    /// compared up to there.
    std::size_t cut_lanes = 0;
    std::optional<Divergence> divergence;
    bool identical() const noexcept { return !divergence; }
};

struct ReplayOptions {
    /// Registers the recorded program's entries on the fresh cluster.
    std::function<void(Cluster&)> setup;
    /// The most events the replay runs before it gives up (a runaway).
    std::size_t event_limit = 50'000'000;
};

/// Replays `recorded` (a whole recording, as FileReader::read_all gives it)
/// on a deterministic cluster. Throws ReplayError when it cannot.
ReplayResult replay(std::span<const Event> recorded, const ReplayOptions& options);

} // namespace iso::trace
