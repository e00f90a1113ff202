#pragma once

#include "flowindex.h"
#include "recordedcluster.h"

#include <iso/tracefile.h>

#include <filesystem>
#include <functional>

/// A trace file read for the views: the flows, and the events that show
/// the cluster at any moment.
struct FlowRecording {
    FlowIndex index;
    RunEvents run;
    iso::trace::FileInfo info;
    std::uint64_t events = 0;
    /// It ended without its index: the recording was cut off (its whole
    /// chunks are all here).
    bool cut = false;
    /// Damaged chunks skipped, each told in the index as a gap.
    std::size_t damagedChunks = 0;
};

/// Reads every event of the trace file at `path` into a FlowIndex and RunEvents, a chunk
/// at a time. `progress` hears the share read, 0..1, after each chunk, and
/// returns false to stop reading (read() then throws FileError saying so).
/// Throws iso::trace::FileError, naming the file, if it is missing, not a
/// trace file, of an unknown version, or holds no whole chunk. May run on
/// any thread: it touches nothing shared.
FlowRecording readFlowRecording(const std::filesystem::path& path, const std::function<bool(double)>& progress = {});
