#include "handledcounter.h"

#include <algorithm>

std::uint64_t HandledCounter::add(const std::vector<iso::IsolateInfo>& snapshot)
{
    std::unordered_map<iso::IsolateId, std::uint64_t> handledById;
    handledById.reserve(snapshot.size());
    for (const iso::IsolateInfo& info : snapshot) {
        const auto before = m_handledById.find(info.id);
        const std::uint64_t counted = before == m_handledById.end() ? 0 : before->second;
        m_total += info.events_handled - std::min(counted, info.events_handled);
        handledById.emplace(info.id, info.events_handled);
    }
    // Forgetting exited isolates keeps the map as small as the cluster.
    m_handledById = std::move(handledById);
    return m_total;
}
