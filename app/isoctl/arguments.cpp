// Option parsing for isoctl's commands: "--name VALUE", "--name=VALUE",
// "-n VALUE", flags, and "--" before operands that start with '-'. A lone
// "-" is an operand or value (standard output, by convention).

#include "command.h"

#include <algorithm>

namespace isoctl {
namespace {

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t at = 0;
    while ((at = text.find_first_not_of(' ', at)) != std::string_view::npos) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        words.emplace_back(text.substr(at, end - at));
        at = end;
    }
    return words;
}

const Option* find_option(const Command& command, std::string_view word) {
    auto it = std::find_if(command.options.begin(), command.options.end(), [&](const Option& option) {
        if (word.size() == 2 && word[0] == '-' && word[1] != '-')
            return option.short_name == word[1];
        return option.name == word;
    });
    return it == command.options.end() ? nullptr : &*it;
}

[[noreturn]] void usage(const Command& command, const std::string& what) {
    throw UsageError(std::string(command.name) + ": " + what);
}

} // namespace

std::string Arguments::value(std::string_view name, std::string fallback) const {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? fallback : it->second;
}

Arguments parse_arguments(const Command& command, std::span<const std::string> words) {
    Arguments parsed;
    bool options_end = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (options_end || word.size() < 2 || word[0] != '-') {
            parsed.operands_.push_back(word);
            continue;
        }
        if (word == "--") {
            options_end = true;
            continue;
        }
        // Only long options take "=VALUE"; "-o=x" is no option at all.
        const std::size_t equals = word.starts_with("--") ? word.find('=') : std::string::npos;
        const bool inline_value = equals != std::string::npos;
        const std::string given = word.substr(0, equals);
        const Option* option = find_option(command, given);
        if (!option)
            usage(command, "unknown option '" + given + "'");
        const std::string key(option->name);
        if (option->value.empty()) {
            if (inline_value)
                usage(command, given + " takes no value");
            parsed.values_[key];
        } else if (inline_value) {
            parsed.values_[key] = word.substr(equals + 1);
        } else if (i + 1 < words.size()) {
            parsed.values_[key] = words[++i];
        } else {
            usage(command, given + " needs a value (" + std::string(option->value) + ")");
        }
    }
    const std::vector<std::string> wanted = split_words(command.operands);
    if (parsed.operands_.size() < wanted.size())
        usage(command, "missing " + wanted[parsed.operands_.size()]);
    if (parsed.operands_.size() > wanted.size())
        usage(command, "unexpected argument '" + parsed.operands_[wanted.size()] + "'");
    return parsed;
}

} // namespace isoctl
