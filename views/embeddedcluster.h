#pragma once

#include "clustercontrol.h"

#include <map>
#include <memory>

/// ClusterControl for a cluster in this process: commands go straight to
/// its API, and futures come back to the GUI thread as queued calls.
class EmbeddedCluster : public ClusterControl
{
    Q_OBJECT

public:
    /// `cluster` must outlive this object.
    explicit EmbeddedCluster(iso::Cluster& cluster, QObject* parent = nullptr);
    ~EmbeddedCluster() override;

    /// How long send() waits for a reply.
    static constexpr std::chrono::seconds replyTimeout{5};

    QStringList entryNames() const override;
    void spawn(const QString& path, const QString& entry, const iso::Value& properties,
               Answer<QString> answer) override;
    void send(const QString& path, const QString& type, const iso::Value& payload, bool awaitReply,
              Answer<Reply> answer) override;
    void pause(const Target& target, Done done) override;
    void resume(const Target& target, Done done) override;
    void kill(const Target& target, Kill how, Done done) override;
    void restart(const Target& target, Done done) override;
    void step(const Target& target, Done done) override;
    void pending(const Target& target, std::size_t limit, Answer<iso::MailboxView> answer) override;
    void dropPending(const Target& target, std::uint64_t ordinal, Done done) override;
    void describe(const Target& target, Answer<iso::IsolateDescription> answer) override;
    void inject(const QString& pattern, const iso::Fault& fault, Answer<std::size_t> answer) override;
    bool pausedHere(iso::IsolateId id) const override;

private:
    /// The live isolate, or tells `done` it has ended.
    std::optional<iso::Isolate> find(const Target& target, const Done& done);
    /// Resumes the isolate if it is paused from here.
    void liftPause(const Target& target, const iso::Isolate& isolate);
    /// Calls `answer` on the GUI thread once `future` completes, with its
    /// value or what went wrong (`whenBroken` if its promise was broken).
    template <typename T>
    void whenReady(iso::Future<T> future, QString whenBroken, Answer<T> answer);
    /// Runs `done` on the GUI thread, later: every answer comes the same way.
    void answerLater(std::function<void()> call);

    iso::Cluster& m_cluster;
    /// The pauses this control made, by isolate.
    std::map<iso::IsolateId, iso::Capability> m_pauses;
    /// Lets answers from runtime threads find this object while it lives.
    struct Inbox;
    std::shared_ptr<Inbox> m_inbox;
};
