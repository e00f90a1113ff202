#pragma once
// A first-in first-out buffer that allocates nothing until used: std::deque
// allocates on construction, which every port would pay for.

#include <cstddef>
#include <utility>
#include <vector>

namespace iso::detail {

template <typename T> class Fifo {
public:
    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }

    void push(T item) { items_.push_back(std::move(item)); }

    /// The `i`th oldest item. Precondition: i < size().
    T& operator[](std::size_t i) noexcept { return items_[head_ + i]; }
    const T& operator[](std::size_t i) const noexcept { return items_[head_ + i]; }
    /// Removes the `i`th oldest item. Precondition: i < size().
    void erase(std::size_t i) {
        items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(head_ + i));
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        }
    }

    /// Precondition: !empty().
    T pop() {
        T item = std::move(items_[head_++]);
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ > 32 && head_ * 2 > items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return item;
    }

    /// Takes everything, oldest first.
    std::vector<T> take_all() {
        std::vector<T> out(std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(head_)),
                           std::make_move_iterator(items_.end()));
        items_.clear();
        head_ = 0;
        return out;
    }

private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

} // namespace iso::detail
