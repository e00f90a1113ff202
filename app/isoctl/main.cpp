// isoctl: the command-line front end to libiso's trace files. Every error
// is one line on standard error that starts with "isoctl: "; the exit status
// is 2 for a wrong call, 1 for a file that cannot be read or written.

#include "command.h"

#include <iso/tracefile.h>

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <iostream>
#include <new>

namespace isoctl {
namespace {

constexpr int exit_file_error = 1;
constexpr int exit_usage = 2;

bool wants_help(std::span<const std::string> words) {
    for (const std::string& word : words) {
        if (word == "--")
            return false;
        if (word == "--help" || word == "-h")
            return true;
    }
    return false;
}

void print_help(std::ostream& out) {
    out << "Usage: isoctl COMMAND [OPTIONS] [ARGUMENTS]\n\n"
           "Records, describes, exports and replays libiso trace files.\n\n"
           "Commands:\n";
    for (const Command* command : commands())
        out << "  " << std::left << std::setw(28)
            << (std::string(command->name) + " " + std::string(command->operands)) << command->summary << '\n';
    out << "\nOptions:\n"
           "  --help                      show this help, or a command's (isoctl trace info --help)\n"
           "  --version                   show the version\n";
}

void print_command_help(std::ostream& out, const Command& command) {
    out << "Usage: isoctl " << command.name << (command.options.empty() ? "" : " [OPTIONS]") << ' '
        << command.operands << "\n\n"
        << char(std::toupper(static_cast<unsigned char>(command.summary[0]))) << command.summary.substr(1) << ".\n";
    if (command.options.empty())
        return;
    out << "\nOptions:\n";
    for (const Option& option : command.options) {
        std::string left = option.short_name ? std::string("-") + option.short_name + ", " : std::string("    ");
        left += std::string(option.name) + (option.value.empty() ? "" : " " + std::string(option.value));
        out << "  " << std::left << std::setw(28) << left << option.help << '\n';
    }
}

/// The command whose name the leading words spell, and how many words that took.
std::pair<const Command*, std::size_t> find_command(std::span<const std::string> words) {
    for (const Command* command : commands()) {
        std::size_t used = 0;
        std::string spelled;
        while (used < words.size() && spelled.size() < command->name.size()) {
            spelled += (used == 0 ? "" : " ") + words[used];
            ++used;
        }
        if (spelled == command->name)
            return {command, used};
    }
    return {nullptr, 0};
}

/// Whether `word` is the first word of some command's name ("trace").
bool is_group(std::string_view word) {
    return std::any_of(commands().begin(), commands().end(), [&](const Command* command) {
        return command->name.starts_with(word) && command->name.size() > word.size() && command->name[word.size()] == ' ';
    });
}

int run(std::span<const std::string> words) {
    if (words.empty())
        throw UsageError("no command given (see isoctl --help)");
    if (words[0] == "--help" || words[0] == "-h") {
        print_help(std::cout);
        return 0;
    }
    if (words[0] == "--version") {
        std::cout << "isoctl " << ISOSCOPE_VERSION << '\n';
        return 0;
    }
    if (words[0].starts_with('-'))
        throw UsageError("unknown option '" + words[0] + "' (see isoctl --help)");
    const auto [command, used] = find_command(words);
    if (!command) {
        if (!is_group(words[0]))
            throw UsageError("unknown command '" + words[0] + "' (see isoctl --help)");
        if (wants_help(words)) {
            print_help(std::cout);
            return 0;
        }
        if (words.size() == 1 || words[1].starts_with('-'))
            throw UsageError(words[0] + ": missing command (see isoctl --help)");
        throw UsageError(words[0] + ": unknown command '" + words[1] + "' (see isoctl --help)");
    }
    const auto rest = words.subspan(used);
    if (wants_help(rest)) {
        print_command_help(std::cout, *command);
        return 0;
    }
    return command->run(parse_arguments(*command, rest));
}

// Messages are one line whatever they hold, such as a file name with a
// newline in it.
void fail(std::string_view what) {
    std::string line(what);
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::cerr << "isoctl: " << line << std::endl;
}

} // namespace
} // namespace isoctl

int main(int argc, char* argv[]) {
    try {
        const std::vector<std::string> words(argv + 1, argv + argc);
        return isoctl::run(words);
    } catch (const isoctl::UsageError& error) {
        isoctl::fail(error.what());
        return isoctl::exit_usage;
    } catch (const std::bad_alloc&) {
        isoctl::fail("out of memory");
    } catch (const std::exception& error) {
        isoctl::fail(error.what());
    }
    return isoctl::exit_file_error;
}
