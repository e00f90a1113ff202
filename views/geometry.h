#pragma once

#include <QPointF>

#include <algorithm>
#include <cmath>

/// How far `p` is from the segment from `a` to `b`, in pixels: what picks
/// an arrow or an edge under the pointer.
inline double distanceToSegment(QPointF p, QPointF a, QPointF b)
{
    const QPointF ab = b - a;
    const double length2 = QPointF::dotProduct(ab, ab);
    const double t = length2 == 0 ? 0 : std::clamp(QPointF::dotProduct(p - a, ab) / length2, 0.0, 1.0);
    const QPointF nearest = a + t * ab;
    return std::hypot(p.x() - nearest.x(), p.y() - nearest.y());
}
