#pragma once
/// libiso in one include.

#include <iso/capability.h>
#include <iso/cluster.h>
#include <iso/deadletter.h>
#include <iso/error.h>
#include <iso/fault.h>
#include <iso/future.h>
#include <iso/isolate.h>
#include <iso/mailbox.h>
#include <iso/receiveport.h>
#include <iso/routing.h>
#include <iso/runtime.h>
#include <iso/sendport.h>
#include <iso/supervision.h>
#include <iso/timer.h>
#include <iso/transferable.h>
#include <iso/value.h>
