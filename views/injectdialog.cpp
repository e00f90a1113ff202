#include "injectdialog.h"

#include "clustercontrol.h"
#include "text.h"

#include <iso/path.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>

namespace {

using Kind = iso::Fault::Kind;

struct Choice {
    Kind kind;
    const char* text;
    bool timed;
};

constexpr Choice choices[] = {
    {Kind::ThrowOnNextMessage, QT_TRANSLATE_NOOP("InjectDialog", "Throw on the next message"), false},
    {Kind::Crash, QT_TRANSLATE_NOOP("InjectDialog", "Crash now"), false},
    {Kind::Hang, QT_TRANSLATE_NOOP("InjectDialog", "Hang for"), true},
    {Kind::Slow, QT_TRANSLATE_NOOP("InjectDialog", "Slow every message by"), true},
    {Kind::Delay, QT_TRANSLATE_NOOP("InjectDialog", "Delay every message by"), true},
    {Kind::Drop, QT_TRANSLATE_NOOP("InjectDialog", "Drop every message"), false},
    {Kind::Clear, QT_TRANSLATE_NOOP("InjectDialog", "Clear the faults"), false},
};

} // namespace

InjectDialog::InjectDialog(ClusterControl* control, QWidget* parent)
    : QDialog(parent)
    , m_control(control)
    , m_target(new QLineEdit(this))
    , m_fault(new QComboBox(this))
    , m_duration(new QSpinBox(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Inject a failure"));
    m_target->setPlaceholderText(tr("/demo/pool/workers/w1, or a pattern: /demo/pool/workers/*"));
    for (const Choice& choice : choices)
        m_fault->addItem(tr(choice.text), static_cast<int>(choice.kind));
    m_duration->setRange(1, 600'000);
    m_duration->setValue(200);
    m_duration->setSuffix(tr(" ms"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Inject"));
    m_problem->setWordWrap(true);

    auto* note = new QLabel(tr("The failure is an event of the trace; the supervisor's answer shows in the tree, "
                               "the event log and the sequence chart."),
                            this);
    note->setWordWrap(true);
    auto* form = new QFormLayout(this);
    form->addRow(tr("&Isolates:"), m_target);
    form->addRow(tr("&Failure:"), m_fault);
    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(note);
    form->addRow(m_problem);
    form->addRow(m_buttons);

    connect(m_target, &QLineEdit::textChanged, this, &InjectDialog::check);
    connect(m_fault, &QComboBox::currentIndexChanged, this, &InjectDialog::check);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &InjectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &InjectDialog::reject);
    check();
    resize(520, 220);
}

void InjectDialog::setTarget(const QString& pathOrPattern)
{
    m_target->setText(pathOrPattern);
    m_target->setFocus();
}

iso::Fault InjectDialog::fault() const
{
    const auto kind = static_cast<Kind>(m_fault->currentData().toInt());
    return {kind, std::chrono::milliseconds(m_duration->value())};
}

QString InjectDialog::problem() const
{
    const QString target = m_target->text().trimmed();
    if (target.isEmpty())
        return tr("Type the path of an isolate, or a pattern such as /demo/pool/*.");
    if (auto pattern = iso::PathPattern::parse(target.toStdString()); !pattern)
        return tr("Isolates: %1").arg(toQString(pattern.error()));
    return {};
}

void InjectDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
    m_duration->setEnabled(choices[std::max(0, m_fault->currentIndex())].timed);
}

void InjectDialog::accept()
{
    if (!problem().isEmpty())
        return;
    const QString target = m_target->text().trimmed();
    const iso::Fault fault = this->fault();
    m_control->inject(target, fault, [self = QPointer(this), target, fault](iso::Expected<std::size_t, QString> count) {
        if (!self)
            return;
        if (!count) {
            emit self->failed(count.error());
            return;
        }
        const QString what = toQString(fault.describe());
        if (*count == 1)
            emit self->injected(tr("Injected “%1” into 1 isolate at %2.").arg(what, target));
        else
            emit self->injected(tr("Injected “%1” into %2 isolates at %3.").arg(what).arg(*count).arg(target));
    });
    QDialog::accept();
}
