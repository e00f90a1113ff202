#include "senddialog.h"

#include "clustercontrol.h"
#include "jsonedit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QKeyEvent>
#include <QSplitter>
#include <QVBoxLayout>

namespace {

enum HistoryRole { PathRole = Qt::UserRole, TypeRole, PayloadRole };

} // namespace

SendDialog::SendDialog(ClusterControl* control, QWidget* parent)
    : QDialog(parent)
    , m_control(control)
    , m_target(new QComboBox(this))
    , m_type(new QLineEdit(this))
    , m_payload(new JsonEdit(this))
    , m_awaitReply(new QCheckBox(tr("&Wait for a reply"), this))
    , m_send(new QPushButton(tr("&Send"), this))
    , m_status(new QLabel(this))
    , m_reply(new QPlainTextEdit(this))
    , m_history(new QListWidget(this))
{
    setWindowTitle(tr("Send a message"));
    m_target->setEditable(true);
    m_target->setInsertPolicy(QComboBox::NoInsert);
    m_target->lineEdit()->setPlaceholderText(tr("/demo/pipeline/parse"));
    m_type->setPlaceholderText(tr("optional; routes by kind"));
    m_payload->setText(QStringLiteral("{}"));
    m_send->setDefault(true);
    m_send->setToolTip(tr("Send (Ctrl+Return)"));
    m_reply->setReadOnly(true);
    m_reply->setPlaceholderText(tr("The reply, when one is awaited"));
    m_reply->setFont(m_payload->editor()->font());
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_history->setToolTip(tr("Sent before; pick one to send it again"));

    auto* form = new QFormLayout;
    form->addRow(tr("&To:"), m_target);
    form->addRow(tr("T&ype:"), m_type);
    form->addRow(tr("&Payload:"), m_payload);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_awaitReply);
    buttons->addStretch();
    buttons->addWidget(m_send);
    form->addRow(buttons);
    form->addRow(m_status);
    form->addRow(tr("Reply:"), m_reply);
    auto* editor = new QWidget(this);
    editor->setLayout(form);

    auto* history = new QWidget(this);
    auto* historyLayout = new QVBoxLayout(history);
    historyLayout->setContentsMargins({});
    historyLayout->addWidget(new QLabel(tr("History"), history));
    historyLayout->addWidget(m_history);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(editor);
    splitter->addWidget(history);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_send, &QPushButton::clicked, this, &SendDialog::send);
    connect(m_history, &QListWidget::currentRowChanged, this, &SendDialog::recall);
    resize(720, 420);
}

void SendDialog::keyPressEvent(QKeyEvent* event)
{
    // Ctrl+Return sends from anywhere in the dialog, the payload editor
    // included, where Return alone starts a new line.
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && event->modifiers().testFlag(Qt::ControlModifier)) {
        send();
        return;
    }
    QDialog::keyPressEvent(event);
}

void SendDialog::setTarget(const QString& path)
{
    m_target->setEditText(path);
}

QString SendDialog::outcome() const
{
    return m_status->text();
}

void SendDialog::send()
{
    const QString path = m_target->currentText().trimmed();
    if (path.isEmpty()) {
        showOutcome(tr("Say which isolate to send to: type its path."), true);
        return;
    }
    if (!m_payload->isValid()) {
        showOutcome(tr("Not sent: the payload is not valid JSON (%1).").arg(m_payload->error()), true);
        return;
    }
    const QString type = m_type->text().trimmed();
    const bool awaitReply = m_awaitReply->isChecked();
    remember(path, type, m_payload->text());
    m_reply->clear();
    showOutcome(awaitReply ? tr("Sent to %1; waiting for the reply…").arg(path) : tr("Sending to %1…").arg(path),
                false);
    m_control->send(path, type, *m_payload->value(), awaitReply,
                    [self = QPointer(this), path, awaitReply](iso::Expected<ClusterControl::Reply, QString> reply) {
                        if (self)
                            self->showReply(path, awaitReply, reply);
                    });
}

void SendDialog::showReply(const QString& path, bool awaited, const iso::Expected<ClusterControl::Reply, QString>& reply)
{

    if (!reply) {
        showOutcome(reply.error(), true);
    } else if (awaited && reply->value) {
        m_reply->setPlainText(QString::fromStdString(reply->value->to_json(2)));
        showOutcome(tr("%1 replied.").arg(path), false);
    } else {
        showOutcome(tr("Sent to %1.").arg(path), false);
    }
    emit sent(path, outcome(), !reply);
}

void SendDialog::showOutcome(const QString& text, bool failed)
{
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, failed ? QColor(0xb0, 0x20, 0x20) : this->palette().color(QPalette::WindowText));
    m_status->setPalette(palette);
    m_status->setText(text);
}

void SendDialog::remember(const QString& path, const QString& type, const QString& payload)
{
    const QString label = type.isEmpty() ? QStringLiteral("%1  %2").arg(path, payload.simplified())
                                         : QStringLiteral("%1  [%2]  %3").arg(path, type, payload.simplified());
    // The newest first, each one once.
    for (int row = 0; row < m_history->count(); ++row) {
        if (m_history->item(row)->text() == label) {
            delete m_history->takeItem(row);
            break;
        }
    }
    auto* item = new QListWidgetItem(label);
    item->setData(PathRole, path);
    item->setData(TypeRole, type);
    item->setData(PayloadRole, payload);
    const QSignalBlocker quiet(m_history);
    m_history->insertItem(0, item);
    while (m_history->count() > historyLimit)
        delete m_history->takeItem(m_history->count() - 1);
    m_history->setCurrentRow(-1);
    if (m_target->findText(path) < 0)
        m_target->insertItem(0, path);
}

void SendDialog::recall(int row)
{
    const QListWidgetItem* item = row < 0 ? nullptr : m_history->item(row);
    if (item == nullptr)
        return;
    m_target->setEditText(item->data(PathRole).toString());
    m_type->setText(item->data(TypeRole).toString());
    m_payload->setText(item->data(PayloadRole).toString());
}
