#pragma once

#include "clustercontrol.h"

#include <QDialog>

class JsonEdit;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

/// Sends messages to a cluster isolate by path: a JSON payload checked as
/// it is typed, a type, and whether to wait for a reply, which is then
/// shown. It stays open, like a console, and keeps a history of what was
/// sent; picking an entry puts it back in the editor.
class SendDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int historyLimit = 50;

    SendDialog(ClusterControl* control, QWidget* parent = nullptr);

    void setTarget(const QString& path);

    QComboBox* targetBox() const { return m_target; }
    QLineEdit* typeEdit() const { return m_type; }
    JsonEdit* payloadEdit() const { return m_payload; }
    QCheckBox* awaitReplyBox() const { return m_awaitReply; }
    QPushButton* sendButton() const { return m_send; }
    QListWidget* history() const { return m_history; }
    /// What came back, or why nothing did.
    QString outcome() const;

public slots:
    /// Sends what the form holds; with an invalid payload, says so and
    /// sends nothing.
    void send();

signals:
    /// After each send: its outcome, for the window's log.
    void sent(const QString& path, const QString& outcome, bool failed);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void remember(const QString& path, const QString& type, const QString& payload);
    void recall(int row);
    void showOutcome(const QString& text, bool failed);
    void showReply(const QString& path, bool awaited, const iso::Expected<ClusterControl::Reply, QString>& reply);

    ClusterControl* m_control;
    QComboBox* m_target;
    QLineEdit* m_type;
    JsonEdit* m_payload;
    QCheckBox* m_awaitReply;
    QPushButton* m_send;
    QLabel* m_status;
    QPlainTextEdit* m_reply;
    QListWidget* m_history;
};
