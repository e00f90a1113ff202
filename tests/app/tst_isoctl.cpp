// isoctl, run as a program: its output and exit status are its interface.
// Good files give their description and a sound export; every bad call or
// bad file gives exactly one line on standard error and a non-zero status.

#include "chrometrace.h"
#include "program.h"
#include "recording.h"
#include "tracescript.h"

#include <iso/tracefile.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using iso::trace::Event;
using iso::trace::FileInfo;
using iso::trace::FileReader;
using iso::trace::FileWriter;
using iso::trace::Kind;

namespace {

using test::Run;

Run isoctl(const QStringList& arguments) { return test::run_program(QStringLiteral(ISOCTL_PATH), arguments); }

/// ping_pong(5) with an error in /app/ping and a gap of 42 events.
std::vector<Event> sample_events() {
    test::Script s = test::ping_pong(5);
    Event& error = s.add(Kind::Error, test::ping);
    error.text = std::string("boom") + iso::trace::field_separator + "ping.cpp:12";
    Event& gap = s.add(Kind::Gap, 0);
    gap.peer = 42;
    return s.events;
}

QByteArray contents(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void write(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

} // namespace

class TestIsoctl : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_good;
    std::size_t m_goodEvents = 0;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    /// Replaces {good}, {dir} and {name} (a file in the test's folder).
    QStringList expanded(const QStringList& arguments) const {
        QStringList out;
        for (QString a : arguments) {
            a.replace(u"{good}"_s, m_good).replace(u"{dir}"_s, m_dir.path());
            if (a.startsWith(u'{') && a.endsWith(u'}'))
                a = path(a.mid(1, a.size() - 2));
            out << a;
        }
        return out;
    }

    static void verifyOneErrorLine(const Run& run, const QString& expected) {
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(err.startsWith(u"isoctl: "_s), qPrintable(err));
        QVERIFY2(err.endsWith(u'\n') && err.count(u'\n') == 1, qPrintable(err));
        QVERIFY2(err.contains(expected), qPrintable(u"expected '"_s + expected + u"' in: "_s + err));
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_good = path(u"good.isotrace"_s);
        FileInfo info;
        info.program = "ping-pong";
        info.run_seed = 42;
        // Small chunks, so that there are several to cut and damage.
        FileWriter writer(m_good.toStdString(), info, 128);
        const auto events = sample_events();
        writer.append(events);
        writer.close();
        m_goodEvents = events.size();
        QVERIFY(FileReader(m_good.toStdString()).chunks().size() >= 4);

        const QByteArray good = contents(m_good);
        write(path(u"foreign.txt"_s), "just some text\n");
        write(path(u"empty.isotrace"_s), {});
        write(path(u"header.isotrace"_s), good.left(12));
        // Cut inside a chunk, as a recorder that was killed leaves it.
        const auto chunks = FileReader(m_good.toStdString()).chunks();
        write(path(u"cut.isotrace"_s), good.left(qsizetype(chunks.at(2).offset + 10)));
        // One flipped byte inside the body of chunk 1.
        QByteArray damaged = good;
        damaged[qsizetype(chunks.at(2).offset - chunks.at(1).compressed_bytes / 2)] ^= 0x5a;
        write(path(u"damaged.isotrace"_s), damaged);
    }

    void badCalls_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, QStringList arguments, int status, QString message) {
            QTest::addRow("%s", name) << arguments << status << message;
        };
        row("no command", {}, 2, u"no command given"_s);
        row("unknown command", {u"frob"_s}, 2, u"unknown command 'frob'"_s);
        row("unknown trace command", {u"trace"_s, u"frob"_s}, 2, u"trace: unknown command 'frob'"_s);
        row("unknown global option", {u"--frob"_s}, 2, u"unknown option '--frob'"_s);
        row("unknown option", {u"trace"_s, u"info"_s, u"--frob"_s, u"{good}"_s}, 2, u"unknown option '--frob'"_s);
        row("missing file operand", {u"trace"_s, u"info"_s}, 2, u"trace info: missing FILE"_s);
        row("extra operand", {u"trace"_s, u"info"_s, u"{good}"_s, u"more"_s}, 2, u"unexpected argument 'more'"_s);
        row("missing option value", {u"trace"_s, u"export"_s, u"{good}"_s, u"-o"_s}, 2, u"-o needs a value"_s);
        row("unknown format", {u"trace"_s, u"export"_s, u"{good}"_s, u"--format"_s, u"xml"_s, u"-o"_s, u"{out.json}"_s},
            2, u"unknown format 'xml'"_s);
        row("missing output", {u"trace"_s, u"export"_s, u"{good}"_s}, 2, u"missing --output"_s);
        row("missing file", {u"trace"_s, u"info"_s, u"{none.isotrace}"_s}, 1, u"none.isotrace: no such file"_s);
        row("foreign file", {u"trace"_s, u"info"_s, u"{foreign.txt}"_s}, 1, u"foreign.txt: not a trace file"_s);
        row("empty file", {u"trace"_s, u"info"_s, u"{empty.isotrace}"_s}, 1, u"empty.isotrace: not a trace file"_s);
        row("truncated header", {u"trace"_s, u"info"_s, u"{header.isotrace}"_s}, 1, u"header.isotrace: "_s);
        row("directory", {u"trace"_s, u"info"_s, u"{dir}"_s}, 1, u"not a regular file"_s);
        row("export of a foreign file", {u"trace"_s, u"export"_s, u"{foreign.txt}"_s, u"-o"_s, u"{foreign.json}"_s}, 1,
            u"not a trace file"_s);
        row("unwritable output", {u"trace"_s, u"export"_s, u"{good}"_s, u"-o"_s, u"{no/such/folder.json}"_s}, 1,
            u"folder.json: cannot write"_s);
        row("unknown scenario", {u"trace"_s, u"record"_s, u"frob"_s, u"-o"_s, u"{frob.isotrace}"_s}, 2,
            u"no scenario 'frob' (known: crowd, demo, flood, pipeline, ping-pong, supervision)"_s);
        row("record without output", {u"trace"_s, u"record"_s, u"pipeline"_s}, 2, u"missing --output"_s);
        row("bad duration", {u"trace"_s, u"record"_s, u"pipeline"_s, u"-o"_s, u"{d.isotrace}"_s, u"-d"_s, u"soon"_s},
            2, u"--duration must be a number of seconds"_s);
        row("bad payload", {u"trace"_s, u"record"_s, u"pipeline"_s, u"-o"_s, u"{d.isotrace}"_s, u"--payload"_s,
                            u"all"_s}, 2, u"--payload must be none, prefix or whole"_s);
        row("replay of a foreign file", {u"trace"_s, u"replay"_s, u"{foreign.txt}"_s}, 1, u"not a trace file"_s);
        row("replay of an unreplayable trace", {u"trace"_s, u"replay"_s, u"{good}"_s, u"--verify"_s}, 1,
            u"the recording lost 42 events"_s);
    }
    void badCalls() {
        QFETCH(QStringList, arguments);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Run run = isoctl(expanded(arguments));
        QCOMPARE(run.status, status);
        QVERIFY2(run.out.isEmpty(), run.out.constData());
        verifyOneErrorLine(run, message);
    }

    void badInputLeavesNoOutput() {
        const QString out = path(u"foreign.json"_s);
        QCOMPARE(isoctl({u"trace"_s, u"export"_s, path(u"foreign.txt"_s), u"-o"_s, out}).status, 1);
        QVERIFY(!QFile::exists(out));
    }

    void helpAndVersion() {
        const Run help = isoctl({u"--help"_s});
        QCOMPARE(help.status, 0);
        QVERIFY(help.out.contains("trace info FILE"));
        QVERIFY(help.out.contains("trace export FILE"));
        const Run commandHelp = isoctl({u"trace"_s, u"export"_s, u"--help"_s});
        QCOMPARE(commandHelp.status, 0);
        QVERIFY(commandHelp.out.contains("--format"));
        const Run version = isoctl({u"--version"_s});
        QCOMPARE(version.status, 0);
        QCOMPARE(version.out, QByteArray("isoctl " ISOSCOPE_VERSION "\n"));
    }

    void infoDescribesTheFile() {
        const Run run = isoctl({u"trace"_s, u"info"_s, m_good});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        const QString out = QString::fromUtf8(run.out);
        const QStringList expected = {
            u"program    ping-pong\n"_s,
            u"run seed   42\n"_s,
            u"closed     yes\n"_s,
            u"events     %1\n"_s.arg(m_goodEvents),
            u"messages   10 sent, 10 handled\n"_s,
            u"gaps       1 (42 events lost)\n"_s,
            u"isolates   2\n"_s,
        };
        for (const QString& line : expected)
            QVERIFY2(out.contains(line), qPrintable(u"no '"_s + line.trimmed() + u"' in:\n"_s + out));
        // ID, path, handled, errors.
        QVERIFY2(QRegularExpression(u"\\n +1  /app/ping +5 +1\\n"_s).match(out).hasMatch(), qPrintable(out));
        QVERIFY2(QRegularExpression(u"\\n +2  /app/pong +5 +0\\n"_s).match(out).hasMatch(), qPrintable(out));
        QVERIFY2(QRegularExpression(u"\\n  handle +12\\n"_s).match(out).hasMatch(), qPrintable(out));
    }

    void infoOnACutRecording() {
        const Run run = isoctl({u"trace"_s, u"info"_s, path(u"cut.isotrace"_s)});
        QCOMPARE(run.status, 0);
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains(u"closed     no"_s), qPrintable(out));
        QVERIFY2(QRegularExpression(u"; [1-9][0-9]* trailing bytes ignored"_s).match(out).hasMatch(), qPrintable(out));
        QVERIFY2(out.contains(u"chunks     2 "_s), qPrintable(out));
    }

    void damagedChunksAreSkippedWithAWarning() {
        const Run info = isoctl({u"trace"_s, u"info"_s, path(u"damaged.isotrace"_s)});
        QCOMPARE(info.status, 0);
        verifyOneErrorLine(info, u"warning: "_s);
        QVERIFY2(info.err.contains("chunk 1 "), info.err.constData());
        QVERIFY2(info.out.contains("damaged    1 chunks"), info.out.constData());

        const QString out = path(u"damaged.json"_s);
        const Run exported = isoctl({u"trace"_s, u"export"_s, path(u"damaged.isotrace"_s), u"-o"_s, out});
        QCOMPARE(exported.status, 0);
        verifyOneErrorLine(exported, u"warning: "_s);
        const auto trace = test::ChromeTrace::parse(contents(out));
        QVERIFY2(trace.problems().isEmpty(), qPrintable(trace.problems().join(u'\n')));
        QCOMPARE(trace.with_phase(u"i").size(), 3);  // the error, the recorded gap, the damaged chunk
    }

    void exportWritesASoundTrace() {
        const QString out = path(u"good.json"_s);
        const Run run = isoctl({u"trace"_s, u"export"_s, m_good, u"--format"_s, u"chrome"_s, u"--output"_s, out});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.out.isEmpty() && run.err.isEmpty(), run.err.constData());
        const auto trace = test::ChromeTrace::parse(contents(out));
        QVERIFY2(trace.problems().isEmpty(), qPrintable(trace.problems().join(u'\n')));
        QCOMPARE(trace.with_phase(u"s").size(), 10);
        QCOMPARE(trace.with_phase(u"f").size(), 10);
        QCOMPARE(*trace.thread_name({1, qint64(test::ping)}), u"/app/ping #1"_s);
        const QJsonObject metadata = trace.root.value(u"metadata").toObject();
        QCOMPARE(metadata.value(u"program").toString(), u"ping-pong"_s);
        QCOMPARE(metadata.value(u"run_seed").toString(), u"42"_s);
    }

    void exportToStandardOutput() {
        const QString out = path(u"file.json"_s);
        QCOMPARE(isoctl({u"trace"_s, u"export"_s, m_good, u"-o"_s, out}).status, 0);
        const Run run = isoctl({u"trace"_s, u"export"_s, m_good, u"--output=-"_s});
        QCOMPARE(run.status, 0);
        QCOMPARE(run.out, contents(out));
    }

    // The whole way: a real cluster recorded, then described and exported.
    // Every built-in scenario, recorded on worker threads, replays the same.
    void recordAndReplay_data() {
        QTest::addColumn<QString>("scenario");
        for (const char* name : {"demo", "pipeline", "ping-pong", "supervision"}) QTest::newRow(name) << QString::fromLatin1(name);
    }
    void recordAndReplay() {
        QFETCH(QString, scenario);
        const QString file = path(scenario + u".isotrace"_s);
        const Run recorded = isoctl({u"trace"_s, u"record"_s, scenario, u"-o"_s, file, u"--duration"_s, u"0.5"_s});
        QCOMPARE(recorded.status, 0);
        QVERIFY2(recorded.out.startsWith("recorded " + scenario.toUtf8()), recorded.out.constData());
        QVERIFY2(recorded.out.contains(", 0 lost"), recorded.out.constData());
        QCOMPARE(QString::fromStdString(FileReader(file.toStdString()).info().program), scenario);
        QVERIFY(FileReader(file.toStdString()).info().run_seed != 0);  // the cluster's, as chosen for the run
        const Run replayed = isoctl({u"trace"_s, u"replay"_s, file, u"--verify"_s});
        QVERIFY2(replayed.status == 0, replayed.out.constData());
        QVERIFY2(replayed.out.contains("identical to the recording"), replayed.out.constData());
    }

    void replayNeedsWholePayloads() {
        const QString file = path(u"no-payloads.isotrace"_s);
        QCOMPARE(isoctl({u"trace"_s, u"record"_s, u"pipeline"_s, u"-o"_s, file, u"-d"_s, u"0.3"_s, u"--payload"_s,
                         u"none"_s}).status, 0);
        const Run replayed = isoctl({u"trace"_s, u"replay"_s, file});
        QCOMPARE(replayed.status, 1);
        verifyOneErrorLine(replayed, u"payload capture 'whole'"_s);
    }

    void recordedCluster() {
        const QString file = path(u"recorded.isotrace"_s);
        constexpr std::int64_t last = 40;
        test::record_ping_pong(file.toStdString(), last);

        const Run info = isoctl({u"trace"_s, u"info"_s, file});
        QCOMPARE(info.status, 0);
        const QString described = QString::fromUtf8(info.out);
        // Twenty each, and the cluster's shutdown request.
        QVERIFY2(QRegularExpression(u"\\n +\\d+  /app/ping +21 +0\\n"_s).match(described).hasMatch(), qPrintable(described));
        QVERIFY2(QRegularExpression(u"\\n +\\d+  /app/pong +21 +0\\n"_s).match(described).hasMatch(), qPrintable(described));

        const Run exported = isoctl({u"trace"_s, u"export"_s, file, u"-o"_s, u"-"_s});
        QCOMPARE(exported.status, 0);
        const auto trace = test::ChromeTrace::parse(exported.out);
        QVERIFY2(trace.problems().isEmpty(), qPrintable(trace.problems().join(u'\n')));
        // One from outside, the rest between the two, and two shutdown requests.
        QCOMPARE(trace.with_phase(u"f").size(), last + 2);
    }
};

QTEST_GUILESS_MAIN(TestIsoctl)
#include "tst_isoctl.moc"
