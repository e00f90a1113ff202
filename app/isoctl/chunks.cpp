#include "chunks.h"

namespace isoctl {

using namespace iso::trace;

std::size_t for_each_chunk(const FileReader& reader, std::ostream& warnings,
                           const std::function<void(std::vector<Event>&&)>& take) {
    std::size_t damaged = 0;
    for (std::size_t i = 0; i < reader.chunks().size(); ++i) {
        std::vector<Event> events;
        try {
            events = reader.read_chunk(i);
        } catch (const FileError& error) {
            const ChunkInfo& chunk = reader.chunks()[i];
            warnings << "isoctl: warning: " << error.what() << "; its " << chunk.events << " events are left out\n";
            ++damaged;
            Event gap;
            gap.kind = Kind::Gap;
            gap.time = chunk.first_time;
            gap.peer = chunk.events;
            gap.arg = static_cast<std::uint32_t>(GapSource::File);
            events.push_back(std::move(gap));
        }
        take(std::move(events));
    }
    return damaged;
}

} // namespace isoctl
