#pragma once

#include "clustercontrol.h"

#include <iso/observer.h>

#include <QWidget>

#include <set>

class ClusterState;
class IsolateActions;
class IsolateSelection;
class RecordedCluster;
class QLabel;
class QTabWidget;
class QTimer;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

/// Everything about the selected isolate: what it is and how it was
/// spawned, its live metrics and its open receive ports, the
/// events waiting in its mailbox with a preview of each payload, its recent
/// errors with where they were thrown, and its supervisor's spec. The
/// actions' buttons sit on top; a pending message can be dropped.
class InspectorPage : public QWidget
{
    Q_OBJECT

public:
    /// How often the mailbox is read while it is shown.
    static constexpr std::chrono::milliseconds mailboxInterval{500};
    /// How many pending events are listed.
    static constexpr std::size_t mailboxLimit = 200;

    InspectorPage(ClusterControl* control, IsolateSelection* selection, IsolateActions* actions,
                  QWidget* parent = nullptr);

    QTreeWidget* overview() const { return m_overview; }
    QTreeWidget* mailbox() const { return m_mailbox; }
    QTreeWidget* errors() const { return m_errors; }
    QTreeWidget* supervisor() const { return m_supervisor; }
    QTabWidget* tabs() const { return m_tabs; }

public slots:
    /// Shows the selected isolate as `state` has it.
    void showState(const ClusterState& state);
    /// Reads the selected isolate's mailbox again now.
    void refreshMailbox();
    /// The recording whose state is shown from now on, or null for the live
    /// cluster, whose isolates are asked for their mailboxes and spawn
    /// records. A recording keeps no mailboxes, and of each spawn only
    /// what its Path event says.
    void setRecording(const RecordedCluster* recording);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void select(iso::IsolateId id);
    void showErrors(const ClusterState& state, const iso::IsolateMetrics& metrics);
    QTreeWidgetItem* overviewSection(int index);
    void showDescription();
    /// The spawn record, from the recording's Path event.
    void showRecordedSpawn();
    void showMailbox(const iso::MailboxView& view);
    void dropSelectedPending();
    void updateDropButton();

    ClusterControl* m_control;
    const RecordedCluster* m_recording = nullptr;
    IsolateSelection* m_selection;
    IsolateActions* m_actions;
    QLabel* m_title;
    QTabWidget* m_tabs;
    QTreeWidget* m_overview;
    QTreeWidget* m_mailbox;
    QLabel* m_mailboxStatus;
    QToolButton* m_drop;
    QTreeWidget* m_errors;
    QTreeWidget* m_supervisor;
    QTimer* m_mailboxTimer;

    ClusterControl::Target m_target;
    std::uint32_t m_incarnation = 0;
    bool m_mailboxAsked = false;        ///< an answer is on its way
    std::uint64_t m_mailboxQuestion = 0;  ///< numbers the questions: only the latest answer counts
    bool m_described = false;           ///< the description was asked for, for this incarnation
};
