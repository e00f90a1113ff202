#pragma once

#include <iso/fault.h>

#include <QDialog>

#include <optional>

class ClusterControl;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

/// Breaks isolates on purpose, to watch their supervisors act: a path or a
/// pattern (/demo/pool/*), a failure (throw on the next message, crash now,
/// hang, slow or delay every message, drop every message, or clear), and
/// for those that take one, how many milliseconds. Asked for on Inject;
/// the answer comes through injected() or failed().
class InjectDialog : public QDialog
{
    Q_OBJECT

public:
    InjectDialog(ClusterControl* control, QWidget* parent = nullptr);

    /// Starts from the selected isolate's path.
    void setTarget(const QString& pathOrPattern);

    QLineEdit* targetEdit() const { return m_target; }
    QComboBox* faultBox() const { return m_fault; }
    QSpinBox* durationBox() const { return m_duration; }
    /// The fault the form describes.
    iso::Fault fault() const;

    void accept() override;

signals:
    /// How it went, for the window's message bar.
    void injected(const QString& outcome);
    void failed(const QString& error);

private:
    QString problem() const;
    void check();

    ClusterControl* m_control;
    QLineEdit* m_target;
    QComboBox* m_fault;
    QSpinBox* m_duration;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};
