#include "handledcounter.h"

#include <QTest>

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace {

using Snapshot = std::vector<iso::IsolateInfo>;
using Sequence = std::vector<Snapshot>;

Snapshot handled(std::initializer_list<std::pair<iso::IsolateId, std::uint64_t>> counts)
{
    Snapshot snapshot;
    for (const auto& [id, events] : counts) {
        iso::IsolateInfo info;
        info.id = id;
        info.events_handled = events;
        snapshot.push_back(info);
    }
    return snapshot;
}

} // namespace

Q_DECLARE_METATYPE(Sequence)

class TestHandledCounter : public QObject
{
    Q_OBJECT

private slots:
    void countsEveryEventOnce_data()
    {
        QTest::addColumn<Sequence>("sequence");
        QTest::addColumn<quint64>("total");

        QTest::addRow("nothing") << Sequence{} << quint64(0);
        QTest::addRow("empty snapshot") << Sequence{{}} << quint64(0);
        QTest::addRow("first sight counts everything") << Sequence{handled({{1, 5}, {2, 7}})} << quint64(12);
        QTest::addRow("growth counts the difference") << Sequence{handled({{1, 5}}), handled({{1, 9}})}
                                                      << quint64(9);
        QTest::addRow("same snapshot twice") << Sequence{handled({{1, 5}}), handled({{1, 5}})} << quint64(5);
        QTest::addRow("exited isolate stays counted") << Sequence{handled({{1, 5}, {2, 7}}), handled({{2, 8}})}
                                                      << quint64(13);
        QTest::addRow("newcomer adds its count") << Sequence{handled({{1, 5}}), handled({{1, 5}, {3, 4}})}
                                                 << quint64(9);
        QTest::addRow("a count never goes back") << Sequence{handled({{1, 5}}), handled({{1, 3}}), handled({{1, 6}})}
                                                 << quint64(8);
    }

    void countsEveryEventOnce()
    {
        QFETCH(Sequence, sequence);
        QFETCH(quint64, total);

        HandledCounter counter;
        std::uint64_t last = 0;
        for (const Snapshot& snapshot : sequence)
            last = counter.add(snapshot);
        QCOMPARE(quint64(last), total);
    }
};

QTEST_MAIN(TestHandledCounter)
#include "tst_handledcounter.moc"
