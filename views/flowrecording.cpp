#include "flowrecording.h"

FlowRecording readFlowRecording(const std::filesystem::path& path, const std::function<bool(double)>& progress)
{
    const iso::trace::FileReader reader(path);
    FlowRecording recording;
    recording.info = reader.info();
    recording.cut = !reader.complete();
    const auto& chunks = reader.chunks();
    if (chunks.empty())
        throw iso::trace::FileError(path.string() + ": holds no events (the recording stopped before its first chunk)");
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        try {
            const std::vector<iso::trace::Event> events = reader.read_chunk(i);
            recording.events += events.size();
            recording.index.add(events);
            recording.run.add(events);
        } catch (const iso::trace::FileError&) {
            // The rest of the file is still worth showing; the gap says what is not.
            ++recording.damagedChunks;
            iso::trace::Event gap;
            gap.kind = iso::trace::Kind::Gap;
            gap.peer = chunks[i].events;
            gap.arg = static_cast<std::uint32_t>(iso::trace::GapSource::File);
            recording.index.add(std::span(&gap, 1));
            recording.run.add(std::span(&gap, 1));
        }
        if (progress && !progress(static_cast<double>(i + 1) / static_cast<double>(chunks.size())))
            throw iso::trace::FileError(path.string() + ": reading was cancelled");
    }
    recording.run.finish();
    return recording;
}
