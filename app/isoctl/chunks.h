#pragma once
// Reading a trace file chunk by chunk, past damaged chunks.

#include <iso/tracefile.h>

#include <functional>
#include <ostream>
#include <vector>

namespace isoctl {

/// Hands `take` the events of each chunk of `reader`, in file order. A
/// damaged chunk is reported on `warnings` in one line and handed on as a
/// single Gap (GapSource::File) of its event count, so that the chunks after
/// it are still read. Returns how many chunks were damaged.
std::size_t for_each_chunk(const iso::trace::FileReader& reader, std::ostream& warnings,
                           const std::function<void(std::vector<iso::trace::Event>&&)>& take);

} // namespace isoctl
