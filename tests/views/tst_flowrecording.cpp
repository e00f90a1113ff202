#include "flowrecording.h"

#include "../core/tracescript.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using iso::trace::FileError;

class TestFlowRecording : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_events = test::ping_pong(40).events;
        iso::trace::FileInfo info;
        info.program = "ping-pong";
        // Small chunks, so that a cut file still has whole ones.
        iso::trace::FileWriter writer(file(), info, 1024);
        writer.append(m_events);
        writer.close();
    }

    void aRecordingReadsAsItsEventsDo()
    {
        FlowIndex direct;
        direct.add(m_events);
        double lastProgress = 0;
        const FlowRecording read = readFlowRecording(file(), [&](double share) {
            lastProgress = share;
            return true;
        });
        QCOMPARE(lastProgress, 1.0);
        QCOMPARE(read.info.program, std::string("ping-pong"));
        QCOMPARE(read.events, m_events.size());
        QVERIFY(!read.cut);
        QCOMPARE(read.index.messages().size(), direct.messages().size());
        for (std::size_t i = 0; i < direct.messages().size(); ++i) {
            QCOMPARE(read.index.messages()[i].id, direct.messages()[i].id);
            QCOMPARE(read.index.messages()[i].handled, direct.messages()[i].handled);
            QCOMPARE(read.index.payload(read.index.messages()[i]), direct.payload(direct.messages()[i]));
        }
    }

    void aCutRecordingShowsItsWholeChunks()
    {
        const auto whole = std::filesystem::file_size(file());
        std::filesystem::resize_file(file(), whole * 2 / 3);
        const FlowRecording read = readFlowRecording(file());
        QVERIFY(read.cut);
        QVERIFY(read.events > 0);
        QVERIFY(read.events < m_events.size());
        QVERIFY(!read.index.messages().empty());
    }

    void badFilesSayWhatIsWrongWithThem_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("problem");
        QTest::addRow("foreign") << QByteArray("{\"traceEvents\": []}\n") << QStringLiteral("not");
        QTest::addRow("empty") << QByteArray() << QString();
    }

    void badFilesSayWhatIsWrongWithThem()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, problem);
        const std::filesystem::path bad = std::filesystem::path(m_dir.path().toStdString()) / "bad.isotrace";
        std::ofstream(bad, std::ios::binary).write(content.constData(), content.size());
        try {
            readFlowRecording(bad);
            QFAIL("a foreign file was read");
        } catch (const FileError& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(QString::fromStdString(bad.string())), e.what());
            QVERIFY2(message.contains(problem), e.what());
        }
    }

    void aMissingFileIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(FileError, readFlowRecording(file().parent_path() / "missing.isotrace"));
    }

    void cancellingStopsTheRead()
    {
        QVERIFY_THROWS_EXCEPTION(FileError, readFlowRecording(file(), [](double) { return false; }));
    }

private:
    std::filesystem::path file() const { return std::filesystem::path(m_dir.path().toStdString()) / "run.isotrace"; }

    QTemporaryDir m_dir;
    std::vector<iso::trace::Event> m_events;
};

QTEST_GUILESS_MAIN(TestFlowRecording)
#include "tst_flowrecording.moc"
