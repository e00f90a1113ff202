#include "clustercore.h"

#include <iso/cluster.h>

namespace iso {

Cluster Cluster::single_node(ClusterOptions options) {
    return Cluster(std::make_shared<detail::ClusterCore>(std::move(options)));
}

Cluster::~Cluster() { close(); }

Cluster& Cluster::operator=(Cluster&& other) noexcept {
    if (this != &other) {
        close();
        core_ = std::move(other.core_);
    }
    return *this;
}

void Cluster::close() noexcept {
    if (!core_) return;
    shutdown(core_->options.shutdown_timeout);
    // The shutdown's own isolate may still hold the core; were it the last
    // holder, it would destroy the runtime it runs on.
    if (core_->owned_runtime) core_->runtime.wait_until_idle();
    core_.reset();
}

NodeId Cluster::node() const noexcept { return core_->runtime.node(); }
Runtime& Cluster::runtime() const noexcept { return core_->runtime; }

Future<IsolateRef> Cluster::spawn_isolate(std::string_view path, ClusterEntry entry, Value properties) {
    return core_->spawn(path, std::move(entry), std::move(properties), std::nullopt);
}

Future<IsolateRef> Cluster::spawn_isolate(std::string_view path, std::string_view entry_name, Value properties) {
    ClusterEntry entry = core_->entry_named(entry_name);
    if (!entry)
        return Future<IsolateRef>::failed(
            std::make_exception_ptr(std::invalid_argument("spawn: no entry named '" + std::string(entry_name) + "'")));
    return core_->spawn(path, std::move(entry), std::move(properties), std::nullopt, std::nullopt,
                        std::string(entry_name));
}

void Cluster::register_entry(std::string name, ClusterEntry entry) {
    std::lock_guard lock(core_->mutex);
    core_->entries.insert_or_assign(std::move(name), std::move(entry));
}

std::vector<std::string> Cluster::entry_names() const {
    std::lock_guard lock(core_->mutex);
    std::vector<std::string> names;
    for (const auto& [name, entry] : core_->entries) names.push_back(name);
    return names;
}

std::optional<IsolateRef> Cluster::lookup(const Path& path) const { return core_->lookup(path); }

std::vector<IsolateRef> Cluster::lookup_all(const Path& prefix) const {
    return core_->lookup_where(prefix, [](const Path&) { return true; });
}

std::vector<IsolateRef> Cluster::lookup_matching(const PathPattern& pattern) const {
    return core_->lookup_where(pattern.fixed_prefix(), [&](const Path& p) { return pattern.matches(p); });
}

std::size_t Cluster::inject(const PathPattern& pattern, const Fault& fault) {
    std::size_t injected = 0;
    for (const IsolateRef& ref : lookup_matching(pattern)) {
        if (const auto description = describe(ref.path()); description && description->isolate != 0) {
            if (const auto isolate = runtime().find_isolate(description->isolate)) {
                isolate->inject(fault);
                ++injected;
            }
        }
    }
    return injected;
}

bool Cluster::kill(const Path& path) {
    if (!lookup(path)) return false;
    core_->kill(path);
    return true;
}

bool Cluster::stop(const Path& path) { return core_->stop(path, detail::ClusterCore::Stop::None); }

bool Cluster::restart(const Path& path) { return core_->stop(path, detail::ClusterCore::Stop::Restart); }

std::optional<IsolateDescription> Cluster::describe(const Path& path) const { return core_->describe(path); }

bool Cluster::shutdown(Duration timeout) {
    detail::check_may_block("iso::Cluster::shutdown");
    return core_->runtime.block_on(core_->start_shutdown(timeout));
}

} // namespace iso
