// `airlock sanitize EXPORT --workflow NAME --out CLEAN`: the data-sync path.
// A CRM export (CSV, JSON Lines, or one JSON document) is minimised the way
// the workflow minimises gateway requests (fields it does not keep are
// dropped), then every remaining value is scanned and each finding gets the
// workflow's action for its data class: redact, mask, hash, pseudonymise,
// block (the value is replaced by a marker and counted as blocked) or allow.
// The configured indexes (detection.indexes, plus --index) run over each
// record as a whole, so a protected record's values or a protected
// document's passage found in it get the action for the index's data class.
//
// Pseudonyms come from the gateway's vault: the same key (vault.key), the
// same AES-256-GCM sealing and "<TYPE_n>" surrogates. The mapping of a
// scope (--scope, default EXPORTNAME-TIMESTAMP) is kept in a mapping file
// (--vault, default next to store.path) so that equal values get equal
// surrogates across runs of one scope and `airlock reidentify` can turn the
// surrogates back into values later. Without a vault key a pseudonymising
// workflow is refused (fail closed).
//
// Each run is an audit event on the CLI's chain of the deployment's trail
// (cli_trail.h): workflow, records, and per entity type and data class how
// many values were replaced (counts only). `airlock reidentify` records the
// scope and how many values of each type it restored; --forget records the
// scope's deletion. All three fail closed: when the event cannot be
// written, no output (and no deletion) happens.
//
// A report says, per column or field, how many values were seen, changed
// and how. CSV and JSON Lines stream (one record in memory at a time); a
// single JSON document is read whole.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "airlock/config/config.h"
#include "airlock/detect/index_loader.h"
#include "airlock/policy/policy.h"
#include "airlock/transform/transform.h"
#include "catalog_loader.h"
#include "cli_trail.h"
#include "commands.h"
#include "vault_ledger.h"

namespace airlock::cli {

namespace {

using nlohmann::ordered_json;

struct SanitizeOptions {
  std::string input;
  std::string config;
  std::string workflow;
  std::string out;
  std::string report;
  std::string format = "auto";
  std::string object;  // CSV: the sObject type whose keep/drop rule applies
  std::string scope;   // the mapping's scope; empty: EXPORTNAME-TIMESTAMP
  std::string vault;   // the mapping file; empty: next to store.path
  std::vector<std::string> indexes;  // on top of detection.indexes
};

struct ColumnReport {
  std::uint64_t values = 0, changed = 0;
  bool dropped = false;
  std::map<std::string, std::uint64_t> actions, entity_types;
};

// One value of a record: a CSV field or a JSON leaf.
struct Cell {
  std::string field;
  std::string value;  // in: as exported; out: sanitised
  ColumnReport* col;
};

class Sanitizer {
 public:
  // `mapping`: the scope's pseudonyms (null when the workflow never pseudonymises).
  Sanitizer(const detect::Analyzer& analyzer, const std::vector<detect::IndexScanner>& indexes,
            const config::WorkflowConfig& wf, std::string hash_key, transform::Mapping* mapping)
      : analyzer_(analyzer), indexes_(indexes), wf_(wf), hash_key_(std::move(hash_key)), mapping_(mapping) {}

  // Every finding of the record's cells transformed in place. Catalog
  // findings are looked for per value (with the field name as context); the
  // indexes see the record's values joined by '\n', so a record's values
  // are seen together. An index finding whose action changes the text takes
  // over the catalog findings it overlaps (as in the gateway).
  Status Record(std::vector<Cell>& cells) {
    std::vector<std::vector<Candidate>> per(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
      Cell& c = cells[i];
      ++c.col->values;
      auto it = fields_.find(c.field);
      if (it == fields_.end()) it = fields_.emplace(c.field, analyzer_.PrepareField(c.field)).first;
      auto found = analyzer_.Analyze(c.value, &it->second);
      if (!found.ok()) return found.status();
      for (const auto& f : *found) Add(per[i], c, f, f.span, false);
    }
    if (!indexes_.empty()) ScanIndexes(cells, per);
    bool changed = false;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      auto reps = Replacements(cells[i].value, std::move(per[i]));
      if (!reps.ok()) return reps.status();
      if (reps->empty()) continue;
      ++cells[i].col->changed;
      changed = true;
      cells[i].value = transform::ApplyReplacements(cells[i].value, std::move(*reps));
    }
    if (changed) ++records_changed_;
    return Status::Ok();
  }

  std::uint64_t index_findings() const { return index_findings_; }
  std::uint64_t records_changed() const { return records_changed_; }
  bool pseudonymised() const { return pseudonymised_; }
  // Values replaced, by (entity type, data class): what the audit event counts.
  std::vector<audit::FindingCount> replaced() const {
    std::vector<audit::FindingCount> out;
    for (const auto& [key, n] : replaced_) out.push_back({key.first, key.second, static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX))});
    return out;
  }

 private:
  struct Candidate {
    ByteSpan span;
    std::string entity_type;
    std::string_view data_class;
    config::Action action;
    bool from_index;
  };

  void Add(std::vector<Candidate>& into, Cell& c, const detect::Finding& f, ByteSpan span, bool from_index) {
    const std::string_view data_class = detect::DataClassName(f.data_class);
    const config::Action a = policy::ActionFor(wf_, data_class);
    c.col->entity_types[f.entity_type]++;
    c.col->actions[std::string(config::ActionName(a))]++;
    if (a != config::Action::kAllow) into.push_back({span, f.entity_type, data_class, a, from_index});
  }

  void ScanIndexes(std::vector<Cell>& cells, std::vector<std::vector<Candidate>>& per) {
    std::string joined;
    std::vector<std::size_t> starts;
    for (const auto& c : cells) {
      if (!starts.empty()) joined.push_back('\n');
      starts.push_back(joined.size());
      joined.append(c.value);
    }
    for (const auto& scan : indexes_) {
      for (const auto& f : scan(joined)) {
        ++index_findings_;
        for (std::size_t i = 0; i < cells.size(); ++i) {
          const std::size_t b = std::max(f.span.begin, starts[i]);
          const std::size_t e = std::min(f.span.end, starts[i] + cells[i].value.size());
          if (e > b) Add(per[i], cells[i], f, {b - starts[i], e - starts[i]}, true);
        }
      }
    }
  }

  // Overlapping candidates become one range, owned by its first index
  // finding if it has one (a record's range wins over the fragments inside).
  Result<std::vector<transform::Replacement>> Replacements(std::string_view value, std::vector<Candidate> cands) {
    std::sort(cands.begin(), cands.end(), [](const Candidate& x, const Candidate& y) {
      return x.span.begin != y.span.begin ? x.span.begin < y.span.begin : x.from_index > y.from_index;
    });
    std::vector<Candidate> groups;
    for (auto& c : cands) {
      if (!groups.empty() && c.span.begin < groups.back().span.end) {
        Candidate& g = groups.back();
        g.span.end = std::max(g.span.end, c.span.end);
        if (c.from_index && !g.from_index) {
          g.entity_type = c.entity_type;
          g.data_class = c.data_class;
          g.action = c.action;
          g.from_index = true;
        }
        continue;
      }
      groups.push_back(std::move(c));
    }
    std::vector<transform::Replacement> reps;
    for (const auto& g : groups) {
      const std::string_view v = value.substr(g.span.begin, g.span.size());
      std::string with;
      switch (g.action) {
        case config::Action::kAllow: continue;
        case config::Action::kRedact:
        case config::Action::kBlock: with = transform::RedactMarker(g.entity_type); break;
        case config::Action::kMask: with = transform::Mask(v, g.entity_type); break;
        case config::Action::kHash: with = transform::Hash(v, g.entity_type, hash_key_); break;
        case config::Action::kPseudonymise:
          if (mapping_ == nullptr) return Status::Internal("pseudonymise without a vault");
          with = mapping_->Surrogate(g.entity_type, v);
          pseudonymised_ = true;
          break;
      }
      ++replaced_[{g.entity_type, std::string(g.data_class)}];
      reps.push_back({g.span, std::move(with)});
    }
    return reps;
  }

  const detect::Analyzer& analyzer_;
  const std::vector<detect::IndexScanner>& indexes_;
  const config::WorkflowConfig& wf_;
  std::string hash_key_;
  transform::Mapping* mapping_;
  std::map<std::string, detect::FieldContext> fields_;
  std::uint64_t index_findings_ = 0;
  std::uint64_t records_changed_ = 0;
  bool pseudonymised_ = false;
  std::map<std::pair<std::string, std::string>, std::uint64_t> replaced_;
};

// ---- CSV (RFC 4180), one record at a time -------------------------------------

// Reads the next record; false at the end. An error names the line.
Result<bool> ReadCsvRecord(std::istream& in, std::vector<std::string>* fields, std::size_t* line) {
  fields->clear();
  int c = in.get();
  if (c == EOF) return false;
  std::string field;
  bool quoted = false, was_quoted = false;
  const std::size_t start_line = *line;
  for (;; c = in.get()) {
    if (quoted) {
      if (c == EOF) return Status::InvalidArgument("line " + std::to_string(start_line) + ": unterminated quoted field");
      if (c == '"') {
        if (in.peek() == '"') {
          in.get();
          field.push_back('"');
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++*line;
        field.push_back(static_cast<char>(c));
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == EOF) {
      if (!field.empty() && field.back() == '\r' && !was_quoted) field.pop_back();
      fields->push_back(std::move(field));
      ++*line;
      return true;
    } else if (c == '\r' && was_quoted) {
      // CR of a CRLF after a quoted field
    } else {
      if (was_quoted) return Status::InvalidArgument("line " + std::to_string(*line) + ": text after a closing quote");
      field.push_back(static_cast<char>(c));
    }
  }
}

void WriteCsvField(std::ostream& out, const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    out << v;
    return;
  }
  out << '"';
  for (char c : v) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

bool KeepField(const transform::ObjectRule* rule, const std::string& name) {
  if (rule == nullptr) return true;
  if (!rule->keep.empty()) return std::find(rule->keep.begin(), rule->keep.end(), name) != rule->keep.end();
  return std::find(rule->drop.begin(), rule->drop.end(), name) == rule->drop.end();
}

Status SanitizeCsv(std::istream& in, std::ostream& out, Sanitizer& s, const transform::ObjectRule* rule,
                   std::map<std::string, ColumnReport>& report, std::uint64_t* records) {
  std::vector<std::string> header, row;
  std::size_t line = 1;
  auto h = ReadCsvRecord(in, &header, &line);
  if (!h.ok()) return h.status();
  if (!*h) return Status::InvalidArgument("empty CSV: no header row");
  std::vector<bool> keep;
  bool first = true;
  for (const auto& name : header) {
    keep.push_back(KeepField(rule, name));
    report[name].dropped = !keep.back();
    if (!keep.back()) continue;
    if (!first) out << ',';
    WriteCsvField(out, name);
    first = false;
  }
  out << "\r\n";
  for (;;) {
    const std::size_t at = line;
    auto r = ReadCsvRecord(in, &row, &line);
    if (!r.ok()) return r.status();
    if (!*r) break;
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != header.size())
      return Status::InvalidArgument("line " + std::to_string(at) + ": " + std::to_string(row.size()) +
                                     " fields, the header has " + std::to_string(header.size()));
    std::vector<Cell> cells;
    for (std::size_t i = 0; i < row.size(); ++i)
      if (keep[i]) cells.push_back({header[i], std::move(row[i]), &report[header[i]]});
    if (Status st = s.Record(cells); !st.ok()) return Status(st).WithContext("line " + std::to_string(at));
    first = true;
    for (const auto& c : cells) {
      if (!first) out << ',';
      WriteCsvField(out, c.value);
      first = false;
    }
    out << "\r\n";
    ++*records;
  }
  return Status::Ok();
}

// ---- JSON ----------------------------------------------------------------------

// Drops the fields each record's rule (by attributes.type) does not keep.
void MinimiseJson(ordered_json& j, const transform::ObjectRules& rules, std::map<std::string, ColumnReport>& report) {
  if (j.is_object()) {
    const transform::ObjectRule* rule = nullptr;
    if (j.contains("attributes") && j["attributes"].is_object() && j["attributes"].contains("type") &&
        j["attributes"]["type"].is_string()) {
      auto it = rules.find(j["attributes"]["type"].get<std::string>());
      if (it != rules.end()) rule = &it->second;
    }
    for (auto it = j.begin(); it != j.end();) {
      if (it.key() != "attributes" && !KeepField(rule, it.key())) {
        report[it.key()].dropped = true;
        it = j.erase(it);
        continue;
      }
      if (it.key() != "attributes") MinimiseJson(it.value(), rules, report);
      ++it;
    }
  } else if (j.is_array()) {
    for (auto& e : j) MinimiseJson(e, rules, report);
  }
}

// The string and integer leaves under `j` (a card or account number stored
// as a number is still one), keyed by their field name; `skip` is left out.
void Leaves(ordered_json& j, const std::string& key, const ordered_json* skip, std::vector<ordered_json*>* nodes,
            std::vector<Cell>* cells, std::map<std::string, ColumnReport>& report) {
  if (&j == skip) return;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "attributes") Leaves(it.value(), it.key(), skip, nodes, cells, report);
  } else if (j.is_array()) {
    for (auto& e : j) Leaves(e, key, skip, nodes, cells, report);
  } else if (j.is_string()) {
    nodes->push_back(&j);
    cells->push_back({key, j.get<std::string>(), &report[key]});
  } else if (j.is_number_integer() || j.is_number_unsigned()) {
    nodes->push_back(&j);
    cells->push_back({key, j.dump(), &report[key]});
  }
}

// One record: its leaves scanned together, written back.
Status SanitizeRecord(ordered_json& j, const ordered_json* skip, Sanitizer& s,
                      std::map<std::string, ColumnReport>& report) {
  std::vector<ordered_json*> nodes;
  std::vector<Cell> cells;
  Leaves(j, "", skip, &nodes, &cells, report);
  if (Status st = s.Record(cells); !st.ok()) return st;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i]->is_string()) *nodes[i] = std::move(cells[i].value);
    else if (cells[i].value != nodes[i]->dump()) *nodes[i] = std::move(cells[i].value);
  }
  return Status::Ok();
}

// A JSON document: a top-level array or a REST envelope's "records" hold
// one record per element (the envelope's other fields are one more);
// anything else is one record.
Status SanitizeJsonDocument(ordered_json& j, Sanitizer& s, const transform::ObjectRules& rules,
                            std::map<std::string, ColumnReport>& report, std::uint64_t* records) {
  MinimiseJson(j, rules, report);
  ordered_json* list = j.is_array() ? &j
                       : j.is_object() && j.contains("records") && j["records"].is_array() ? &j["records"]
                                                                                             : nullptr;
  if (list == nullptr) {
    *records = 1;
    return SanitizeRecord(j, nullptr, s, report);
  }
  for (auto& e : *list)
    if (Status st = SanitizeRecord(e, nullptr, s, report); !st.ok()) return st;
  *records = list->size();
  return list == &j ? Status::Ok() : SanitizeRecord(j, list, s, report);
}

// JSON Lines, one line at a time: `fn` edits each parsed line, which is
// written back; blank lines are skipped.
Status EachJsonLine(std::istream& in, std::ostream& out, const std::function<Status(ordered_json&)>& fn,
                    std::uint64_t* lines) {
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = ordered_json::parse(line, nullptr, false);
    if (j.is_discarded()) return Status::InvalidArgument("line " + std::to_string(n) + ": not valid JSON");
    if (Status st = fn(j); !st.ok()) return st;
    out << j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    ++*lines;
  }
  return Status::Ok();
}

// One JSON document, read whole: `fn` edits it, it is written back.
Status WholeJsonDocument(std::istream& in, std::ostream& out, const std::function<Status(ordered_json&)>& fn) {
  auto j = ordered_json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument("not a valid JSON document");
  if (Status st = fn(j); !st.ok()) return st;
  out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
  return Status::Ok();
}

std::string Format(const SanitizeOptions& o) {
  if (o.format != "auto") return o.format;
  const std::string ext = std::filesystem::path(o.input).extension().string();
  if (ext == ".csv") return "csv";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  return "json";
}

std::string HashKey(const config::Config& cfg) {
  if (!cfg.audit_hmac_key.empty()) {
    auto k = config::ResolveSecret(cfg.audit_hmac_key);
    if (k.ok()) return *k;
  }
  const auto dir = std::filesystem::path(cfg.store_path).parent_path();
  std::ifstream in((dir.empty() ? std::filesystem::path(".") : dir) / "audit.key", std::ios::binary);
  std::string key;
  if (in && std::getline(in, key) && key.size() >= 32) return key;  // the gateway's key: equal digests
  key.assign(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32);
  return key;
}

int Fail(const std::string& msg, const char* cmd = "sanitize") {
  std::cerr << "airlock " << cmd << ": " << msg << "\n";
  return kExitError;
}

bool Pseudonymises(const config::WorkflowConfig& wf) {
  if (wf.default_action == config::Action::kPseudonymise) return true;
  for (const auto& [cls, a] : wf.actions)
    if (a == config::Action::kPseudonymise) return true;
  return false;
}

// The mapping file and its lock, opened with the gateway's vault key.
struct OpenedVault {
  std::string path;
  std::unique_ptr<transform::MappingFile::Lock> lock;
  // The file's generation ledger in the store database (before `file`,
  // which points to it).
  std::unique_ptr<StoreMappingLedger> ledger;
  std::optional<transform::MappingFile> file;
};

Result<OpenedVault> OpenVault(const config::Config& cfg, const std::string& explicit_path) {
  if (cfg.vault_key.empty())
    return Status::InvalidArgument(
        "no vault key: pseudonyms are kept under the gateway's vault key and " + cfg.source +
        " sets no vault.key (add vault: {key: {file: PATH}} or {key: {env: NAME}}: 32 bytes or 64 hex digits)");
  auto key = config::ResolveSecret(cfg.vault_key);
  if (!key.ok()) return Status::InvalidArgument("vault.key: " + key.status().message());
  OpenedVault v;
  if (!explicit_path.empty()) {
    v.path = explicit_path;
  } else {
    const auto dir = std::filesystem::path(cfg.store_path).parent_path();
    v.path = ((dir.empty() ? std::filesystem::path(".") : dir) / "sanitize-mappings.vault").string();
  }
  const auto parent = std::filesystem::path(v.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto lock = transform::MappingFile::LockFile(v.path);
  if (!lock.ok()) return lock.status();
  v.lock = std::move(*lock);
  auto db = store::Database::Open(cfg.store_path);
  if (!db.ok()) return Status(db.status()).WithContext("store");
  v.ledger = std::make_unique<StoreMappingLedger>(std::move(*db));
  auto file = transform::MappingFile::Open(v.path, *key, v.ledger.get());
  OPENSSL_cleanse(key->data(), key->size());
  if (!file.ok()) return Status(file.status()).WithContext("vault");
  v.file.emplace(std::move(*file));
  return v;
}

// EXPORTNAME-YYYYMMDDTHHMMSSZ
std::string DefaultScope(const std::string& input) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return std::filesystem::path(input).stem().string() + "-" + stamp;
}

int RunSanitize(const SanitizeOptions& o) {
  auto cfg = o.config.empty() ? Result<std::shared_ptr<const config::Config>>(config::Default())
                              : config::LoadFile(o.config);
  if (!cfg.ok()) return Fail(cfg.status().message());
  const config::WorkflowConfig* wf = (*cfg)->FindWorkflow(o.workflow);
  if (wf == nullptr) return Fail("no workflow named '" + o.workflow + "' in " + (*cfg)->source);
  const std::string format = Format(o);
  transform::ObjectRules rules;
  for (const auto& [type, rule] : wf->minimise.objects) rules[type] = {rule.keep, rule.drop};
  const transform::ObjectRule* csv_rule = nullptr;
  if (!o.object.empty()) {
    auto it = rules.find(o.object);
    if (it == rules.end()) return Fail("workflow " + wf->name + " has no minimise rule for object " + o.object);
    csv_rule = &it->second;
  }

  // The trail first: a run that cannot be audited does not start.
  auto trail = CliTrail::Open(**cfg);
  if (!trail.ok()) return Fail(TrailFailure(trail.status(), "nothing was written"));

  // Pseudonyms: the scope's mapping from the vault, before anything is read.
  const std::string scope = o.scope.empty() ? DefaultScope(o.input) : o.scope;
  std::optional<OpenedVault> vault;
  transform::Mapping mapping;
  if (Pseudonymises(*wf)) {
    auto v = OpenVault(**cfg, o.vault);
    if (!v.ok()) return Fail("workflow " + wf->name + " pseudonymises: " + v.status().message() + "; nothing was written");
    auto m = v->file->Read(scope);
    if (!m.ok()) return Fail(m.status().message());
    mapping = std::move(*m);
    vault.emplace(std::move(*v));
  }
  std::vector<std::string> index_paths = (*cfg)->detection.indexes;
  index_paths.insert(index_paths.end(), o.indexes.begin(), o.indexes.end());
  auto indexes = detect::LoadIndexes(index_paths);
  if (!indexes.ok()) return Fail("indexes: " + indexes.status().message());

  std::ifstream in(o.input, std::ios::binary);
  if (!in) return Fail(o.input + ": cannot open");
  const std::string tmp = o.out + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(o.out + ": cannot write");

  CatalogOptions co;
  co.min_score = (*cfg)->detection.min_score;
  co.region = (*cfg)->detection.region;
  auto analyzer = BuildAnalyzer(co);
  if (!analyzer.ok()) return Fail("detectors: " + analyzer.status().message());
  Sanitizer s(**analyzer, *indexes, *wf, HashKey(**cfg), vault ? &mapping : nullptr);
  std::map<std::string, ColumnReport> report;
  std::uint64_t records = 0, bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  Status st = Status::Ok();
  if (format == "csv") {
    st = SanitizeCsv(in, out, s, csv_rule, report, &records);
  } else if (format == "jsonl") {
    st = EachJsonLine(in, out, [&](ordered_json& j) {
      MinimiseJson(j, rules, report);
      return SanitizeRecord(j, nullptr, s, report);
    }, &records);
  } else if (format == "json") {
    st = WholeJsonDocument(in, out, [&](ordered_json& j) { return SanitizeJsonDocument(j, s, rules, report, &records); });
  } else {
    st = Status::InvalidArgument("--format must be csv, json or jsonl");
  }
  out.close();
  // The mapping is kept before the export appears: surrogates nobody can
  // re-identify are not written.
  if (st.ok() && out && vault) {
    st = vault->file->Put(scope, mapping);
    if (st.ok()) st = vault->file->Save();
  }
  if (!st.ok() || !out) {
    std::filesystem::remove(tmp);
    return Fail(o.input + ": " + (st.ok() ? std::string("write failed") : st.message()) + "; nothing was written");
  }
  bytes = static_cast<std::uint64_t>(std::filesystem::file_size(o.input));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Audited before the export appears (counts, never values or file names).
  {
    audit::Event e;
    e.kind = audit::EventKind::kAdmin;
    e.principal = OperatorPrincipal();
    e.workflow = wf->name;
    e.request_id = "records:" + std::to_string(records) + ":changed:" + std::to_string(s.records_changed());
    if (vault) e.backend = AuditToken("vault", scope);
    e.decision = s.pseudonymised()           ? audit::Decision::kPseudonymise
                 : s.records_changed() > 0   ? audit::Decision::kRedact
                                             : audit::Decision::kAllow;
    e.reasons.push_back(audit::Reason::kSanitized);
    e.request_bytes = bytes;
    e.response_bytes = static_cast<std::uint64_t>(std::filesystem::file_size(tmp));
    e.latency_us = static_cast<std::uint64_t>(secs * 1e6);
    e.findings = s.replaced();
    if (auto id = (*trail)->Record(std::move(e)); !id.ok()) {
      std::filesystem::remove(tmp);
      return Fail(TrailFailure(id.status(), "nothing was written"));
    }
  }
  std::filesystem::rename(tmp, o.out);

  ordered_json rep;
  rep["input"] = o.input;
  rep["output"] = o.out;
  rep["workflow"] = wf->name;
  rep["format"] = format;
  rep["records"] = records;
  rep["bytes"] = bytes;
  rep["seconds"] = secs;
  if (vault) {
    rep["scope"] = scope;
    rep["vault"] = vault->path;
    rep["surrogates"] = mapping.value_of.size();
  }
  rep["indexes"] = index_paths;
  rep["index_findings"] = s.index_findings();
  ordered_json cols = ordered_json::object();
  for (const auto& [name, c] : report) {
    ordered_json jc;
    jc["dropped"] = c.dropped;
    jc["values"] = c.values;
    jc["changed"] = c.changed;
    jc["actions"] = c.actions;
    jc["entity_types"] = c.entity_types;
    cols[name] = jc;
  }
  rep["columns"] = cols;
  if (!o.report.empty()) {
    std::ofstream r(o.report);
    r << rep.dump(2) << "\n";
    if (!r) return Fail(o.report + ": cannot write the report");
  }
  std::uint64_t changed = 0, dropped = 0;
  for (const auto& [name, c] : report) {
    changed += c.changed;
    dropped += c.dropped ? 1 : 0;
  }
  std::cerr << "airlock sanitize: " << records << " records, " << dropped << " columns dropped, " << changed
            << " values changed, " << s.index_findings() << " index findings, " << bytes << " bytes in " << secs
            << " s -> " << o.out << "\n";
  if (vault)
    std::cerr << "airlock sanitize: pseudonyms kept in " << vault->path << " under scope " << scope
              << " (airlock reidentify --scope " << scope << ")\n";
  return kExitClean;
}

// ---- airlock reidentify ------------------------------------------------------

struct ReidentifyOptions {
  std::string input;
  std::string config;
  std::string out;
  std::string scope;
  std::string vault;
  std::string format = "auto";
  bool forget = false;
};

// Counts the scope's surrogates ("<TYPE_n>") in `text` by entity type.
void CountSurrogates(std::string_view text, const transform::Mapping& m, std::map<std::string, std::uint64_t>* by_type) {
  for (std::size_t at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
    const std::size_t end = text.find('>', at);
    if (end == std::string_view::npos) return;
    const std::string surrogate(text.substr(at, end - at + 1));
    if (m.value_of.count(surrogate) == 0) continue;
    const std::size_t us = surrogate.rfind('_');
    if (us == std::string::npos || us < 2) continue;
    const std::string type = surrogate.substr(1, us - 1);
    if (audit::IsIdentifier(type, false)) ++(*by_type)[type];
    at = end;
  }
}

// Surrogates of the scope become their values again, value by value (so a
// CSV field or JSON string stays well-formed whatever the value holds).
int RunReidentify(const ReidentifyOptions& o) {
  constexpr const char* kCmd = "reidentify";
  auto cfg = config::LoadFile(o.config);
  if (!cfg.ok()) return Fail(cfg.status().message(), kCmd);
  auto v = OpenVault(**cfg, o.vault);
  if (!v.ok()) return Fail(v.status().message(), kCmd);
  if (!v->file->Has(o.scope)) return Fail("no mapping for scope '" + o.scope + "' in " + v->path, kCmd);
  if (!o.forget && (o.input.empty() || o.out.empty()))
    return Fail("give the sanitised FILE and -o OUT (or --forget)", kCmd);
  auto trail = CliTrail::Open(**cfg);
  if (!trail.ok())
    return Fail(TrailFailure(trail.status(), o.forget ? "the scope was not forgotten" : "nothing was re-identified"),
                kCmd);
  audit::Event event;
  event.kind = audit::EventKind::kAdmin;
  event.principal = OperatorPrincipal();
  event.request_id = AuditToken("scope", o.scope);
  if (o.forget) {
    // Recorded first: a deletion that cannot be audited does not happen.
    event.reasons.push_back(audit::Reason::kScopeForgotten);
    if (auto id = (*trail)->Record(std::move(event)); !id.ok())
      return Fail(TrailFailure(id.status(), "the scope was not forgotten"), kCmd);
    v->file->Forget(o.scope);
    if (Status st = v->file->Save(); !st.ok()) return Fail(st.message(), kCmd);
    std::cerr << "airlock reidentify: scope " << o.scope << " forgotten (its surrogates can no longer be re-identified)\n";
    return kExitClean;
  }
  auto mapping = v->file->Read(o.scope);
  if (!mapping.ok()) return Fail(mapping.status().message(), kCmd);
  SanitizeOptions so;
  so.input = o.input;
  so.format = o.format;
  const std::string format = o.format == "text" ? "text" : Format(so);

  std::ifstream in(o.input, std::ios::binary);
  if (!in) return Fail(o.input + ": cannot open", kCmd);
  const std::string tmp = o.out + ".tmp";
  std::ofstream out;
  {
    // Clear values again: owner-only, like the export they came from should be.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(o.out + ": cannot write", kCmd);
    ::close(fd);
    out.open(tmp, std::ios::binary | std::ios::trunc);
  }
  if (!out) return Fail(o.out + ": cannot write", kCmd);
  std::uint64_t restored = 0;
  std::map<std::string, std::uint64_t> restored_by_type;
  auto back = [&](const std::string& text) {
    std::string r = transform::Rehydrate(text, *mapping, false);
    if (r != text) {
      ++restored;
      CountSurrogates(text, *mapping, &restored_by_type);
    }
    return r;
  };
  std::function<void(ordered_json&)> strings = [&](ordered_json& j) {
    if (j.is_object() || j.is_array()) {
      for (auto& e : j) strings(e);
    } else if (j.is_string()) {
      j = back(j.get<std::string>());
    }
  };
  auto walk = [&](ordered_json& j) {
    strings(j);
    return Status::Ok();
  };
  Status st = Status::Ok();
  if (format == "csv") {
    std::vector<std::string> row;
    std::size_t line = 1;
    for (;;) {
      auto r = ReadCsvRecord(in, &row, &line);
      if (!r.ok()) {
        st = r.status();
        break;
      }
      if (!*r) break;
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) out << ',';
        WriteCsvField(out, back(row[i]));
      }
      out << "\r\n";
    }
  } else if (format == "jsonl") {
    std::uint64_t lines = 0;
    st = EachJsonLine(in, out, walk, &lines);
  } else if (format == "json") {
    st = WholeJsonDocument(in, out, walk);
  } else {
    std::ostringstream ss;
    ss << in.rdbuf();
    out << back(ss.str());
  }
  out.close();
  if (!st.ok() || !out) {
    std::filesystem::remove(tmp);
    return Fail(o.input + ": " + (st.ok() ? std::string("write failed") : st.message()) + "; nothing was written",
                kCmd);
  }
  // Audited before the values appear: how many of each type, never which.
  event.reasons.push_back(audit::Reason::kReidentified);
  for (const auto& [type, n] : restored_by_type) event.findings.push_back({type, "", static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX))});
  if (auto id = (*trail)->Record(std::move(event)); !id.ok()) {
    std::filesystem::remove(tmp);
    return Fail(TrailFailure(id.status(), "nothing was re-identified"), kCmd);
  }
  std::filesystem::rename(tmp, o.out);
  std::cerr << "airlock reidentify: " << restored << " values re-identified from scope " << o.scope << " -> "
            << o.out << "\n";
  return kExitClean;
}

}  // namespace

void RegisterSanitizeCommands(CLI::App& app, Commands& out) {
  auto o = std::make_shared<SanitizeOptions>();
  auto* cmd = app.add_subcommand(
      "sanitize", "Apply a workflow's minimisation and actions to a CRM export (CSV, JSON, JSON Lines)");
  cmd->add_option("export", o->input, "the export to sanitise")->required();
  cmd->add_option("--workflow", o->workflow, "the workflow whose minimise rules and actions apply")->required();
  cmd->add_option("-o,--out", o->out, "where the sanitised export goes (written whole or not at all)")->required();
  cmd->add_option("--config", o->config, "gateway config (default: the built-in one)");
  cmd->add_option("--report", o->report, "per-column report (JSON): values seen, changed, actions, entity types");
  cmd->add_option("--format", o->format, "auto (by extension), csv, json or jsonl")
      ->check(CLI::IsMember({"auto", "csv", "json", "jsonl"}));
  cmd->add_option("--object", o->object, "CSV: the sObject type (e.g. Contact) whose keep/drop rule applies");
  cmd->add_option("--scope", o->scope,
                  "the pseudonym mapping's scope (default: EXPORTNAME-TIMESTAMP); equal values in one scope get "
                  "equal surrogates across runs");
  cmd->add_option("--vault", o->vault, "the mapping file (default: sanitize-mappings.vault next to store.path)");
  cmd->add_option("--index", o->indexes, "an index from `airlock index` (repeatable), on top of detection.indexes");
  out.push_back({cmd, [o] { return RunSanitize(*o); }});

  auto r = std::make_shared<ReidentifyOptions>();
  auto* re = app.add_subcommand(
      "reidentify", "Turn the surrogates of a sanitised export back into values (needs the vault key)");
  re->add_option("file", r->input, "the sanitised export (or any text holding its surrogates)");
  re->add_option("--config", r->config, "gateway config naming vault.key (the key itself is never an argument)")
      ->required();
  re->add_option("--scope", r->scope, "the scope `airlock sanitize` printed")->required();
  re->add_option("-o,--out", r->out, "where the re-identified file goes (mode 0600)");
  re->add_option("--vault", r->vault, "the mapping file (default: sanitize-mappings.vault next to store.path)");
  re->add_option("--format", r->format, "auto (by extension), csv, json, jsonl or text")
      ->check(CLI::IsMember({"auto", "csv", "json", "jsonl", "text"}));
  re->add_flag("--forget", r->forget, "delete the scope's mapping instead (its surrogates stay pseudonyms for good)");
  out.push_back({re, [r] { return RunReidentify(*r); }});
}

}  // namespace airlock::cli
