#pragma once

#include <iso/runtime.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

/// Counts the events handled across a cluster from successive snapshots.
/// Unlike a sum over one snapshot, the total never drops when an isolate
/// exits: what it handled stays counted. A plain value: not thread-safe.
class HandledCounter
{
public:
    /// Adds what each isolate handled since it was last seen (all of it for
    /// an isolate seen for the first time) and returns the new total.
    std::uint64_t add(const std::vector<iso::IsolateInfo>& snapshot);

private:
    std::unordered_map<iso::IsolateId, std::uint64_t> m_handledById;
    std::uint64_t m_total = 0;
};
