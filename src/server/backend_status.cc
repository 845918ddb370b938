#include "backend_status.h"

namespace airlock::server {

namespace {

api::ApiError Make(int status, const char* type, const char* code, std::string message) {
  return api::ApiError{.http_status = status, .type = type, .code = code, .message = std::move(message), .param = {}, .details = {}};
}

}  // namespace

api::ApiError BackendError(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case Status::Code::kInvalidArgument: return Make(400, "invalid_request_error", "invalid_request", m);
    case Status::Code::kResourceExhausted: return Make(400, "invalid_request_error", "context_length_exceeded", m);
    case Status::Code::kUnavailable: return Make(503, "service_unavailable", "model_busy", m);
    case Status::Code::kCancelled: return Make(503, "service_unavailable", "backend_cancelled", m);
    default: return Make(502, "upstream_error", "upstream_failed", m);
  }
}

}  // namespace airlock::server
