#pragma once
// The ports an isolate has open, oldest first. Most isolates have one: it
// is kept inline, and a vector is made only for a second, so that an idle
// isolate pays for no allocation here.

#include <algorithm>
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

    void remove(const Cell* cell) {
        if (first_.get() == cell) {
            first_.reset();
            if (more_ && !more_->empty()) {  // the next oldest moves up
                first_ = std::move(more_->front());
                more_->erase(more_->begin());
            }
        } else if (more_) {
            std::erase_if(*more_, [&](const auto& p) { return p.get() == cell; });
        }
    }

    std::size_t size() const noexcept { return (first_ ? 1 : 0) + (more_ ? more_->size() : 0); }

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
