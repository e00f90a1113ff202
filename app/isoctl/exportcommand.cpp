// isoctl trace export FILE --format chrome -o OUT

#include "chunks.h"
#include "command.h"
#include "format.h"

#include <iso/traceexport.h>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace isoctl {
namespace {

using namespace iso::trace;

constexpr Option export_options[] = {
    {"--format", 'f', "FORMAT", "what to write; \"chrome\" (the default): trace-event JSON for Perfetto and chrome://tracing"},
    {"--output", 'o', "FILE", "where to write; \"-\" for standard output"},
};

ChromeExportOptions chrome_options(const std::string& source, const FileReader& reader) {
    const FileInfo& info = reader.info();
    ChromeExportOptions options;
    if (!info.program.empty())
        options.process_name = info.program;
    options.metadata = {
        {"source", source},
        {"program", info.program},
        {"recorded", wall_clock(info.wall_clock_ns)},
        {"run_seed", std::to_string(info.run_seed)},
        {"payload_capture", payload_name(info.payload)},
        {"closed_cleanly", reader.complete() ? "yes" : "no"},
    };
    return options;
}

void write_file(const std::string& path, const std::vector<Event>& events, const ChromeExportOptions& options) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error(path + ": cannot write (" + system_error_text() + ")");
    export_chrome(events, out, options);
    out.close();
    if (!out) {
        std::remove(path.c_str());
        throw std::runtime_error(path + ": cannot write (" + system_error_text() + ")");
    }
}

int run_export(const Arguments& args) {
    const std::string format = args.value("--format", "chrome");
    if (format != "chrome")
        throw UsageError("trace export: unknown format '" + format + "' (known: chrome)");
    if (!args.has("--output"))
        throw UsageError("trace export: missing --output FILE (\"-\" for standard output)");
    const std::string output = args.value("--output");
    if (output.empty())
        throw UsageError("trace export: --output needs a file name");

    // Everything is read before the output is opened, so that a bad input
    // leaves no empty output behind.
    const FileReader reader(args.operand(0));
    std::vector<Event> events;
    for_each_chunk(reader, std::cerr, [&](std::vector<Event>&& chunk) {
        events.insert(events.end(), std::make_move_iterator(chunk.begin()), std::make_move_iterator(chunk.end()));
    });
    const ChromeExportOptions options = chrome_options(args.operand(0), reader);

    if (output == "-") {
        export_chrome(events, std::cout, options);
        std::cout.flush();
        if (!std::cout)
            throw std::runtime_error("cannot write to standard output");
    } else {
        write_file(output, events, options);
    }
    return 0;
}

} // namespace

const Command trace_export_command = {
    "trace export",
    "FILE",
    "convert a trace file for other viewers",
    export_options,
    run_export,
};

} // namespace isoctl
