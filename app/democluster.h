#pragma once

#include <iso/runtime.h>

/// A small cluster that keeps events flowing so the workbench has something
/// live to show: a ticker that hands jobs to a few workers on a timer (and
/// now and then pauses one, so its mailbox fills), a short-lived job isolate
/// every second, and a ping/pong pair that rallies a counter.
///
/// The isolates share nothing with this object; it only owns the runtime
/// they run on. Make and destroy it on one thread, outside isolates.
class DemoCluster
{
public:
    DemoCluster();
    /// Destroying the runtime kills every isolate still alive and waits for
    /// them to end, so nothing of the demo outlives this object.
    ~DemoCluster() = default;
    DemoCluster(const DemoCluster&) = delete;
    DemoCluster& operator=(const DemoCluster&) = delete;

    iso::Runtime& runtime() { return m_runtime; }

private:
    iso::Runtime m_runtime;
};
