// How a backend's failure reaches the client. Internal to the server.
//
// A backend reports failure as a Status (backend.h). Remote backends fail
// with IoError/Corruption (nothing usable came back: 502). The local engine
// also refuses requests that cannot run on its model, and says so:
//   kInvalidArgument    400 invalid_request   (bad sampling values, tools, ...)
//   kResourceExhausted  400 context_length_exceeded
//   kUnavailable        503 model_busy        (its queue is full; retry)
//   kCancelled          503 backend_cancelled (shutting down)
//   anything else       502 upstream_failed
#pragma once

#include "airlock/api/openai.h"
#include "airlock/core/status.h"

namespace airlock::server {

api::ApiError BackendError(const Status& status);

}  // namespace airlock::server
