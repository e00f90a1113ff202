#include "workload.h"

#include <iso/iso.h>

#include <cmath>
#include <utility>
#include <vector>

namespace isobench {

double compute(double theta) {
    const double sine = std::sin(theta);
    return sine * sine;
}

void fjthrputOurs(long workers, long messages, std::function<void()> sent, std::function<void(bool)> finish) {
    iso::RawReceivePort port;
    port.set_handler([port, sent = std::move(sent), finish = std::move(finish), workers, messages,
                      ready = std::vector<iso::SendPort>(), done = 0L](iso::Value message) mutable {
        if (message.is_send_port()) {
            ready.push_back(message.as_send_port());
            if (static_cast<long>(ready.size()) == workers) {
                for (long m = 0; m < messages; ++m)
                    for (const iso::SendPort& worker : ready) worker.send(kTheta);
                if (sent) sent();
            }
        } else if (message.as_int() != messages || ++done == workers) {
            port.close();
            finish(message.as_int() == messages);
        }
    });
    for (long w = 0; w < workers; ++w)
        iso::spawn(
            [messages](iso::Value driver) {
                iso::RawReceivePort worker;
                worker.set_handler([worker, driver, messages, handled = 0L, work = 0.0](iso::Value m) mutable {
                    work += compute(m.as_double());
                    if (++handled < messages) return;
                    driver.as_send_port().send(work > 0 ? handled : -1);
                    worker.close();
                });
                driver.as_send_port().send(worker.send_port());
            },
            port.send_port());
}

} // namespace isobench
