// airlock-eval: accuracy of the detector catalog against the public data sets
// in ../shared/datasets (see that folder's README.md) and the false-positive
// rate of each identifier check on random strings of its shape.
//
// Each section is one function that reads its data set, runs the analyzer,
// prints a markdown table to `out` and returns the same numbers as JSON. A
// section whose data set is missing prints one line saying so and returns
// {"skipped": reason}.
//
// Mappings between data-set labels and our detectors are resolved through the
// catalog, by validator name or entity type, so that a detector added to
// data/detectors/ is picked up without touching this program.
//
// This is an offline tool: unlike the product, it may print values from the
// public data sets. It prints counts and rates only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/finding.h"

namespace airlock::eval {

struct EvalContext {
  std::shared_ptr<const detect::Analyzer> analyzer;
  std::string datasets_dir;
  double min_score = 0.5;
  std::string region = "DE";
  bool quick = false;
  std::size_t random_n = 1000000;          // validator-only samples per shape
  std::size_t random_analyzer_n = 100000;  // analyzer samples per shape
  std::uint64_t seed = 20240601;
  unsigned threads = 1;
  // Print each false positive and false negative (data-set text) to stderr.
  bool dump_errors = false;

  const detect::Catalog& catalog() const { return analyzer->catalog(); }
};

// True positives, false positives, false negatives (and true negatives where
// a data set has negative rows).
struct Counts {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
  double Precision() const;
  double Recall() const;
  double F1() const;
  void Add(const Counts& o) {
    tp += o.tp;
    fp += o.fp;
    fn += o.fn;
    tn += o.tn;
  }
  nlohmann::json ToJson() const;
};

// "0.973", or "—" when the ratio is undefined (0/0).
std::string Ratio(double v);
std::string RatioOrDash(std::size_t num, std::size_t den);
// Percentage with enough digits for small rates: "10.02%", "0.0031%".
std::string Percent(double v);

// What our side of a mapping is: detectors that use one of `validators`, or
// that report one of `entity_types`.
struct Target {
  std::vector<std::string> validators;
  std::vector<std::string> entity_types;
};

// Entity types of the catalog's detectors that match `t`; empty when the
// catalog has no such detector ("not covered").
std::set<std::string> ResolveEntityTypes(const detect::Catalog& catalog, const Target& t);

// A context word of a detector reporting one of `types` (English first), for
// sentences such as "<word>: <value>"; empty when none has context words.
std::string ContextWordFor(const detect::Catalog& catalog, const std::set<std::string>& types);

// Byte offset of each code point index in UTF-8 `text`, plus text.size() at
// index = number of code points. Python offsets → byte offsets.
std::vector<std::size_t> CodePointToByte(std::string_view text);

// Reads a JSONL file; rows that do not parse are skipped and counted.
bool ReadJsonl(const std::string& path, std::vector<nlohmann::json>* rows, std::string* error);

// One-to-one matching of predicted spans to gold spans by overlap (largest
// overlap first). Returns the number of matched pairs; `pred_matched` and
// `gold_matched` are set per element.
std::size_t MatchOverlap(const std::vector<ByteSpan>& gold, const std::vector<ByteSpan>& pred,
                         std::vector<bool>* gold_matched, std::vector<bool>* pred_matched);

// Sections.
nlohmann::json RunSynth(const EvalContext& ctx, std::ostream& out);
nlohmann::json RunStdnum(const EvalContext& ctx, std::ostream& out);
nlohmann::json RunRecognizers(const EvalContext& ctx, std::ostream& out);
nlohmann::json RunGitleaks(const EvalContext& ctx, std::ostream& out);
nlohmann::json RunRandomShapes(const EvalContext& ctx, std::ostream& out);

}  // namespace airlock::eval
