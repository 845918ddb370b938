// The sink implementations behind MakeSink (sink.h).
#pragma once

#include <memory>

#include "airlock/alerts/sink.h"

namespace airlock::alerts::internal {

std::unique_ptr<Sink> MakeJsonlSink(const config::AlertSinkConfig& cfg);
Result<std::unique_ptr<Sink>> MakeWebhookSink(const config::AlertSinkConfig& cfg);
Result<std::unique_ptr<Sink>> MakeSyslogSink(const config::AlertSinkConfig& cfg);

// RFC 5424 message for one alert (no framing): "<PRI>1 TIMESTAMP HOST APP
// PROCID MSGID [airlock@32473 ...] JSON".
std::string SyslogMessage(const Alert& a, const config::AlertSinkConfig& cfg,
                          const std::string& hostname, long procid);

}  // namespace airlock::alerts::internal
