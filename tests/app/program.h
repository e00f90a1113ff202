#pragma once
// Runs one of the project's programs, as a user would from a shell.

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace test {

struct Run {
    int status = -1;  ///< -1: it crashed or hung
    QByteArray out;
    QByteArray err;
};

/// `withoutDisplay`: as on a machine with no screen, whatever this one has.
inline Run run_program(const QString& program, const QStringList& arguments, bool withoutDisplay = false) {
    QProcess process;
    if (withoutDisplay) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            environment.remove(QString::fromLatin1(name));
        process.setProcessEnvironment(environment);
    }
    process.start(program, arguments);
    Run run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    if (process.exitStatus() == QProcess::NormalExit)
        run.status = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace test
