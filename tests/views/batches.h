#pragma once
// Hand-made observer batches for the views' suites: an isolate at
// /app/w<id>, and a batch at a time of the observer's clock.

#include <iso/observer.h>

#include <chrono>
#include <string>
#include <vector>

namespace testbatch {

inline iso::IsolateMetrics isolate(iso::IsolateId id, std::size_t depth = 0)
{
    iso::IsolateMetrics m;
    m.id = id;
    m.path = "/app/w" + std::to_string(id);
    m.state = iso::IsolateState::Idle;
    m.mailbox_depth = depth;
    return m;
}

inline iso::Batch batch(std::chrono::milliseconds at, std::vector<iso::IsolateMetrics> changed, bool full = false,
                        std::vector<iso::IsolateId> removed = {})
{
    iso::Batch b;
    b.delta.full = full;
    b.delta.changed = std::move(changed);
    b.delta.removed = std::move(removed);
    b.delta.totals.time = at;
    return b;
}

} // namespace testbatch
