// The workbench window driven as a person would, through its widgets, on a
// live cluster: every action of the window, and what the views then show.
// Waits are QTRY_* on what the views show (the observer's batches arrive
// on a timer); there are no sleeps.

#include "clustersource.h"
#include "clustertreemodel.h"
#include "clustertreepage.h"
#include "embeddedcluster.h"
#include "eventlogmodel.h"
#include "eventlogpage.h"
#include "flowindex.h"
#include "injectdialog.h"
#include "inspectorpage.h"
#include "isolateactions.h"
#include "isolateselection.h"
#include "isolatetablemodel.h"
#include "isolatetablepage.h"
#include "jsonedit.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "replaybar.h"
#include "scenarios/scenarios.h"
#include "senddialog.h"
#include "sequencechart.h"
#include "sequencepage.h"
#include "spawndialog.h"

#include <iso/cluster.h>
#include <iso/supervision.h>
#include <iso/tracefile.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <atomic>
#include <memory>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

constexpr int patience = 10'000;  // ms: generous, for loaded machines and sanitizers

/// Replies to asks with what it was sent; otherwise just takes messages in.
void echo(iso::Context& context)
{
    context.on_message([](const iso::Envelope& m) {
        if (m.reply_to)
            m.reply(iso::Map{{"echo", m.content}});
    });
}

} // namespace

class TestWorkbench : public QObject
{
    Q_OBJECT

    std::unique_ptr<iso::Cluster> m_cluster;
    std::unique_ptr<ClusterSource> m_source;
    std::unique_ptr<EmbeddedCluster> m_control;
    std::unique_ptr<MainWindow> m_window;

    IsolateActions& actions() const { return *m_window->actions(); }
    const ClusterState& state() const { return m_source->state(); }

    /// The live isolate at `path` as the window knows it; 0 if none.
    iso::IsolateId idOf(std::string_view path) const
    {
        for (const auto& [id, isolate] : state().isolates())
            if (isolate.metrics.path == path && isolate.metrics.state != iso::IsolateState::Exited)
                return id;
        return 0;
    }

    const iso::IsolateMetrics* metricsOf(std::string_view path) const
    {
        const auto it = state().isolates().find(idOf(path));
        return it == state().isolates().end() ? nullptr : &it->second.metrics;
    }

    /// What the isolate table shows in `column` for `path`'s row.
    QString cell(std::string_view path, int column) const
    {
        const auto* page = static_cast<IsolateTablePage*>(m_window->view(u"table"_s));
        const QAbstractItemModel& model = *page->view()->model();
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, IsolateTableModel::PathColumn).data().toString().toStdString() == path
                && model.index(row, IsolateTableModel::StateColumn).data().toString() != u"exited"_s)
                return model.index(row, column).data().toString();
        }
        return {};
    }

    iso::IsolateRef spawn(std::string_view path, std::string_view entry = "test.echo")
    {
        return m_cluster->runtime().block_on(m_cluster->spawn_isolate(path, entry));
    }

    /// Selects the isolate at `path` by clicking its row in the table.
    void clickRow(std::string_view path)
    {
        QTRY_VERIFY_WITH_TIMEOUT(idOf(path) != 0, patience);
        auto* page = static_cast<IsolateTablePage*>(m_window->view(u"table"_s));
        QTableView* table = page->view();
        QTRY_VERIFY_WITH_TIMEOUT(!cell(path, IsolateTableModel::PathColumn).isEmpty(), patience);
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            const QModelIndex index = table->model()->index(row, IsolateTableModel::PathColumn);
            if (index.data().toString().toStdString() == path && index.data(IsolateTableModel::IsolateIdRole)
                                                                         .toULongLong() == idOf(path)) {
                table->scrollTo(index);
                QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
                break;
            }
        }
        QCOMPARE(m_window->selection()->current(), idOf(path));
    }

    /// Presses `action`'s shortcut in the window, as the keyboard would.
    void press(QAction* action)
    {
        QVERIFY2(action->isEnabled(), qPrintable(action->text()));
        QTest::keySequence(m_window.get(), action->shortcut());
    }

    InspectorPage& inspector() const { return *static_cast<InspectorPage*>(m_window->view(u"inspector"_s)); }

private slots:
    void init()
    {
        m_cluster = std::make_unique<iso::Cluster>(iso::Cluster::single_node());
        m_cluster->register_entry("test.echo", echo);
        iso::ChildSpec member;
        member.name = "member";
        member.entry = echo;
        member.restart = iso::RestartType::Permanent;
        m_cluster->register_entry("test.team", iso::supervisor({}, {member}));
        m_source = std::make_unique<ClusterSource>(m_cluster->runtime());
        m_source->setInterval(20ms);
        m_control = std::make_unique<EmbeddedCluster>(*m_cluster);
        m_window = std::make_unique<MainWindow>(*m_source, *m_control);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_source->start();
    }

    void cleanup()
    {
        m_window.reset();
        m_control.reset();
        m_source.reset();
        m_cluster->shutdown(5s);
        m_cluster.reset();
    }

    void spawnThenSeeTheRow()
    {
        press(actions().spawnAction());
        SpawnDialog* dialog = actions().spawnDialog();
        QTRY_VERIFY(dialog->isVisible());
        dialog->pathEdit()->clear();
        QTest::keyClicks(dialog->pathEdit(), u"/team/solo"_s);
        dialog->entryBox()->setCurrentText(u"test.echo"_s);
        dialog->propertiesEdit()->setText(uR"({"role": "solo", "size": 3})"_s);
        auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(cell("/team/solo", IsolateTableModel::PathColumn), u"/team/solo"_s, patience);
        // The new isolate is selected, and its properties are what was typed.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->selection()->current(), idOf("/team/solo"), patience);
        QCOMPARE(m_window->messageBar()->text(), u"Spawned /team/solo."_s);
        QVERIFY(!m_window->messageBar()->isError());
        QCOMPARE(m_cluster->lookup(iso::Path::of("/team/solo"))->property("size").as_int(), 3);
    }

    void badPropertiesAreShownWhereTheyAreAndSpawnNothing()
    {
        press(actions().spawnAction());
        SpawnDialog* dialog = actions().spawnDialog();
        dialog->pathEdit()->setText(u"/team/broken"_s);
        dialog->propertiesEdit()->setText(u"{\"size\": 3,\n  \"role\" solo}"_s);
        auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        QVERIFY2(dialog->propertiesEdit()->error().startsWith(u"Line 2, column 10"_s),
                 qPrintable(dialog->propertiesEdit()->error()));
        // Not an object: valid JSON, still refused, and said why.
        dialog->propertiesEdit()->setText(u"[1, 2]"_s);
        QVERIFY(!ok->isEnabled());
        dialog->accept();
        dialog->reject();
        QVERIFY(!m_cluster->lookup(iso::Path::of("/team/broken")));
    }

    void pauseThenSeeThePausedStateAndAGrowingMailbox()
    {
        const iso::IsolateRef ref = spawn("/paused/one");
        clickRow("/paused/one");
        press(actions().pauseAction());
        QTRY_COMPARE_WITH_TIMEOUT(cell("/paused/one", IsolateTableModel::StateColumn), u"paused"_s, patience);
        for (int i = 1; i <= 3; ++i)
            ref.send(i, "job");
        QTRY_COMPARE_WITH_TIMEOUT(cell("/paused/one", IsolateTableModel::MailboxColumn), u"3"_s, patience);
        ref.send(4, "job");
        QTRY_COMPARE_WITH_TIMEOUT(cell("/paused/one", IsolateTableModel::MailboxColumn), u"4"_s, patience);
        QCOMPARE(metricsOf("/paused/one")->messages_in, 0u);
        // The inspector lists them in order, with their types and payloads.
        inspector().tabs()->setCurrentIndex(1);
        QTRY_COMPARE_WITH_TIMEOUT(inspector().mailbox()->topLevelItemCount(), 4, patience);
        QCOMPARE(inspector().mailbox()->topLevelItem(0)->text(2), u"job"_s);
        QCOMPARE(inspector().mailbox()->topLevelItem(0)->text(4), u"1"_s);
        QCOMPARE(inspector().mailbox()->topLevelItem(3)->text(4), u"4"_s);
        // Resume lets them all through.
        press(actions().resumeAction());
        QTRY_COMPARE_WITH_TIMEOUT(metricsOf("/paused/one")->messages_in, 4u, patience);
    }

    void stepThenSeeExactlyOneDelivery()
    {
        const iso::IsolateRef ref = spawn("/stepped/one");
        clickRow("/stepped/one");
        press(actions().pauseAction());
        for (int i = 1; i <= 3; ++i)
            ref.send(i);
        QTRY_COMPARE_WITH_TIMEOUT(cell("/stepped/one", IsolateTableModel::MailboxColumn), u"3"_s, patience);
        const auto handledBefore = metricsOf("/stepped/one")->messages_in;
        press(actions().stepAction());
        QTRY_COMPARE_WITH_TIMEOUT(cell("/stepped/one", IsolateTableModel::MailboxColumn), u"2"_s, patience);
        QCOMPARE(metricsOf("/stepped/one")->messages_in, handledBefore + 1);
        QCOMPARE(cell("/stepped/one", IsolateTableModel::StateColumn), u"paused"_s);
        // The one delivered was the oldest.
        inspector().tabs()->setCurrentIndex(1);
        QTRY_COMPARE_WITH_TIMEOUT(inspector().mailbox()->topLevelItemCount(), 2, patience);
        QCOMPARE(inspector().mailbox()->topLevelItem(0)->text(4), u"2"_s);
    }

    void dropAPendingMessage()
    {
        const iso::IsolateRef ref = spawn("/dropped/one");
        clickRow("/dropped/one");
        press(actions().pauseAction());
        for (int i = 1; i <= 3; ++i)
            ref.send(i);
        inspector().tabs()->setCurrentIndex(1);
        QTreeWidget* mailbox = inspector().mailbox();
        QTRY_COMPARE_WITH_TIMEOUT(mailbox->topLevelItemCount(), 3, patience);
        const auto deadBefore = m_cluster->runtime().dead_letter_count();
        mailbox->setCurrentItem(mailbox->topLevelItem(1));
        // The chosen message stays chosen through the mailbox's refreshes.
        inspector().refreshMailbox();
        QTRY_COMPARE_WITH_TIMEOUT(mailbox->currentItem()->text(4), u"2"_s, patience);
        // Delete in the mailbox drops the message; the isolate stays.
        QTest::keyClick(mailbox, Qt::Key_Delete);
        QTRY_COMPARE_WITH_TIMEOUT(mailbox->topLevelItemCount(), 2, patience);
        QVERIFY(m_cluster->lookup(iso::Path::of("/dropped/one")));
        QCOMPARE(mailbox->topLevelItem(0)->text(4), u"1"_s);
        QCOMPARE(mailbox->topLevelItem(1)->text(4), u"3"_s);
        QCOMPARE(m_cluster->runtime().dead_letter_count(), deadBefore + 1);
        QCOMPARE(m_cluster->runtime().recent_dead_letters().back().reason, iso::DeadLetterReason::Dropped);
        press(actions().resumeAction());
        QTRY_COMPARE_WITH_TIMEOUT(metricsOf("/dropped/one")->messages_in, 2u, patience);
    }

    void killThenSeeTheSupervisorRestartIt()
    {
        spawn("/team", "test.team");
        clickRow("/team/member");
        const iso::IsolateId first = idOf("/team/member");
        press(actions().killAction());
        QTRY_VERIFY_WITH_TIMEOUT(idOf("/team/member") != 0 && idOf("/team/member") != first, patience);
        QTRY_COMPARE_WITH_TIMEOUT(cell("/team/member", IsolateTableModel::RestartsColumn), u"1"_s, patience);
        QCOMPARE(m_window->messageBar()->text(), u"Killed /team/member."_s);
    }

    void restartAndStopGoThroughTheSupervisor()
    {
        spawn("/team", "test.team");
        clickRow("/team/member");
        const iso::IsolateId first = idOf("/team/member");
        press(actions().restartAction());
        QTRY_VERIFY_WITH_TIMEOUT(idOf("/team/member") != 0 && idOf("/team/member") != first, patience);
        // A top-level isolate the root does not restart: stopping ends it.
        spawn("/alone");
        clickRow("/alone");
        press(actions().stopAction());
        QTRY_VERIFY_WITH_TIMEOUT(!m_cluster->lookup(iso::Path::of("/alone")), patience);
    }

    // Stopping an isolate paused from here lifts the pause first, so that
    // it can handle the shutdown request rather than be killed at the
    // timeout.
    void stoppingAnIsolatePausedHereLetsItShutDown()
    {
        auto asked = std::make_shared<std::atomic<bool>>(false);
        m_cluster->register_entry("test.polite", [asked](iso::Context& context) {
            context.on_message([](const iso::Envelope&) {});
            context.on_shutdown_request([asked, &context] {
                *asked = true;
                context.shutdown_isolate();
            });
        });
        spawn("/polite", "test.polite");
        clickRow("/polite");
        press(actions().pauseAction());
        QTRY_COMPARE_WITH_TIMEOUT(cell("/polite", IsolateTableModel::StateColumn), u"paused"_s, patience);
        press(actions().stopAction());
        QTRY_VERIFY_WITH_TIMEOUT(!m_cluster->lookup(iso::Path::of("/polite")), patience);
        QVERIFY(asked->load());
    }

    void sendAndSeeTheReply()
    {
        spawn("/echo");
        clickRow("/echo");
        press(actions().sendAction());
        SendDialog* dialog = actions().sendDialog();
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->targetBox()->currentText(), u"/echo"_s);
        dialog->payloadEdit()->setText(uR"({"ping": 1})"_s);
        dialog->awaitReplyBox()->setChecked(true);
        QTest::mouseClick(dialog->sendButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->outcome(), u"/echo replied."_s, patience);
        QVERIFY(dialog->findChildren<QPlainTextEdit*>().last()->toPlainText().contains(u"\"ping\": 1"_s));
        QCOMPARE(dialog->history()->count(), 1);
    }

    void aMalformedPayloadIsShownAndNothingIsSent()
    {
        spawn("/echo");
        clickRow("/echo");
        press(actions().sendAction());
        SendDialog* dialog = actions().sendDialog();
        dialog->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(dialog));
        dialog->payloadEdit()->setText(uR"({"ping": })"_s);
        const auto sentBefore = m_cluster->runtime().message_stats().sent;
        QTest::keyClick(dialog->payloadEdit()->editor(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY2(dialog->outcome().startsWith(u"Not sent: the payload is not valid JSON"_s), qPrintable(dialog->outcome() + u" / "_s + dialog->payloadEdit()->text()));
        QVERIFY(dialog->payloadEdit()->error().startsWith(u"Line 1, column 10"_s));
        QCOMPARE(m_cluster->runtime().message_stats().sent, sentBefore);
        QCOMPARE(dialog->history()->count(), 0);
    }

    void anActionOnAnIsolateThatHasEndedSaysSoAndChangesNothing()
    {
        spawn("/gone");
        clickRow("/gone");
        // The window does not hear of the end before it acts, but the
        // action finds out.
        m_source->stop();
        m_cluster->kill(iso::Path::of("/gone"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_cluster->lookup(iso::Path::of("/gone")), patience);
        QVERIFY(actions().pauseAction()->isEnabled());
        actions().pauseAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->messageBar()->isVisible(), patience);
        QVERIFY(m_window->messageBar()->isError());
        QCOMPARE(m_window->messageBar()->text(), u"/gone has ended; nothing was done."_s);
        QVERIFY(!m_control->pausedHere(m_window->selection()->current()));
    }

    void stepIsOnlyOfferedForAnIsolatePausedHere()
    {
        spawn("/echo");
        clickRow("/echo");
        QVERIFY(!actions().stepAction()->isEnabled());
        QVERIFY(!actions().resumeAction()->isEnabled());
        QVERIFY(actions().pauseAction()->isEnabled());
        press(actions().pauseAction());
        QTRY_VERIFY(actions().stepAction()->isEnabled());
        QVERIFY(!actions().pauseAction()->isEnabled());
    }

    // A throw made on purpose from the Inject dialog: the supervisor
    // restarts the member, and the tree and the log show it.
    void injectAThrowAndSeeTheRestartHighlighted()
    {
        spawn("/team", "test.team");
        clickRow("/team/member");
        const iso::IsolateId first = idOf("/team/member");
        press(actions().injectAction());
        InjectDialog* dialog = actions().injectDialog();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isVisible(), patience);
        QCOMPARE(dialog->targetEdit()->text(), u"/team/member"_s);
        dialog->faultBox()->setCurrentIndex(dialog->faultBox()->findText(u"Throw on the next message"_s));
        QCOMPARE(dialog->fault().kind, iso::Fault::Kind::ThrowOnNextMessage);
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->messageBar()->text(),
                                  u"Injected “throw on the next message” into 1 isolate at /team/member."_s, patience);
        m_cluster->lookup(iso::Path::of("/team/member"))->send(1);
        QTRY_VERIFY_WITH_TIMEOUT(idOf("/team/member") != 0 && idOf("/team/member") != first, patience);

        const auto* tree = static_cast<ClusterTreePage*>(m_window->view(u"tree"_s));
        const QAbstractItemModel& model = *tree->view()->model();
        const auto rowOf = [&](const QString& path) {
            return model.match(model.index(0, 0), ClusterTreeModel::PathRole, path, 1,
                               Qt::MatchExactly | Qt::MatchRecursive)
                .value(0);
        };
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"/team/member"_s).data(Qt::BackgroundRole).isValid(), patience);
        QVERIFY(rowOf(u"/team"_s).data(Qt::BackgroundRole).isValid());

        const auto* log = static_cast<EventLogPage*>(m_window->view(u"log"_s));
        const QAbstractItemModel& events = *log->view()->model();
        const auto tintedRowsOf = [&](const QString& kind) {
            int found = 0;
            for (int row = 0; row < events.rowCount(); ++row) {
                const QModelIndex index = events.index(row, EventLogModel::KindColumn);
                if (index.data().toString() == kind && index.data(Qt::BackgroundRole).isValid())
                    ++found;
            }
            return found;
        };
        QTRY_COMPARE_WITH_TIMEOUT(tintedRowsOf(u"fault"_s), 1, patience);
        QTRY_COMPARE_WITH_TIMEOUT(tintedRowsOf(u"restart"_s), 1, patience);
        QVERIFY(tintedRowsOf(u"error"_s) >= 1);
    }

    // A pattern that matches nothing says so, and breaks nothing.
    void injectIntoNothingSaysSo()
    {
        spawn("/alone");
        press(actions().injectAction());
        InjectDialog* dialog = actions().injectDialog();
        dialog->targetEdit()->setText(u"/nobody/*"_s);
        dialog->faultBox()->setCurrentIndex(dialog->faultBox()->findText(u"Crash now"_s));
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->messageBar()->text(), u"No isolate is at /nobody/*; nothing was injected."_s,
                                  patience);
        QVERIFY(m_window->messageBar()->isError());
        QVERIFY(m_cluster->lookup(iso::Path::of("/alone")));
    }

    // Recorded from the window, then opened: the sequence chart shows every
    // message of it, and steps through them in order.
    void recordThenOpenThenScrub()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"team.isotrace"_s);
        QCOMPARE(m_window->startRecording(file), QString());
        spawn("/team", "test.team");
        QTRY_VERIFY_WITH_TIMEOUT(idOf("/team/member") != 0, patience);
        const auto member = m_cluster->lookup(iso::Path::of("/team/member"));
        for (int i = 0; i < 5; ++i)
            member->send(i);
        QTRY_COMPARE_WITH_TIMEOUT(metricsOf("/team/member")->messages_in, 5u, patience);
        m_window->findChild<QAction*>(u"toggleRecording"_s)->trigger();
        QVERIFY2(m_window->messageBar()->text().startsWith(u"Recorded "_s), qPrintable(m_window->messageBar()->text()));

        QCOMPARE(m_window->openRecording(file), QString());
        auto* sequence = static_cast<SequencePage*>(m_window->view(u"sequence"_s));
        SequenceChart* chart = sequence->chart();
        QVERIFY(!chart->following());
        const FlowIndex& index = *chart->index();
        std::vector<std::uint32_t> toMember;
        for (std::uint32_t i = 0; i < index.messages().size(); ++i) {
            const auto& m = index.messages()[i];
            if (m.to != FlowIndex::none && index.lanes()[m.to].path == "/team/member" && m.handled != 0)
                toMember.push_back(i);
        }
        QCOMPARE(toMember.size(), 5u);
        // Stepping visits every message in send order, and keeps each in view.
        std::uint64_t lastSent = 0;
        std::size_t stepped = 0;
        while (chart->step(true)) {
            const auto& m = index.messages()[chart->selected()];
            QVERIFY(m.sent >= lastSent);
            QVERIFY(m.sent >= chart->window().start() && m.sent <= chart->windowEnd());
            lastSent = m.sent;
            ++stepped;
        }
        QCOMPARE(stepped, index.messages().size());
    }

    // An opened recording is what the tree, the table, the log and the
    // inspector show, as it was at the playhead; nothing acts on it; the
    // live cluster comes back when asked for.
    void openARecordingAndSeeItInEveryView()
    {
        spawn("/live");
        clickRow("/live");
        QTemporaryDir dir;
        const QString file = dir.filePath(u"pipeline.isotrace"_s);
        recordScenario("pipeline", file);
        QCOMPARE(m_window->openRecording(file), QString());
        // Opened at its end: the accumulator was restarted by then.
        const ClusterState& shown = m_window->shownState();
        QVERIFY(&shown != &state());
        // The status bar counts the recording's isolates, at once.
        QCOMPARE(m_window->findChild<QLabel*>(u"isolateCount"_s)->text(), u"%1 isolates"_s.arg(shown.live()));
        QVERIFY(shown.live() > 1);
        QCOMPARE(m_window->selection()->current(), 0u);
        QVERIFY(cell("/live", IsolateTableModel::PathColumn).isEmpty());
        QCOMPARE(cell("/pipeline/sink", IsolateTableModel::PathColumn), u"/pipeline/sink"_s);
        QVERIFY(cell("/pipeline/sup/acc", IsolateTableModel::RestartsColumn).toInt() > 0);
        const auto* tree = static_cast<ClusterTreePage*>(m_window->view(u"tree"_s))->view()->model();
        QVERIFY(!tree->match(tree->index(0, 0), ClusterTreeModel::PathRole, u"/pipeline/sup/acc"_s, 1,
                             Qt::MatchRecursive | Qt::MatchExactly).isEmpty());
        const auto* log = static_cast<EventLogPage*>(m_window->view(u"log"_s))->view()->model();
        const int logged = log->rowCount();
        QVERIFY(!log->match(log->index(0, EventLogModel::KindColumn), Qt::DisplayRole, u"restart"_s).isEmpty());

        // Selected, a recorded isolate is shown, but nothing acts on it.
        auto* table = static_cast<IsolateTablePage*>(m_window->view(u"table"_s))->view();
        const QModelIndexList sink = table->model()->match(table->model()->index(0, IsolateTableModel::PathColumn),
                                                           Qt::DisplayRole, u"/pipeline/sink"_s);
        QCOMPARE(sink.size(), 1);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(sink.front()).center());
        QVERIFY(m_window->selection()->current() != 0);
        QVERIFY(!inspector().overview()->findItems(u"/pipeline/sink"_s, Qt::MatchRecursive, 1).isEmpty());
        // How it was spawned, as its Path event tells.
        QVERIFY(!inspector().overview()->findItems(u"pipeline.sink"_s, Qt::MatchRecursive, 1).isEmpty());
        for (QAction* action : {actions().pauseAction(), actions().killAction(), actions().spawnAction(),
                                actions().injectAction(), actions().sendAction()})
            QVERIFY2(!action->isEnabled(), qPrintable(action->text()));

        // Back to the beginning: only what had happened by then.
        const std::uint64_t end = m_window->replayBar()->playhead();
        m_window->replayBar()->seek(0);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->shownState().totals().messages_total == 0, patience);
        QVERIFY(log->rowCount() < logged);
        QVERIFY(cell("/pipeline/sup/acc", IsolateTableModel::PathColumn).isEmpty());  // not yet spawned
        m_window->replayBar()->seek(end);
        QTRY_COMPARE_WITH_TIMEOUT(log->rowCount(), logged, patience);

        // Back to the live cluster, which acts again.
        m_window->findChild<QAction*>(u"followLive"_s)->trigger();
        QCOMPARE(&m_window->shownState(), &state());
        QTRY_VERIFY_WITH_TIMEOUT(!cell("/live", IsolateTableModel::PathColumn).isEmpty(), patience);
        QVERIFY(cell("/pipeline/sink", IsolateTableModel::PathColumn).isEmpty());
        QVERIFY(actions().spawnAction()->isEnabled());
        clickRow("/live");
        QVERIFY(actions().pauseAction()->isEnabled());
    }

    // A run of the pipeline scenario, whose accumulator crashes on 13 and is
    // restarted, re-executes without divergence.
    void reexecuteARecordingWithASupervisedCrash()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"pipeline.isotrace"_s);
        recordScenario("pipeline", file);
        QCOMPARE(m_window->openRecording(file), QString());
        QSignalSpy reexecuted(m_window.get(), &MainWindow::reexecuted);
        m_window->reexecute();
        QTRY_COMPARE_WITH_TIMEOUT(reexecuted.size(), 1, patience * 3);
        const QString outcome = reexecuted.first().at(0).toString();
        QVERIFY2(outcome.contains(u"no divergence"_s), qPrintable(outcome));
        QVERIFY(!reexecuted.first().at(1).toBool());
    }

    // A truncated file gets a clear message, and the window stays as it was.
    void openATruncatedFileAndSeeTheError()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"cut.isotrace"_s);
        QFile(file).open(QIODevice::WriteOnly);  // a recorder killed before its first chunk
        const QString title = m_window->windowTitle();
        const QString error = m_window->openRecording(file);
        QVERIFY2(error.contains(file) && error.contains(u"not a trace file"_s), qPrintable(error));
        QCOMPARE(m_window->windowTitle(), title);
        auto* sequence = static_cast<SequencePage*>(m_window->view(u"sequence"_s));
        QVERIFY(!sequence->chart()->index()->messages().empty() || sequence->chart()->following());
    }

private:
    /// Records `scenario` on a cluster of its own, from its first event
    /// until one of its isolates has been restarted.
    static void recordScenario(std::string_view name, const QString& file)
    {
        const iso::scenarios::Scenario* scenario = iso::scenarios::find(name);
        QVERIFY(scenario != nullptr);
        iso::Cluster cluster = iso::Cluster::single_node();
        scenario->setup(cluster);
        iso::ObserverOptions options;
        options.full_wait = 1s;
        options.payload = iso::trace::PayloadCapture::Whole;
        iso::Observer observer(cluster.runtime(), options);
        iso::trace::FileInfo info;
        info.program = std::string(name);
        info.payload = iso::trace::PayloadCapture::Whole;
        iso::trace::Recorder recorder(observer, file.toStdString(), info);
        scenario->start(cluster);
        QTRY_VERIFY_WITH_TIMEOUT(observer.snapshot().messages_total > 50 && restartsOf(observer) > 0, patience);
        // Stopped before the cluster is, as isoctl records: a replay runs
        // what the scenario does, not its shutdown.
        observer.poll();
        recorder.stop();
    }

    static std::uint64_t restartsOf(const iso::Observer& observer)
    {
        std::uint64_t restarts = 0;
        for (const iso::IsolateMetrics& m : observer.snapshot().isolates)
            restarts += m.restarts;
        return restarts;
    }
};


QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
