#include "recordingsession.h"

#include "text.h"

RecordingSession::RecordingSession(iso::Observer& observer, QObject* parent)
    : QObject(parent)
    , m_observer(observer)
{
}

RecordingSession::~RecordingSession()
{
    if (recording())
        (void)stop();
}

iso::trace::RecorderStats RecordingSession::stats() const
{
    return m_recorder != nullptr ? m_recorder->stats() : iso::trace::RecorderStats{};
}

QString RecordingSession::start(const QString& path, iso::trace::FileInfo info)
{
    if (recording())
        return tr("Already recording to %1.").arg(m_path);
    m_payloadBefore = m_observer.payload_capture();
    m_observer.set_payload_capture(iso::trace::PayloadCapture::Whole);
    m_observer.set_full_wait(fullWait);
    info.payload = iso::trace::PayloadCapture::Whole;
    try {
        m_recorder = std::make_unique<iso::trace::Recorder>(m_observer, path.toStdString(), std::move(info));
    } catch (const std::exception& e) {
        m_observer.set_full_wait({});
        m_observer.set_payload_capture(m_payloadBefore);
        return tr("Could not record to %1").arg(toQString(e.what()));
    }
    m_path = path;
    emit recordingChanged(true);
    return {};
}

iso::Expected<iso::trace::RecorderStats, QString> RecordingSession::stop()
{
    if (!recording())
        return iso::Unexpected<QString>(tr("Nothing is being recorded."));
    m_observer.poll();
    iso::Expected<iso::trace::RecorderStats, QString> result = iso::Unexpected<QString>(QString());
    try {
        result = m_recorder->stop();
    } catch (const std::exception& e) {
        result = iso::Unexpected<QString>(tr("The recording to %1 failed: %2").arg(m_path, toQString(e.what())));
    }
    m_recorder.reset();
    m_observer.set_full_wait({});
    m_observer.set_payload_capture(m_payloadBefore);
    emit recordingChanged(false);
    return result;
}
