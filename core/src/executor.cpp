#include "executor.h"

#include "isolatecore.h"
#include "niceness.h"
#include "threadname.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace iso::detail {

namespace {

using IsolatePtr = std::shared_ptr<IsolateCore>;

/// A run queue: its owner takes from the front, thieves from the back. A
/// mutex is enough here: each operation holds it for a few instructions, and
/// stealing happens only when a worker is out of work.
class RunQueue {
public:
    /// Woken by the isolate running on this worker: runs next, while what it
    /// was sent is still in this core's cache. A tree of spawns unfolds
    /// depth first, so a million-node tree needs memory for a path, not a level.
    void push_front(IsolatePtr isolate) {
        std::lock_guard lock(mutex_);
        queue_.push_front(std::move(isolate));
        size_.store(queue_.size(), std::memory_order_relaxed);
    }
    /// Woken from elsewhere, or yielding: waits its turn.
    void push_back(IsolatePtr isolate) {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(isolate));
        size_.store(queue_.size(), std::memory_order_relaxed);
    }
    IsolatePtr pop_front() { return pop(true); }
    /// The oldest: for thieves (the largest part of a tree), and for the
    /// owner now and then, so that isolates waking each other at the front
    /// cannot starve the rest.
    IsolatePtr pop_back() { return pop(false); }
    bool empty() const noexcept { return size_.load(std::memory_order_relaxed) == 0; }
    std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
    void clear() {
        std::lock_guard lock(mutex_);
        queue_.clear();
        size_.store(0, std::memory_order_relaxed);
    }

private:
    IsolatePtr pop(bool front) {
        if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return nullptr;
        IsolatePtr isolate;
        if (front) {
            isolate = std::move(queue_.front());
            queue_.pop_front();
        } else {
            isolate = std::move(queue_.back());
            queue_.pop_back();
        }
        size_.store(queue_.size(), std::memory_order_relaxed);
        return isolate;
    }

    std::mutex mutex_;
    std::deque<IsolatePtr> queue_;
    std::atomic<std::size_t> size_{0};
};

/// A work-stealing pool. Each worker runs its own queue first, then the shared
/// injection queue, then steals from the others. A monitor thread adds a
/// worker when work waits while every worker has been stuck in one handler
/// for longer than the busy threshold, so one CPU-bound isolate cannot starve
/// the rest. A worker added that way retires once the others move again
/// (two or more workers moving, so that one is left after it goes), or
/// after a second without work: left running, it would share the cores
/// with the workers they were made for.
class ThreadPool final : public Executor {
public:
    explicit ThreadPool(const RuntimeOptions& options)
        : base_workers_(options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency())),
          max_workers_(std::max(base_workers_, options.max_threads)),
          busy_threshold_(options.busy_threshold),
          worker_niceness_(niceness_below_this_thread(options.worker_niceness)),
          workers_(max_workers_) {
        for (auto& w : workers_) {
            w = std::make_unique<Worker>();
            w->watches.resize(max_workers_);
        }
        for (unsigned i = 0; i < base_workers_; ++i) start_worker(i, false);
        monitor_ = std::thread([this] {
            name_this_thread("iso-pool-watch");
            monitor();
        });
    }
    ~ThreadPool() override { stop(); }

    void schedule(IsolatePtr isolate) override {
        if (stopping_.load(std::memory_order_acquire)) return;  // after shutdown nothing runs
        // Woken by the isolate running on this worker: to the front here.
        // Woken from outside, or yielding after its budget: to the shared
        // queue, in turn. Only the front of a worker's queue is ever pushed,
        // so its back is always its oldest, which the fair turns reach.
        if (tls_pool == this && tls_worker != nullptr && IsolateCore::current() != nullptr) {
            const bool alone = tls_worker->queue.empty();
            tls_worker->queue.push_front(std::move(isolate));
            if (alone) {
                // It runs here next, as a rule: no other worker need hear of
                // it unless this activation goes on (tls_wake_owed; tokio's
                // LIFO slot wakes no one either). The monitor watches, for a
                // handler that then runs long.
                tls_wake_owed = this;
                // Pairs with the monitor's, as it stops watching: either it
                // sees this push or we see it has stopped.
                std::atomic_thread_fence(std::memory_order_seq_cst);
                watch();
                return;
            }
            tls_wake_owed = nullptr;  // told of with the rest
        } else {
            injection_.push_back(std::move(isolate));
        }
        announce_work();
    }

    void pay_wake() override {
        tls_wake_owed = nullptr;
        // Nothing to tell if what was woken has been taken meanwhile.
        if (tls_worker != nullptr && !tls_worker->queue.empty()) announce_work();
    }

    unsigned worker_count() const override { return active_workers_.load(std::memory_order_relaxed); }

    void stop() override {
        {
            std::lock_guard lock(sleep_mutex_);
            if (stopping_.exchange(true)) return;
        }
        sleep_cv_.notify_all();
        {
            std::lock_guard lock(monitor_mutex_);
            monitor_cv_.notify_all();
        }
        monitor_.join();
        for (auto& w : workers_)
            if (w->thread.joinable()) w->thread.join();
        for (auto& w : workers_) w->queue.clear();
        injection_.clear();
    }

private:
    /// What one worker has seen of another's progress (find_work).
    struct Watch {
        std::uint64_t activations = 0;
        int still_looks = 0;
        /// Whether `activations` has stood still for kStuckLooks looks.
        bool stuck(std::uint64_t now) noexcept {
            if (std::exchange(activations, now) != now) still_looks = 0;
            return ++still_looks > kStuckLooks;
        }
    };
    /// About a microsecond of looks: many activations of a conversation.
    static constexpr int kStuckLooks = 4;

    struct Worker {
        RunQueue queue;
        std::thread thread;
        std::atomic<bool> live{false};
        std::atomic<bool> busy{false};
        std::atomic<std::uint64_t> activations{0};
        /// Set by the monitor on an added worker that is no longer needed;
        /// it leaves after its activation, which yields at its next budget.
        std::atomic<bool> retire{false};
        std::uint32_t polls = 0;  // the worker's own
        std::vector<Watch> watches;  // the worker's own: one for each other worker
    };
    static constexpr std::uint32_t kFairnessInterval = 61;
    /// Some tens of microseconds of looking before a worker sleeps: long
    /// enough to catch a reply, short enough not to take a core for long
    /// from a thread outside the pool that is making the work.
    static constexpr int kSearchAttempts = 100;

    static void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    static thread_local ThreadPool* tls_pool;
    static thread_local Worker* tls_worker;

    void start_worker(unsigned index, bool extra) {
        Worker& w = *workers_[index];
        if (w.thread.joinable()) w.thread.join();  // a retired extra worker
        w.retire.store(false, std::memory_order_relaxed);
        w.live.store(true, std::memory_order_relaxed);
        active_workers_.fetch_add(1, std::memory_order_relaxed);
        if (index >= workers_started_.load(std::memory_order_relaxed))
            workers_started_.store(index + 1, std::memory_order_release);
        w.thread = std::thread([this, index, extra] {
            name_this_thread("iso-worker-" + std::to_string(index));
            set_this_thread_niceness(worker_niceness_);
            work(index, extra);
        });
    }

    /// An isolate alone in another worker's queue is left there until that
    /// worker has been seen to finish no activation for kStuckLooks looks.
    /// It was most likely woken a moment ago by the isolate running there,
    /// and runs next when that one returns, or has just returned (a
    /// conversation passes between activations many times a microsecond,
    /// so "not busy" at one look says nothing): taken by another worker, a
    /// conversation between two isolates would trade its cache lines
    /// between cores on every message, where on one core it costs a
    /// fraction. (Go's scheduler leaves a just-readied goroutine to its
    /// processor for the same reason.) If this worker sleeps meanwhile and
    /// that handler then runs long, the monitor wakes it within the busy
    /// threshold, as it adds a worker when all are stuck.
    IsolatePtr find_work(unsigned self) {
        // Now and then the shared queue or the oldest of our own goes first,
        // turn about, so that isolates woken from outside (timers, other
        // threads), yielding, or woken long ago are not starved by ones that
        // keep waking each other.
        Worker& me = *workers_[self];
        if (++me.polls % kFairnessInterval == 0) {
            const bool own_first = (me.polls / kFairnessInterval) % 2 == 1;
            if (own_first)
                if (auto isolate = me.queue.pop_back()) return isolate;
            if (auto isolate = injection_.pop_front()) return isolate;
            if (auto isolate = me.queue.pop_back()) return isolate;
        }
        if (auto isolate = me.queue.pop_front()) return isolate;
        if (auto isolate = injection_.pop_front()) return isolate;
        for (unsigned k = 1; k < workers_.size(); ++k) {
            const unsigned v = (self + k) % static_cast<unsigned>(workers_.size());
            Worker& victim = *workers_[v];
            if (victim.queue.size() == 1 && !me.watches[v].stuck(victim.activations.load(std::memory_order_relaxed)))
                continue;
            if (auto isolate = victim.queue.pop_back()) return isolate;
        }
        return nullptr;
    }

    /// Looks for work for a little while before going to sleep: work often
    /// comes back within microseconds (a reply, the next message of a
    /// stream), and finding it awake is far cheaper than being woken.
    /// `counted`: a wake already counted this worker as searching.
    IsolatePtr search(unsigned index, bool counted) {
        if (!counted) searching_.fetch_add(1, std::memory_order_seq_cst);
        for (int attempt = 0; attempt < kSearchAttempts && !stopping_.load(std::memory_order_relaxed); ++attempt) {
            if (IsolatePtr isolate = find_work(index)) {
                searching_.fetch_sub(1, std::memory_order_seq_cst);
                return isolate;
            }
            for (int i = 0; i < 16; ++i) cpu_relax();
        }
        return nullptr;  // still counted as searching: work() hands that over to sleeping
    }

    /// After a push: wakes a sleeper for it unless a worker is looking
    /// anyway, and has the monitor watch.
    void announce_work() {
        // Pairs with the fences in work(), on the way to sleep, and in
        // pass_on(): either we see a worker searching or asleep, or it sees
        // the push. One that is searching will find it, so no sleeper is
        // woken then: that would cost a system call for every message that
        // wakes an idle isolate.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (searching_.load(std::memory_order_seq_cst) > 0) {
            // If it takes other work first, it passes the baton (pass_on);
            // the monitor is the last safety net.
        } else if (sleepers_.load(std::memory_order_seq_cst) > 0) {
            if (wake_sleeper(true)) return;
            // A searcher came, or a wake is on its way: as above.
        }
        watch();
    }

    /// Has the monitor look at the pool, if it is not looking already.
    void watch() {
        if (!monitor_watching_.load(std::memory_order_seq_cst)) {
            std::lock_guard lock(monitor_mutex_);
            monitor_watching_.store(true, std::memory_order_relaxed);
            monitor_cv_.notify_one();
        }
    }

    /// A worker that has just searched or slept and found work passes the
    /// baton: pushes that saw a worker searching woke nobody, so if more
    /// waits here or outside while others sleep, one of them is woken for
    /// it. (A worker that stays busy does not: the pushes it makes wake,
    /// or owe a wake that its activation pays if it goes on.)
    void pass_on(const Worker& me) {
        if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
        // No longer counted as searching: a push that saw us still counted
        // woke no one, and is seen here (announce_work's fence).
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (me.queue.empty() && injection_.empty()) return;
        wake_sleeper(true);
    }

    /// Wakes a sleeper that no wake is on its way to yet, and counts it as
    /// searching from now on, before it runs (as Go's scheduler counts a
    /// spinning thread before waking it). A thread takes microseconds to
    /// wake: counted only once it runs, every push meanwhile would find no
    /// worker searching and signal again. In pingpong across two workers
    /// that was one signal for every three or four messages.
    /// `unless_searching`: a worker already searching finds the work itself.
    /// Returns whether a sleeper was signalled.
    bool wake_sleeper(bool unless_searching) {
        std::lock_guard lock(sleep_mutex_);
        if (sleepers_.load(std::memory_order_seq_cst) <= wakes_on_the_way_) return false;
        if (unless_searching && searching_.load(std::memory_order_seq_cst) > 0) return false;
        ++wakes_on_the_way_;
        searching_.fetch_add(1, std::memory_order_seq_cst);
        sleep_cv_.notify_one();
        return true;
    }

    void work(unsigned index, bool extra) {
        tls_pool = this;
        Worker& me = *workers_[index];
        tls_worker = &me;
        bool woke = false;  // from sleep: the next work found passes the baton
        bool sent_to_search = false;  // woken by wake_sleeper, so counted as searching
        while (!stopping_.load(std::memory_order_acquire) && !me.retire.load(std::memory_order_relaxed)) {
            IsolatePtr isolate = sent_to_search ? nullptr : find_work(index);
            bool searched = false;
            if (!isolate) {
                isolate = search(index, std::exchange(sent_to_search, false));
                searched = true;
            }
            if (isolate) {
                if (searched || std::exchange(woke, false)) pass_on(me);
                run(me, std::move(isolate));
                continue;
            }
            std::unique_lock lock(sleep_mutex_);
            // A sleeper before no longer a searcher: a push never sees neither
            // while this worker has not looked again.
            sleepers_.fetch_add(1, std::memory_order_seq_cst);
            searching_.fetch_sub(1, std::memory_order_seq_cst);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            IsolatePtr found = find_work(index);  // a push that missed our count is seen here
            bool idle_too_long = false;
            bool waited = false;
            if (!found && !stopping_.load(std::memory_order_acquire)) {
                waited = true;
                if (extra && sleep_cv_.wait_for(lock, std::chrono::seconds(1)) == std::cv_status::timeout) {
                    // Still counted as a sleeper, a push may have relied on us: look once more.
                    found = find_work(index);
                    idle_too_long = !found;
                } else if (!extra) {
                    sleep_cv_.wait(lock);
                }
            }
            sleepers_.fetch_sub(1, std::memory_order_seq_cst);
            // Any sleeper leaving its wait takes a wake on its way, whichever
            // was signalled. One that found work before waiting leaves it
            // for them.
            const bool sent = waited && wakes_on_the_way_ > 0;
            if (sent) --wakes_on_the_way_;
            lock.unlock();
            if (found) {
                if (sent) searching_.fetch_sub(1, std::memory_order_seq_cst);
                pass_on(me);
                run(me, std::move(found));
            } else if (sent) {
                sent_to_search = true;
            } else if (idle_too_long && me.queue.empty()) {
                break;
            } else {
                woke = true;
            }
        }
        if (sent_to_search) searching_.fetch_sub(1, std::memory_order_seq_cst);  // stopping, or asked to go
        // Whatever is left in a retiring worker's queue goes to the others,
        // and so does the wake it may have taken from them on its way out.
        while (IsolatePtr isolate = me.queue.pop_back()) injection_.push_back(std::move(isolate));
        if (!stopping_.load(std::memory_order_acquire) && work_waiting()) announce_work();
        tls_worker = nullptr;
        tls_wake_owed = nullptr;
        active_workers_.fetch_sub(1, std::memory_order_relaxed);
        me.live.store(false, std::memory_order_release);
    }

    void run(Worker& me, IsolatePtr isolate) {
        // A wake owed by the last activation is paid if what it woke still
        // waits: a fair turn ran another first.
        if (tls_wake_owed != nullptr) pay_wake();
        me.busy.store(true, std::memory_order_relaxed);
        isolate->activate(kActivationBudget);
        me.activations.fetch_add(1, std::memory_order_relaxed);
        me.busy.store(false, std::memory_order_relaxed);
    }

    bool yield_after_budget() override {
        if (tls_pool == this && tls_worker != nullptr) {
            tls_worker->activations.fetch_add(1, std::memory_order_relaxed);
            // Asked to go: the isolate goes on elsewhere.
            if (tls_worker->retire.load(std::memory_order_relaxed)) return true;
        }
        return work_waiting();
    }

    bool work_waiting() const {
        if (!injection_.empty()) return true;
        // Only workers ever started can hold work: a stream asks this every
        // budget, and most of the pool's places stay empty.
        const unsigned started = workers_started_.load(std::memory_order_acquire);
        for (unsigned i = 0; i < started; ++i)
            if (!workers_[i]->queue.empty()) return true;
        return false;
    }

    void monitor() {
        std::vector<std::uint64_t> seen(workers_.size(), 0);
        std::unique_lock lock(monitor_mutex_);
        while (!stopping_.load(std::memory_order_acquire)) {
            if (!monitor_watching_.load(std::memory_order_relaxed)) {
                monitor_cv_.wait(lock);
                continue;
            }
            for (std::size_t i = 0; i < workers_.size(); ++i)
                seen[i] = workers_[i]->activations.load(std::memory_order_relaxed);
            // The whole threshold, however often it is woken: a push that
            // found it not watching wakes it, and two pushes that both did
            // wake it twice, the second time while it already watches.
            // Woken early, it would take workers that finished no
            // activation in a few microseconds for stuck ones.
            const auto look = std::chrono::steady_clock::now() + busy_threshold_;
            if (monitor_cv_.wait_until(lock, look, [this] { return stopping_.load(std::memory_order_acquire); }))
                break;
            if (work_waiting() && sleepers_.load(std::memory_order_seq_cst) > 0) {
                // Work waits while a worker sleeps: whatever skipped waking
                // it, wake it now.
                wake_sleeper(false);
                continue;
            }
            // A worker moves if it is idle or finished an activation since
            // the last look; one that did neither is stuck in one handler.
            unsigned moving = 0;
            bool added_live = false;         // and not yet asked to go
            Worker* newest_added = nullptr;
            for (std::size_t i = 0; i < workers_.size(); ++i) {
                Worker& w = *workers_[i];
                // One asked to go runs nothing new: it is no help to the rest.
                if (!w.live.load(std::memory_order_acquire) || w.retire.load(std::memory_order_relaxed)) continue;
                if (!w.busy.load(std::memory_order_relaxed) ||
                    w.activations.load(std::memory_order_relaxed) != seen[i])
                    ++moving;
                if (i < base_workers_) continue;
                added_live = true;
                newest_added = &w;
            }
            if (moving >= 2 && newest_added != nullptr) {
                // One of the moving would still move without it.
                newest_added->retire.store(true, std::memory_order_relaxed);
                continue;
            }
            if (!work_waiting()) {
                // Busy workers with nothing waiting still need looks while
                // an added worker lives: it may be one too many.
                if (added_live) continue;
                monitor_watching_.store(false, std::memory_order_seq_cst);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                // A push that saw us still watching did not wake us: look again.
                if (work_waiting()) monitor_watching_.store(true, std::memory_order_seq_cst);
                continue;
            }
            if (moving != 0) continue;
            for (unsigned i = 0; i < workers_.size(); ++i) {
                if (!workers_[i]->live.load(std::memory_order_acquire)) {
                    start_worker(i, true);
                    break;
                }
            }
        }
    }

    const unsigned base_workers_;
    const unsigned max_workers_;
    const std::chrono::milliseconds busy_threshold_;
    const int worker_niceness_;  // what every worker sets itself to
    std::vector<std::unique_ptr<Worker>> workers_;
    RunQueue injection_;
    std::atomic<unsigned> active_workers_{0};
    /// One past the highest index of a worker ever started. Written by the
    /// constructor and the monitor only.
    std::atomic<unsigned> workers_started_{0};
    std::atomic<bool> stopping_{false};

    std::mutex sleep_mutex_;
    std::condition_variable sleep_cv_;
    std::atomic<int> sleepers_{0};
    /// Awake workers looking for work, and sleepers woken to look.
    std::atomic<int> searching_{0};
    /// Wakes signalled by wake_sleeper and not yet taken: each sleeper
    /// leaving its wait takes one, whether it was the one signalled or not.
    int wakes_on_the_way_ = 0;  // under sleep_mutex_

    std::mutex monitor_mutex_;
    std::condition_variable monitor_cv_;
    std::atomic<bool> monitor_watching_{false};
    std::thread monitor_;
};

thread_local ThreadPool* ThreadPool::tls_pool = nullptr;
thread_local ThreadPool::Worker* ThreadPool::tls_worker = nullptr;

/// Deterministic: isolates run one event at a time, in the order they became
/// runnable, only when the test says so.
class ManualExecutor final : public Executor {
public:
    void schedule(IsolatePtr isolate) override {
        std::lock_guard lock(mutex_);
        if (!stopped_) queue_.push_back(std::move(isolate));
    }
    unsigned worker_count() const override { return 0; }
    void stop() override {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        queue_.clear();
    }
    bool run_once() override {
        IsolatePtr isolate;
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty()) return false;
            isolate = std::move(queue_.front());
            queue_.pop_front();
        }
        isolate->activate(1);
        return true;
    }

private:
    std::mutex mutex_;
    std::deque<IsolatePtr> queue_;
    bool stopped_ = false;
};

} // namespace

std::unique_ptr<Executor> make_thread_pool(const RuntimeOptions& options) {
    return std::make_unique<ThreadPool>(options);
}

std::unique_ptr<Executor> make_manual_executor() { return std::make_unique<ManualExecutor>(); }

} // namespace iso::detail
