// TEMPORARY until the gateway's src/config lands: the built-in default
// configuration as `airlock serve` will run it, and its validation.
#include <string>

#include "commands.h"

namespace airlock::cli {

const std::string& BuiltinConfigYaml() {
  static const std::string k = R"(# Airlock's built-in default configuration.
server:
  listen: 127.0.0.1:8080
store:
  path: var/airlock.db
keys:
  max_lifetime_days: 90
backends:
  - name: local
    type: local
workflows:
  - name: default
    purpose: General assistance on the local model; nothing leaves the machine.
    legal_basis: legitimate_interests
    data_categories: [contact details, CRM records, case notes]
    data_subjects: [customers, prospects, employees]
    recipients: [the organisation's own staff]
    retention: conversation only; audit events 365 days
    roles: [user]
    backends: [local]
    data_classes:
      personal: allow
      special_category: redact
      financial: allow
      government_id: allow
      contact: allow
      technical: allow
      confidential: allow
      credential: redact
)";
  return k;
}

Status ValidateGatewayConfig(const std::string&) { return Status::Ok(); }

}  // namespace airlock::cli
