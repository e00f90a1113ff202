#pragma once

#include <iso/cluster.h>
#include <iso/expected.h>
#include <iso/fault.h>
#include <iso/runtime.h>
#include <iso/value.h>

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <string>

/// Control commands going out to a cluster: the other half of the
/// workbench's one narrow interface to it (ClusterSource brings batches
/// in). The embedded cluster implements it in-process; a remote cluster
/// will implement it over the network, and the views cannot tell.
///
/// Every command returns at once and answers exactly once, later, on the
/// GUI thread, through its callback: with what it got, or with a message
/// for the person saying why nothing happened (the isolate has ended, the
/// input is wrong, the cluster refused). Only the GUI thread may call
/// members.
class ClusterControl : public QObject
{
    Q_OBJECT

public:
    /// An isolate as the views name it: this incarnation's id, and its
    /// path (empty for plain isolates) for commands that go by path.
    struct Target {
        iso::IsolateId id = 0;
        std::string path;
        /// "/demo/flaky" or "isolate #12", for messages.
        QString label() const;
    };

    template <typename T>
    using Answer = std::function<void(iso::Expected<T, QString>)>;
    /// An empty message: it was done.
    using Done = std::function<void(const QString& error)>;

    enum class Kill {
        Immediate,  ///< ends when its running handler returns
        Graceful,   ///< asked to shut down first, killed at its shutdown timeout
    };

    /// What a reply to a sent message said, if one was awaited.
    struct Reply {
        std::optional<iso::Value> value;  ///< empty: none awaited
    };

    using QObject::QObject;

    /// Entry points that spawn() accepts, sorted.
    virtual QStringList entryNames() const = 0;
    /// Spawns `entry` at `path` (ending in '/': a generated last segment);
    /// answers with the path it got.
    virtual void spawn(const QString& path, const QString& entry, const iso::Value& properties,
                       Answer<QString> answer) = 0;
    /// Sends `payload` by path, with `type`; when `awaitReply`, asks and
    /// answers with the reply, or the timeout as an error.
    virtual void send(const QString& path, const QString& type, const iso::Value& payload, bool awaitReply,
                      Answer<Reply> answer) = 0;

    virtual void pause(const Target& target, Done done) = 0;
    /// Lifts the pause this control made; other pauses stay.
    virtual void resume(const Target& target, Done done) = 0;
    virtual void kill(const Target& target, Kill how, Done done) = 0;
    /// Its supervisor starts a new incarnation, whatever its restart type.
    virtual void restart(const Target& target, Done done) = 0;
    /// A paused isolate handles exactly its oldest pending event.
    virtual void step(const Target& target, Done done) = 0;
    /// The oldest `limit` events waiting in its mailbox.
    virtual void pending(const Target& target, std::size_t limit, Answer<iso::MailboxView> answer) = 0;
    /// Drops one pending message (it becomes a dead letter).
    virtual void dropPending(const Target& target, std::uint64_t ordinal, Done done) = 0;
    /// Its spawn record: entry, properties, supervisor and its spec.
    virtual void describe(const Target& target, Answer<iso::IsolateDescription> answer) = 0;
    /// Injects `fault` into every isolate that `pattern` (a path, or a
    /// pattern such as /app/pool/*) matches; answers with how many, or
    /// with an error if none did.
    virtual void inject(const QString& pattern, const iso::Fault& fault, Answer<std::size_t> answer) = 0;
    /// Whether this control holds a pause of the isolate.
    virtual bool pausedHere(iso::IsolateId id) const = 0;
};
