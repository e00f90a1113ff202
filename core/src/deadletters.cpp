#include "deadletters.h"

namespace iso {

std::string_view reason_name(DeadLetterReason reason) noexcept {
    switch (reason) {
    case DeadLetterReason::InvalidPort: return "invalid port";
    case DeadLetterReason::UnknownPort: return "unknown port";
    case DeadLetterReason::PortClosed: return "port closed";
    case DeadLetterReason::IsolateDead: return "isolate dead";
    case DeadLetterReason::Unread: return "unread";
    }
    return "unknown";
}

namespace detail {

namespace {
constexpr std::size_t kPreviewLength = 120;
}

void DeadLetterLog::record(DeadLetterReason reason, NodeId node, PortId port, const Value& message) {
    count_.fetch_add(1, std::memory_order_relaxed);
    if (history_ == 0) return;
    std::string preview = message.to_string();
    if (preview.size() > kPreviewLength) {
        preview.resize(kPreviewLength);
        preview += "...";
    }
    std::lock_guard lock(mutex_);
    if (recent_.size() == history_) recent_.pop_front();
    recent_.push_back({reason, node, port, std::move(preview), std::chrono::steady_clock::now()});
}

std::vector<DeadLetter> DeadLetterLog::recent() const {
    std::lock_guard lock(mutex_);
    return {recent_.begin(), recent_.end()};
}

} // namespace detail

} // namespace iso
