// "Multiple Isolates in Parallel": one isolate per chunk of the data, results
// gathered with iso::when_all (Dart's Future.wait).

#include <iso/iso.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <numeric>
#include <vector>

std::int64_t compute_chunk(const iso::List& numbers) {
    return std::accumulate(numbers.begin(), numbers.end(), std::int64_t{0},
                           [](std::int64_t sum, const iso::Value& n) { return sum + n.as_int() * n.as_int(); });
}

void chunk_worker(iso::Value args) {
    iso::SendPort send_port = args[0].as_send_port();
    const iso::List& chunk = args[1].as_list();

    std::int64_t result = compute_chunk(chunk);
    send_port.send(result);
}

iso::Future<void> async_main() {
    std::vector<std::int64_t> data(1000);
    std::iota(data.begin(), data.end(), 1);

    // Split data into chunks
    const std::size_t chunk_size = 250;
    std::vector<iso::Value> chunks;
    for (std::size_t i = 0; i < data.size(); i += chunk_size) {
        const std::size_t end = std::min(i + chunk_size, data.size());
        chunks.push_back(iso::List(data.begin() + static_cast<std::ptrdiff_t>(i),
                                   data.begin() + static_cast<std::ptrdiff_t>(end)));
    }

    // Create isolate for each chunk
    std::vector<iso::Future<std::int64_t>> futures;

    for (const iso::Value& chunk : chunks) {
        iso::ReceivePort receive_port;
        iso::spawn(chunk_worker, iso::Value::list({receive_port.send_port(), chunk}));
        futures.push_back(receive_port.first().then([receive_port](iso::Value result) mutable {
            receive_port.close();
            return result.as_int();
        }));
    }

    // Wait for all results
    std::vector<std::int64_t> results = co_await iso::when_all(std::move(futures));
    std::int64_t total = std::accumulate(results.begin(), results.end(), std::int64_t{0});

    std::cout << "Processed " << chunks.size() << " chunks in parallel\n";
    std::cout << "Total sum of squares: " << total << '\n';
}

int main() { return iso::run_main(async_main); }
