#include "deadletters.h"

#include "isolatecore.h"

namespace iso {

std::string_view reason_name(DeadLetterReason reason) noexcept {
    switch (reason) {
    case DeadLetterReason::InvalidPort: return "invalid port";
    case DeadLetterReason::UnknownPort: return "unknown port";
    case DeadLetterReason::PortClosed: return "port closed";
    case DeadLetterReason::IsolateDead: return "isolate dead";
    case DeadLetterReason::Unread: return "unread";
    case DeadLetterReason::UnknownPath: return "unknown path";
    case DeadLetterReason::Overflow: return "overflow";
    case DeadLetterReason::NoRoute: return "no route";
    case DeadLetterReason::LateReply: return "late reply";
    case DeadLetterReason::Dropped: return "dropped";
    case DeadLetterReason::Injected: return "injected";
    }
    return "unknown";
}

namespace detail {

namespace {
constexpr std::size_t kPreviewLength = 120;
}

void DeadLetterLog::record(DeadLetterReason reason, NodeId node, PortId port, const Value& message,
                           IsolateId receiver, std::uint64_t message_id) {
    if (tracer_.on()) [[unlikely]] trace(reason, port, receiver, message_id, message);
    add({reason, node, port, {}, {}, std::chrono::steady_clock::now()}, message);
}

void DeadLetterLog::record_path(DeadLetterReason reason, NodeId node, std::string path, const Value& message,
                                std::uint64_t message_id) {
    if (tracer_.on()) [[unlikely]] trace(reason, 0, 0, message_id, message);
    add({reason, node, 0, std::move(path), {}, std::chrono::steady_clock::now()}, message);
}

void DeadLetterLog::trace(DeadLetterReason reason, PortId port, IsolateId receiver, std::uint64_t message_id,
                          const Value& message) {
    trace::Record r;
    r.kind = trace::Kind::DeadLetter;
    const IsolateCore* sender = IsolateCore::current();
    r.isolate = sender != nullptr ? sender->id() : 0;
    r.message = message_id;
    r.arg = static_cast<std::uint32_t>(reason);
    r.port = port;
    r.peer = receiver;
    tracer_.emit_with_payload(r, message);
}

void DeadLetterLog::add(DeadLetter letter, const Value& message) {
    if (letter.reason == DeadLetterReason::Unread || letter.reason == DeadLetterReason::NoRoute)
        after_delivery_.fetch_add(1, std::memory_order_acq_rel);
    count_.fetch_add(1, std::memory_order_acq_rel);
    if (history_ == 0) return;
    letter.preview = message.to_string();
    if (letter.preview.size() > kPreviewLength) {
        letter.preview.resize(kPreviewLength);
        letter.preview += "...";
    }
    std::lock_guard lock(mutex_);
    if (recent_.size() == history_) recent_.pop_front();
    recent_.push_back(std::move(letter));
}

std::vector<DeadLetter> DeadLetterLog::recent() const {
    std::lock_guard lock(mutex_);
    return {recent_.begin(), recent_.end()};
}

} // namespace detail

} // namespace iso
