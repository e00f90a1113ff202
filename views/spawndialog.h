#pragma once

#include <QDialog>

class ClusterControl;
class JsonEdit;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

/// Spawns a registered entry point at a path, with properties typed as
/// JSON and checked as they are typed. The spawn is asked for on OK; its
/// answer comes through spawned() or failed().
class SpawnDialog : public QDialog
{
    Q_OBJECT

public:
    SpawnDialog(ClusterControl* control, QWidget* parent = nullptr);

    /// Starts from `path` (the selected isolate's, say); the last segment
    /// left for the person to type.
    void setPath(const QString& path);

    QLineEdit* pathEdit() const { return m_path; }
    QComboBox* entryBox() const { return m_entry; }
    JsonEdit* propertiesEdit() const { return m_properties; }

    void accept() override;

signals:
    void spawned(const QString& path);
    void failed(const QString& error);

private:
    /// What is wrong besides the properties' JSON, which its editor shows.
    QString problem() const;
    bool canSpawn() const;
    void check();

    ClusterControl* m_control;
    QLineEdit* m_path;
    QComboBox* m_entry;
    JsonEdit* m_properties;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};
