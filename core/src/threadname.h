#pragma once
// Names the runtime's own threads, so that top, perf and gdb tell them
// from the program's.

#include <pthread.h>

#include <string>

namespace iso::detail {

/// Linux keeps 15 characters of a thread's name; longer ones are cut.
inline void name_this_thread(std::string name) {
    if (name.size() > 15) name.resize(15);
    pthread_setname_np(pthread_self(), name.c_str());
}

} // namespace iso::detail
