#pragma once

#include <iso/value.h>

#include <QString>

/// A message value as one line of JSON, at most about `limit` characters:
/// it stops writing once the line is long enough, so a huge payload costs
/// no more than a small one, and it names bytes and transferables by size
/// without reading them (a transferable's bytes may be moving to the
/// isolate that owns it).
QString previewOf(const iso::Value& value, qsizetype limit = 160);
