// The control catalog: what `airlock check` checks, as data.
//
// Each control is one YAML entry under data/controls/*.yaml:
//
//   controls:
//     - id: AL-TRANSFER-001
//       title: EU personal data only reaches EEA, adequate or local backends
//       severity: critical            # info | low | medium | high | critical
//       rationale: ...                # why it matters
//       remediation: ...              # what to change
//       mappings:                     # where the control comes from
//         iso27001: ["5.14", "8.12"]  # ISO/IEC 27001:2022 Annex A
//         gdpr: ["44", "45", "46"]    # GDPR articles
//         nis2: ["21(2)(d)"]          # NIS2 Art. 21(2) letters
//         nist_ai_rmf: ["MAP 4.1"]    # NIST AI RMF 1.0 subcategories
//         owasp_llm: ["LLM02"]        # OWASP Top 10 for LLM Applications 2025
//         eu_ai_act: ["12"]           # EU AI Act articles
//       live: false                   # true: needs --live URL (probes a running instance)
//
// The check behind an id is C++ (see checks.h); the catalog and the code are
// matched at load time, so a control without code, or code without a
// control, is an error rather than a silently skipped check.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::compliance {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity s);
// "info", "low", "medium", "high", "critical" (case-insensitive).
Result<Severity> ParseSeverity(std::string_view name);

struct Control {
  std::string id;
  std::string title;
  Severity severity = Severity::kMedium;
  std::string rationale;
  std::string remediation;
  // Framework key ("iso27001", "gdpr", "nis2", "nist_ai_rmf", "owasp_llm",
  // "eu_ai_act") -> references, in file order.
  std::map<std::string, std::vector<std::string>> mappings;
  bool live = false;
  std::string source;  // file:line of the entry
};

// The framework keys a mapping may use, with their display names.
const std::vector<std::pair<std::string, std::string>>& Frameworks();

class ControlCatalog {
 public:
  // Loads every *.yaml file of `dir` (sorted by name). Errors name the file
  // and line: unknown keys, a missing field, a bad severity, an unknown
  // framework, a duplicate id.
  static Result<ControlCatalog> LoadDirectory(const std::string& dir);
  // Parses one file's text; `source` names it in errors.
  Status AddYaml(const std::string& yaml_text, const std::string& source);

  const std::vector<Control>& controls() const { return controls_; }
  const Control* Find(std::string_view id) const;

 private:
  std::vector<Control> controls_;
};

// Where the built-in data lives: $AIRLOCK_DATA_DIR, then share/airlock next
// to the binary, then the source tree's data/ (as the detector catalog).
std::string DefaultControlsDir();

}  // namespace airlock::compliance
