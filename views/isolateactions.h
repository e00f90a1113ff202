#pragma once

#include "clustercontrol.h"

#include <QObject>

class ClusterState;
class IsolateSelection;
class QAction;
class QMenu;
class QWidget;
class InjectDialog;
class SendDialog;
class SpawnDialog;

/// What a person can do to isolates from the window, as QActions with
/// shortcuts, shared by the menus, the context menus and the inspector's
/// buttons: each action acts on the shared selection. Outcomes, good or
/// bad, are reported(); an action that cannot apply to the selection is
/// disabled, and one that finds the isolate gone says so and does nothing.
/// Only the GUI thread may call members.
class IsolateActions : public QObject
{
    Q_OBJECT

public:
    /// Acts through `control` on the isolate `selection` names, as
    /// `state` knows it; none are owned. Dialogs open over `window`.
    IsolateActions(ClusterControl* control, IsolateSelection* selection, const ClusterState* state,
                   QWidget* window);

    QAction* spawnAction() const { return m_spawn; }
    QAction* sendAction() const { return m_send; }
    QAction* pauseAction() const { return m_pause; }
    QAction* resumeAction() const { return m_resume; }
    QAction* stepAction() const { return m_step; }
    QAction* stopAction() const { return m_stop; }
    QAction* killAction() const { return m_kill; }
    QAction* restartAction() const { return m_restart; }
    QAction* injectAction() const { return m_inject; }

    /// The actions on the selected isolate itself, for a toolbar; menus
    /// add Send (addTo).
    QList<QAction*> isolateActions() const;
    /// Adds the actions to `menu`, grouped.
    void addTo(QMenu* menu) const;

    SpawnDialog* spawnDialog();
    SendDialog* sendDialog();
    InjectDialog* injectDialog();

    /// The selected isolate as a command target.
    ClusterControl::Target target() const;

public slots:
    /// Drops the pending message `ordinal` of the selected isolate.
    void dropPending(std::uint64_t ordinal);
    /// Re-reads the selection and its state into the actions' enabled flags.
    void update();
    /// Whether the window shows the live cluster, which the actions act
    /// on; while it shows a recording, they are all disabled.
    void setLive(bool live);

signals:
    void reported(const QString& text, bool failed);
    /// An isolate was spawned at `path` from the spawn dialog.
    void spawned(const QString& path);
    /// A step or a drop changed the selected isolate's mailbox.
    void mailboxChanged();

private:
    QAction* makeAction(const QString& text, const QKeySequence& key, const QString& tip);
    /// `done` for a command: reports its failure, or `success`; `mailbox`:
    /// the command changes the selected isolate's mailbox.
    ClusterControl::Done report(const QString& success, bool mailbox = false);
    void openSpawn();
    void openSend();
    void openInject();

    ClusterControl* m_control;
    IsolateSelection* m_selection;
    const ClusterState* m_state;
    bool m_live = true;
    QWidget* m_window;
    SpawnDialog* m_spawnDialog = nullptr;
    SendDialog* m_sendDialog = nullptr;
    InjectDialog* m_injectDialog = nullptr;

    QAction* m_spawn;
    QAction* m_send;
    QAction* m_pause;
    QAction* m_resume;
    QAction* m_step;
    QAction* m_stop;
    QAction* m_kill;
    QAction* m_restart;
    QAction* m_inject;
};
