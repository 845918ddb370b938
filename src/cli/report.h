// Collects findings across inputs and renders them as a table, JSON or SARIF.
//
// The JSON shape is a stable interface for pipelines (docs/scan-output.md):
//   {"findings": [{"detector", "entity_type", "data_class", "jurisdiction",
//                  "start", "end", "line", "column", "score", "validated",
//                  "preview", "explanation", "file",
//                  "pointer" (JSON input), "row"/"column_name" (CSV),
//                  "detail" (optional), "normalized" (true when found in
//                  normalised or decoded text), "encoding" +
//                  "encoded_start"/"encoded_end" (decoded segments),
//                  "value" (only with --show-values)}],
//    "errors": [{"file", "message"}], "notices": [{"file", "message"}]}
// Values never appear unless the caller asked for them with --show-values.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "airlock/detect/catalog.h"
#include "airlock/detect/document.h"
#include "airlock/detect/finding.h"

namespace airlock::cli {

struct FailRule {
  enum class Kind { kAny, kNever, kScore, kDataClass } kind = Kind::kAny;
  double score = 0;
  std::vector<detect::DataClass> classes;
};

// "" → any finding; "none" → never; "0.8" → score ≥ 0.8; "financial,contact"
// → any finding of those data classes.
Status ParseFailOn(const std::string& spec, FailRule* out);

struct FileScan {
  FileScan(std::string name, std::string_view bytes, std::string format);
  std::string name;
  std::string_view bytes;
  std::string format;
  std::vector<std::size_t> newlines;  // offsets of '\n', for line/column
};

class Report {
 public:
  explicit Report(bool show_values) : show_values_(show_values) {}

  // `segment` is null for plain text; the finding's span is segment-relative
  // otherwise.
  void Add(const FileScan& file, const detect::Segment* segment, detect::Finding finding);
  void AddError(const std::string& file, const std::string& message);
  void AddNotice(const std::string& file, const std::string& message);

  bool AnyFails(const FailRule& rule) const;
  // {"errors": [...], "findings": [...], "notices": [...]} pretty-printed
  // (keys sorted, two-space indent), written finding by finding (no tree of
  // the whole report in memory).
  void WriteJson(std::ostream& out) const;
  nlohmann::json ToSarif(const detect::Catalog& catalog) const;
  void PrintTable(std::ostream& out) const;
  void PrintDiagnostics(std::ostream& err) const;

 private:
  struct Entry {
    std::string file;
    detect::Finding finding;  // span in input bytes
    std::size_t line = 0;     // 1-based
    std::size_t column = 0;   // 1-based, in bytes
    std::string pointer;
    std::size_t row = 0;
    std::string csv_column;
    bool has_pointer = false;
    bool has_row = false;
    std::string preview;
    std::string value;  // only when show_values_
  };
  nlohmann::json EntryJson(const Entry& e) const;
  struct Message {
    std::string file;
    std::string text;
  };
  bool show_values_;
  std::vector<Entry> entries_;
  std::vector<Message> errors_;
  std::vector<Message> notices_;
};

}  // namespace airlock::cli
