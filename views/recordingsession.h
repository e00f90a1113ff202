#pragma once

#include <iso/observer.h>
#include <iso/tracefile.h>

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

/// Recording the live cluster to a trace file from the window. While it
/// records, the observer keeps whole payloads and makes producers wait
/// rather than drop events (as a replay needs: the cluster slows to the
/// pace of writing, and loses nothing); stopping puts both back. Only the
/// GUI thread may call members.
class RecordingSession : public QObject
{
    Q_OBJECT

public:
    /// How long a producer waits for room before it drops an event anyway.
    static constexpr std::chrono::seconds fullWait{1};

    /// `observer` must outlive the session.
    explicit RecordingSession(iso::Observer& observer, QObject* parent = nullptr);
    ~RecordingSession() override;

    bool recording() const { return m_recorder != nullptr; }
    /// The file being recorded to, or last recorded to.
    QString path() const { return m_path; }
    /// What was written so far; zeros when not recording.
    iso::trace::RecorderStats stats() const;

    /// Starts recording to `path` (replacing it). Returns why it could
    /// not, or an empty string.
    QString start(const QString& path, iso::trace::FileInfo info);
    /// Writes what is left and closes the file: what was written, or why
    /// the recording failed (what was written before is still readable).
    iso::Expected<iso::trace::RecorderStats, QString> stop();

signals:
    void recordingChanged(bool recording);

private:
    iso::Observer& m_observer;
    std::unique_ptr<iso::trace::Recorder> m_recorder;
    QString m_path;
    iso::trace::PayloadCapture m_payloadBefore = iso::trace::PayloadCapture::None;
};
