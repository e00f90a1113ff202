// The one list of isoctl's commands: a new command is a file of its own
// that defines a Command, and a line here.

#include "command.h"

namespace isoctl {

std::span<const Command* const> commands() {
    static const Command* const all[] = {
        &trace_info_command,
        &trace_export_command,
        &trace_record_command,
        &trace_replay_command,
    };
    return all;
}

} // namespace isoctl
