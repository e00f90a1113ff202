#pragma once
// The ports an isolate has open, oldest first. Most isolates have one: it
// is kept inline, and a vector is made only for a second, so that an idle
// isolate pays for no allocation here.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace iso::detail {

template <typename Cell> class OpenPorts {
public:
    void add(std::shared_ptr<Cell> cell) {
        if (!first_) {
            first_ = std::move(cell);
            return;
        }
        if (!more_) more_ = std::make_unique<std::vector<std::shared_ptr<Cell>>>();
        more_->push_back(std::move(cell));
    }

    /// Takes `cell` out, and hands back what this held of it.
    std::shared_ptr<Cell> remove(const Cell* cell) {
        std::shared_ptr<Cell> removed;
        if (first_.get() == cell) {
            removed = std::move(first_);
            if (more_ && !more_->empty()) {  // the next oldest moves up
                first_ = std::move(more_->front());
                more_->erase(more_->begin());
            }
        } else if (more_) {
            const auto it = std::find_if(more_->begin(), more_->end(), [&](const auto& p) { return p.get() == cell; });
            if (it != more_->end()) {
                removed = std::move(*it);
                more_->erase(it);
            }
        }
        return removed;
    }

    std::size_t size() const noexcept { return (first_ ? 1 : 0) + (more_ ? more_->size() : 0); }

    /// The open port `id`, or null: every message is handled through this,
    /// and most isolates have their one port in first_.
    Cell* find(std::uint64_t id) const noexcept {
        if (first_ && first_->id == id) [[likely]]
            return first_.get();
        if (more_)
            for (const auto& cell : *more_)
                if (cell->id == id) return cell.get();
        return nullptr;
    }

    template <typename F> void for_each(F&& f) const {
        if (first_) f(*first_);
        if (more_)
            for (const auto& cell : *more_) f(*cell);
    }

    /// Empties this, oldest first.
    std::vector<std::shared_ptr<Cell>> take_all() {
        std::vector<std::shared_ptr<Cell>> all;
        if (first_) all.push_back(std::move(first_));
        if (more_) std::move(more_->begin(), more_->end(), std::back_inserter(all));
        first_.reset();
        more_.reset();
        return all;
    }

private:
    std::shared_ptr<Cell> first_;
    std::unique_ptr<std::vector<std::shared_ptr<Cell>>> more_;
};

} // namespace iso::detail
