// The analyzer: text in, Findings out.
//
//   auto catalog = Catalog::LoadDirectory(DefaultDataDir() + "/detectors");
//   auto analyzer = Analyzer::Create(std::move(*catalog), AnalyzerOptions{});
//   auto findings = (*analyzer)->Analyze(text);
//
// How a finding is made:
//   1. One database holds every detector pattern and every context word,
//      compiled without start-of-match (several times faster to scan); one
//      pass over the text yields (pattern, end) pairs and context-word hits.
//      A fixed-width pattern's start is its end minus its width. Each
//      variable-width pattern has a small database of its own with
//      start-of-match, run only over short windows that end at its
//      first-pass ends and reach back past its maximum width (patterns
//      without one are capped at 1024 bytes); a second-pass match counts only
//      if the first pass saw its (pattern, end), so window edges cannot
//      invent matches.
//   2. For each detector and start offset, candidate ends are tried longest
//      first; the first that the detector's validator accepts (or the longest
//      when it has none) becomes a finding. A rejected candidate is dropped.
//   3. Score: the detector's score; plus `boost` when one of its context
//      words occurs within the window; a detector with `required` context
//      scores `without_context` when no word is near.
//   4. Findings below AnalyzerOptions::min_score are dropped. A detector
//      that cannot reach min_score without a context word (`required`
//      context whose without_context, or score, is below it; no expander)
//      has its candidates dropped before step 1's second pass and before
//      step 2 when none of its words is in reach of them (the context gate):
//      the same findings, without locating and validating candidates that
//      step 4 would drop (most phone-like and postcode-like digit groups of
//      digit-dense text).
//   5. Evasion resistance: unless the text is plain ASCII with nothing
//      escape- or encoding-like in it (one cheap pass, EvasionSignals in
//      normalizer.h), steps 1-4 also run on its normalised form, on that form
//      with spaced-out runs joined (detectors with `spaced: true` only) and
//      on decoded segments, recursively up to max_decode_depth and twice the
//      text's size in decoded bytes (per window of evasion_window_bytes). Their findings are mapped back to input
//      offsets; a finding two views both made (same span and detector) is
//      kept once, from the rawest view.
//   6. Overlaps: findings are ranked by (validated first, longer span, higher
//      score, detector id, earlier start) and taken greedily; a finding that
//      overlaps one already taken is dropped. The order is total, so the
//      result is deterministic. Findings of `container:` detectors (a code
//      block) compete only with one another, so a secret inside a code
//      block is reported as well as the block.
//
// Thread-safety: an Analyzer is immutable after Create and Analyze is safe
// to call from any number of threads (scratch spaces come from a pool).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/finding.h"
#include "airlock/detect/validators.h"

namespace airlock::detect {

struct AnalyzerOptions {
  // Findings scoring below this are not reported. Default 0.5: a match whose
  // detector needs context and has none (without_context, usually 0.3) is
  // not reported.
  double min_score = 0.5;
  // Passed to validators (phone default region).
  ValidationContext validation;
  // Directory for the compiled-database cache; empty disables the cache.
  // Compiling the built-in catalog takes seconds, loading it from the cache
  // milliseconds. Entries are keyed by the catalog's content, the vectorscan
  // version and the database layout; a damaged entry is recompiled.
  std::string cache_dir;
  // Upper bound on the cache directory's entries; when a build compiles
  // something, the least recently used entries of other catalogs are removed
  // until the rest fit (those of the catalog being built are kept even when
  // they alone are larger). 0: no bound. The built-in catalog's entries take
  // about 15 MiB (block and streaming databases).
  std::uintmax_t cache_max_bytes = std::uintmax_t{256} << 20;
  // Evasion resistance: also scan the normalised text, the spaced-out runs
  // joined and decoded base64 / hex / quoted-printable segments (see
  // "Evasion resistance" below). false scans the raw bytes only.
  bool normalize = true;
  // How deep decoders recurse (base64 inside hex inside base64 is depth 3).
  unsigned max_decode_depth = 3;
  // Longer texts get their evasion views window by window (line-aligned,
  // overlapping by min(4 KiB, window / 4)), which bounds their memory (about
  // 8 bytes of offset map per byte of a view). A disguised value or encoded
  // segment longer than the overlap that straddles two windows is missed.
  std::size_t evasion_window_bytes = 1 << 20;
  // Benchmarks only: build the evasion views even for text the fast path
  // would skip (the cost the fast path saves).
  bool force_evasion_views = false;
  // Tests and benchmarks only: false evaluates every candidate, also those
  // the context gate (step 4 above) drops early; the findings are the same.
  bool context_gate = true;
  // Tests and benchmarks only: false locates and evaluates every candidate,
  // also those that end inside a validated finding they cannot outrank
  // (step 3); the findings are the same.
  bool defer_dominated = true;
};

struct AnalyzerStats {
  double compile_ms = 0;   // compile or cache-load time
  bool from_cache = false;
  std::size_t database_bytes = 0;
  std::size_t scratch_bytes = 0;
  std::size_t pattern_count = 0;
};

// What a field name (CSV column, JSON key) tells the analyzer; built once
// per distinct field with Analyzer::PrepareField and reused for every value.
struct FieldContext {
  std::string name;                      // normalised (NormaliseFieldName)
  std::vector<unsigned> context_words;   // context words the name contains
  std::vector<unsigned> detectors;       // detectors whose `fields` match
};

// Cooperative cancellation, per thread: while a CancelScope is alive,
// analysis on its thread gives up with kCancelled soon after `*flag`
// becomes true (it is checked between candidate groups and between the
// steps of Analyze, so even a pathological text stops within milliseconds).
// The gateway's detection pool opens one per job: a scan whose request has
// already timed out stops using a detection thread. Scopes nest; a null
// flag never cancels.
class CancelScope {
 public:
  explicit CancelScope(const std::atomic<bool>* flag);
  ~CancelScope();
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

class Analyzer {
 public:
  static Result<std::shared_ptr<const Analyzer>> Create(Catalog catalog, AnalyzerOptions options);
  ~Analyzer();

  // Findings sorted by span start. Fails only if the scan engine fails.
  Result<std::vector<Finding>> Analyze(std::string_view text) const;

  // Structured input: the value of a field. The field's name counts as a
  // context word for every detector whose context words it contains
  // ("IBAN" column → iban context), and a detector that lists the field in
  // `fields` gets the whole value (trimmed, up to 256 bytes) as a candidate,
  // which its validator still has to accept.
  FieldContext PrepareField(std::string_view field_name) const;
  Result<std::vector<Finding>> Analyze(std::string_view text, const FieldContext* field) const;

  // The findings of the evasion views alone (normalised, spaced-out joined,
  // decoded text; each has `normalized` set), resolved among themselves,
  // spans in input offsets; none when the text has no evasion signals or
  // normalisation is off. A view keeps what it did not change, so values
  // the raw bytes show may be among them (Analyze reports those from the
  // raw scan). For a caller that scans the raw bytes another way: the
  // gateway's stream guard, with a StreamAnalyzer.
  Result<std::vector<Finding>> AnalyzeViews(std::string_view text) const;

  // Benchmark baseline: the first-pass database (every pattern and context
  // word, no start-of-match), counting raw matches with no second pass,
  // validation, scoring or overlap resolution.
  Result<std::size_t> CountRawMatches(std::string_view text) const;

  const Catalog& catalog() const;
  const AnalyzerStats& stats() const;

  // The compiled state, for the analyzer's own parts (StreamAnalyzer); its
  // definition is internal to src/detect.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Analyzer(std::unique_ptr<Impl> impl);
  Result<std::vector<Finding>> AnalyzeText(std::string_view text, const FieldContext* field, bool defer) const;
  Result<std::vector<Finding>> AnalyzeUncancelled(std::string_view text, const FieldContext* field, bool defer) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::detect
