#include "report.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

namespace airlock::cli {

using nlohmann::json;

Status ParseFailOn(const std::string& spec, FailRule* out) {
  *out = FailRule{};
  if (spec.empty() || spec == "any") return Status::Ok();
  if (spec == "none") {
    out->kind = FailRule::Kind::kNever;
    return Status::Ok();
  }
  char* end = nullptr;
  double v = std::strtod(spec.c_str(), &end);
  if (end != spec.c_str() && *end == '\0') {
    if (v < 0 || v > 1) return Status::InvalidArgument("--fail-on score must be in [0, 1]");
    out->kind = FailRule::Kind::kScore;
    out->score = v;
    return Status::Ok();
  }
  out->kind = FailRule::Kind::kDataClass;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    std::size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string name = spec.substr(pos, comma - pos);
    detect::DataClass dc;
    if (!detect::ParseDataClass(name, &dc)) {
      return Status::InvalidArgument("--fail-on: '" + name +
                                     "' is neither a score nor a data class (personal, "
                                     "special_category, financial, government_id, contact, "
                                     "credential, confidential, technical)");
    }
    out->classes.push_back(dc);
    pos = comma + 1;
  }
  return Status::Ok();
}

FileScan::FileScan(std::string n, std::string_view b, std::string f)
    : name(std::move(n)), bytes(b), format(std::move(f)) {
  const char* p = bytes.data();
  const char* e = bytes.data() + bytes.size();
  while (p < e) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
    if (nl == nullptr) break;
    newlines.push_back(static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()));
    p = static_cast<const char*>(nl) + 1;
  }
}

void Report::Add(const FileScan& file, const detect::Segment* segment, detect::Finding f) {
  Entry e;
  e.file = file.name;
  if (segment != nullptr) {
    const std::string_view seg_text = segment->text();
    e.preview = detect::MaskedPreview(seg_text.substr(f.span.begin, f.span.size()), f.entity_type);
    if (show_values_) e.value = std::string(seg_text.substr(f.span.begin, f.span.size()));
    f.span = segment->ToInputSpan(f.span);
    if (!f.encoding.empty()) f.encoded_span = segment->ToInputSpan(f.encoded_span);
    if (file.format == "csv") {
      e.has_row = true;
      e.row = segment->row;
      e.csv_column = segment->column;
    } else {
      e.has_pointer = true;
      e.pointer = segment->pointer;
    }
  } else {
    e.preview =
        detect::MaskedPreview(file.bytes.substr(f.span.begin, f.span.size()), f.entity_type);
    if (show_values_) e.value = std::string(file.bytes.substr(f.span.begin, f.span.size()));
  }
  // Found in normalised or decoded text: the input bytes are escapes or
  // base64; the preview shows the value as the detector saw it.
  if (!f.matched_preview.empty()) e.preview = f.matched_preview;
  auto it = std::lower_bound(file.newlines.begin(), file.newlines.end(), f.span.begin);
  e.line = static_cast<std::size_t>(it - file.newlines.begin()) + 1;
  std::size_t line_start = it == file.newlines.begin() ? 0 : *std::prev(it) + 1;
  e.column = f.span.begin - line_start + 1;
  e.finding = std::move(f);
  entries_.push_back(std::move(e));
}

void Report::AddError(const std::string& file, const std::string& message) {
  errors_.push_back({file, message});
}
void Report::AddNotice(const std::string& file, const std::string& message) {
  notices_.push_back({file, message});
}

bool Report::AnyFails(const FailRule& rule) const {
  for (const auto& e : entries_) {
    switch (rule.kind) {
      case FailRule::Kind::kAny: return true;
      case FailRule::Kind::kNever: return false;
      case FailRule::Kind::kScore:
        if (e.finding.score >= rule.score) return true;
        break;
      case FailRule::Kind::kDataClass:
        if (std::find(rule.classes.begin(), rule.classes.end(), e.finding.data_class) !=
            rule.classes.end()) {
          return true;
        }
        break;
    }
  }
  return false;
}

namespace {
double Round2(double v) { return static_cast<double>(static_cast<long>(v * 100 + 0.5)) / 100; }
}  // namespace

json Report::EntryJson(const Entry& e) const {
  const auto& f = e.finding;
  json j = {{"file", e.file},
            {"detector", f.detector},
            {"entity_type", f.entity_type},
            {"data_class", std::string(detect::DataClassName(f.data_class))},
            {"jurisdiction", f.jurisdiction},
            {"start", f.span.begin},
            {"end", f.span.end},
            {"line", e.line},
            {"column", e.column},
            {"score", Round2(f.score)},
            {"validated", f.validated},
            {"preview", e.preview},
            {"explanation", f.explanation}};
  if (e.has_pointer) j["pointer"] = e.pointer;
  if (e.has_row) {
    j["row"] = e.row;
    j["column_name"] = e.csv_column;
  }
  if (!f.detail.empty()) j["detail"] = f.detail;
  // The source_code detector's detail is its language guess.
  if (f.entity_type == "SOURCE_CODE" && !f.detail.empty()) j["language"] = f.detail;
  if (f.normalized) j["normalized"] = true;
  if (!f.encoding.empty()) {
    j["encoding"] = f.encoding;
    j["encoded_start"] = f.encoded_span.begin;
    j["encoded_end"] = f.encoded_span.end;
  }
  if (show_values_) j["value"] = e.value;
  return j;
}

namespace {

// `text` (a dump with indent 2) as it appears nested `by` spaces deeper.
std::string Nested(const std::string& text, std::size_t by) {
  std::string out;
  out.reserve(text.size() + by * 8);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(by, ' ');
  }
  return out;
}

}  // namespace

void Report::WriteJson(std::ostream& out) const {
  // The bytes nlohmann's dump(2) gives for {"errors", "findings",
  // "notices"} (keys in order, two-space indent), written one finding at a
  // time: the whole document as a JSON tree took about 5 KB per finding
  // (800 MB for a 2.5 MB CSV export with 160,000).
  json errors = json::array();
  for (const auto& m : errors_) errors.push_back({{"file", m.file}, {"message", m.text}});
  json notices = json::array();
  for (const auto& m : notices_) notices.push_back({{"file", m.file}, {"message", m.text}});
  out << "{\n  \"errors\": " << Nested(errors.dump(2), 2) << ",\n  \"findings\": ";
  if (entries_.empty()) {
    out << "[]";
  } else {
    out << "[\n";
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (i > 0) out << ",\n";
      out << "    " << Nested(EntryJson(entries_[i]).dump(2), 4);
    }
    out << "\n  ]";
  }
  out << ",\n  \"notices\": " << Nested(notices.dump(2), 2) << "\n}";
}

json Report::ToSarif(const detect::Catalog& catalog) const {
  std::set<std::string> used;
  for (const auto& e : entries_) used.insert(e.finding.detector);
  json rules = json::array();
  std::vector<std::string> rule_ids;
  for (const auto& d : catalog.detectors()) {
    if (used.count(d.id) == 0) continue;
    rule_ids.push_back(d.id);
    rules.push_back({{"id", d.id},
                     {"name", d.entity_type},
                     {"shortDescription", {{"text", d.description.empty() ? d.entity_type : d.description}}},
                     {"properties",
                      {{"data_class", std::string(detect::DataClassName(d.data_class))},
                       {"jurisdiction", d.jurisdiction}}}});
  }
  json results = json::array();
  for (const auto& e : entries_) {
    const auto& f = e.finding;
    auto idx = std::find(rule_ids.begin(), rule_ids.end(), f.detector) - rule_ids.begin();
    json region = {{"startLine", e.line},
                   {"startColumn", e.column},
                   {"byteOffset", f.span.begin},
                   {"byteLength", f.span.size()}};
    json r = {{"ruleId", f.detector},
              {"ruleIndex", idx},
              {"level", f.score >= 0.8 ? "error" : "warning"},
              {"message",
               {{"text", f.entity_type + " (" + std::string(detect::DataClassName(f.data_class)) +
                             "): " + e.preview}}},
              {"locations",
               json::array({{{"physicalLocation",
                              {{"artifactLocation", {{"uri", e.file}}}, {"region", region}}}}})},
              {"properties", {{"score", Round2(f.score)}, {"explanation", f.explanation}}}};
    if (e.has_pointer) r["properties"]["pointer"] = e.pointer;
    if (f.normalized) r["properties"]["normalized"] = true;
    if (!f.encoding.empty()) {
      r["properties"]["encoding"] = f.encoding;
      r["properties"]["encoded_start"] = f.encoded_span.begin;
      r["properties"]["encoded_end"] = f.encoded_span.end;
    }
    if (e.has_row) {
      r["properties"]["row"] = e.row;
      r["properties"]["column_name"] = e.csv_column;
    }
    results.push_back(std::move(r));
  }
  json notifications = json::array();
  for (const auto& m : errors_) {
    notifications.push_back({{"level", "error"},
                             {"message", {{"text", m.text}}},
                             {"locations", json::array({{{"physicalLocation",
                                                          {{"artifactLocation", {{"uri", m.file}}}}}}})}});
  }
  json run = {{"tool",
               {{"driver",
                 {{"name", "airlock"},
                  {"informationUri", "https://example.invalid/airlock"},
                  {"version", "0.1.0"},
                  {"rules", rules}}}}},
              {"results", results},
              {"invocations",
               json::array({{{"executionSuccessful", errors_.empty()},
                             {"toolExecutionNotifications", notifications}}})}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({run})}};
}

void Report::PrintTable(std::ostream& out) const {
  if (entries_.empty()) {
    out << "no findings\n";
    return;
  }
  std::vector<std::string> locations;
  std::size_t width = std::string_view("LOCATION").size();
  for (const auto& e : entries_) {
    std::string loc = e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
    if (e.has_row) loc = e.file + " row " + std::to_string(e.row) + " " + e.csv_column;
    if (e.has_pointer) loc = e.file + " " + e.pointer;
    width = std::max(width, std::min<std::size_t>(loc.size(), 60));
    locations.push_back(std::move(loc));
  }
  const int w = static_cast<int>(width);
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-*s  %-26s %-16s %-4s %5s  %s\n", w, "LOCATION", "ENTITY",
                "CLASS", "JUR", "SCORE", show_values_ ? "VALUE" : "PREVIEW");
  out << buf;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    const auto& f = e.finding;
    std::snprintf(buf, sizeof(buf), "%-*s  %-26s %-16s %-4s %5.2f  ", w, locations[i].c_str(),
                  f.entity_type.c_str(), std::string(detect::DataClassName(f.data_class)).c_str(),
                  f.jurisdiction.c_str(), f.score);
    out << buf << (show_values_ ? e.value : e.preview);
    if (!f.encoding.empty()) out << "  [" << f.encoding << "]";
    out << "\n";
  }
  out << entries_.size() << (entries_.size() == 1 ? " finding\n" : " findings\n");
}

void Report::PrintDiagnostics(std::ostream& err) const {
  for (const auto& m : notices_) err << "airlock scan: note: " << m.file << ": " << m.text << "\n";
  for (const auto& m : errors_) err << "airlock scan: error: " << m.file << ": " << m.text << "\n";
}

}  // namespace airlock::cli
