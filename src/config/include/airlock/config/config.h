// Config: the gateway's settings, parsed once from YAML, validated, immutable.
//
//   auto cfg = config::LoadFile("airlock.yaml");   // or config::Default()
//   if (!cfg.ok()) { print cfg.status().message(); exit 2; }   // "airlock.yaml:12: ..."
//
// Every error names the file and line of the offending node. A Config that
// loaded is internally consistent: workflow backends exist, actions and data
// classes are known, listen addresses parse. The full reference is
// docs/gateway.md; examples/airlock.yaml is a complete example.
//
// Secrets (backend API keys, the vault key, the audit HMAC key) are held as
// references (environment variable or file) and resolved by ResolveSecret at
// use; they never appear in a Config's printable state.
//
// Thread-safety: an immutable value, shared as shared_ptr<const Config>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::config {

// A secret named by where it lives, never by value.
struct SecretRef {
  std::string env;   // environment variable name
  std::string file;  // path of a file holding it (trailing newline trimmed)
  bool empty() const { return env.empty() && file.empty(); }
};
// Reads the secret; fails naming the variable or path (never the value).
Result<std::string> ResolveSecret(const SecretRef& ref);

struct TlsListener {
  std::string cert_file;       // PEM chain; empty: plain HTTP
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // non-empty: client certificates required (mTLS)
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  unsigned threads = 0;                    // 0: one per core
  std::size_t max_body_bytes = 1 << 20;    // 413 above
  std::size_t max_header_bytes = 16 << 10; // 431 above
  unsigned read_timeout_ms = 30000;        // whole request must arrive within
  unsigned write_timeout_ms = 30000;
  unsigned idle_timeout_ms = 60000;        // keep-alive idle
  unsigned max_concurrent_requests = 256;  // global; 503 above
  unsigned drain_timeout_ms = 10000;       // SIGTERM: wait this long for in-flight requests
  TlsListener tls;
};

struct LimitsConfig {
  double requests_per_second = 20;  // per principal token bucket refill
  double burst = 40;                // bucket size
  unsigned max_concurrent = 16;     // per principal in-flight requests
};

struct DetectionConfig {
  double min_score = 0.5;
  std::string region = "DE";
  unsigned hold_back_bytes = 256;  // streaming: text held back before release
  unsigned timeout_ms = 2000;      // scanning a request takes longer: 503, nothing forwarded
};

struct ContractFacts {
  std::string dpa;            // data processing agreement reference
  bool no_training = false;
  bool no_retention = false;
};

struct BackendConfig {
  std::string name;
  std::string type;           // "remote" | "local"
  std::string url;            // remote: base URL up to and including /v1
  std::string model;          // model name sent upstream; empty: the workflow name
  std::string jurisdiction;   // ISO 3166 alpha-2, "eu" or "local"
  std::vector<std::string> certifications;  // e.g. "dpf", "pipeda"
  ContractFacts contract;
  SecretRef api_key;
  std::string ca_bundle;      // PEM; empty: system trust store
  bool tls_verify = true;     // false only with an explicit `insecure_skip_verify: true`
  unsigned connect_timeout_ms = 5000;
  unsigned timeout_ms = 60000;  // whole response (non-streamed) / between events (streamed)
  unsigned max_idle_connections = 8;
  // Remote health checks: GET {url}/models with the credentials every
  // interval (0: no probe; failed requests still mark it), each probe
  // bounded by health_timeout_ms.
  unsigned health_interval_ms = 30000;
  unsigned health_timeout_ms = 2000;
  // Local (`type: local`, the llama.cpp engine; docs/local-models.md).
  std::string model_file;       // GGUF path; empty: `airlock serve --model` or ./models/*.gguf
  std::string sha256;           // lower-case hex pin; required with model_file
  unsigned threads = 0;         // 0: every hardware thread
  unsigned context = 0;         // tokens per request; 0: min(trained, 4096)
  unsigned parallel = 0;        // sequences decoded together; 0: 4
  uint64_t memory_budget = 0;   // bytes; refuse to load a model needing more; 0: no limit
  std::string source;         // "file:line" of its entry
};

enum class Action { kAllow, kRedact, kMask, kHash, kPseudonymise, kBlock };
std::string_view ActionName(Action a);
bool ParseAction(std::string_view name, Action* out);

enum class OutputAction { kAllow, kRedact, kBlock };

struct ObjectRule {                 // one sObject type
  std::vector<std::string> keep;    // non-empty: only these fields (plus attributes)
  std::vector<std::string> drop;    // these fields removed
};

struct MinimiseConfig {
  std::size_t max_document_bytes = 0;           // 0: no limit; per message text
  std::map<std::string, ObjectRule> objects;    // by attributes.type
};

// What a workflow declares for governance (GDPR Art. 30 record, DPIA, EU AI
// Act duties). The gateway does not act on these; `airlock check` checks
// them and `airlock check --ropa` exports them. docs/check.md has the list.
struct Governance {
  std::string legal_basis;                  // GDPR Art. 6(1) basis
  std::vector<std::string> data_categories;
  std::vector<std::string> data_subjects;
  std::vector<std::string> recipients;
  std::string retention;
  std::string dpia;                         // reference of the impact assessment
  std::string category;                     // e.g. "hr" (EU AI Act Annex III, 4)
  bool high_risk = false;                   // set, or implied by category hr
  std::string human_oversight;
  std::string workers_informed;
  std::string art9_condition;               // letter of GDPR Art. 9(2)
};

struct WorkflowConfig {
  std::string name;
  std::string purpose;
  std::vector<std::string> roles;       // roles allowed to use it
  std::vector<std::string> backends;    // preference order
  bool reroute = false;                 // may use a later backend when the first is not allowed
  std::map<std::string, Action> actions;  // data class name -> action
  Action default_action = Action::kBlock;  // classes not listed
  OutputAction output = OutputAction::kRedact;
  MinimiseConfig minimise;
  Governance governance;
  std::string source;
};

struct Config {
  ServerConfig server;
  LimitsConfig limits;
  DetectionConfig detection;
  std::string store_path = "var/airlock.db";
  std::string adequacy_file;        // empty: the built-in data/jurisdictions/adequacy.yaml
  SecretRef audit_hmac_key;         // empty: a key kept in the store directory
  SecretRef vault_key;              // empty: an ephemeral random key per process
  unsigned vault_ttl_seconds = 3600;
  std::vector<BackendConfig> backends;
  std::vector<WorkflowConfig> workflows;
  struct Organisation {
    std::string name, contact, dpo;  // controller and DPO, for the Art. 30 record
  } organisation;
  std::string source;               // file path, or "<built-in>"

  const BackendConfig* FindBackend(std::string_view name) const;
  const WorkflowConfig* FindWorkflow(std::string_view name) const;
};

// Parses and validates. `source` names the text in errors.
Result<std::shared_ptr<const Config>> Parse(const std::string& yaml_text, const std::string& source);
Result<std::shared_ptr<const Config>> LoadFile(const std::string& path);
// The built-in default: loopback listener, store under ./var, the local
// engine as the only backend, one workflow "default" for role "user".
std::shared_ptr<const Config> Default();
// The YAML text Default() parses, for docs and `airlock serve --print-default`.
const std::string& DefaultYaml();

// "host:port" -> parts; IPv6 as "[::1]:8080".
Status ParseListen(std::string_view text, std::string* host, uint16_t* port);

}  // namespace airlock::config
