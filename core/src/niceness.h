#pragma once
// Lowers the scheduling priority of the runtime's own threads, so that a
// program's GUI thread wins a core from them (RuntimeOptions::worker_niceness).

#include <algorithm>

#ifdef __linux__
#include <sys/resource.h>
#endif

namespace iso::detail {

/// The niceness `steps` below the calling thread's own, within Linux's
/// range; what new threads should take. On Linux niceness belongs to each
/// thread, and `who` 0 names the calling one.
inline int niceness_below_this_thread(int steps) {
#ifdef __linux__
    if (steps <= 0) return getpriority(PRIO_PROCESS, 0);
    return std::clamp(getpriority(PRIO_PROCESS, 0) + steps, -20, 19);
#else
    (void)steps;
    return 0;
#endif
}

/// Gives the calling thread `niceness`. Raising niceness needs no
/// privilege; lowering it does, and without one it is left as it is.
inline void set_this_thread_niceness(int niceness) {
#ifdef __linux__
    if (getpriority(PRIO_PROCESS, 0) != niceness) (void)setpriority(PRIO_PROCESS, 0, niceness);
#else
    (void)niceness;
#endif
}

} // namespace iso::detail
