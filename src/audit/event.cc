#include "airlock/audit/event.h"

#include <array>
#include <utility>

namespace airlock::audit {
namespace {

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

constexpr std::array<Named<EventKind>, 5> kKinds{{{EventKind::kRequest, "request"},
                                                  {EventKind::kCompletion, "completion"},
                                                  {EventKind::kAdmin, "admin"},
                                                  {EventKind::kAuth, "auth"},
                                                  {EventKind::kSystem, "system"}}};

constexpr std::array<Named<Decision>, 7> kDecisions{{{Decision::kNone, "none"},
                                                     {Decision::kAllow, "allow"},
                                                     {Decision::kRedact, "redact"},
                                                     {Decision::kPseudonymise, "pseudonymise"},
                                                     {Decision::kRouteLocal, "route_local"},
                                                     {Decision::kBlock, "block"},
                                                     {Decision::kError, "error"}}};

constexpr std::array<Named<Reason>, 31> kReasons{{
    {Reason::kPolicyAllow, "policy_allow"},
    {Reason::kDataClassNotAllowed, "data_class_not_allowed"},
    {Reason::kJurisdictionNotAllowed, "jurisdiction_not_allowed"},
    {Reason::kNoBackendAvailable, "no_backend_available"},
    {Reason::kCredentialDetected, "credential_detected"},
    {Reason::kCanaryValue, "canary_value"},
    {Reason::kLockdown, "lockdown"},
    {Reason::kUnauthenticated, "unauthenticated"},
    {Reason::kForbidden, "forbidden"},
    {Reason::kRequestTooLarge, "request_too_large"},
    {Reason::kTimeout, "timeout"},
    {Reason::kUpstreamError, "upstream_error"},
    {Reason::kScanFailed, "scan_failed"},
    {Reason::kOutputLeak, "output_leak"},
    {Reason::kRateLimited, "rate_limited"},
    {Reason::kConfigChanged, "config_changed"},
    {Reason::kKeyCreated, "key_created"},
    {Reason::kKeyRevoked, "key_revoked"},
    {Reason::kLockdownOn, "lockdown_on"},
    {Reason::kLockdownOff, "lockdown_off"},
    {Reason::kStarted, "started"},
    {Reason::kStopped, "stopped"},
    {Reason::kRerouted, "rerouted"},
    {Reason::kInvalidRequest, "invalid_request"},
    {Reason::kUnknownWorkflow, "unknown_workflow"},
    {Reason::kClientDisconnected, "client_disconnected"},
    {Reason::kScanOnly, "scan_only"},
    {Reason::kReidentified, "reidentified"},
    {Reason::kScopeForgotten, "scope_forgotten"},
    {Reason::kSanitized, "sanitized"},
    {Reason::kAttachmentsRead, "attachments_read"},
}};

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<Named<E>, N>& table, E v, std::string_view unknown) {
  for (const auto& n : table) {
    if (n.value == v) return n.name;
  }
  return unknown;
}

template <typename E, std::size_t N>
bool Parse(const std::array<Named<E>, N>& table, std::string_view name, E* out) {
  for (const auto& n : table) {
    if (n.name == name) {
      *out = n.value;
      return true;
    }
  }
  return false;
}

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '@' || c == '/' || c == '+' || c == '-';
}

Status CheckIdent(std::string_view field, std::string_view value, bool allow_empty) {
  if (IsIdentifier(value, allow_empty)) return Status::Ok();
  return Status::InvalidArgument("audit event: " + std::string(field) + " must be " +
                                 (allow_empty ? "empty or " : "") +
                                 "1 to 64 characters of [A-Za-z0-9._:@/+-] (it is " +
                                 std::to_string(value.size()) + " bytes)");
}

}  // namespace

std::string_view EventKindName(EventKind k) { return NameOf(kKinds, k, "unknown"); }
std::string_view DecisionName(Decision d) { return NameOf(kDecisions, d, "unknown"); }
std::string_view ReasonName(Reason r) { return NameOf(kReasons, r, "unknown"); }
bool ParseEventKind(std::string_view name, EventKind* out) { return Parse(kKinds, name, out); }
bool ParseDecision(std::string_view name, Decision* out) { return Parse(kDecisions, name, out); }
bool ParseReason(std::string_view name, Reason* out) { return Parse(kReasons, name, out); }

std::string EventId::ToString() const { return instance + ":" + std::to_string(seq); }

bool IsIdentifier(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  if (s.size() > kMaxIdentifierBytes) return false;
  for (char c : s) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}

Status Validate(const Event& e) {
  Status s;
  if (!(s = CheckIdent("instance", e.instance, false)).ok()) return s;
  if (!(s = CheckIdent("request_id", e.request_id, true)).ok()) return s;
  if (!(s = CheckIdent("principal", e.principal, true)).ok()) return s;
  if (!(s = CheckIdent("workflow", e.workflow, true)).ok()) return s;
  if (!(s = CheckIdent("backend", e.backend, true)).ok()) return s;
  if (NameOf(kKinds, e.kind, "").empty())
    return Status::InvalidArgument("audit event: unknown kind");
  if (NameOf(kDecisions, e.decision, "").empty()) {
    return Status::InvalidArgument("audit event: unknown decision");
  }
  if (e.reasons.size() > kMaxReasons) {
    return Status::InvalidArgument("audit event: more than 16 reasons");
  }
  for (Reason r : e.reasons) {
    if (NameOf(kReasons, r, "").empty()) {
      return Status::InvalidArgument("audit event: unknown reason code " +
                                     std::to_string(static_cast<unsigned>(r)));
    }
  }
  if (e.findings.size() > kMaxFindingCounts) {
    return Status::InvalidArgument("audit event: more than 256 finding counts");
  }
  for (const auto& f : e.findings) {
    if (!(s = CheckIdent("findings.entity_type", f.entity_type, false)).ok()) return s;
    if (!(s = CheckIdent("findings.data_class", f.data_class, true)).ok()) return s;
  }
  if (e.fingerprints.size() > kMaxFingerprints) {
    return Status::InvalidArgument("audit event: more than 1024 fingerprints");
  }
  for (const auto& f : e.fingerprints) {
    if (!(s = CheckIdent("fingerprints.entity_type", f.entity_type, false)).ok()) return s;
  }
  return Status::Ok();
}

}  // namespace airlock::audit
