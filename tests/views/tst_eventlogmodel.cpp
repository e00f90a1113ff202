// EventLogModel: the lifecycle events, errors and dead letters of batches,
// named by what the cluster state knows, under QAbstractItemModelTester.

#include "clusterstate.h"
#include "eventlogmodel.h"

#include <iso/deadletter.h>
#include <iso/fault.h>

#include <QAbstractItemModelTester>
#include <QtTest>

using iso::trace::Event;
using iso::trace::Kind;

namespace {

Event traced(Kind kind, iso::IsolateId isolate, std::uint64_t time)
{
    Event e;
    e.kind = kind;
    e.isolate = isolate;
    e.time = time;
    return e;
}

/// A state that knows isolate 7 as /app/w and 8 by its debug name.
ClusterState knownIsolates()
{
    iso::Batch batch;
    batch.delta.full = true;
    iso::IsolateMetrics w;
    w.id = 7;
    w.path = "/app/w";
    iso::IsolateMetrics plain;
    plain.id = 8;
    plain.name = "helper";
    batch.delta.changed = {w, plain};
    ClusterState state;
    state.apply(batch);
    return state;
}

QString cell(const EventLogModel& model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

class TestEventLogModel : public QObject
{
    Q_OBJECT

private slots:
    void logsLifecycleNotTraffic()
    {
        EventLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const ClusterState state = knownIsolates();
        Event error = traced(Kind::Error, 7, 2'500'000'000);
        error.text = std::string("boom") + iso::trace::field_separator + "worker.cpp:12";
        model.append(state, {traced(Kind::Spawn, 7, 1'000'000'000), traced(Kind::Send, 7, 1'100'000'000),
                             traced(Kind::Handle, 8, 1'200'000'000), error});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(cell(model, 0, EventLogModel::TimeColumn), QStringLiteral("0.000"));
        QCOMPARE(cell(model, 1, EventLogModel::TimeColumn), QStringLiteral("1.500"));
        QCOMPARE(cell(model, 1, EventLogModel::IsolateColumn), QStringLiteral("/app/w #7"));
        QCOMPARE(cell(model, 1, EventLogModel::KindColumn), QStringLiteral("error"));
        QCOMPARE(cell(model, 1, EventLogModel::DetailColumn), QStringLiteral("boom (at worker.cpp:12)"));
        QCOMPARE(model.data(model.index(1, 0), EventLogModel::IsolateIdRole).toULongLong(), 7ull);
    }

    void detailsNameWhoAndWhy()
    {
        EventLogModel model;
        const ClusterState state = knownIsolates();
        Event kill = traced(Kind::Kill, 7, 10);
        kill.peer = 8;
        Event dead = traced(Kind::DeadLetter, 0, 20);
        dead.arg = static_cast<std::uint32_t>(iso::DeadLetterReason::IsolateDead);
        dead.peer = 7;
        dead.text = "{\"job\":3}";
        Event exit = traced(Kind::Exit, 7, 30);
        exit.arg = 1;
        Event gap = traced(Kind::Gap, 0, 40);
        gap.peer = 42;
        model.append(state, {kill, dead, exit, gap});
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 0, EventLogModel::DetailColumn), QStringLiteral("by helper #8"));
        QCOMPARE(cell(model, 1, EventLogModel::IsolateColumn), QStringLiteral("outside"));
        QCOMPARE(cell(model, 1, EventLogModel::DetailColumn),
                 QStringLiteral("isolate dead, to /app/w #7: {\"job\":3}"));
        QCOMPARE(cell(model, 2, EventLogModel::DetailColumn), QStringLiteral("killed"));
        QCOMPARE(cell(model, 3, EventLogModel::DetailColumn), QStringLiteral("42 events lost: thread buffer full"));
    }

    // Supervision at work stands out: a failure made on purpose, the error
    // it caused, and the restart that answered it; a spawn does not.
    void incidentsAreTinted()
    {
        EventLogModel model;
        const ClusterState state = knownIsolates();
        Event fault = traced(Kind::Fault, 7, 10);
        fault.arg = static_cast<std::uint32_t>(iso::Fault::Kind::ThrowOnNextMessage);
        fault.text = "throw on the next message";
        Event restart = traced(Kind::Restart, 7, 30);
        restart.arg = 1;
        restart.text = "/app/w";
        model.append(state, {traced(Kind::Spawn, 7, 5), fault, traced(Kind::Error, 7, 20), restart});
        QCOMPARE(cell(model, 1, EventLogModel::DetailColumn), QStringLiteral("throw on the next message, by outside"));
        const auto background = [&](int row) { return model.data(model.index(row, 0), Qt::BackgroundRole); };
        QVERIFY(!background(0).isValid());
        QVERIFY(background(1).isValid());
        QVERIFY(background(2).isValid());
        QVERIFY(background(3).isValid());
        QVERIFY(background(1) != background(3));
    }

    // A backoff and a supervisor giving up say what they are about, and
    // stand out from each other and from a restart.
    void backoffAndGivingUpAreToldAndTinted()
    {
        EventLogModel model;
        const ClusterState state = knownIsolates();
        Event backoff = traced(Kind::Supervision, 7, 10);
        backoff.arg = static_cast<std::uint32_t>(iso::trace::SupervisionAction::Backoff);
        backoff.peer = 250'000'000;
        backoff.text = std::string("/app/w/c") + iso::trace::field_separator + "failed: boom";
        Event giveUp = backoff;
        giveUp.arg = static_cast<std::uint32_t>(iso::trace::SupervisionAction::GiveUp);
        giveUp.peer = 0;
        giveUp.text = std::string("/app/w/c") + iso::trace::field_separator + "more than 3 restarts within 5000 ms";
        Event restart = traced(Kind::Restart, 7, 30);
        restart.text = "/app/w";
        model.append(state, {backoff, giveUp, restart});
        QCOMPARE(cell(model, 0, EventLogModel::KindColumn), QStringLiteral("supervision"));
        QCOMPARE(cell(model, 0, EventLogModel::DetailColumn),
                 QStringLiteral("restarts /app/w/c in 250 ms, backing off (failed: boom)"));
        QCOMPARE(cell(model, 1, EventLogModel::DetailColumn),
                 QStringLiteral("gave up on /app/w/c: more than 3 restarts within 5000 ms; it fails, for its own "
                                "supervisor to answer"));
        const auto background = [&](int row) { return model.data(model.index(row, 0), Qt::BackgroundRole); };
        QVERIFY(background(0).isValid());
        QVERIFY(background(1).isValid());
        QVERIFY(background(0) != background(1));
        QVERIFY(background(0) != background(2));
        QVERIFY(background(1) != background(2));
    }

    // The oldest rows go when more come than the log holds.
    void keepsTheNewestWithinCapacity()
    {
        EventLogModel model(nullptr, 3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const ClusterState state = knownIsolates();
        model.append(state, {traced(Kind::Up, 7, 1'000'000'000), traced(Kind::Up, 8, 2'000'000'000)});
        model.append(state, {traced(Kind::Exit, 7, 3'000'000'000), traced(Kind::Exit, 8, 4'000'000'000)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(model, 0, EventLogModel::TimeColumn), QStringLiteral("1.000"));
        model.append(state, {traced(Kind::Up, 1, 5'000'000'000), traced(Kind::Up, 2, 6'000'000'000),
                             traced(Kind::Up, 3, 7'000'000'000), traced(Kind::Up, 4, 8'000'000'000)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(model, 0, EventLogModel::TimeColumn), QStringLiteral("5.000"));
        QCOMPARE(cell(model, 2, EventLogModel::IsolateColumn), QStringLiteral("isolate #4"));
    }
};

QTEST_GUILESS_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
