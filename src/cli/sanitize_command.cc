// `airlock sanitize EXPORT --workflow NAME --out CLEAN`: the data-sync path.
// A CRM export (CSV, JSON Lines, or one JSON document) is minimised the way
// the workflow minimises gateway requests (fields it does not keep are
// dropped), then every remaining value is scanned and each finding gets the
// workflow's action for its data class: redact, mask, hash, pseudonymise
// (one mapping for the whole export, so equal values get equal surrogates),
// block (the value is replaced by a marker and counted as blocked) or allow.
// A report says, per column or field, how many values were seen, changed
// and how. CSV and JSON Lines stream (one record in memory at a time); a
// single JSON document is read whole.
#include <CLI/CLI.hpp>

#include <openssl/rand.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "airlock/config/config.h"
#include "airlock/policy/policy.h"
#include "airlock/transform/transform.h"
#include "catalog_loader.h"
#include "commands.h"

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
};

struct ColumnReport {
  std::uint64_t values = 0, changed = 0;
  bool dropped = false;
  std::map<std::string, std::uint64_t> actions, entity_types;
};

class Sanitizer {
 public:
  Sanitizer(const detect::Analyzer& analyzer, const config::WorkflowConfig& wf, std::string hash_key)
      : analyzer_(analyzer), wf_(wf), hash_key_(std::move(hash_key)) {}

  // The value with every finding transformed; counts into `col`.
  Result<std::string> Value(std::string_view field, std::string_view value, ColumnReport& col) {
    ++col.values;
    auto it = fields_.find(std::string(field));
    if (it == fields_.end()) it = fields_.emplace(std::string(field), analyzer_.PrepareField(field)).first;
    auto found = analyzer_.Analyze(value, &it->second);
    if (!found.ok()) return found.status();
    std::vector<transform::Replacement> reps;
    for (const auto& f : *found) {
      const std::string_view v = value.substr(f.span.begin, f.span.size());
      const config::Action a = policy::ActionFor(wf_, detect::DataClassName(f.data_class));
      col.entity_types[f.entity_type]++;
      col.actions[std::string(config::ActionName(a))]++;
      std::string with;
      switch (a) {
        case config::Action::kAllow: continue;
        case config::Action::kRedact:
        case config::Action::kBlock: with = transform::RedactMarker(f.entity_type); break;
        case config::Action::kMask: with = transform::Mask(v, f.entity_type); break;
        case config::Action::kHash: with = transform::Hash(v, f.entity_type, hash_key_); break;
        case config::Action::kPseudonymise: with = mapping_.Surrogate(f.entity_type, v); break;
      }
      reps.push_back({f.span, std::move(with)});
    }
    if (reps.empty()) return std::string(value);
    ++col.changed;
    return transform::ApplyReplacements(value, std::move(reps));
  }

 private:
  const detect::Analyzer& analyzer_;
  const config::WorkflowConfig& wf_;
  std::string hash_key_;
  transform::Mapping mapping_;
  std::map<std::string, detect::FieldContext> fields_;
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
    first = true;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (!keep[i]) continue;
      auto v = s.Value(header[i], row[i], report[header[i]]);
      if (!v.ok()) return v.status();
      if (!first) out << ',';
      WriteCsvField(out, *v);
      first = false;
    }
    out << "\r\n";
    ++*records;
  }
  return Status::Ok();
}

// ---- JSON ----------------------------------------------------------------------

Status SanitizeJson(ordered_json& j, const std::string& key, Sanitizer& s, const transform::ObjectRules& rules,
                    std::map<std::string, ColumnReport>& report) {
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
      if (it.key() != "attributes") {
        if (Status st = SanitizeJson(it.value(), it.key(), s, rules, report); !st.ok()) return st;
      }
      ++it;
    }
  } else if (j.is_array()) {
    for (auto& e : j)
      if (Status st = SanitizeJson(e, key, s, rules, report); !st.ok()) return st;
  } else if (j.is_string()) {
    auto v = s.Value(key, j.get_ref<const std::string&>(), report[key]);
    if (!v.ok()) return v.status();
    j = *v;
  } else if (j.is_number_integer() || j.is_number_unsigned()) {
    // A card or account number stored as a number is still one.
    const std::string text = j.dump();
    auto v = s.Value(key, text, report[key]);
    if (!v.ok()) return v.status();
    if (*v != text) j = *v;
  }
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

int Fail(const std::string& msg) {
  std::cerr << "airlock sanitize: " << msg << "\n";
  return kExitError;
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
  Sanitizer s(**analyzer, *wf, HashKey(**cfg));
  std::map<std::string, ColumnReport> report;
  std::uint64_t records = 0, bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  Status st = Status::Ok();
  if (format == "csv") {
    st = SanitizeCsv(in, out, s, csv_rule, report, &records);
  } else if (format == "jsonl") {
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = ordered_json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        st = Status::InvalidArgument("line " + std::to_string(n) + ": not valid JSON");
        break;
      }
      if (st = SanitizeJson(j, "", s, rules, report); !st.ok()) break;
      out << j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << "\n";
      ++records;
    }
  } else if (format == "json") {
    auto j = ordered_json::parse(in, nullptr, false);
    if (j.is_discarded()) {
      st = Status::InvalidArgument("not a valid JSON document");
    } else {
      st = SanitizeJson(j, "", s, rules, report);
      if (j.contains("records") && j["records"].is_array()) records = j["records"].size();
      out << j.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    }
  } else {
    st = Status::InvalidArgument("--format must be csv, json or jsonl");
  }
  out.close();
  if (!st.ok() || !out) {
    std::filesystem::remove(tmp);
    return Fail(o.input + ": " + (st.ok() ? std::string("write failed") : st.message()) + "; nothing was written");
  }
  std::filesystem::rename(tmp, o.out);
  bytes = static_cast<std::uint64_t>(std::filesystem::file_size(o.input));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  ordered_json rep;
  rep["input"] = o.input;
  rep["output"] = o.out;
  rep["workflow"] = wf->name;
  rep["format"] = format;
  rep["records"] = records;
  rep["bytes"] = bytes;
  rep["seconds"] = secs;
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
            << " values changed, " << bytes << " bytes in " << secs << " s -> " << o.out << "\n";
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
  out.push_back({cmd, [o] { return RunSanitize(*o); }});
}

}  // namespace airlock::cli
