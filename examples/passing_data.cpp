// "Passing Data to Isolates": results come back from iso::run; collections
// travel as iso::Value, which prints the way Dart prints lists and maps.
//
// The Dart original also declares a DataPacket class that it never uses. A
// user type crosses isolates as a Value map built from its fields; see
// command_pattern.cpp for such a to_value/from_value pair.

#include <iso/iso.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <vector>

iso::Future<void> async_main() {
    // Pass simple types
    int doubled = co_await iso::run([] { return 42 * 2; });
    std::cout << "Doubled: " << doubled << '\n';

    // Pass collections
    iso::Value sorted = co_await iso::run([] {
        std::vector<std::int64_t> numbers{5, 2, 8, 1, 9, 3};
        std::sort(numbers.begin(), numbers.end());
        return iso::Value(iso::List(numbers.begin(), numbers.end()));
    });
    std::cout << "Sorted: " << sorted.to_string() << '\n';

    // Pass complex data
    iso::Value result = co_await iso::run([] {
        return iso::Value::map({
            {"sum", 100},
            {"count", 10},
            {"average", 10},
        });
    });
    std::cout << "Result: " << result.to_string() << '\n';
}

int main() { return iso::run_main(async_main); }
