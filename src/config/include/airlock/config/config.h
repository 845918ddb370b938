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
  unsigned stream_keepalive_ms = 15000;  // streaming: SSE comment after this long with text held; 0: none
  std::vector<std::string> indexes;  // `airlock index` files; loaded at start and on SIGHUP
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
  // File parts of chat messages (PDF, DOCX, UTF-8 text): refused (false),
  // or read as text, scanned and forwarded as a text part (true).
  bool attachments_as_text = false;
  MinimiseConfig minimise;
  Governance governance;
  std::string source;
};

// Alerts (docs/alerts.md): rules evaluated on the live audit stream, planted
// canary values, and where alerts are delivered. Read by airlock::alerts.
struct AlertRuleConfig {
  std::string name;                         // unique id, an identifier token
  std::string type;                         // threshold | distinct_values | first_backend_use |
                                            // outside_hours | canary | chain_failure
  std::string severity = "medium";          // info | low | medium | high | critical
  std::string metric = "blocked_requests";  // threshold: blocked_requests | findings | requests
  std::string data_class;                   // threshold on findings: only this class (empty: all)
  std::string per = "principal";      // threshold, first_backend_use: principal | workflow | global
  unsigned window_ms = 300000;        // threshold: sliding window
  unsigned count = 10;                // threshold: sum >= count; distinct_values: distinct >= count
  unsigned cooldown_ms = 300000;      // same rule + key alerts at most once per cool-down
  std::vector<std::string> known;     // first_backend_use: backends never reported
  unsigned hours_start_min = 7 * 60;  // outside_hours: working hours [start, end) in minutes
  unsigned hours_end_min = 19 * 60;
  unsigned days_mask = 0x1f;  // outside_hours: bit 0 = Monday ... bit 6 = Sunday
  int utc_offset_min = 0;     // outside_hours: "UTC", "UTC+02:00", "-05:30"
  std::string source;         // "file:line" of its entry
};

struct AlertCanaryConfig {  // a planted value; only its fingerprint is kept at run time
  std::string entity_type;
  std::string value;
};

struct AlertSinkConfig {
  std::string type;  // webhook | syslog | jsonl
  // webhook
  std::string url;             // https:// (or http:// for loopback receivers)
  SecretRef secret;            // set: X-Airlock-Signature: sha256=HMAC(secret, body)
  std::string ca_bundle;       // PEM; empty: system trust store
  unsigned timeout_ms = 5000;  // per attempt (connect + send + answer)
  unsigned retries = 5;        // attempts after the first
  unsigned backoff_ms = 500;   // first retry delay; doubles, capped at 60 s
  std::string dead_letter = "var/alerts.dead.jsonl";
  // syslog
  std::string transport = "udp";  // udp | tcp (RFC 6587 octet counting)
  std::string address;            // host:port
  std::string app_name = "airlock";
  unsigned facility = 16;  // local0
  // jsonl
  std::string path;
  std::string source;
};

struct AlertsConfig {
  std::vector<AlertRuleConfig> rules;
  std::vector<AlertCanaryConfig> canaries;
  std::vector<AlertSinkConfig> sinks;
  unsigned queue_size =
      1024;  // per sink; a full queue goes to the dead letter or is counted dropped
  unsigned max_keys = 10000;  // per rule: principals/workflows tracked; least recently seen evicted
  // At start the rules see again this instance's events of this last span
  // from the trail, without raising alerts, so that windows, cool-downs
  // and seen backends survive a restart. kWarmStartAuto: the longest
  // window or cool-down of the configured rules; 0: off.
  static constexpr std::int64_t kWarmStartAuto = -1;
  std::int64_t warm_start_ms = kWarmStartAuto;
};

struct Config {
  ServerConfig server;
  LimitsConfig limits;
  DetectionConfig detection;
  std::string store_path = "var/airlock.db";
  std::string adequacy_file;        // empty: the built-in data/jurisdictions/adequacy.yaml
  SecretRef audit_hmac_key;         // empty: a key kept in the store directory
  // The tamper-evident trail (src/audit, docs/audit-format.md).
  struct Audit {
    std::string store;              // "sqlite:PATH" | "postgres:CONNINFO"; empty: sqlite next to store_path
    SecretRef store_secret;         // the store URL from env/file instead (a conninfo with a password)
    std::string instance;           // this gateway's chain; empty: "gw-<host>-<port>"
    std::string signing_key;        // Ed25519 PEM; empty: audit-signing.pem created next to store_path
    unsigned checkpoint_every = 1000;   // events per signed checkpoint
    unsigned checkpoint_seconds = 10;   // or this old, whichever comes first
    unsigned retention_days = 365;      // `airlock audit prune` and `airlock check` read it
    unsigned max_retention_days = 0;    // 0: not declared
    unsigned verify_every_seconds = 300;  // background chain verification (0: off)
    // Of those rounds, one that reads every event again at most this often
    // (the others read what was appended since the round before); 0: every
    // round reads everything.
    unsigned full_verify_every_seconds = 86400;
  } audit;
  // The admin API (/admin/v1/...): admin role only.
  struct Admin {
    bool enabled = true;
    std::string host;               // empty: served on the main listener
    uint16_t port = 0;
    std::vector<std::string> roles = {"admin"};  // roles that may call it
    std::string lockdown_mode = "local";         // default mode of `lockdown on`: local | refuse
  } admin;
  SecretRef vault_key;              // empty: an ephemeral random key per process
  unsigned vault_ttl_seconds = 3600;
  std::vector<BackendConfig> backends;
  std::vector<WorkflowConfig> workflows;
  struct Organisation {
    std::string name, contact, dpo;  // controller and DPO, for the Art. 30 record
  } organisation;
  // `metrics:` (docs/metrics.md). GET /metrics serves airlock_* counters,
  // histograms and gauges; no payload text ever becomes a label.
  struct Metrics {
    bool enabled = true;
    // Per-principal series: none, hashed (default: first 16 hex digits of an
    // HMAC-SHA256 of the principal id) or clear (the id itself).
    enum class PrincipalLabels { kNone, kHashed, kClear };
    PrincipalLabels principal_labels = PrincipalLabels::kHashed;
    unsigned max_principals = 1000;  // later principals count as "other"
    // true: /metrics needs an API key with role admin or metrics (401/403
    // otherwise). `public: true` is accepted as the same as `require_auth: false`.
    bool require_auth = true;
  } metrics;
  std::string source;               // file path, or "<built-in>"
  AlertsConfig alerts;

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
