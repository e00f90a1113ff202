#pragma once
// isoctl's subcommands. Each lives in a file of its own and is listed once
// in commands.cpp; the parsing, help and error handling are shared.

#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace isoctl {

/// isoctl was called wrongly: exit status 2. what() names the mistake.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Option {
    std::string_view name;   ///< "--output"
    char short_name = 0;     ///< 'o' for "-o"; 0: none
    std::string_view value;  ///< the value's name in help, "FILE"; empty for a flag
    std::string_view help;
};

/// A command's options and operands, as given.
class Arguments {
public:
    const std::string& operand(std::size_t index) const { return operands_.at(index); }
    /// The value of option `name` ("--output"), or `fallback` if absent.
    std::string value(std::string_view name, std::string fallback = {}) const;
    bool has(std::string_view name) const { return values_.contains(std::string(name)); }

private:
    friend Arguments parse_arguments(const struct Command&, std::span<const std::string>);
    std::vector<std::string> operands_;
    std::map<std::string, std::string> values_;
};

struct Command {
    std::string_view name;      ///< "trace info"
    std::string_view operands;  ///< "FILE": one required operand per word
    std::string_view summary;
    std::span<const Option> options;
    /// Runs the command; its return value is the exit status. Throws
    /// UsageError, or iso::trace::FileError and other errors (status 1).
    int (*run)(const Arguments&);
};

/// Parses what follows the command's name. Throws UsageError.
Arguments parse_arguments(const Command& command, std::span<const std::string> words);

/// Every command, in the order help lists them.
std::span<const Command* const> commands();

extern const Command trace_info_command;
extern const Command trace_export_command;
extern const Command trace_record_command;
extern const Command trace_replay_command;

} // namespace isoctl
