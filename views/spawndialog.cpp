#include "spawndialog.h"

#include "clustercontrol.h"
#include "jsonedit.h"

#include <iso/path.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>

SpawnDialog::SpawnDialog(ClusterControl* control, QWidget* parent)
    : QDialog(parent)
    , m_control(control)
    , m_path(new QLineEdit(this))
    , m_entry(new QComboBox(this))
    , m_properties(new JsonEdit(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Spawn an isolate"));
    m_path->setPlaceholderText(tr("/app/workers/w1, or /app/workers/ for a generated name"));
    m_entry->addItems(control->entryNames());
    m_properties->setText(QStringLiteral("{}"));
    m_properties->editor()->setPlaceholderText(tr("Properties as a JSON object"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Spawn"));
    m_problem->setWordWrap(true);

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Path:"), m_path);
    form->addRow(tr("&Entry point:"), m_entry);
    form->addRow(tr("P&roperties:"), m_properties);
    form->addRow(m_problem);
    form->addRow(m_buttons);

    connect(m_path, &QLineEdit::textChanged, this, &SpawnDialog::check);
    connect(m_properties, &JsonEdit::validityChanged, this, &SpawnDialog::check);
    connect(m_properties->editor(), &QPlainTextEdit::textChanged, this, &SpawnDialog::check);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SpawnDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SpawnDialog::reject);
    check();
    resize(520, 340);
}

void SpawnDialog::setPath(const QString& path)
{
    m_path->setText(path);
    m_path->setFocus();
    m_path->end(false);
}

QString SpawnDialog::problem() const
{
    if (m_entry->count() == 0)
        return tr("The cluster has no registered entry points to spawn.");
    const QString path = m_path->text().trimmed();
    if (path.isEmpty())
        return tr("Type the path to spawn at.");
    // A trailing '/' asks for a generated name, so check the rest.
    const QString named = path.endsWith(u'/') && path.size() > 1 ? path.chopped(1) : path;
    if (auto parsed = iso::Path::parse(named.toStdString()); !parsed)
        return tr("Path: %1").arg(QString::fromStdString(parsed.error()));
    // A parse error is shown by the editor itself, where it is.
    if (!m_properties->isValid())
        return {};
    if (const iso::Value& value = *m_properties->value(); !value.is_null() && !value.is_map())
        return tr("Properties must be a JSON object, not %1.").arg(QString::fromUtf8(iso::kind_name(value.kind()).data()));
    return {};
}

void SpawnDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canSpawn());
}

bool SpawnDialog::canSpawn() const
{
    return problem().isEmpty() && m_properties->isValid();
}

void SpawnDialog::accept()
{
    if (!canSpawn())
        return;
    m_control->spawn(m_path->text().trimmed(), m_entry->currentText(), *m_properties->value(),
                     [self = QPointer(this)](iso::Expected<QString, QString> path) {
                         if (!self)
                             return;
                         if (path)
                             emit self->spawned(*path);
                         else
                             emit self->failed(path.error());
                     });
    QDialog::accept();
}
