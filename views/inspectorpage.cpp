#include "inspectorpage.h"

#include "clusterstate.h"
#include "isolateactions.h"
#include "isolateselection.h"
#include "recordedcluster.h"
#include "text.h"
#include "units.h"
#include "valuepreview.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPointer>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QTreeWidget* makeTree(const QStringList& headers, QWidget* parent)
{
    auto* tree = new QTreeWidget(parent);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(headers.size() == 2);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setWordWrap(false);
    tree->header()->setStretchLastSection(true);
    return tree;
}

/// The `row`th child of `parent`, made when missing, showing `key` and
/// `value`: updating in place keeps what the person expanded or selected.
void setField(QTreeWidgetItem* parent, int row, const QString& key, const QString& value)
{
    QTreeWidgetItem* item = row < parent->childCount() ? parent->child(row) : new QTreeWidgetItem(parent);
    if (item->text(0) != key)
        item->setText(0, key);
    if (item->text(1) != value) {
        item->setText(1, value);
        item->setToolTip(1, value);
    }
}

void trimChildren(QTreeWidgetItem* parent, int count)
{
    while (parent->childCount() > count)
        delete parent->takeChild(parent->childCount() - 1);
}

QTreeWidgetItem* section(QTreeWidget* tree, int index, const QString& title)
{
    QTreeWidgetItem* item = tree->topLevelItem(index);
    if (item == nullptr) {
        item = new QTreeWidgetItem(tree, {title});
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        item->setFirstColumnSpanned(true);
        item->setExpanded(true);
    }
    return item;
}

QString durationText(iso::Duration duration)
{
    return units::duration(static_cast<std::uint64_t>(std::chrono::nanoseconds(duration).count()));
}

QString kindName(iso::PendingEvent::Kind kind)
{
    switch (kind) {
    case iso::PendingEvent::Kind::Message: return QObject::tr("message");
    case iso::PendingEvent::Kind::Task: return QObject::tr("task");
    case iso::PendingEvent::Kind::Resume: return QObject::tr("resumption");
    }
    return {};
}

} // namespace

InspectorPage::InspectorPage(ClusterControl* control, IsolateSelection* selection, IsolateActions* actions,
                             QWidget* parent)
    : QWidget(parent)
    , m_control(control)
    , m_selection(selection)
    , m_actions(actions)
    , m_title(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_overview(makeTree({tr("Field"), tr("Value")}, this))
    , m_mailbox(makeTree({tr("#"), tr("Kind"), tr("Type"), tr("From"), tr("Payload")}, this))
    , m_mailboxStatus(new QLabel(this))
    , m_drop(new QToolButton(this))
    , m_errors(makeTree({tr("Incarnation"), tr("Error"), tr("Thrown at")}, this))
    , m_supervisor(makeTree({tr("Field"), tr("Value")}, this))
    , m_mailboxTimer(new QTimer(this))
{
    m_title->setTextFormat(Qt::PlainText);
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_title->setFont(big);

    auto* toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (QAction* action : m_actions->isolateActions())
        toolbar->addAction(action);

    auto* mailboxPage = new QWidget(this);
    auto* mailboxLayout = new QVBoxLayout(mailboxPage);
    mailboxLayout->setContentsMargins({});
    auto* mailboxBar = new QHBoxLayout;
    m_drop->setText(tr("&Drop"));
    m_drop->setToolTip(tr("Drop the chosen pending message; it becomes a dead letter (Delete, Ctrl+D)"));
    m_drop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_drop->setEnabled(false);
    auto* refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    mailboxBar->addWidget(m_mailboxStatus, 1);
    mailboxBar->addWidget(refresh);
    mailboxBar->addWidget(m_drop);
    mailboxLayout->addLayout(mailboxBar);
    mailboxLayout->addWidget(m_mailbox);
    m_mailbox->setSelectionMode(QAbstractItemView::SingleSelection);
    m_mailbox->header()->resizeSection(0, 48);
    m_mailbox->header()->resizeSection(1, 80);

    m_tabs->addTab(m_overview, tr("Overview"));
    m_tabs->addTab(mailboxPage, tr("Mailbox"));
    m_tabs->addTab(m_errors, tr("Errors"));
    m_tabs->addTab(m_supervisor, tr("Supervisor"));
    m_overview->header()->resizeSection(0, 190);
    m_supervisor->header()->resizeSection(0, 190);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addWidget(toolbar);
    layout->addWidget(m_tabs);

    m_mailboxTimer->setInterval(mailboxInterval);
    connect(m_mailboxTimer, &QTimer::timeout, this, &InspectorPage::refreshMailbox);
    connect(refresh, &QToolButton::clicked, this, &InspectorPage::refreshMailbox);
    connect(m_drop, &QToolButton::clicked, this, &InspectorPage::dropSelectedPending);
    connect(m_mailbox, &QTreeWidget::itemSelectionChanged, this, &InspectorPage::updateDropButton);
    m_mailbox->installEventFilter(this);
    connect(m_actions, &IsolateActions::mailboxChanged, this, &InspectorPage::refreshMailbox);
    connect(m_selection, &IsolateSelection::changed, this, &InspectorPage::select);
    connect(m_tabs, &QTabWidget::currentChanged, this, &InspectorPage::refreshMailbox);
    select(m_selection->current());
}

void InspectorPage::select(iso::IsolateId id)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_target = {id, {}};
    m_incarnation = 0;
    m_described = false;
    ++m_mailboxQuestion;  // an answer about the isolate selected before is old news
    m_mailboxAsked = false;
    m_overview->clear();
    m_mailbox->clear();
    m_errors->clear();
    m_supervisor->clear();
    m_mailboxStatus->clear();
    m_title->setText(id == 0 ? tr("Select an isolate in the tree or the table.") : tr("Isolate #%1").arg(id));
    if (id == 0)
        m_mailboxTimer->stop();
    else
        m_mailboxTimer->start();
}

void InspectorPage::setRecording(const RecordedCluster* recording)
{
    m_recording = recording;
    select(m_selection->current());
}

void InspectorPage::showState(const ClusterState& state)
{
    if (m_target.id == 0)
        return;
    const auto it = state.isolates().find(m_target.id);
    if (it == state.isolates().end()) {
        m_title->setText(tr("%1 has ended").arg(m_target.label()));
        m_mailboxTimer->stop();
        return;
    }
    const ClusterState::Isolate& isolate = it->second;
    const iso::IsolateMetrics& m = isolate.metrics;
    const bool firstSight = m_target.path != m.path || !m_described;
    m_target.path = m.path;
    // A cluster isolate's debug name is usually its path: say it once.
    const QString name = toQString(m.path.empty() || m.name == m.path ? m.name : m.path + "  ·  " + m.name);
    m_title->setText(tr("%1  (isolate #%2)").arg(name).arg(m.id));
    if (firstSight || m.incarnation != m_incarnation) {
        m_incarnation = m.incarnation;
        m_described = true;
        showDescription();
    }

    QTreeWidgetItem* identity = overviewSection(0);
    int row = 0;
    setField(identity, row++, tr("Id"), QString::number(m.id));
    setField(identity, row++, tr("Debug name"), toQString(m.name));
    setField(identity, row++, tr("Path"), m.path.empty() ? tr("none (a plain isolate)") : toQString(m.path));
    setField(identity, row++, tr("State"), toQString(iso::state_name(m.state)) +
                                              (m_recording == nullptr && m_control->pausedHere(m.id) ? tr(" (paused from here)")
                                                                                     : QString()));
    setField(identity, row++, tr("Incarnation"), QString::number(m.incarnation));
    setField(identity, row++, tr("Restarts"), QString::number(m.restarts));

    QTreeWidgetItem* metrics = overviewSection(1);
    row = 0;
    setField(metrics, row++, tr("Mailbox"), QString::number(m.mailbox_depth));
    setField(metrics, row++, tr("Handled"), QString::number(m.messages_in));
    setField(metrics, row++, tr("Sent"), QString::number(m.messages_out));
    setField(metrics, row++, tr("In / out per second"),
             tr("%1 / %2").arg(units::rate(isolate.inPerSecond), units::rate(isolate.outPerSecond)));
    setField(metrics, row++, tr("Busy"), units::percent(isolate.busyShare));
    setField(metrics, row++, tr("Handle time p50 / p90 / p99"),
             m.handle_time.count() == 0 ? tr("nothing handled yet")
                                        : tr("%1 / %2 / %3").arg(units::duration(m.handle_time.quantile(0.5)),
                                                                 units::duration(m.handle_time.quantile(0.9)),
                                                                 units::duration(m.handle_time.quantile(0.99))));
    setField(metrics, row++, tr("Longest handling"), units::duration(m.handle_time.max()));
    setField(metrics, row++, tr("Errors"), QString::number(m.errors));
    setField(metrics, row++, tr("Dead letters"), QString::number(m.dead_letters));

    showErrors(state, m);
}

QTreeWidgetItem* InspectorPage::overviewSection(int index)
{
    // Made together, in this order, whichever fills first.
    const QString titles[] = {tr("Isolate"), tr("Metrics"), tr("Spawned as"), tr("Ports")};
    for (int i = m_overview->topLevelItemCount(); i < 4; ++i)
        section(m_overview, i, titles[i]);
    return m_overview->topLevelItem(index);
}

void InspectorPage::showDescription()
{
    if (m_target.path.empty()) {
        QTreeWidgetItem* spawned = overviewSection(2);
        setField(spawned, 0, tr("Entry"), tr("a plain isolate: spawned by code, not by the cluster"));
        trimChildren(spawned, 1);
        return;
    }
    if (m_recording != nullptr) {
        showRecordedSpawn();
        return;
    }
    m_control->describe(m_target, [self = QPointer(this), id = m_target.id](
                                      iso::Expected<iso::IsolateDescription, QString> description) {
        // Asked of the live cluster: a recording shown since has the same ids.
        if (!self || self->m_target.id != id || self->m_recording != nullptr)
            return;
        QTreeWidgetItem* spawned = self->overviewSection(2);
        if (!description) {
            setField(spawned, 0, tr("Entry"), description.error());
            trimChildren(spawned, 1);
            return;
        }
        const iso::IsolateDescription& d = *description;
        int row = 0;
        setField(spawned, row++, tr("Entry"), d.entry_name.empty() ? tr("(not by name)") : toQString(d.entry_name));
        setField(spawned, row++, tr("Properties"), QString::fromStdString(d.properties.to_json()));
        setField(spawned, row++, tr("Supervisor"), d.supervisor ? toQString(d.supervisor->str()) : tr("the cluster's root"));
        setField(spawned, row++, tr("Restart"), toQString(iso::restart_type_name(d.restart)));
        setField(spawned, row++, tr("Shutdown timeout"), durationText(d.shutdown_timeout));
        trimChildren(spawned, row);
        // The supervisor's own record holds its spec.
        if (!d.supervisor) {
            self->m_supervisor->clear();
            section(self->m_supervisor, 0, tr("Supervised by the cluster's root, by ClusterOptions"));
            return;
        }
        self->m_control->describe({0, d.supervisor->str()}, [self, id](iso::Expected<iso::IsolateDescription, QString> s) {
            if (!self || self->m_target.id != id || self->m_recording != nullptr)
                return;
            self->m_supervisor->clear();
            QTreeWidgetItem* top = section(self->m_supervisor, 0, s ? toQString(s->path.str()) : s.error());
            if (!s || !s->supervises)
                return;
            const auto& spec = *s->supervises;
            int r = 0;
            setField(top, r++, tr("Strategy"), toQString(iso::restart_strategy_name(spec.strategy)));
            setField(top, r++, tr("Intensity"), tr("at most %1 restarts within %2")
                                                    .arg(spec.max_restarts).arg(durationText(spec.within)));
            setField(top, r++, tr("Backoff"), spec.backoff.max.count() == 0
                                                  ? tr("none")
                                                  : tr("%1 doubling to %2, jitter ±%3%")
                                                        .arg(durationText(spec.backoff.min), durationText(spec.backoff.max))
                                                        .arg(spec.backoff.jitter * 100));
            setField(top, r++, tr("Dynamic"), spec.dynamic ? tr("yes: children made from a template") : tr("no"));
            QStringList children;
            for (const std::string& child : spec.children)
                children << toQString(child);
            setField(top, r++, tr("Children, in start order"), children.join(QStringLiteral(", ")));
        });
    });
}

void InspectorPage::showRecordedSpawn()
{
    QTreeWidgetItem* spawned = overviewSection(2);
    const iso::trace::Event* path = m_recording->pathEvent(m_target.id);
    if (path == nullptr) {
        setField(spawned, 0, tr("Entry"), tr("not in the recording"));
        trimChildren(spawned, 1);
        return;
    }
    int row = 0;
    setField(spawned, row++, tr("Entry"), path->field(2).empty() ? tr("(not by name)") : toQString(path->field(2)));
    setField(spawned, row++, tr("Properties"), toQString(path->field(4)));
    setField(spawned, row++, tr("Supervisor"),
             path->field(1).empty() ? tr("the cluster's root") : toQString(path->field(1)));
    setField(spawned, row++, tr("Restart, shutdown timeout"), tr("not in the recording"));
    trimChildren(spawned, row);
    setField(overviewSection(3), 0, tr("Receive ports"), tr("not in the recording"));
    m_supervisor->clear();
    section(m_supervisor, 0, tr("A recording keeps no supervisor's spec; the event log shows what it did"));
}

void InspectorPage::showErrors(const ClusterState& state, const iso::IsolateMetrics& metrics)
{
    const auto& errors = state.recentErrors(metrics);
    const int count = static_cast<int>(errors.size());
    // Newest first.
    for (int row = 0; row < count; ++row) {
        const ClusterState::RecentError& e = errors[static_cast<std::size_t>(count - 1 - row)];
        QTreeWidgetItem* item = row < m_errors->topLevelItemCount() ? m_errors->topLevelItem(row)
                                                                     : new QTreeWidgetItem(m_errors);
        const QString incarnation = e.isolate == metrics.id ? tr("this one") : tr("isolate #%1").arg(e.isolate);
        item->setText(0, incarnation);
        item->setText(1, toQString(e.message));
        item->setText(2, e.where.empty() ? tr("unknown") : toQString(e.where));
        item->setToolTip(1, toQString(e.message));
        item->setToolTip(2, toQString(e.where));
    }
    while (m_errors->topLevelItemCount() > count)
        delete m_errors->takeTopLevelItem(m_errors->topLevelItemCount() - 1);
    m_tabs->setTabText(2, count == 0 ? tr("Errors") : tr("Errors (%1)").arg(count));
}

void InspectorPage::refreshMailbox()
{
    // Only while someone looks, and one question at a time. The answer
    // also names its ports, which the overview shows.
    if (m_target.id == 0 || m_mailboxAsked || !isVisible())
        return;
    if (m_recording != nullptr) {
        m_mailbox->clear();
        m_mailboxStatus->setText(tr("A recording keeps no mailbox contents: the sequence chart shows each message "
                                    "and when it was handled."));
        return;
    }
    m_mailboxAsked = true;
    m_control->pending(m_target, mailboxLimit, [self = QPointer(this), question = m_mailboxQuestion](
                                                   iso::Expected<iso::MailboxView, QString> view) {
        if (!self || self->m_mailboxQuestion != question)
            return;
        self->m_mailboxAsked = false;
        if (view)
            self->showMailbox(*view);
        else
            self->m_mailboxStatus->setText(view.error());
    });
}

void InspectorPage::showMailbox(const iso::MailboxView& view)
{
    QStringList ports;
    for (iso::PortId port : view.ports)
        ports << QStringLiteral("#%1").arg(port);
    setField(overviewSection(3), 0, tr("Receive ports"),
             ports.isEmpty() ? tr("none open") : ports.join(QStringLiteral(", ")));

    // Rows are rewritten in place: the chosen message stays chosen by its
    // ordinal, wherever it now is, or nothing is chosen once it is gone.
    const auto chosen = m_mailbox->selectedItems();
    const QVariant chosenOrdinal = chosen.isEmpty() ? QVariant() : chosen.front()->data(0, Qt::UserRole);
    const QSignalBlocker quiet(m_mailbox);
    m_mailbox->clearSelection();
    const int count = static_cast<int>(view.events.size());
    for (int row = 0; row < count; ++row) {
        const iso::PendingEvent& e = view.events[static_cast<std::size_t>(row)];
        QTreeWidgetItem* item = row < m_mailbox->topLevelItemCount() ? m_mailbox->topLevelItem(row)
                                                                      : new QTreeWidgetItem(m_mailbox);
        QString type, from, payload;
        if (e.kind == iso::PendingEvent::Kind::Message) {
            if (auto envelope = iso::as_envelope(e.value)) {
                type = toQString(envelope->type);
                from = envelope->sender ? toQString(envelope->sender->str()) : tr("outside");
                payload = previewOf(envelope->content);
            } else {
                payload = previewOf(e.value);
            }
        }
        item->setText(0, QString::number(e.ordinal));
        item->setText(1, kindName(e.kind));
        item->setText(2, type);
        item->setText(3, from);
        item->setText(4, payload);
        item->setToolTip(4, payload);
        item->setData(0, Qt::UserRole, QVariant::fromValue<qulonglong>(e.ordinal));
        item->setData(1, Qt::UserRole, e.kind == iso::PendingEvent::Kind::Message);
        if (chosenOrdinal.isValid() && chosenOrdinal.toULongLong() == e.ordinal)
            m_mailbox->setCurrentItem(item);
    }
    while (m_mailbox->topLevelItemCount() > count)
        delete m_mailbox->takeTopLevelItem(m_mailbox->topLevelItemCount() - 1);
    const QString shown = view.depth > view.events.size() ? tr("%1 pending, the oldest %2 shown")
                                                                .arg(view.depth).arg(view.events.size())
                                                          : tr("%n pending", nullptr, static_cast<int>(view.depth));
    m_mailboxStatus->setText(view.paused ? tr("%1 · paused: Step delivers the oldest").arg(shown) : shown);
    m_tabs->setTabText(1, tr("Mailbox (%1)").arg(view.depth));
    updateDropButton();
}

void InspectorPage::updateDropButton()
{
    const auto items = m_mailbox->selectedItems();
    m_drop->setEnabled(!items.isEmpty() && items.front()->data(1, Qt::UserRole).toBool());
}

bool InspectorPage::eventFilter(QObject* watched, QEvent* event)
{
    // Delete in the mailbox drops the chosen message, rather than reaching
    // the window's Delete, which stops the whole isolate.
    if (watched == m_mailbox && (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)) {
        if (static_cast<QKeyEvent*>(event)->matches(QKeySequence::Delete)) {
            if (event->type() == QEvent::KeyPress)
                dropSelectedPending();
            event->accept();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void InspectorPage::dropSelectedPending()
{
    const auto items = m_mailbox->selectedItems();
    if (items.isEmpty() || !items.front()->data(1, Qt::UserRole).toBool())
        return;
    m_actions->dropPending(items.front()->data(0, Qt::UserRole).toULongLong());
}
