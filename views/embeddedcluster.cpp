#include "embeddedcluster.h"

#include <QThread>

#include <mutex>

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

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

template <typename T, typename R>
void EmbeddedCluster::whenReady(iso::Future<T> future, std::function<void(iso::Expected<R, QString>)> answer,
                                std::function<iso::Expected<R, QString>(iso::Future<T>&)> read)
{
    future.on_ready([inbox = m_inbox, future, answer = std::move(answer), read = std::move(read)]() mutable {
        inbox->post([future = std::move(future), answer = std::move(answer), read = std::move(read)]() mutable {
            answer(read(future));
        });
    });
}

std::optional<iso::Isolate> EmbeddedCluster::find(const Target& target, const Done& done) const
{
    Q_ASSERT(QThread::currentThread() == thread());
    auto isolate = m_cluster.runtime().find_isolate(target.id);
    if (!isolate) {
        const QString message = endedMessage(target);
        const_cast<EmbeddedCluster*>(this)->answerLater([done, message] { done(message); });
    }
    return isolate;
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
    whenReady<iso::IsolateRef, QString>(
        m_cluster.spawn_isolate(path.toStdString(), entry.toStdString(), properties), std::move(answer),
        [](iso::Future<iso::IsolateRef>& spawned) -> iso::Expected<QString, QString> {
            try {
                return toQString(std::move(spawned).get().path().str());
            } catch (...) {
                return failed(describeError(std::current_exception()));
            }
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
    whenReady<iso::Value, Reply>(ref->ask(payload, replyTimeout, type.toStdString()), std::move(answer),
                                 [](iso::Future<iso::Value>& reply) -> iso::Expected<Reply, QString> {
                                     try {
                                         return Reply{std::move(reply).get()};
                                     } catch (...) {
                                         return failed(describeError(std::current_exception()));
                                     }
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
    m_pauses.erase(target.id);
    if (how == Kill::Immediate || target.path.empty()) {
        // A plain isolate has no shutdown request to honour: the kind way
        // to end it is before its next event.
        isolate->kill(how == Kill::Immediate ? iso::Priority::Immediate : iso::Priority::BeforeNextEvent);
    } else if (!m_cluster.stop(iso::Path::of(target.path))) {
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
    m_pauses.erase(target.id);
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
    whenReady<iso::MailboxView, iso::MailboxView>(
        isolate->pending(limit), std::move(answer),
        [target](iso::Future<iso::MailboxView>& view) -> iso::Expected<iso::MailboxView, QString> {
            try {
                return std::move(view).get();
            } catch (...) {
                return failed(endedMessage(target));
            }
        });
}

void EmbeddedCluster::dropPending(const Target& target, std::uint64_t ordinal, Done done)
{
    auto isolate = find(target, done);
    if (!isolate)
        return;
    whenReady<bool, bool>(isolate->drop_pending(ordinal),
                          [done, label = target.label()](iso::Expected<bool, QString> dropped) {
                              if (!dropped)
                                  done(dropped.error());
                              else if (!*dropped)
                                  done(tr("That message is no longer waiting in %1's mailbox.").arg(label));
                              else
                                  done({});
                          },
                          [target](iso::Future<bool>& dropped) -> iso::Expected<bool, QString> {
                              try {
                                  return std::move(dropped).get();
                              } catch (...) {
                                  return failed(endedMessage(target));
                              }
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

bool EmbeddedCluster::pausedHere(iso::IsolateId id) const
{
    return m_pauses.contains(id);
}
