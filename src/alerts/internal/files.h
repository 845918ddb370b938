// Appending alert lines to a local file (the jsonl sink, the webhook's
// dead letter).
#pragma once

#include <string>
#include <vector>

#include "airlock/alerts/alert.h"
#include "airlock/core/status.h"

namespace airlock::alerts::internal {

// Appends ToJson(a) + "\n" for every alert in one write, then fsyncs.
// Creates the file (mode 0600) and its parent directories when missing.
// Safe to call concurrently (one process-wide lock).
Status AppendAlerts(const std::string& path, const std::vector<Alert>& alerts);

}  // namespace airlock::alerts::internal
