#include "clustersource.h"
#include "clusterstate.h"
#include "embeddedcluster.h"
#include "mainwindow.h"
#include "stallwatchdog.h"
#include "scenarios/scenarios.h"

#include <iso/cluster.h>
#include <iso/observer.h>
#include <iso/tracefile.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QPixmap>
#include <QTimer>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>

using namespace Qt::StringLiterals;

namespace {

/// How long a run with no window lasts unless --duration says otherwise.
constexpr double defaultBoundedSeconds = 5.0;
/// QTimer counts milliseconds in an int; stay well inside it.
constexpr double maxSeconds = 1'000'000.0;

/// How many nice steps below the app's own thread the embedded cluster's
/// workers run: when the cluster keeps every core busy, the GUI thread (or
/// the headless summary) still gets one the moment it wakes.
constexpr int workerNiceness = 10;

constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

void printLine(std::FILE* stream, const QString& line)
{
    std::fputs(qUtf8Printable(line + u'\n'), stream);
    std::fflush(stream);
}

int fail(int exitCode, const QString& message)
{
    printLine(stderr, u"isoscope: "_s + message);
    return exitCode;
}

enum class Mode { Window, Headless, Screenshot };

/// The scenario the app starts on unless told another.
constexpr std::string_view defaultScenario = "demo";

struct Options {
    Mode mode = Mode::Window;
    const iso::scenarios::Scenario* scenario = nullptr;
    bool headlessByItself = false;
    std::optional<double> seconds;  ///< none: until the window is closed
    QString screenshotPath;
    QString view;  ///< the one view to render; empty: the whole window
    QString recordPath;  ///< headless: the trace file to record to
    QString selectPath;  ///< the isolate to select once it is seen
    QString openPath;    ///< a recording to show instead of a scenario's run
};

/// Whether Qt can be expected to find a screen, or was told which platform to use.
bool displayAvailable(const QStringList& arguments)
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || arguments.contains(u"-platform"_s)
        || arguments.contains(u"--platform"_s);
}

QStringList argumentsOf(int argc, char* argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    return arguments;
}

std::optional<double> parseSeconds(const QString& text)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds <= 0 || seconds > maxSeconds)
        return std::nullopt;
    return seconds;
}

bool canWriteFile(const QString& path)
{
    const QFileInfo file(path);
    const QFileInfo folder(file.absolutePath());
    if (!folder.isDir() || !folder.isWritable())
        return false;
    return !file.exists() || (file.isFile() && file.isWritable());
}

std::chrono::milliseconds toMilliseconds(double seconds)
{
    return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

/// What every summary line says of the cluster shown, live or recorded.
QString clusterFiguresOf(const ClusterState& state)
{
    return u"%1 isolates, %2 messages/s, %3 handled, %4 restarts"_s.arg(state.live())
        .arg(state.messagesPerSecond(), 0, 'f', 0)
        .arg(state.totals().messages_total)
        .arg(state.restarts());
}

/// The figures every summary line of a live run gives, headless or not:
/// the cluster's, then how responsive the app was and how much of the
/// trace it took in.
QString summaryOf(const ClusterSource& source, const iso::Runtime& runtime, std::chrono::milliseconds stall)
{
    const ClusterState& state = source.state();
    return clusterFiguresOf(state)
           + u", %1 dead letters, %2 events lost, longest stall %3 ms, %4% of events shown"_s
                 .arg(runtime.dead_letter_count())
                 .arg(state.eventsLost())
                 .arg(stall.count())
                 .arg(std::floor(source.shownShareOverall() * 1000) / 10);
}

/// The figures of a recording shown at its end, as its run ended.
QString recordingSummaryOf(const ClusterState& state, std::chrono::milliseconds stall)
{
    return u"as the recording ended, "_s + clusterFiguresOf(state)
           + u", %1 events lost; longest stall %2 ms"_s.arg(state.eventsLost()).arg(stall.count());
}

/// Observes `cluster` for a run: with a recording, losing nothing (the
/// cluster slows instead, as replay needs whole recordings) and keeping
/// whole payloads.
iso::ObserverOptions observing(bool recording)
{
    iso::ObserverOptions options;
    if (recording) {
        options.full_wait = std::chrono::seconds(1);
        options.payload = iso::trace::PayloadCapture::Whole;
    }
    return options;
}

/// Starts the scenario, prints one line a second about the cluster, then a
/// last one after `seconds`, and quits the event loop. The figures come
/// from the window's own source, polled as the window polls it. With a
/// record path, the run is recorded there from its first event.
int runHeadless(iso::Cluster& cluster, std::uint64_t seed, const Options& options)
{
    const double seconds = *options.seconds;
    iso::Runtime& runtime = cluster.runtime();
    QElapsedTimer clock;
    clock.start();
    ClusterSource source(runtime, observing(!options.recordPath.isEmpty()));
    std::optional<iso::trace::Recorder> recorder;
    if (!options.recordPath.isEmpty()) {
        iso::trace::FileInfo info;
        info.program = options.scenario->name;
        info.payload = iso::trace::PayloadCapture::Whole;
        info.run_seed = seed;
        try {
            recorder.emplace(source.observer(), options.recordPath.toStdString(), info);
        } catch (const std::exception& e) {
            return fail(exitFailure, u"cannot record to %1: %2"_s.arg(options.recordPath, QString::fromUtf8(e.what())));
        }
    }
    options.scenario->start(cluster);
    source.start();
    StallWatchdog watchdog;
    watchdog.start();
    const auto summary = [&](std::chrono::milliseconds stall) { return summaryOf(source, runtime, stall); };
    const auto elapsed = [&] { return static_cast<double>(clock.elapsed()) / 1000.0; };

    QTimer everySecond;
    everySecond.setTimerType(Qt::PreciseTimer);
    QObject::connect(&everySecond, &QTimer::timeout, [&] {
        printLine(stdout, u"isoscope: %1 s: "_s.arg(elapsed(), 0, 'f', 1) + summary(watchdog.takeRecent()));
    });
    everySecond.start(std::chrono::seconds(1));
    QTimer::singleShot(toMilliseconds(seconds), Qt::PreciseTimer, [&] {
        everySecond.stop();
        source.pollAll();
        printLine(stdout, u"isoscope: done after %1 s: "_s.arg(elapsed(), 0, 'f', 1) + summary(watchdog.longest()));
        QCoreApplication::quit();
    });
    const int exitCode = QCoreApplication::exec();
    if (!recorder)
        return exitCode;
    try {
        source.observer().poll();
        const iso::trace::RecorderStats stats = recorder->stop();
        printLine(stdout, u"isoscope: recorded %1 events to %2 (%3 bytes, %4 lost)"_s.arg(stats.events)
                              .arg(options.recordPath)
                              .arg(stats.bytes)
                              .arg(stats.missed_events + source.observer().snapshot().events_lost));
    } catch (const std::exception& e) {
        return fail(exitFailure, u"the recording to %1 failed: %2"_s.arg(options.recordPath, QString::fromUtf8(e.what())));
    }
    return exitCode;
}

/// Starts the scenario and shows the window; with a duration, closes it
/// after that long and prints a summary of the run, with how long the
/// window was unresponsive at worst and how much it sampled. In screenshot
/// mode, renders it to `options.screenshotPath` first.
int runWindow(iso::Cluster& cluster, std::uint64_t seed, const Options& options)
{
    QApplication::setWindowIcon(QIcon(u":/isoscope/isoscope.svg"_s));
    // Lets the desktop match the window to installer/dev.isoscope.Isoscope.desktop.
    QGuiApplication::setDesktopFileName(u"dev.isoscope.Isoscope"_s);
    ClusterSource source(cluster.runtime());
    EmbeddedCluster control(cluster);
    MainWindow window(source, control);
    window.setProgram(QString::fromUtf8(options.scenario->name.data(), qsizetype(options.scenario->name.size())), seed);
    if (!options.selectPath.isEmpty())
        window.selectWhenSeen(options.selectPath);
    // In front from the start: a flow view follows the cluster only while shown.
    if (!options.view.isEmpty())
        window.view(options.view);
    if (!options.openPath.isEmpty()) {
        if (const QString error = window.openRecording(options.openPath); !error.isEmpty())
            return fail(exitFailure, error);
    } else {
        // From the first event, so that the recording can be re-executed.
        if (!options.recordPath.isEmpty()) {
            if (const QString error = window.startRecording(options.recordPath); !error.isEmpty())
                return fail(exitFailure, error);
        }
        // Only once observed: the observer learns an isolate's path and
        // supervisor from the events of its start, which the tree needs.
        options.scenario->start(cluster);
    }
    window.show();
    source.start();

    int exitCode = 0;
    if (options.seconds) {
        QTimer::singleShot(toMilliseconds(*options.seconds), Qt::PreciseTimer, [&] {
            printLine(stdout, u"isoscope: window closed after %1 s: "_s.arg(*options.seconds, 0, 'f', 1)
                                  + (options.openPath.isEmpty()
                                         ? summaryOf(source, cluster.runtime(), window.longestStall())
                                         : recordingSummaryOf(window.shownState(), window.longestStall())));
            QWidget* shown = options.view.isEmpty() ? &window : window.view(options.view);
            if (options.mode == Mode::Screenshot && !shown->grab().save(options.screenshotPath, "PNG"))
                exitCode = fail(exitFailure, u"could not write the screenshot to %1"_s.arg(options.screenshotPath));
            QCoreApplication::exit(exitCode);
        });
    }
    return QApplication::exec();
}

struct CommandLine {
    QCommandLineParser parser;
    QCommandLineOption help = parser.addHelpOption();
    QCommandLineOption version = parser.addVersionOption();
    QCommandLineOption headless{u"headless"_s,
                                u"Run the demo cluster without a window and print a summary each second."_s};
    QCommandLineOption duration{u"duration"_s,
                                u"Run for this long, then quit (default: until the window is closed; "
                                "5 s without a window or with --screenshot)."_s,
                                u"SECONDS"_s};
    QCommandLineOption scenario{u"scenario"_s,
                                u"Start on this scenario (default: demo; see --list-scenarios)."_s, u"NAME"_s};
    QCommandLineOption listScenarios{u"list-scenarios"_s, u"List the scenarios, then quit."_s};
    QCommandLineOption view{u"view"_s,
                            u"With --screenshot, render only this view: "_s + MainWindow::viewNames().join(u", "_s) + u"."_s,
                            u"NAME"_s};
    QCommandLineOption record{u"record"_s,
                              u"Record the run from its first event to this trace file, to open, export or "
                              "re-execute (in the window, or with isoctl)."_s,
                              u"FILE"_s};
    QCommandLineOption open{u"open"_s, u"Show this recording (from --record or isoctl trace record) instead of a live run."_s,
                            u"FILE"_s};
    QCommandLineOption select{u"select"_s, u"Select the isolate at this path once it is up, as if clicked."_s,
                              u"PATH"_s};
    QCommandLineOption screenshot{u"screenshot"_s,
                                  u"Render the window offscreen after --duration seconds to this PNG file, "
                                  "then quit."_s,
                                  u"FILE.png"_s};

    CommandLine()
    {
        parser.setApplicationDescription(u"Isoscope workbench: watch an isolate cluster live."_s);
        parser.addOptions({scenario, listScenarios, headless, duration, record, open, select, screenshot, view});
    }
};

/// The mode, which decides the kind of application object to make. There
/// is none yet, so Qt's own options (-platform, ...) are still in the
/// arguments: errors wait for the full parse in parseCommandLine().
Options chooseMode(const QStringList& arguments)
{
    CommandLine commandLine;
    commandLine.parser.parse(arguments);
    Options options;
    if (commandLine.parser.isSet(commandLine.screenshot)) {
        options.mode = Mode::Screenshot;
    } else if (commandLine.parser.isSet(commandLine.headless)) {
        options.mode = Mode::Headless;
    } else if (!displayAvailable(arguments)) {
        options.mode = Mode::Headless;
        options.headlessByItself = true;
    }
    return options;
}

/// Completes `options` from the arguments the application left, or returns
/// the exit code to stop with (help, version and usage errors).
std::optional<int> parseCommandLine(const QStringList& arguments, Options& options)
{
    CommandLine commandLine;
    QCommandLineParser& parser = commandLine.parser;
    if (!parser.parse(arguments))
        return fail(exitUsage, parser.errorText());
    if (parser.isSet(commandLine.help))
        parser.showHelp(0);
    if (parser.isSet(commandLine.version))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return fail(exitUsage, u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));
    if (parser.isSet(commandLine.listScenarios)) {
        for (const iso::scenarios::Scenario& s : iso::scenarios::all())
            printLine(stdout, u"%1  %2"_s.arg(QString::fromUtf8(s.name.data(), qsizetype(s.name.size())), -12)
                                  .arg(QString::fromUtf8(s.summary.data(), qsizetype(s.summary.size()))));
        return 0;
    }
    const QString name =
        parser.isSet(commandLine.scenario) ? parser.value(commandLine.scenario) : QString::fromUtf8(defaultScenario.data());
    options.scenario = iso::scenarios::find(name.toStdString());
    if (options.scenario == nullptr) {
        QStringList known;
        for (const iso::scenarios::Scenario& s : iso::scenarios::all())
            known << QString::fromUtf8(s.name.data(), qsizetype(s.name.size()));
        return fail(exitUsage, u"no scenario '%1' (known: %2)"_s.arg(name, known.join(u", "_s)));
    }
    if (parser.isSet(commandLine.headless) && parser.isSet(commandLine.screenshot))
        return fail(exitUsage, u"--screenshot renders the window, so it cannot be combined with --headless"_s);

    if (parser.isSet(commandLine.duration)) {
        const QString text = parser.value(commandLine.duration);
        options.seconds = parseSeconds(text);
        if (!options.seconds) {
            return fail(exitUsage, u"--duration needs a positive number of seconds (at most %1), not '%2'"_s
                                       .arg(maxSeconds, 0, 'f', 0)
                                       .arg(text));
        }
    }
    if (parser.isSet(commandLine.view)) {
        if (options.mode != Mode::Screenshot)
            return fail(exitUsage, u"--view chooses what --screenshot renders; it needs --screenshot"_s);
        options.view = parser.value(commandLine.view);
        if (!MainWindow::viewNames().contains(options.view))
            return fail(exitUsage, u"no view '%1' (known: %2)"_s.arg(options.view, MainWindow::viewNames().join(u", "_s)));
    }
    if (parser.isSet(commandLine.select)) {
        if (options.mode == Mode::Headless) {
            return fail(exitUsage, options.headlessByItself
                                       ? u"--select chooses an isolate in the window, and there is no display to show "
                                         "one on (set DISPLAY, or use --screenshot)"_s
                                       : u"--select chooses an isolate in the window; there is none with --headless"_s);
        }
        options.selectPath = parser.value(commandLine.select);
        if (auto path = iso::Path::parse(options.selectPath.toStdString()); !path)
            return fail(exitUsage, u"--select needs a path such as /demo/flaky: %1"_s.arg(QString::fromStdString(path.error())));
    }
    if (parser.isSet(commandLine.record)) {
        if (parser.isSet(commandLine.open))
            return fail(exitUsage, u"--record records a live run; --open shows a recorded one: give one or the other"_s);
        options.recordPath = parser.value(commandLine.record);
        if (!canWriteFile(options.recordPath))
            return fail(exitFailure, u"cannot write the recording to %1"_s.arg(options.recordPath));
    }
    if (parser.isSet(commandLine.open)) {
        if (options.mode == Mode::Headless)
            return fail(exitUsage, options.headlessByItself
                                       ? u"--open shows a recording in the window, and there is no display to show it on "
                                         "(set DISPLAY, or use --screenshot; isoctl trace info reads one without)"_s
                                       : u"--open shows a recording in the window; it cannot be combined with --headless"_s);
        if (parser.isSet(commandLine.scenario))
            return fail(exitUsage, u"--open shows a recording, not a scenario: give one or the other"_s);
        options.openPath = parser.value(commandLine.open);
    }
    if (options.mode == Mode::Screenshot) {
        options.screenshotPath = parser.value(commandLine.screenshot);
        if (!canWriteFile(options.screenshotPath))
            return fail(exitFailure, u"cannot write the screenshot to %1"_s.arg(options.screenshotPath));
    }
    if (options.mode != Mode::Window && !options.seconds)
        options.seconds = defaultBoundedSeconds;
    return std::nullopt;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication::setApplicationName(u"isoscope"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(ISOSCOPE_VERSION));
    QCoreApplication::setOrganizationDomain(u"isoscope.dev"_s);

    Options options = chooseMode(argumentsOf(argc, argv));
    // A screenshot never needs a screen, and should not flash a window on one.
    if (options.mode == Mode::Screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    std::unique_ptr<QCoreApplication> app;
    if (options.mode == Mode::Headless)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    if (const auto exitCode = parseCommandLine(QCoreApplication::arguments(), options))
        return *exitCode;

    if (options.headlessByItself) {
        printLine(stdout, u"isoscope: no display found; running the %1 scenario headless for %2 s, "
                          "printing a summary here each second and writing no files "
                          "(use --screenshot FILE.png to render the window to a PNG)"_s
                              .arg(QString::fromUtf8(options.scenario->name.data(),
                                                     qsizetype(options.scenario->name.size())))
                              .arg(*options.seconds));
    }
    // Destroyed last: ending the cluster ends every isolate of the scenario.
    // The seed is chosen here, so that a recording can say which it was.
    iso::ClusterOptions clusterOptions;
    clusterOptions.random_seed = std::random_device{}() | 1ull << 32;
    clusterOptions.runtime_options.worker_niceness = workerNiceness;
    iso::Cluster cluster = iso::Cluster::single_node(clusterOptions);
    options.scenario->setup(cluster);
    if (options.mode == Mode::Headless)
        return runHeadless(cluster, clusterOptions.random_seed, options);
    return runWindow(cluster, clusterOptions.random_seed, options);
}
