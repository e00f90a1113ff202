#include <iso/snapshotbuilder.h>

#include <algorithm>

namespace iso {

using trace::Event;
using EventKind = trace::Kind;

SnapshotBuilder::SnapshotBuilder(const SnapshotBuilder& other) { *this = other; }

SnapshotBuilder& SnapshotBuilder::operator=(const SnapshotBuilder& other) {
    if (this == &other) return *this;
    isolates_ = other.isolates_;
    by_path_ = other.by_path_;
    changed_ = other.changed_;
    removed_ = other.removed_;
    busy_isolates_ = other.busy_isolates_;
    listed_exited_ = other.listed_exited_;
    runtime_states_ = other.runtime_states_;
    thread_busy_ns_ = other.thread_busy_ns_;
    thread_seen_ = other.thread_seen_;
    messages_interval_ = other.messages_interval_;
    events_interval_ = other.events_interval_;
    last_delta_ = other.last_delta_;
    messages_total_ = other.messages_total_;
    events_total_ = other.events_total_;
    events_lost_ = other.events_lost_;
    index_.clear();
    index_.reserve(isolates_.size());
    for (auto& [id, t] : isolates_) index_.emplace(id, &t);
    return *this;
}

SnapshotBuilder::Tracked& SnapshotBuilder::tracked(IsolateId id) {
    Tracked* t = nullptr;
    if (auto hit = index_.find(id); hit != index_.end()) {
        t = hit->second;
    } else {
        t = &isolates_.try_emplace(id).first->second;
        t->metrics.id = id;
        index_.emplace(id, t);
    }
    if (!t->changed) {
        t->changed = true;
        changed_.push_back(id);
    }
    return *t;
}

void SnapshotBuilder::note_thread(std::uint16_t index) {
    if (index >= thread_seen_.size()) {
        thread_busy_ns_.resize(index + 1, 0);
        thread_seen_.resize(index + 1, false);
    }
    thread_seen_[index] = true;
}

void SnapshotBuilder::apply(const Event& e) {
    ++events_interval_;
    ++events_total_;
    note_thread(e.thread);
    switch (e.kind) {
    case EventKind::Spawn: {
        Tracked& t = tracked(e.isolate);
        t.metrics.name = e.text;
        t.spawn = e;
        break;
    }
    case EventKind::Path: {
        Tracked& t = tracked(e.isolate);
        t.metrics.path = std::string(e.field(0));
        t.supervisor_path = std::string(e.field(1));
        t.metrics.incarnation = e.arg;
        t.metrics.restarts = e.arg;
        auto sup = by_path_.find(t.supervisor_path);
        t.metrics.supervisor = sup != by_path_.end() ? sup->second : 0;
        by_path_.insert_or_assign(t.metrics.path, e.isolate);
        t.path = e;
        break;
    }
    case EventKind::Up:
        tracked(e.isolate).began = true;
        break;
    case EventKind::Send:
        if (e.isolate != 0) ++tracked(e.isolate).metrics.messages_out;
        // Only for an isolate already known: a message sent as its
        // receiver died must not bring back one already forgotten.
        if (e.peer != 0 && e.arg != 0 && index_.contains(e.peer)) tracked(e.peer).metrics.mailbox_depth = e.arg;
        break;
    case EventKind::Enqueue:
        tracked(e.isolate).metrics.mailbox_depth = e.peer;
        break;
    case EventKind::Handle: {
        Tracked& t = tracked(e.isolate);
        t.metrics.busy_ns += e.peer;
        t.metrics.handle_time.add(e.peer);
        t.began = true;
        t.busy_until = std::max(t.busy_until, e.time + e.peer);
        if (!runtime_states_) busy_isolates_.insert(e.isolate);
        if (e.thread < thread_busy_ns_.size()) thread_busy_ns_[e.thread] += e.peer;
        if (e.arg == static_cast<std::uint32_t>(trace::HandleKind::Message)) {
            // Taken from the mailbox as its handler began.
            if (t.metrics.mailbox_depth > 0) --t.metrics.mailbox_depth;
            ++t.metrics.messages_in;
            ++messages_total_;
            ++messages_interval_;
        }
        break;
    }
    case EventKind::Error:
        ++tracked(e.isolate).metrics.errors;
        break;
    case EventKind::DeadLetter:
        // Its receiver is often dead and forgotten: that must not bring it back.
        if (e.isolate != 0 && index_.contains(e.isolate)) ++tracked(e.isolate).metrics.dead_letters;
        if (e.peer != 0 && e.peer != e.isolate && index_.contains(e.peer)) ++tracked(e.peer).metrics.dead_letters;
        break;
    case EventKind::Pause:
        ++tracked(e.isolate).pauses;
        break;
    case EventKind::Resume: {
        Tracked& t = tracked(e.isolate);
        if (t.pauses > 0) --t.pauses;
        break;
    }
    case EventKind::Exit: {
        Tracked& t = tracked(e.isolate);
        t.ended = true;
        t.ended_at = e.time;
        t.metrics.mailbox_depth = 0;
        break;
    }
    case EventKind::Gap:
        events_lost_ += e.peer;
        break;
    default:
        break;
    }
}

IsolateState SnapshotBuilder::derived_state(const Tracked& t, std::uint64_t now) {
    if (t.ended) return IsolateState::Exited;
    if (t.busy_until > now) return IsolateState::Running;
    if (t.pauses > 0) return IsolateState::Paused;
    if (!t.began) return IsolateState::Starting;
    return t.metrics.mailbox_depth > 0 ? IsolateState::Runnable : IsolateState::Idle;
}

void SnapshotBuilder::merge_live(const std::vector<IsolateInfo>& live) {
    runtime_states_ = true;
    std::set<IsolateId> listed;
    for (const IsolateInfo& info : live) {
        listed.insert(info.id);
        auto it = index_.find(info.id);
        // Also one first heard of through events, which carry no name:
        // it was there before the observer, so no Spawn came.
        if (it == index_.end() || (it->second->metrics.name.empty() && !info.debug_name.empty())) {
            tracked(info.id).metrics.name = info.debug_name;
            it = index_.find(info.id);
        }
        Tracked& t = *it->second;
        IsolateMetrics& m = t.metrics;
        if (m.state != info.state || m.mailbox_depth != info.mailbox_depth || info.errors > m.errors)
            tracked(info.id);
        m.state = info.state;
        m.mailbox_depth = info.mailbox_depth;
        m.errors = std::max<std::uint64_t>(m.errors, info.errors);
    }
    for (auto it = isolates_.begin(); it != isolates_.end();) {
        Tracked& t = it->second;
        if (listed.contains(it->first)) {
            ++it;
        } else if (t.exit_listed) {
            forget(it++);
        } else {
            // Gone from the runtime: listed once as exited, then forgotten.
            t.ended = true;
            tracked(it->first).metrics.state = IsolateState::Exited;
            ++it;
        }
    }
}

void SnapshotBuilder::forget_ended(std::uint64_t before) {
    std::erase_if(listed_exited_, [&](IsolateId id) {
        const auto it = isolates_.find(id);
        if (it == isolates_.end()) return true;
        if (it->second.ended_at >= before) return false;
        forget(it);
        return true;
    });
}

void SnapshotBuilder::forget(std::map<IsolateId, Tracked>::iterator it) {
    if (auto p = by_path_.find(it->second.metrics.path); p != by_path_.end() && p->second == it->first)
        by_path_.erase(p);
    removed_.insert(it->first);
    busy_isolates_.erase(it->first);
    index_.erase(it->first);
    isolates_.erase(it);
}

SnapshotDelta SnapshotBuilder::take_delta(std::uint64_t now) {
    const double interval = static_cast<double>(std::max<std::uint64_t>(now - std::min(now, last_delta_), 1));
    last_delta_ = now;

    SnapshotDelta delta;
    ClusterSnapshot& totals = delta.totals;
    totals.time = std::chrono::nanoseconds(now);
    for (std::size_t thread = 0; thread < thread_seen_.size(); ++thread)
        if (thread_seen_[thread])
            totals.threads.push_back({static_cast<std::uint16_t>(thread),
                                      std::min(1.0, static_cast<double>(thread_busy_ns_[thread]) / interval)});
    thread_busy_ns_.assign(thread_busy_ns_.size(), 0);
    thread_seen_.assign(thread_seen_.size(), false);
    totals.messages_per_second = static_cast<double>(messages_interval_) * 1e9 / interval;
    totals.events_per_second = static_cast<double>(events_interval_) * 1e9 / interval;
    messages_interval_ = events_interval_ = 0;
    totals.messages_total = messages_total_;
    totals.events_total = events_total_;
    totals.events_lost = events_lost_;

    // An isolate whose handler was running at the previous delta may be
    // idle now without an event saying so.
    if (runtime_states_) busy_isolates_.clear();
    for (auto it = busy_isolates_.begin(); it != busy_isolates_.end();) {
        if (const auto hit = index_.find(*it); hit != index_.end() && hit->second->busy_until > now) {
            ++it;
            continue;
        }
        if (index_.contains(*it)) tracked(*it);
        it = busy_isolates_.erase(it);
    }
    // Only what changed is copied: with many isolates, most are quiet.
    for (IsolateId id : changed_) {
        const auto hit = index_.find(id);
        if (hit == index_.end()) continue;
        Tracked& t = *hit->second;
        t.changed = false;
        if (!runtime_states_) t.metrics.state = derived_state(t, now);
        const bool exited = t.metrics.state == IsolateState::Exited;
        // Live, merge_live forgets them, when the runtime no longer lists them.
        if (exited && !t.exit_listed && !runtime_states_) listed_exited_.push_back(id);
        t.exit_listed = exited;
        delta.changed.push_back(t.metrics);
    }
    delta.removed.assign(removed_.begin(), removed_.end());
    changed_.clear();
    removed_.clear();
    return delta;
}

std::vector<IsolateMetrics> SnapshotBuilder::isolates() const {
    std::vector<IsolateMetrics> out;
    out.reserve(isolates_.size());
    for (const auto& [id, t] : isolates_) out.push_back(t.metrics);
    return out;
}

const Event* SnapshotBuilder::path_event(IsolateId id) const {
    const auto it = index_.find(id);
    return it != index_.end() && it->second->path ? &*it->second->path : nullptr;
}

std::size_t SnapshotBuilder::queued() const noexcept {
    std::size_t queued = 0;
    for (const auto& [id, t] : isolates_) queued += t.metrics.mailbox_depth;
    return queued;
}

std::vector<Event> SnapshotBuilder::current_state_events(std::uint64_t now) const {
    std::vector<Event> out;
    for (const auto& [id, t] : isolates_) {
        // The runtime may list one as exited before its Exit is drained.
        if (t.ended || t.metrics.state == IsolateState::Exited) continue;
        if (t.spawn) {
            out.push_back(*t.spawn);
        } else {
            Event spawn;
            spawn.kind = EventKind::Spawn;
            spawn.isolate = id;
            spawn.text = t.metrics.name;
            out.push_back(std::move(spawn));
        }
        if (t.path) out.push_back(*t.path);
        const bool live = runtime_states_;
        if (t.began || (live && t.metrics.state != IsolateState::Starting)) {
            Event& up = out.emplace_back();
            up.kind = EventKind::Up;
            up.isolate = id;
        }
        // Live, a paused isolate caught in a handler says running.
        const std::uint32_t pauses =
            std::max<std::uint32_t>(t.pauses, live && t.metrics.state == IsolateState::Paused ? 1 : 0);
        for (std::uint32_t i = 0; i < pauses; ++i) {
            Event& pause = out.emplace_back();
            pause.kind = EventKind::Pause;
            pause.isolate = id;
        }
    }
    for (Event& e : out) {
        e.time = now;
        e.text_size = static_cast<std::uint32_t>(e.text.size());
    }
    return out;
}

} // namespace iso
