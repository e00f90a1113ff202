#pragma once
/// Trace export: events as Chrome trace-event JSON, which Perfetto
/// (ui.perfetto.dev) and chrome://tracing open.

#include <iso/trace.h>

#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace iso::trace {

struct ChromeExportOptions {
    /// The name of the one process (pid 1) that stands for the node.
    std::string process_name = "iso node";
    /// Extra fields of the top-level "metadata" object, such as the
    /// recorded program or the run seed.
    std::vector<std::pair<std::string, std::string>> metadata;
};

/// Writes `events` (in any order; they are sorted by time) as one JSON
/// object {"traceEvents": [...], "displayTimeUnit": "ns", "metadata": {...}}.
///
/// One track per isolate (tid = isolate id) named after its cluster path or
/// debug name; one complete slice per handler run; a flow from each send to
/// the handler that took the message; a mailbox depth counter per isolate;
/// instants for errors, lifecycle and supervision events and gaps. Sends
/// from outside any isolate sit on a track of their own named "outside".
/// What the events do not show whole is left out rather than drawn wrong:
/// a handler cut by the start or end of the trace, or by a gap, has no
/// slice, and a message whose send or handling is missing has no flow.
///
/// Any thread; does not throw except for what `out` throws.
void export_chrome(std::span<const Event> events, std::ostream& out, const ChromeExportOptions& options = {});

} // namespace iso::trace
