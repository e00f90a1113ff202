#pragma once
// Reading Chrome trace-event JSON back, and the checks a viewer's import
// makes: what would make Perfetto report an error or draw a trace wrong.
// Written from the format's rules, not from the exporter, so that the two
// do not share a mistake.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace test {

using namespace Qt::StringLiterals;

/// One trace-event file, parsed. Times are in nanoseconds, rounded as
/// Perfetto rounds them (microseconds times 1000).
struct ChromeTrace {
    using Track = std::pair<qint64, qint64>;  ///< pid, tid

    struct Slice {
        qint64 begin = 0;
        qint64 end = 0;
        QJsonObject event;
    };

    QJsonObject root;
    QList<QJsonObject> events;
    QString error;  ///< why it could not be read; empty if it could
    /// Complete slices by track, sorted by begin, longest first.
    QMap<Track, std::vector<Slice>> slices;
    QMap<Track, QString> thread_names;

    static qint64 nanoseconds(const QJsonValue& microseconds) {
        return std::llround(microseconds.toDouble() * 1000.0);
    }
    static Track track(const QJsonObject& e) {
        return {e.value(u"pid").toInteger(), e.value(u"tid").toInteger()};
    }

    static ChromeTrace parse(const QByteArray& json) {
        ChromeTrace trace;
        QJsonParseError parse_error;
        const QJsonDocument document = QJsonDocument::fromJson(json, &parse_error);
        if (parse_error.error != QJsonParseError::NoError) {
            trace.error = QStringLiteral("not valid JSON at byte %1: %2").arg(parse_error.offset).arg(parse_error.errorString());
            return trace;
        }
        if (!document.isObject() || !document.object().value(u"traceEvents").isArray()) {
            trace.error = QStringLiteral("not an object with a traceEvents array");
            return trace;
        }
        trace.root = document.object();
        for (const QJsonValue& value : trace.root.value(u"traceEvents").toArray())
            trace.events.append(value.toObject());
        trace.index();
        return trace;
    }

    QList<QJsonObject> with_phase(QStringView phase) const {
        QList<QJsonObject> found;
        for (const QJsonObject& e : events)
            if (e.value(u"ph").toString() == phase)
                found.append(e);
        return found;
    }

    /// The name a "thread_name" metadata event gives `tid` in `pid`.
    std::optional<QString> thread_name(Track t) const {
        auto it = thread_names.find(t);
        return it == thread_names.end() ? std::nullopt : std::optional<QString>(*it);
    }

    /// The innermost slice on `t` that holds time `ns` (a slice holds
    /// [begin, end); one of no duration holds its instant).
    std::optional<Slice> slice_at(Track t, qint64 ns) const {
        std::optional<Slice> inner;
        const auto it = slices.find(t);
        if (it == slices.end())
            return inner;
        for (const Slice& s : *it) {
            if (s.begin > ns)
                break;
            if (ns < s.end || (s.begin == s.end && ns == s.begin))
                inner = s;
        }
        return inner;
    }

    /// Everything wrong with the trace; empty if a viewer would take it whole.
    QStringList problems() const {
        if (!error.isEmpty())
            return {error};
        QStringList found;
        if (root.value(u"displayTimeUnit").toString() != u"ns")
            found << QStringLiteral("displayTimeUnit is not \"ns\"");
        check_events(found);
        check_nesting(found);
        check_flows(found);
        return found;
    }

private:
    void index() {
        for (const QJsonObject& e : events) {
            const QString phase = e.value(u"ph").toString();
            if (phase == u"M" && e.value(u"name").toString() == u"thread_name") {
                thread_names[track(e)] = e.value(u"args").toObject().value(u"name").toString();
            } else if (phase == u"X") {
                const qint64 begin = nanoseconds(e.value(u"ts"));
                slices[track(e)].push_back({begin, begin + nanoseconds(e.value(u"dur")), e});
            }
        }
        for (auto& list : slices)
            std::stable_sort(list.begin(), list.end(), [](const Slice& a, const Slice& b) {
                return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
            });
    }

    static QString describe(const QJsonObject& e) {
        return QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact));
    }

    void check_events(QStringList& found) const {
        for (const QJsonObject& e : events) {
            const QString phase = e.value(u"ph").toString();
            if (phase.isEmpty()) {
                found << u"no phase: "_s + describe(e);
                continue;
            }
            if (phase != u"M" && !e.value(u"ts").isDouble())
                found << u"no time: "_s + describe(e);
            if (phase == u"X" && (!e.value(u"dur").isDouble() || e.value(u"dur").toDouble() < 0))
                found << u"no duration: "_s + describe(e);
            if (phase == u"C" && e.value(u"args").toObject().isEmpty())
                found << u"a counter without values: "_s + describe(e);
            const bool on_thread = phase == u"X" || phase == u"s" || phase == u"f" ||
                                   (phase == u"i" && e.value(u"s").toString(u"t"_s) == u"t");
            if (on_thread && !thread_name(track(e)))
                found << u"a track without a thread_name: "_s + describe(e);
        }
    }

    void check_nesting(QStringList& found) const {
        for (auto it = slices.begin(); it != slices.end(); ++it) {
            std::vector<Slice> open;
            for (const Slice& s : it.value()) {
                while (!open.empty() && open.back().end <= s.begin)
                    open.pop_back();
                if (!open.empty() && s.end > open.back().end)
                    found << u"slices overlap without nesting: "_s + describe(open.back().event) + u" and "_s +
                                 describe(s.event);
                open.push_back(s);
            }
        }
    }

    void check_flows(QStringList& found) const {
        QMap<QString, QList<QJsonObject>> starts, ends;
        for (const QJsonObject& e : events) {
            const QString phase = e.value(u"ph").toString();
            const QString id = e.value(u"id").toVariant().toString();
            if (phase == u"s")
                starts[id].append(e);
            else if (phase == u"f")
                ends[id].append(e);
            else if (phase == u"t")
                found << u"a flow step, which the exporter never writes: "_s + describe(e);
        }
        QStringList ids = starts.keys() + ends.keys();
        ids.removeDuplicates();
        for (const QString& id : ids) {
            const auto s = starts.value(id);
            const auto f = ends.value(id);
            if (s.size() != 1 || f.size() != 1) {
                found << QStringLiteral("flow %1 has %2 starts and %3 ends").arg(id).arg(s.size()).arg(f.size());
                continue;
            }
            check_flow(found, s.front(), f.front());
        }
    }

    void check_flow(QStringList& found, const QJsonObject& s, const QJsonObject& f) const {
        if (f.value(u"bp").toString() != u"e")
            found << u"a flow end that does not bind to its enclosing slice: "_s + describe(f);
        if (s.value(u"cat") != f.value(u"cat") || s.value(u"name") != f.value(u"name"))
            found << u"flow ends differ in cat or name: "_s + describe(s) + u" and "_s + describe(f);
        const qint64 start = nanoseconds(s.value(u"ts"));
        const qint64 end = nanoseconds(f.value(u"ts"));
        if (end < start)
            found << u"a flow ends before it starts: "_s + describe(s);
        if (!slice_at(track(s), start))
            found << u"a flow start outside any slice: "_s + describe(s);
        if (!slice_at(track(f), end))
            found << u"a flow end outside any slice: "_s + describe(f);
    }
};

} // namespace test
