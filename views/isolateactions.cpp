#include "isolateactions.h"

#include "clusterstate.h"
#include "injectdialog.h"
#include "isolateselection.h"
#include "senddialog.h"
#include "spawndialog.h"

#include <QAction>
#include <QMenu>
#include <QPointer>
#include <QThread>
#include <QWidget>

IsolateActions::IsolateActions(ClusterControl* control, IsolateSelection* selection, const ClusterState* state,
                               QWidget* window)
    : QObject(window)
    , m_control(control)
    , m_selection(selection)
    , m_state(state)
    , m_window(window)
    , m_spawn(makeAction(tr("S&pawn…"), QKeySequence(Qt::CTRL | Qt::Key_N),
                         tr("Spawn a registered entry point at a path")))
    , m_send(makeAction(tr("Se&nd Message…"), QKeySequence(Qt::CTRL | Qt::Key_M),
                        tr("Send a JSON message to an isolate by path")))
    , m_pause(makeAction(tr("&Pause"), QKeySequence(Qt::Key_F6), tr("Hold the isolate's messages in its mailbox")))
    , m_resume(makeAction(tr("&Resume"), QKeySequence(Qt::Key_F5), tr("Lift the pause made here")))
    , m_step(makeAction(tr("S&tep"), QKeySequence(Qt::Key_F10),
                        tr("Let the paused isolate handle exactly its oldest pending event")))
    , m_stop(makeAction(tr("&Stop"), QKeySequence(Qt::Key_Delete),
                        tr("Ask the isolate to shut down, and kill it at its shutdown timeout; its supervisor "
                           "then decides whether it comes back")))
    , m_kill(makeAction(tr("&Kill"), QKeySequence(Qt::SHIFT | Qt::Key_Delete),
                        tr("End the isolate as soon as its running handler returns")))
    , m_restart(makeAction(tr("Res&tart"), QKeySequence(Qt::CTRL | Qt::Key_R),
                           tr("Have its supervisor start a new incarnation")))
    , m_inject(makeAction(tr("&Inject Failure…"), QKeySequence(Qt::CTRL | Qt::Key_I),
                          tr("Break isolates on purpose (throw, crash, hang, slow, delay, drop) and watch their "
                             "supervisors act")))
{
    connect(m_spawn, &QAction::triggered, this, &IsolateActions::openSpawn);
    connect(m_inject, &QAction::triggered, this, &IsolateActions::openInject);
    connect(m_send, &QAction::triggered, this, &IsolateActions::openSend);
    connect(m_pause, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->pause(t, report(tr("Paused %1.").arg(t.label())));
    });
    connect(m_resume, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->resume(t, report(tr("Resumed %1.").arg(t.label())));
    });
    connect(m_step, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->step(t, report(tr("Stepped %1: one pending event delivered.").arg(t.label()), true));
    });
    connect(m_stop, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->kill(t, ClusterControl::Kill::Graceful, report(tr("Asked %1 to shut down; its supervisor decides whether it comes back.").arg(t.label())));
    });
    connect(m_kill, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->kill(t, ClusterControl::Kill::Immediate, report(tr("Killed %1.").arg(t.label())));
    });
    connect(m_restart, &QAction::triggered, this, [this] {
        const auto t = target();
        m_control->restart(t, report(tr("Restarting %1.").arg(t.label())));
    });
    connect(m_selection, &IsolateSelection::changed, this, &IsolateActions::update);
    update();
}

QAction* IsolateActions::makeAction(const QString& text, const QKeySequence& key, const QString& tip)
{
    auto* action = new QAction(text, this);
    action->setShortcut(key);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    action->setStatusTip(tip);
    // Reachable from anywhere in the window, dialogs' own keys aside.
    action->setShortcutContext(Qt::WindowShortcut);
    m_window->addAction(action);
    return action;
}

QList<QAction*> IsolateActions::isolateActions() const
{
    return {m_pause, m_resume, m_step, m_restart, m_stop, m_kill};
}

void IsolateActions::addTo(QMenu* menu) const
{
    menu->addAction(m_pause);
    menu->addAction(m_resume);
    menu->addAction(m_step);
    menu->addSeparator();
    menu->addAction(m_send);
    menu->addAction(m_inject);
    menu->addSeparator();
    menu->addAction(m_restart);
    menu->addAction(m_stop);
    menu->addAction(m_kill);
}

ClusterControl::Target IsolateActions::target() const
{
    ClusterControl::Target t{m_selection->current(), {}};
    if (const auto it = m_state->isolates().find(t.id); it != m_state->isolates().end())
        t.path = it->second.metrics.path;
    return t;
}

ClusterControl::Done IsolateActions::report(const QString& success, bool mailbox)
{
    return [self = QPointer(this), success, mailbox](const QString& error) {
        if (!self)
            return;
        emit self->reported(error.isEmpty() ? success : error, !error.isEmpty());
        self->update();
        if (mailbox && error.isEmpty())
            emit self->mailboxChanged();
    };
}

void IsolateActions::dropPending(std::uint64_t ordinal)
{
    const auto t = target();
    m_control->dropPending(t, ordinal, report(tr("Dropped a pending message of %1; it is a dead letter now.")
                                                     .arg(t.label()), true));
}

void IsolateActions::update()
{
    Q_ASSERT(QThread::currentThread() == thread());
    const auto t = target();
    const auto it = m_state->isolates().find(t.id);
    const bool alive =
        m_live && it != m_state->isolates().end() && it->second.metrics.state != iso::IsolateState::Exited;
    for (QAction* action : {m_spawn, m_send, m_inject})
        action->setEnabled(m_live);
    const bool pausedHere = alive && m_control->pausedHere(t.id);
    m_pause->setEnabled(alive && !pausedHere);
    m_resume->setEnabled(pausedHere);
    m_step->setEnabled(pausedHere);
    m_stop->setEnabled(alive);
    m_kill->setEnabled(alive);
    m_restart->setEnabled(alive && !t.path.empty());
}

void IsolateActions::setLive(bool live)
{
    m_live = live;
    update();
}

SpawnDialog* IsolateActions::spawnDialog()
{
    if (m_spawnDialog == nullptr) {
        m_spawnDialog = new SpawnDialog(m_control, m_window);
        connect(m_spawnDialog, &SpawnDialog::spawned, this, [this](const QString& path) {
            emit reported(tr("Spawned %1.").arg(path), false);
            emit spawned(path);
        });
        connect(m_spawnDialog, &SpawnDialog::failed, this, [this](const QString& error) {
            emit reported(tr("Spawn failed: %1").arg(error), true);
        });
    }
    return m_spawnDialog;
}

SendDialog* IsolateActions::sendDialog()
{
    if (m_sendDialog == nullptr) {
        m_sendDialog = new SendDialog(m_control, m_window);
        connect(m_sendDialog, &SendDialog::sent, this,
                [this](const QString&, const QString& outcome, bool failed) { emit reported(outcome, failed); });
    }
    return m_sendDialog;
}

InjectDialog* IsolateActions::injectDialog()
{
    if (m_injectDialog == nullptr) {
        m_injectDialog = new InjectDialog(m_control, m_window);
        connect(m_injectDialog, &InjectDialog::injected, this, [this](const QString& outcome) { emit reported(outcome, false); });
        connect(m_injectDialog, &InjectDialog::failed, this, [this](const QString& error) { emit reported(error, true); });
    }
    return m_injectDialog;
}

void IsolateActions::openInject()
{
    InjectDialog* dialog = injectDialog();
    if (const auto path = target().path; !path.empty())
        dialog->setTarget(QString::fromStdString(path));
    dialog->open();
}

void IsolateActions::openSpawn()
{
    SpawnDialog* dialog = spawnDialog();
    // Under the selected isolate's parent, where a sibling would go.
    const QString path = QString::fromStdString(target().path);
    dialog->setPath(path.isEmpty() ? QStringLiteral("/") : path.left(path.lastIndexOf(u'/') + 1));
    dialog->open();
}

void IsolateActions::openSend()
{
    SendDialog* dialog = sendDialog();
    if (const auto path = target().path; !path.empty())
        dialog->setTarget(QString::fromStdString(path));
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}
