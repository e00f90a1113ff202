// isoctl trace info FILE

#include "chunks.h"
#include "command.h"
#include "format.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>

namespace isoctl {
namespace {

using namespace iso::trace;

struct IsolateRow {
    std::string name;  ///< debug name
    std::string path;  ///< cluster path
    std::uint64_t handled = 0;
    std::uint64_t errors = 0;
};

/// What `trace info` counts, in one pass over the chunks.
struct Summary {
    std::uint64_t events = 0;
    std::uint64_t first_time = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t last_time = 0;
    std::array<std::uint64_t, kind_count> by_kind{};
    std::uint64_t handled = 0;
    std::uint64_t gaps = 0;
    std::uint64_t lost = 0;
    std::size_t damaged_chunks = 0;
    std::map<iso::IsolateId, IsolateRow> isolates;

    void add(const Event& e) {
        ++events;
        first_time = std::min(first_time, e.time);
        last_time = std::max(last_time, e.time);
        const auto kind = static_cast<std::size_t>(e.kind);
        if (kind < by_kind.size())
            ++by_kind[kind];
        if (e.isolate != 0 && e.kind != Kind::Gap)
            isolates.try_emplace(e.isolate);
        switch (e.kind) {
        case Kind::Spawn: isolates[e.isolate].name = e.text; break;
        case Kind::Path: isolates[e.isolate].path = std::string(e.field(0)); break;
        case Kind::Handle:
            if (static_cast<HandleKind>(e.arg) == HandleKind::Message) {
                ++handled;
                ++isolates[e.isolate].handled;
            }
            break;
        case Kind::Error: ++isolates[e.isolate].errors; break;
        case Kind::Gap:
            ++gaps;
            lost += e.peer;
            break;
        default: break;
        }
    }
};

void print_file(std::ostream& out, const std::string& name, const FileReader& reader) {
    const FileInfo& info = reader.info();
    std::uint64_t compressed = 0;
    std::uint64_t raw = 0;
    for (const ChunkInfo& chunk : reader.chunks()) {
        compressed += chunk.compressed_bytes;
        raw += chunk.raw_bytes;
    }
    out << "file       " << name << '\n'
        << "program    " << (info.program.empty() ? "(not named)" : info.program) << '\n'
        << "recorded   " << wall_clock(info.wall_clock_ns) << '\n'
        << "run seed   " << info.run_seed << '\n'
        << "payloads   " << payload_name(info.payload) << '\n'
        << "closed     ";
    if (reader.complete())
        out << "yes\n";
    else
        out << "no, the recording was cut short (no index); " << reader.trailing_bytes()
            << " trailing bytes ignored\n";
    out << "chunks     " << reader.chunks().size() << " (" << size_text(compressed) << " compressed, "
        << size_text(raw) << " raw)\n";
}

void print_counts(std::ostream& out, const Summary& s) {
    if (s.damaged_chunks > 0)
        out << "damaged    " << s.damaged_chunks << " chunks, their events left out\n";
    out << "duration   " << duration_text(s.events > 0 ? s.last_time - s.first_time : 0) << '\n'
        << "events     " << s.events << '\n'
        << "messages   " << s.by_kind[static_cast<std::size_t>(Kind::Send)] << " sent, " << s.handled << " handled\n"
        << "gaps       " << s.gaps << " (" << s.lost << " events lost)\n";

    out << "\nevents by kind\n";
    for (std::size_t kind = 1; kind < s.by_kind.size(); ++kind) {
        if (s.by_kind[kind] > 0)
            out << "  " << std::left << std::setw(14) << kind_name(static_cast<Kind>(kind)) << std::right
                << std::setw(12) << s.by_kind[kind] << '\n';
    }
}

/// Segment by segment, as the export orders its tracks: "/app/x" right
/// after "/app" and before "/app-2".
bool path_less(std::string_view a, std::string_view b) {
    auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [&](char x, char y) { return key(x) < key(y); });
}

std::string row_name(const IsolateRow& row) {
    if (!row.path.empty())
        return row.path;
    return row.name.empty() ? "(unnamed)" : row.name;
}

void print_isolates(std::ostream& out, const Summary& s) {
    std::vector<std::pair<iso::IsolateId, const IsolateRow*>> rows;
    std::size_t width = 11;
    for (const auto& [id, row] : s.isolates) {
        rows.emplace_back(id, &row);
        width = std::max(width, row_name(row).size());
    }
    // Cluster isolates by path, then plain ones; by id within each.
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        if (a.second->path.empty() != b.second->path.empty())
            return b.second->path.empty();
        return path_less(a.second->path, b.second->path);
    });
    out << "\nisolates   " << rows.size() << '\n';
    if (rows.empty())
        return;
    out << "  " << std::setw(8) << "ID" << "  " << std::left << std::setw(static_cast<int>(width)) << "PATH / NAME"
        << std::right << std::setw(10) << "HANDLED" << std::setw(8) << "ERRORS" << '\n';
    for (const auto& [id, row] : rows)
        out << "  " << std::setw(8) << id << "  " << std::left << std::setw(static_cast<int>(width)) << row_name(*row)
            << std::right << std::setw(10) << row->handled << std::setw(8) << row->errors << '\n';
}

int run_info(const Arguments& args) {
    const FileReader reader(args.operand(0));
    Summary summary;
    summary.damaged_chunks = for_each_chunk(reader, std::cerr, [&](std::vector<Event>&& events) {
        for (const Event& e : events)
            summary.add(e);
    });
    print_file(std::cout, args.operand(0), reader);
    print_counts(std::cout, summary);
    print_isolates(std::cout, summary);
    return 0;
}

} // namespace

const Command trace_info_command = {
    "trace info",
    "FILE",
    "describe a trace file: its recording, isolates and events",
    {},
    run_info,
};

} // namespace isoctl
