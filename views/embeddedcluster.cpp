#include "embeddedcluster.h"

#include "text.h"

#include <QThread>

#include <mutex>

namespace {

/// What a failed future or call says, for the person who asked.
QString describeError(const std::exception_ptr& error)
{
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return toQString(e.what());
    } catch (...) {
        return QObject::tr("an unknown error");
    }
}

iso::Unexpected<QString> failed(QString message)
{
    return {std::move(message)};
}

QString endedMessage(const ClusterControl::Target& target)
{
    return QObject::tr("%1 has ended; nothing was done.").arg(target.label());
}

} // namespace

QString ClusterControl::Target::label() const
{
    return path.empty() ? tr("isolate #%1").arg(id) : toQString(path);
}

/// Answers come from runtime threads; the inbox lets them reach the object
/// while it lives, and drops them once it is gone.
struct EmbeddedCluster::Inbox {
    std::mutex mutex;
    EmbeddedCluster* owner = nullptr;

    void post(std::function<void()> call)
    {
        std::lock_guard lock(mutex);
        if (owner != nullptr)
            QMetaObject::invokeMethod(owner, std::move(call), Qt::QueuedConnection);
    }
};

EmbeddedCluster::EmbeddedCluster(iso::Cluster& cluster, QObject* parent)
    : ClusterControl(parent)
    , m_cluster(cluster)
    , m_inbox(std::make_shared<Inbox>())
{
    m_inbox->owner = this;
}

EmbeddedCluster::~EmbeddedCluster()
{
    std::lock_guard lock(m_inbox->mutex);
    m_inbox->owner = nullptr;
}

void EmbeddedCluster::answerLater(std::function<void()> call)
{
    m_inbox->post(std::move(call));
}

template <typename T>
void EmbeddedCluster::whenReady(iso::Future<T> future, QString whenBroken, Answer<T> answer)
{
    future.on_ready([inbox = m_inbox, future, whenBroken = std::move(whenBroken), answer = std::move(answer)]() mutable {
        inbox->post([future = std::move(future), whenBroken = std::move(whenBroken), answer = std::move(answer)]() mutable {
            try {
                answer(std::move(future).get());
            } catch (const iso::BrokenPromise&) {
                answer(failed(whenBroken.isEmpty() ? describeError(std::current_exception()) : whenBroken));
            } catch (...) {
                answer(failed(describeError(std::current_exception())));
            }
        });
    });
}

std::optional<iso::Isolate> EmbeddedCluster::find(const Target& target, const Done& done)
{
    Q_ASSERT(QThread::currentThread() == thread());
    auto isolate = m_cluster.runtime().find_isolate(target.id);
    if (!isolate) {
        m_pauses.erase(target.id);  // it ended paused
        answerLater([done, message = endedMessage(target)] { done(message); });
    }
    return isolate;
}

void EmbeddedCluster::liftPause(const Target& target, const iso::Isolate& isolate)
{
    // A paused isolate cannot handle a shutdown request, and a kill at the
    // timeout would read as a crash.
    if (const auto pause = m_pauses.find(target.id); pause != m_pauses.end()) {
        isolate.resume(pause->second);
        m_pauses.erase(pause);
    }
}

QStringList EmbeddedCluster::entryNames() const
{
    QStringList names;
    for (const std::string& name : m_cluster.entry_names())
        names << toQString(name);
    names.sort();
    return names;
}

void EmbeddedCluster::spawn(const QString& path, const QString& entry, const iso::Value& properties,
                            Answer<QString> answer)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!entryNames().contains(entry)) {
        answerLater([answer, entry] { answer(failed(tr("No entry point is registered as “%1”.").arg(entry))); });
        return;
    }
    whenReady<iso::IsolateRef>(m_cluster.spawn_isolate(path.toStdString(), entry.toStdString(), properties), {},
                               [answer](iso::Expected<iso::IsolateRef, QString> spawned) {
                                   if (spawned)
                                       answer(toQString(spawned->path().str()));
                                   else
                                       answer(failed(spawned.error()));
                               });
}

void EmbeddedCluster::send(const QString& path, const QString& type, const iso::Value& payload, bool awaitReply,
                           Answer<Reply> answer)
{
    Q_ASSERT(QThread::currentThread() == thread());
    auto parsed = iso::Path::parse(path.toStdString());
    auto ref = parsed ? m_cluster.lookup(*parsed) : std::nullopt;
    if (!ref) {
        const QString message = parsed ? tr("No isolate is at %1; nothing was sent.").arg(path)
                                       : tr("“%1” is not a path: %2").arg(path, toQString(parsed.error()));
        answerLater([answer, message] { answer(failed(message)); });
        return;
    }
    if (!awaitReply) {
        iso::SendOptions options;
        options.type = type.toStdString();
        ref->send(payload, std::move(options));
        answerLater([answer] { answer(Reply{}); });
        return;
    }
    whenReady<iso::Value>(ref->ask(payload, replyTimeout, type.toStdString()), {},
                          [answer](iso::Expected<iso::Value, QString> reply) {
                              if (reply)
                                  answer(Reply{std::move(*reply)});
                              else
                                  answer(failed(reply.error()));
                          });
}

void EmbeddedCluster::pause(const Target& target, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    if (m_pauses.contains(target.id)) {
        answerLater([done, label = target.label()] { done(tr("%1 is paused already.").arg(label)); });
        return;
    }
    m_pauses.emplace(target.id, isolate->pause());
    answerLater([done] { done({}); });
}

void EmbeddedCluster::resume(const Target& target, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    const auto pause = m_pauses.find(target.id);
    if (pause == m_pauses.end()) {
        answerLater([done, label = target.label()] {
            done(tr("%1 was not paused from here; a pause its program made is its own to lift.").arg(label));
        });
        return;
    }
    isolate->resume(pause->second);
    m_pauses.erase(pause);
    answerLater([done] { done({}); });
}

void EmbeddedCluster::kill(const Target& target, Kill how, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    if (how == Kill::Immediate || target.path.empty()) {
        m_pauses.erase(target.id);
        // A plain isolate has no shutdown request to honour: the kind way
        // to end it is before its next event.
        isolate->kill(how == Kill::Immediate ? iso::Priority::Immediate : iso::Priority::BeforeNextEvent);
        answerLater([done] { done({}); });
        return;
    }
    liftPause(target, *isolate);
    if (!m_cluster.stop(iso::Path::of(target.path))) {
        answerLater([done, target] { done(endedMessage(target)); });
        return;
    }
    answerLater([done] { done({}); });
}

void EmbeddedCluster::restart(const Target& target, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    if (target.path.empty()) {
        answerLater([done, label = target.label()] {
            done(tr("%1 is a plain isolate: it has no supervisor to restart it.").arg(label));
        });
        return;
    }
    liftPause(target, *isolate);
    if (!m_cluster.restart(iso::Path::of(target.path))) {
        answerLater([done, target] { done(endedMessage(target)); });
        return;
    }
    answerLater([done] { done({}); });
}

void EmbeddedCluster::step(const Target& target, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    if (!m_pauses.contains(target.id)) {
        answerLater([done, label = target.label()] { done(tr("Pause %1 before stepping it.").arg(label)); });
        return;
    }
    isolate->step();
    answerLater([done] { done({}); });
}

void EmbeddedCluster::pending(const Target& target, std::size_t limit, Answer<iso::MailboxView> answer)
{
    auto isolate = find(target, [answer](const QString& error) { answer(failed(error)); });
    if (!isolate)
        return;
    whenReady<iso::MailboxView>(isolate->pending(limit), endedMessage(target), std::move(answer));
}

void EmbeddedCluster::dropPending(const Target& target, std::uint64_t ordinal, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    whenReady<bool>(isolate->drop_pending(ordinal), endedMessage(target),
                    [done, label = target.label()](iso::Expected<bool, QString> dropped) {
                        if (!dropped)
                            done(dropped.error());
                        else if (!*dropped)
                            done(tr("That message is no longer waiting in %1's mailbox.").arg(label));
                        else
                            done({});
                    });
}

void EmbeddedCluster::describe(const Target& target, Answer<iso::IsolateDescription> answer)
{
    auto description = target.path.empty() ? std::nullopt : m_cluster.describe(iso::Path::of(target.path));
    answerLater([answer, description = std::move(description), label = target.label()]() mutable {
        if (description)
            answer(std::move(*description));
        else
            answer(failed(tr("%1 has no spawn record.").arg(label)));
    });
}

void EmbeddedCluster::inject(const QString& pattern, const iso::Fault& fault, Answer<std::size_t> answer)
{
    auto parsed = iso::PathPattern::parse(pattern.toStdString());
    if (!parsed) {
        answerLater([answer, why = toQString(parsed.error())] { answer(failed(tr("%1; nothing was injected.").arg(why))); });
        return;
    }
    const std::size_t count = m_cluster.inject(*parsed, fault);
    answerLater([answer, count, pattern] {
        if (count == 0)
            answer(failed(tr("No isolate is at %1; nothing was injected.").arg(pattern)));
        else
            answer(count);
    });
}

bool EmbeddedCluster::pausedHere(iso::IsolateId id) const
{
    return m_pauses.contains(id);
}
