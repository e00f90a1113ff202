#pragma once
// The ports an isolate has open, oldest first. Most isolates have one: it
// is kept inline, and a vector is made only for a second, so that an idle
// isolate pays for no allocation here. Every message is handled through
// find(), so the ids of the others sit in the vector beside their cells:
// an isolate waiting for many replies (a port each) scans them without
// visiting each cell.

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
        if (!more_) more_ = std::make_unique<std::vector<Entry>>();
        const std::uint64_t id = cell->id;
        more_->push_back({id, std::move(cell)});
    }

    /// Takes `cell` out, and hands back what this held of it.
    std::shared_ptr<Cell> remove(const Cell* cell) {
        std::shared_ptr<Cell> removed;
        if (first_.get() == cell) {
            removed = std::move(first_);
            if (more_ && !more_->empty()) {  // the next oldest moves up
                first_ = std::move(more_->front().cell);
                more_->erase(more_->begin());
            }
        } else if (more_) {
            const auto it = std::find_if(more_->begin(), more_->end(), [&](const Entry& e) { return e.cell.get() == cell; });
            if (it != more_->end()) {
                removed = std::move(it->cell);
                more_->erase(it);
            }
        }
        return removed;
    }

    /// The open port `id`, or null.
    Cell* find(std::uint64_t id) const noexcept {
        if (first_ && first_->id == id) [[likely]]
            return first_.get();
        if (more_)
            for (const Entry& e : *more_)
                if (e.id == id) return e.cell.get();
        return nullptr;
    }

    std::size_t size() const noexcept { return (first_ ? 1 : 0) + (more_ ? more_->size() : 0); }

    template <typename F> void for_each(F&& f) const {
        if (first_) f(*first_);
        if (more_)
            for (const Entry& e : *more_) f(*e.cell);
    }

    /// Empties this, oldest first.
    std::vector<std::shared_ptr<Cell>> take_all() {
        std::vector<std::shared_ptr<Cell>> all;
        if (first_) all.push_back(std::move(first_));
        if (more_)
            for (Entry& e : *more_) all.push_back(std::move(e.cell));
        first_.reset();
        more_.reset();
        return all;
    }

private:
    struct Entry {
        std::uint64_t id;
        std::shared_ptr<Cell> cell;
    };
    std::shared_ptr<Cell> first_;
    std::unique_ptr<std::vector<Entry>> more_;
};

} // namespace iso::detail
