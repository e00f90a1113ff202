// The isolate_cluster package's README program: two senders greet the
// receiver as soon as it is up; the receiver shuts the node down after three
// messages.
//
// The Dart program spawns its isolates without paths; here they get
// "/senders/<generated>" and "/receiver". Its output order is not fixed in
// Dart either: the three isolates start in parallel and the three messages
// race (a sender may start after the receiver has had a message), so the
// expected output matches those six lines by one pattern. Isolates
// print through std::osyncstream so that each line arrives whole.

#include <iso/iso.h>

#include <iostream>
#include <syncstream>

// The entry point for the receiver isolate
void receiver(iso::Context& context) {
    std::osyncstream(std::cout) << "receiver started\n";

    // register a listener for messages sent to this isolate; it counts them.
    context.on_message([&context, msg_count = 0](const iso::Envelope& msg) mutable {
        std::osyncstream(std::cout) << "received message: " << msg.content.to_string() << '\n';

        // if 3 messages received, shutdown the cluster node.
        if (++msg_count == 3) context.shutdown_node();
    });

    // register a shutdown request listener
    context.on_shutdown_request([&context] {
        std::osyncstream(std::cout) << "shutdown requested!\n";
        context.shutdown_isolate();
    });
}

void sender(iso::Context& context) {
    std::osyncstream(std::cout) << "sender started id = " << context.property("id").to_string() << '\n';

    // a listener for isolate up events, those up already included: it greets
    // the isolate whose property type is 'receiver'.
    context.on_isolate_up([&context](const iso::IsolateRef& ref) {
        if (ref.property("type") == iso::Value("receiver"))
            ref.send("message from sender " + context.property("id").to_string());
    });
}

int main() {
    // create a single node cluster.
    auto cluster = iso::Cluster::single_node();

    // spawn 3 isolates; the properties are readable from the Context and the IsolateRef.
    (void)cluster.spawn_isolate("/senders/", sender, iso::Value::map({{"id", 1}}));
    (void)cluster.spawn_isolate("/senders/", sender, iso::Value::map({{"id", 2}}));
    iso::IsolateRef receiver_ref =
        cluster.spawn_isolate("/receiver", receiver, iso::Value::map({{"type", "receiver"}})).get();

    // send a message to the isolate using the IsolateRef.
    receiver_ref.send("message from main isolate");

    // Dart's VM lives while isolates do; here main waits for the node's shutdown.
    cluster.runtime().wait_until_idle();
}
