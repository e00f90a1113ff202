#pragma once

#include <iso/trace.h>

#include <QColor>
#include <QString>

#include <optional>

/// The events that show supervision at work (a failure made on purpose,
/// an error, a failed end, a kill, a restart, a backoff, a supervisor
/// giving up), tinted alike wherever they are highlighted: the event log,
/// the cluster tree, the flow charts.
namespace incidents {

/// The light background for rows about `kind` (with `arg`, an Exit's
/// reason); none for the events that are not incidents.
std::optional<QColor> tint(iso::trace::Kind kind, std::uint32_t arg = 0);

/// How the flow charts mark an event of `kind` (with `arg`) on its lane: a
/// glyph in a strong colour.
struct Mark {
    QString glyph;
    QColor colour;
};
Mark mark(iso::trace::Kind kind, std::uint32_t arg = 0);

} // namespace incidents
