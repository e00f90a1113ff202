// Chrome trace-event export: the JSON parses, flows join the slices that
// sent and handled each message, slices nest, and what a trace holds only
// in part is left out rather than drawn wrong.

#include "chrometrace.h"
#include "recording.h"
#include "support.h"
#include "tracescript.h"

#include <iso/context.h>
#include <iso/traceexport.h>
#include <iso/tracefile.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

using iso::DeadLetterReason;
using iso::DownReason;
using iso::IsolateId;
using namespace iso::trace;
using namespace Qt::StringLiterals;
using test::ping;
using test::ping_pong;
using test::pong;
using test::Script;

namespace {

QByteArray exported(std::span<const Event> events, const ChromeExportOptions& options = {}) {
    std::ostringstream out;
    export_chrome(events, out, options);
    return QByteArray::fromStdString(out.str());
}

test::ChromeTrace sound_trace(std::span<const Event> events) {
    test::ChromeTrace trace = test::ChromeTrace::parse(exported(events));
    const QStringList problems = trace.problems();
    if (!problems.isEmpty())
        qWarning("%s", qPrintable(problems.join(u'\n')));
    return trace;
}

QString name_of(const QJsonObject& e) { return e.value(u"name").toString(); }
QJsonObject args_of(const QJsonObject& e) { return e.value(u"args").toObject(); }
qint64 tid_of(const QJsonObject& e) { return e.value(u"tid").toInteger(); }

/// The tid of the track named `name`; -1 if there is none.
qint64 tid_named(const test::ChromeTrace& trace, const QString& name) {
    for (auto it = trace.thread_names.begin(); it != trace.thread_names.end(); ++it)
        if (it.value() == name)
            return it.key().second;
    return -1;
}

QList<QJsonObject> named(const QList<QJsonObject>& events, const QString& name) {
    QList<QJsonObject> found;
    std::copy_if(events.begin(), events.end(), std::back_inserter(found),
                 [&](const QJsonObject& e) { return name_of(e) == name; });
    return found;
}

std::vector<double> counter_values(const test::ChromeTrace& trace, const QString& name) {
    std::vector<double> values;
    for (const QJsonObject& e : named(trace.with_phase(u"C"), name))
        values.push_back(args_of(e).value(u"depth").toDouble());
    return values;
}

QString kind_text(Kind kind) { return QString::fromUtf8(kind_name(kind).data(), qsizetype(kind_name(kind).size())); }

} // namespace

class TestTraceExport : public QObject {
    Q_OBJECT

private slots:
    // The checker must find what it is there to find, or the other tests
    // prove nothing.
    void checkerFindsProblems_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("problem");
        const QByteArray names = R"({"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"a"}},
                                    {"ph":"M","name":"thread_name","pid":1,"tid":2,"args":{"name":"b"}},)";
        auto trace = [&](const QByteArray& events) {
            return R"({"displayTimeUnit":"ns","traceEvents":[)" + names + events + "]}";
        };
        QTest::addRow("not json") << QByteArray("{\"traceEvents\":[") << u"not valid JSON"_s;
        QTest::addRow("no events array") << QByteArray("{\"events\":[]}") << u"traceEvents"_s;
        QTest::addRow("partial overlap")
            << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"ph":"X","ts":2,"dur":2,"pid":1,"tid":1})")
            << u"overlap"_s;
        QTest::addRow("overlap by a nanosecond")
            << trace(R"({"ph":"X","ts":1,"dur":1,"pid":1,"tid":1},{"ph":"X","ts":1.999,"dur":0.002,"pid":1,"tid":1})")
            << u"overlap"_s;
        QTest::addRow("flow without end")
            << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"ph":"s","id":7,"ts":2,"pid":1,"tid":1})")
            << u"flow 7 has 1 starts and 0 ends"_s;
        QTest::addRow("two flow ends")
            << trace(R"({"ph":"X","ts":1,"dur":9,"pid":1,"tid":1},{"ph":"s","id":7,"ts":2,"pid":1,"tid":1},
                        {"ph":"f","bp":"e","id":7,"ts":3,"pid":1,"tid":1},{"ph":"f","bp":"e","id":7,"ts":4,"pid":1,"tid":1})")
            << u"1 starts and 2 ends"_s;
        QTest::addRow("flow end outside slices")
            << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"ph":"s","id":7,"ts":2,"pid":1,"tid":1},
                        {"ph":"X","ts":5,"dur":2,"pid":1,"tid":2},{"ph":"f","bp":"e","id":7,"ts":7,"pid":1,"tid":2})")
            << u"flow end outside any slice"_s;
        QTest::addRow("flow start on another track")
            << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"ph":"s","id":7,"ts":2,"pid":1,"tid":2},
                        {"ph":"X","ts":5,"dur":2,"pid":1,"tid":2},{"ph":"f","bp":"e","id":7,"ts":5,"pid":1,"tid":2})")
            << u"flow start outside any slice"_s;
        QTest::addRow("flow end binding to the next slice")
            << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"ph":"s","id":7,"ts":2,"pid":1,"tid":1},
                        {"ph":"X","ts":5,"dur":2,"pid":1,"tid":2},{"ph":"f","id":7,"ts":5,"pid":1,"tid":2})")
            << u"does not bind"_s;
        QTest::addRow("flow backwards")
            << trace(R"({"ph":"X","ts":1,"dur":9,"pid":1,"tid":1},{"ph":"s","id":7,"ts":5,"pid":1,"tid":1},
                        {"ph":"f","bp":"e","id":7,"ts":2,"pid":1,"tid":1})")
            << u"ends before it starts"_s;
        QTest::addRow("unnamed track") << trace(R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":3})") << u"thread_name"_s;
        QTest::addRow("empty counter") << trace(R"({"ph":"C","name":"c","ts":1,"pid":1,"tid":1,"args":{}})")
                                       << u"counter"_s;
        QTest::addRow("negative duration") << trace(R"({"ph":"X","ts":1,"dur":-2,"pid":1,"tid":1})") << u"duration"_s;
    }
    void checkerFindsProblems() {
        QFETCH(QByteArray, json);
        QFETCH(QString, problem);
        const QStringList problems = test::ChromeTrace::parse(json).problems();
        QVERIFY2(problems.join(u'\n').contains(problem), qPrintable(u"expected '"_s + problem + u"', got: "_s +
                                                                    problems.join(u"; "_s)));
    }

    void checkerAcceptsNestingAndTouching() {
        const QByteArray json = R"({"displayTimeUnit":"ns","traceEvents":[
            {"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"a"}},
            {"ph":"X","ts":1,"dur":4,"pid":1,"tid":1},{"ph":"X","ts":2,"dur":1,"pid":1,"tid":1},
            {"ph":"X","ts":5,"dur":1,"pid":1,"tid":1},{"ph":"X","ts":5,"dur":1,"pid":1,"tid":1},
            {"ph":"s","id":1,"ts":2.5,"pid":1,"tid":1},{"ph":"f","bp":"e","id":1,"ts":5,"pid":1,"tid":1}]})";
        const QStringList problems = test::ChromeTrace::parse(json).problems();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }

    void emptyTraceIsValid() {
        const auto trace = test::ChromeTrace::parse(exported({}));
        QVERIFY2(trace.problems().isEmpty(), qPrintable(trace.problems().join(u'\n')));
        QCOMPARE(trace.with_phase(u"M").size(), 1);
        QCOMPARE(trace.root.value(u"metadata").toObject().value(u"exporter").toString(), u"isoscope"_s);
    }

    void pingPong() {
        const Script s = ping_pong(5);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());

        const qint64 ping_tid = tid_named(trace, u"/app/ping #1"_s);
        const qint64 pong_tid = tid_named(trace, u"/app/pong #2"_s);
        const qint64 outside_tid = tid_named(trace, u"outside"_s);
        QCOMPARE(ping_tid, qint64(ping));
        QCOMPARE(pong_tid, qint64(pong));
        QVERIFY(outside_tid > qint64(pong));

        QCOMPARE(named(trace.with_phase(u"X"), u"message"_s).size(), 10);
        QCOMPARE(named(trace.with_phase(u"X"), u"task"_s).size(), 2);
        QCOMPARE(trace.with_phase(u"s").size(), 10);
        QCOMPARE(trace.with_phase(u"f").size(), 10);
    }

    // Each flow starts in the slice that handled the message before (or on
    // the outside track for the first) and ends in the slice that handles
    // its own message.
    void flowsJoinTheRightSlices() {
        const auto trace = sound_trace(ping_pong(3).events);
        QVERIFY(trace.problems().isEmpty());
        const qint64 outside_tid = tid_named(trace, u"outside"_s);
        for (const QJsonObject& f : trace.with_phase(u"f")) {
            const qint64 message = f.value(u"id").toInteger();
            const auto handler = trace.slice_at(test::ChromeTrace::track(f), test::ChromeTrace::nanoseconds(f.value(u"ts")));
            QVERIFY(handler);
            QCOMPARE(args_of(handler->event).value(u"message").toInteger(), message);
            QCOMPARE(tid_of(handler->event), qint64(message % 2 == 1 ? ping : pong));
            QCOMPARE(f.value(u"cat").toString(), u"message"_s);
        }
        for (const QJsonObject& s : trace.with_phase(u"s")) {
            const qint64 message = s.value(u"id").toInteger();
            const auto sender = trace.slice_at(test::ChromeTrace::track(s), test::ChromeTrace::nanoseconds(s.value(u"ts")));
            QVERIFY(sender);
            if (message == 1) {
                QCOMPARE(tid_of(s), outside_tid);
                QCOMPARE(name_of(sender->event), u"send"_s);
            } else {
                QCOMPARE(args_of(sender->event).value(u"message").toInteger(), message - 1);
            }
        }
    }

    void slicesCarryTheMessage() {
        const auto trace = sound_trace(ping_pong(2).events);
        const auto handlers = named(trace.with_phase(u"X"), u"message"_s);
        QCOMPARE(handlers.size(), 4);
        const QJsonObject first = args_of(handlers.front());
        QCOMPARE(first.value(u"message").toInteger(), 1);
        QCOMPARE(first.value(u"port").toInteger(), 100 + qint64(ping));
        QCOMPARE(first.value(u"sender").toString(), u"outside"_s);
        QCOMPARE(first.value(u"payload").toString(), u"\"serve\""_s);
        const QJsonObject second = args_of(handlers.at(1));
        QCOMPARE(second.value(u"sender").toString(), u"/app/ping #1"_s);
        QCOMPARE(second.value(u"payload").toString(), u"{\"n\":2}"_s);
    }

    void trackNamesAndOrder() {
        Script s;
        s.spawn(3, "plain");
        s.spawn(4, "");
        s.path(5, "/app-2");
        s.path(6, "/app/w");
        s.path(7, "/app");
        s.deliver(0, 1, 3);
        for (IsolateId id : {3, 4, 5, 6, 7})
            s.task(id);
        s.begin(3, 1);
        s.end(3);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        std::map<qint64, QString> by_index;
        for (const QJsonObject& m : named(trace.with_phase(u"M"), u"thread_sort_index"_s))
            by_index[args_of(m).value(u"sort_index").toInteger()] = *trace.thread_name(test::ChromeTrace::track(m));
        QStringList order;
        for (const auto& [index, name] : by_index)
            order << name;
        // A subtree stays together: "/app/w" before "/app-2".
        QCOMPARE(order, QStringList({u"outside"_s, u"/app #7"_s, u"/app/w #6"_s, u"/app-2 #5"_s, u"plain #3"_s,
                                     u"isolate #4"_s}));
        const auto process = named(trace.with_phase(u"M"), u"process_name"_s);
        QCOMPARE(process.size(), 1);
        QCOMPARE(process.front().value(u"pid").toInteger(), 1);
    }

    void timesKeepNanoseconds() {
        const Script s = ping_pong(1);
        const auto trace = sound_trace(s.events);
        const auto handle = std::find_if(s.events.begin(), s.events.end(), [](const Event& e) {
            return e.kind == Kind::Handle && e.message == 2;
        });
        const auto handlers = named(trace.with_phase(u"X"), u"message"_s);
        QCOMPARE(handlers.size(), 2);
        QCOMPARE(test::ChromeTrace::nanoseconds(handlers.at(1).value(u"ts")), qint64(handle->time));
        QCOMPARE(test::ChromeTrace::nanoseconds(handlers.at(1).value(u"dur")), qint64(handle->peer));
    }

    // Perfetto binds a flow to the slice open when it reads the flow, and
    // reads events of equal time in file order.
    void outputIsInTimeOrder() {
        const auto trace = sound_trace(ping_pong(4).events);
        double last = -1;
        bool past_metadata = false;
        for (const QJsonObject& e : trace.events) {
            const bool metadata = e.value(u"ph").toString() == u"M";
            QVERIFY2(!(metadata && past_metadata), "metadata after other events");
            past_metadata = !metadata;
            if (metadata)
                continue;
            QVERIFY(e.value(u"ts").toDouble() >= last);
            last = e.value(u"ts").toDouble();
        }
    }

    // Producers' buffers are drained one after another, so events arrive
    // out of time order.
    void inputOrderDoesNotMatter() {
        std::vector<Event> events = ping_pong(4).events;
        const QByteArray in_order = exported(events);
        std::mt19937 random(7);
        std::shuffle(events.begin(), events.end(), random);
        QCOMPARE(exported(events), in_order);
    }

    void mailboxDepthCounts() {
        Script s;
        s.path(pong, "/app/pong");
        for (std::uint64_t message = 1; message <= 3; ++message)
            s.deliver(0, message, pong);
        for (std::uint64_t message = 1; message <= 3; ++message) {
            s.begin(pong, message);
            s.end(pong);
        }
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        QCOMPARE(counter_values(trace, u"mailbox /app/pong"_s), (std::vector<double>{1, 2, 3, 2, 1, 0}));
    }

    void plainIsolatesKeepTheirIdInCounters() {
        Script s;
        s.spawn(3, "worker");
        s.spawn(4, "worker");
        s.deliver(0, 1, 3);
        s.deliver(0, 2, 4);
        const auto trace = sound_trace(s.events);
        QCOMPARE(counter_values(trace, u"mailbox worker #3"_s), std::vector<double>{1});
        QCOMPARE(counter_values(trace, u"mailbox worker #4"_s), std::vector<double>{1});
    }

    // The receiver may stamp the handling before the sender stamps the
    // send; the counter must not end on a message that is gone.
    void sendStampedAfterHandling() {
        Script s;
        s.path(pong, "/app/pong");
        s.begin(pong, 1);
        s.send(0, 1, pong).arg = 1;
        s.end(pong);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        QCOMPARE(counter_values(trace, u"mailbox /app/pong"_s).back(), 0.0);
    }

    // Ping sends 6 from a handler whose Handle the trace lacks (lost in a
    // gap, say), and the trace ends while ping handles 7.
    void sendsOutsideAnyHandlerHaveNoFlow() {
        Script s;
        s.path(ping, "/app/ping");
        s.path(pong, "/app/pong");
        s.deliver(ping, 6, pong);
        s.begin(pong, 6);
        s.deliver(pong, 7, ping);
        s.end(pong);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto slices = trace.with_phase(u"X");
        QCOMPARE(slices.size(), 1);
        QCOMPARE(tid_of(slices.front()), qint64(pong));
        QCOMPARE(args_of(slices.front()).value(u"message").toInteger(), 6);
        QVERIFY(trace.with_phase(u"s").isEmpty());
        QVERIFY(trace.with_phase(u"f").isEmpty());
    }

    // Were it drawn, the arrow would point back in time.
    void sendsStampedAfterTheirHandlingHaveNoFlow() {
        Script s;
        s.path(ping, "/app/ping");
        s.path(pong, "/app/pong");
        s.begin(ping, 0, HandleKind::Task);
        s.begin(pong, 1);
        const std::uint64_t handled = s.last_time();
        s.end(pong);
        s.end(ping);
        s.send(ping, 1, pong).time = handled + 1;
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        QCOMPARE(trace.with_phase(u"X").size(), 2);
        QVERIFY(trace.with_phase(u"s").isEmpty());
        QVERIFY(trace.with_phase(u"f").isEmpty());
    }

    // A damaged trace may say a message was handled twice: one flow, to
    // the first handling.
    void aMessageHandledTwiceHasOneFlowEnd() {
        Script s;
        s.path(ping, "/app/ping");
        s.deliver(0, 1, ping);
        s.begin(ping, 1);
        s.end(ping);
        s.begin(ping, 1);
        s.end(ping);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        QCOMPARE(trace.with_phase(u"X").size(), 3);  // the outside send, two handlings
        QCOMPARE(trace.with_phase(u"f").size(), 1);
        QCOMPARE(trace.with_phase(u"s").size(), 1);
    }

    // A gap loses events, not the handlers around it, nor a flow across
    // it: a Handle is whole.
    void gapsShowAsGlobalInstants() {
        Script s;
        s.path(ping, "/app/ping");
        s.path(pong, "/app/pong");
        s.begin(pong, 0, HandleKind::Task);
        s.deliver(pong, 1, ping);
        s.end(pong);
        s.begin(ping, 1);
        Event& gap = s.add(Kind::Gap, 0);
        gap.peer = 42;
        gap.arg = static_cast<std::uint32_t>(GapSource::ThreadBuffer);
        s.end(ping);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto slices = trace.with_phase(u"X");
        QCOMPARE(slices.size(), 2);
        QCOMPARE(named(slices, u"task"_s).size(), 1);
        QCOMPARE(trace.with_phase(u"f").size(), 1);
        const auto gaps = named(trace.with_phase(u"i"), kind_text(Kind::Gap));
        QCOMPARE(gaps.size(), 1);
        QCOMPARE(args_of(gaps.front()).value(u"lost").toInteger(), 42);
        QCOMPARE(gaps.front().value(u"s").toString(), u"g"_s);
    }

    // An isolate runs one handler at a time: a Handle that overlaps the one
    // before without nesting in it comes from a damaged trace and is left
    // out, and the message it handled still leaves the mailbox counter.
    void overlappingHandlesAreLeftOut() {
        Script s;
        s.path(ping, "/app/ping");
        s.deliver(0, 1, ping);
        s.deliver(0, 2, ping);
        s.begin(ping, 1);
        s.end(ping);
        const Event first = s.events.back();
        s.begin(ping, 2);
        s.end(ping);
        // 1 ends after 2 has begun, and before 2 ends: they overlap.
        Event& second = s.events.back();
        second.time = first.time + first.peer / 2;
        QVERIFY(second.time + second.peer > first.time + first.peer);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto slices = named(trace.with_phase(u"X"), u"message"_s);
        QCOMPARE(slices.size(), 1);
        QCOMPARE(args_of(slices.front()).value(u"message").toInteger(), 1);
        QCOMPARE(counter_values(trace, u"mailbox /app/ping"_s).back(), 0.0);
    }

    // An empty slice holds nothing: a handler that begins at the same moment
    // is drawn beside it, not dropped as if it overlapped.
    void emptyHandlesHoldNoOtherHandler() {
        Script s;
        s.path(ping, "/app/ping");
        Event& empty = s.add(Kind::Handle, ping);
        empty.arg = static_cast<std::uint32_t>(HandleKind::Task);
        Event after = empty;
        after.peer = 700;
        after.arg = static_cast<std::uint32_t>(HandleKind::Resume);
        s.events.push_back(after);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        QCOMPARE(trace.with_phase(u"X").size(), 2);
    }

    void instants_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<quint32>("arg");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<quint64>("peer");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        const QByteArray sep(1, field_separator);
        auto row = [&](const char* name, Kind kind, std::uint32_t arg, QByteArray text, std::uint64_t peer, QString key,
                       QString value) {
            QTest::addRow("%s", name) << int(kind) << quint32(arg) << text << quint64(peer) << key << value;
        };
        row("error", Kind::Error, 0, "boom" + sep + "ping.cpp:12", 0, u"error"_s, u"boom"_s);
        row("error where", Kind::Error, 0, "boom" + sep + "ping.cpp:12", 0, u"where"_s, u"ping.cpp:12"_s);
        row("kill from outside", Kind::Kill, 0, {}, 0, u"requester"_s, u"outside"_s);
        row("pause by pong", Kind::Pause, 0, {}, pong, u"requester"_s, u"/app/pong #2"_s);
        row("resume", Kind::Resume, 0, {}, pong, u"requester"_s, u"/app/pong #2"_s);
        row("restart", Kind::Restart, 1, "/app/ping", 0, u"path"_s, u"/app/ping"_s);
        row("dead letter", Kind::DeadLetter, std::uint32_t(DeadLetterReason::IsolateDead), "{}", pong, u"reason"_s,
            u"isolate dead"_s);
        row("dead letter dropped by a tool", Kind::DeadLetter, std::uint32_t(DeadLetterReason::Dropped), "{}", pong,
            u"reason"_s, u"dropped"_s);
        row("dead letter receiver", Kind::DeadLetter, 0, {}, pong, u"receiver"_s, u"/app/pong #2"_s);
        row("down", Kind::Down, std::uint32_t(DownReason::Kind::Failed), "bad" + sep + "x.cpp:1", 0, u"reason"_s,
            QString::fromUtf8(kind_name(DownReason::Kind::Failed).data()));
        row("down error", Kind::Down, std::uint32_t(DownReason::Kind::Failed), "bad" + sep + "x.cpp:1", 0, u"error"_s,
            u"bad"_s);
        row("up", Kind::Up, 0, {}, 0, {}, {});
        row("exit killed", Kind::Exit, 1, {}, 0, u"reason"_s, u"killed"_s);
        const auto backoff = std::uint32_t(SupervisionAction::Backoff);
        row("backoff", Kind::Supervision, backoff, "/app/ping/w" + sep + "failed", 2'500'000, u"action"_s, u"backoff"_s);
        row("backoff child", Kind::Supervision, backoff, "/app/ping/w" + sep + "failed", 2'500'000, u"child"_s,
            u"/app/ping/w"_s);
        row("backoff wait", Kind::Supervision, backoff, "/app/ping/w" + sep + "failed", 2'500'000, u"backoff_us"_s,
            u"2500"_s);
        row("give up", Kind::Supervision, std::uint32_t(SupervisionAction::GiveUp),
            "/app/ping/w" + sep + "more than 3 restarts", 0, u"why"_s, u"more than 3 restarts"_s);
    }
    void instants() {
        QFETCH(int, kind);
        QFETCH(quint32, arg);
        QFETCH(QByteArray, text);
        QFETCH(quint64, peer);
        QFETCH(QString, key);
        QFETCH(QString, value);
        Script s;
        s.path(ping, "/app/ping");
        s.path(pong, "/app/pong");
        Event& e = s.add(static_cast<Kind>(kind), ping);
        e.arg = arg;
        e.text = text.toStdString();
        e.peer = peer;
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto instants = trace.with_phase(u"i");
        QCOMPARE(instants.size(), 1);
        QCOMPARE(name_of(instants.front()), kind_text(static_cast<Kind>(kind)));
        QCOMPARE(tid_of(instants.front()), qint64(ping));
        if (!key.isEmpty())
            QCOMPARE(args_of(instants.front()).value(key).toVariant().toString(), value);
    }

    void deadLettersFromOutsideGetTheOutsideTrack() {
        Script s;
        Event& e = s.add(Kind::DeadLetter, 0);
        e.arg = static_cast<std::uint32_t>(DeadLetterReason::UnknownPort);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto instants = trace.with_phase(u"i");
        QCOMPARE(instants.size(), 1);
        QCOMPARE(*trace.thread_name(test::ChromeTrace::track(instants.front())), u"outside"_s);
    }

    void timerCallbacksAreTimerSlices() {
        Script s;
        s.path(ping, "/app/ping");
        s.begin(ping, 0, HandleKind::Task);
        Event& fire = s.add(Kind::TimerFire, ping);
        fire.arg = 2;
        fire.peer = 3;
        s.end(ping);
        s.task(ping);
        const auto trace = sound_trace(s.events);
        const auto timers = named(trace.with_phase(u"X"), u"timer"_s);
        QCOMPARE(timers.size(), 1);
        QCOMPARE(args_of(timers.front()).value(u"timer").toInteger(), 2);
        QCOMPARE(args_of(timers.front()).value(u"ticks").toInteger(), 3);
        QCOMPARE(named(trace.with_phase(u"X"), u"task"_s).size(), 1);
    }

    // A payload prefix can end inside a UTF-8 sequence.
    void brokenPayloadTextStillExports() {
        Script s;
        s.path(pong, "/app/pong");
        Event& send = s.send(0, 1, pong, "\"caf\xc3");
        send.flags = static_cast<std::uint8_t>(Flag::PayloadTruncated);
        s.enqueue(pong, 1);
        s.begin(pong, 1);
        s.end(pong);
        const auto trace = sound_trace(s.events);
        QVERIFY(trace.problems().isEmpty());
        const auto handler = named(trace.with_phase(u"X"), u"message"_s);
        QCOMPARE(handler.size(), 1);
        QVERIFY(args_of(handler.front()).value(u"payload").toString().startsWith(u"\"caf"_s));
        QCOMPARE(args_of(handler.front()).value(u"payload_truncated").toBool(), true);
    }

    // The whole way: a real cluster on worker threads, whose events come
    // out of several threads' buffers, recorded to a file and read back.
    void recordedClusterExportsSound() {
        QTemporaryDir dir;
        const std::string file = dir.filePath(u"ping-pong.isotrace"_s).toStdString();
        constexpr std::int64_t last = 100;
        test::record_ping_pong(file, last);
        const std::vector<Event> events = FileReader(file).read_all();
        const auto trace = sound_trace(events);
        QVERIFY(trace.problems().isEmpty());

        std::map<qint64, QString> names;
        for (auto it = trace.thread_names.begin(); it != trace.thread_names.end(); ++it)
            names[it.key().second] = it.value();
        auto is_player = [&](qint64 tid) {
            return names[tid].startsWith(u"/app/ping #"_s) || names[tid].startsWith(u"/app/pong #"_s);
        };
        // Every message the players handled: the first from outside, the
        // rest between them, and the cluster's two shutdown requests.
        int to_players = 0;
        for (const QJsonObject& f : trace.with_phase(u"f")) {
            const auto handler = trace.slice_at(test::ChromeTrace::track(f), test::ChromeTrace::nanoseconds(f.value(u"ts")));
            QVERIFY(handler);
            QCOMPARE(args_of(handler->event).value(u"message").toInteger(), f.value(u"id").toInteger());
            if (is_player(tid_of(f)))
                ++to_players;
        }
        QVERIFY2(to_players == last + 2, qPrintable(QString::number(to_players)));
        // Cluster messages travel as envelopes: "c" is the content.
        const auto handlers = named(trace.with_phase(u"X"), u"message"_s);
        QVERIFY(std::any_of(handlers.begin(), handlers.end(), [](const QJsonObject& e) {
            return args_of(e).value(u"payload").toString().contains(u"\"c\":50,"_s);
        }));
        const qint64 outside = tid_named(trace, u"outside"_s);
        QVERIFY(outside > 0);
        QVERIFY(!named(trace.with_phase(u"X"), u"send"_s).isEmpty());
    }

    // Whatever a damaged or hostile file holds (kinds out of range, message
    // ids used twice, equal times, handlers that overlap on one isolate,
    // ends without begins, text that is not UTF-8), the export stays
    // something a viewer takes whole. Half the events form handlers with
    // sends inside, so that slices and flows do come out.
    void randomEventsExportSound() {
        std::mt19937_64 random(20261121);
        auto pick = [&](std::uint64_t below) { return std::uniform_int_distribution<std::uint64_t>(0, below - 1)(random); };
        const std::string texts[] = {"", "x", "\"caf\xc3", std::string("a") + field_separator + "b", "\x1f\x1f"};
        auto event = [&](Kind kind, IsolateId isolate, std::uint64_t time) {
            Event e;
            e.kind = kind;
            e.time = time;
            e.isolate = isolate;
            e.message = pick(25);
            e.peer = pick(6);
            e.port = pick(3);
            e.arg = static_cast<std::uint32_t>(pick(4));
            e.flags = static_cast<std::uint8_t>(pick(2));
            e.text = texts[pick(std::size(texts))];
            return e;
        };
        std::size_t flows = 0;
        for (int round = 0; round < 300; ++round) {
            std::vector<Event> events;
            for (std::uint64_t action = pick(40); action > 0; --action) {
                const std::uint64_t time = 1'000'000 + pick(400);
                const IsolateId isolate = pick(5);
                if (pick(2) == 0) {
                    events.push_back(event(static_cast<Kind>(pick(kind_count + 2)), isolate, time));
                    continue;
                }
                Event handle = event(Kind::Handle, isolate, time);
                if (pick(3) > 0)
                    handle.arg = static_cast<std::uint32_t>(HandleKind::Message);
                handle.peer = 12 + pick(10);
                for (std::uint64_t sends = pick(3); sends > 0; --sends)
                    events.push_back(event(Kind::Send, pick(4) == 0 ? 0 : isolate, time + pick(12)));
                events.push_back(handle);
            }
            const auto trace = test::ChromeTrace::parse(exported(events));
            const QStringList problems = trace.problems();
            QVERIFY2(problems.isEmpty(), qPrintable(u"round %1: "_s.arg(round) + problems.join(u'\n')));
            flows += std::size_t(trace.with_phase(u"f").size());
        }
        QVERIFY2(flows > 100, "the rounds should make flows too");
    }

    void optionsNameTheProcessAndFillMetadata() {
        ChromeExportOptions options;
        options.process_name = "demo";
        options.metadata = {{"program", "demo"}, {"run_seed", "42"}};
        const auto trace = test::ChromeTrace::parse(exported(ping_pong(1).events, options));
        const auto process = named(trace.with_phase(u"M"), u"process_name"_s);
        QCOMPARE(args_of(process.front()).value(u"name").toString(), u"demo"_s);
        const QJsonObject metadata = trace.root.value(u"metadata").toObject();
        QCOMPARE(metadata.value(u"run_seed").toString(), u"42"_s);
        QCOMPARE(metadata.value(u"program").toString(), u"demo"_s);
    }
};

QTEST_APPLESS_MAIN(TestTraceExport)
#include "tst_traceexport.moc"
