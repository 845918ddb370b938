// Internals of Analyzer shared with StreamAnalyzer (not a public API).
//
// Analyzer::Analyze is built from the steps below; StreamAnalyzer runs the
// same steps over a sliding buffer, so that both produce the same findings.
// Offsets passed to and returned by these functions are offsets into the
// whole input (the stream); `text` is the part of it held in memory and
// `base` is the offset of text[0].
#pragma once

#include <bitset>
#include <span>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/scan/scan.h"

namespace airlock::detect::internal {

// A validated finding longer than this is not looked for as a dominator
// (see CollectDeferring); such ends are simply evaluated.
inline constexpr std::uint64_t kMaxDominatorSpan = 4096;
// How often Analyze had to evaluate deferred ends whose dominator was not
// kept (tests).
std::uint64_t DeferralRepairs();

// Pattern ids: detector patterns and dictionary literals carry their
// detector's index; context words carry kContextBase + word index.
inline constexpr unsigned kContextBase = 1u << 24;
// Stream-mode databases only: ids of the prefix markers (StreamMarker).
inline constexpr unsigned kMarkerBase = 1u << 30;
// Patterns that reach back further than this are bounded in a stream by
// their alphabet, or, where it is prose-wide, by a prefix marker.
inline constexpr std::uint64_t kNarrowReach = 64;
// An alphabet that ordinary prose seldom leaves (a space and every lower-case
// letter are in it): in a stream, a byte outside it bounds nothing for long,
// so such patterns are bounded by a prefix marker where they have one.
inline bool ProseWideAlphabet(const std::bitset<256>& a) {
  if (!a[' ']) return false;
  for (unsigned c = 'a'; c <= 'z'; ++c) {
    if (!a[c]) return false;
  }
  return true;
}
// Marks a candidate that is the whole value of a field named in the
// detector's `fields` (kept apart from pattern candidates of the detector).
inline constexpr unsigned kFieldCandidate = 1u << 23;
// Patterns without an upper bound on their width are treated as this wide
// (a longer match is found with a later start).
inline constexpr std::uint64_t kMaxUnboundedWidth = 1024;

struct CompiledDetector {
  ValidatorFn validator = nullptr;
  std::vector<unsigned> context_words;  // indexes into Impl::context_words
  bool dictionary = false;
};

// A `locator:` hook: the leftmost start of a match of its pattern that ends
// at `end` inside `window`, or `end` when there is none (see FindLocator).
// `pattern` is the pattern's index among its detector's patterns.
using LocatorFn = std::uint64_t (*)(std::string_view window, std::uint64_t end, unsigned pattern);

// One compiled pattern (or dictionary literal). Its index is its vectorscan id.
struct PatternMeta {
  unsigned detector = 0;
  // Matches of a fixed-width pattern start at end - fixed_width; no second
  // pass needed. 0 for variable-width patterns.
  std::uint64_t fixed_width = 0;
  // Upper bound on a match's length; patterns without one are capped at
  // kMaxUnboundedWidth (a longer match is found with a later start).
  std::uint64_t max_width = 0;
  // The detector's `locator:` hook (null: a start-of-match database), and
  // this pattern's index among the detector's patterns (the hook's third
  // argument).
  LocatorFn locator = nullptr;
  unsigned index_in_detector = 0;
};

// `locator:` hooks by name (null when unknown). A hook must return what
// vectorscan's start-of-match would report for its pattern over the same
// window. A hook written for particular patterns says so:
// LocatorFitsPatterns fails (naming them) for a detector with others.
LocatorFn FindLocator(std::string_view name);
Status LocatorFitsPatterns(std::string_view name, const std::vector<std::string>& patterns, bool caseless);

// Whether the thread's CancelScope (analyzer.h) asks analysis to stop.
bool CancelRequested();

// The first pass's output.
// What StreamAnalyzer::Create derives from an analyzer (bounds per
// detector and pattern), built once per analyzer (stream_analyzer.cc).
struct StreamPlan;

struct PassOne {
  std::vector<scan::Match> cands;  // id = detector index (| kFieldCandidate)
  std::vector<std::pair<unsigned, std::uint64_t>> ends;  // (variable pattern, end)
  std::vector<scan::Match> hits;  // context words; id = kContextBase + word
};

}  // namespace airlock::detect::internal

namespace airlock::detect {

struct Analyzer::Impl {
  Catalog catalog;
  AnalyzerOptions options;
  AnalyzerStats stats;
  std::vector<internal::CompiledDetector> detectors;
  std::vector<internal::PatternMeta> patterns;
  std::vector<std::string> context_words;  // lower-cased
  // See "Two passes" in Analyze: one database of every pattern and context
  // word without start-of-match, and one small start-of-match database per
  // variable-width pattern (indexed by pattern; null for fixed-width ones).
  // One per pattern keeps each second-pass window as short as that
  // pattern's own reach, and scans it with that pattern alone.
  std::unique_ptr<scan::Scanner> prefilter;
  std::unique_ptr<scan::Scanner> dictionary;  // literal entries; null when none
  std::vector<std::unique_ptr<scan::Scanner>> locators;
  // Ids of detectors with `container: true`.
  std::vector<std::string> container_ids;
  // Per detector id: its place in the ids' byte order, and whether it is a
  // container (overlap resolution orders findings by id).
  struct IdInfo {
    std::uint32_t order = 0;
    bool container = false;
  };
  std::unordered_map<std::string, IdInfo> id_info;
  // Per detector: its patterns' ids [first, last).
  std::vector<std::pair<unsigned, unsigned>> detector_patterns;
  // Per detector: its place when detectors are ordered by their widest
  // pattern, widest first (ties by index).
  std::vector<unsigned> detector_rank;
  // Per pattern: the bytes its matches can contain (PatternAlphabet; all
  // 256 for dictionary literals).
  std::vector<std::bitset<256>> alphabets;
  // Per detector: its candidates cannot reach min_score without one of its
  // context words near (context `required`, min(score, without_context) <
  // min_score, no expander), so a candidate with none of them in reach is
  // dropped before its start is located or it is validated (ContextNear).
  std::vector<char> context_gated;
  // The patterns as compiled into `prefilter` and `dictionary`, kept for the
  // streaming-mode copies that StreamingScanners() compiles on first use.
  std::vector<scan::Pattern> prefilter_patterns;
  std::vector<scan::Pattern> dictionary_patterns;
  std::string fingerprint;
  mutable std::once_flag stream_once;
  mutable Status stream_status;
  // Prefix markers in the streaming prefilter (id kMarkerBase + index):
  // every match of `pattern` starts with a match of its prefix, at most
  // `width` bytes long (internal::BoundedPrefix).
  struct StreamMarker {
    unsigned pattern = 0;
    std::uint64_t width = 0;
  };
  mutable std::vector<StreamMarker> stream_markers;
  // Patterns cut into a head and a tail at most `tail_width` bytes long
  // (internal::HeadAndTail) whose head's bytes hold no space: a match still
  // in progress began in the run of head bytes that lies tail_width bytes
  // back, or later. Preferred to a marker (StreamAnalyzer's frontier).
  struct StreamHeadRun {
    unsigned pattern = 0;
    std::bitset<256> head_alphabet;
    std::uint64_t tail_width = 0;
  };
  mutable std::vector<StreamHeadRun> stream_head_runs;
  mutable std::vector<int> stream_head_run_of;  // by pattern id: its entry, or -1
  // By pattern id: its entry in stream_markers (-1: none), and whether it is
  // a run of code lines (internal::IsCodeRunPattern).
  mutable std::vector<int> stream_marker_of;
  mutable std::vector<char> stream_code_run;
  mutable std::unique_ptr<scan::Scanner> stream_prefilter;
  mutable std::unique_ptr<scan::Scanner> stream_dictionary;
  mutable std::once_flag stream_plan_once;
  mutable std::shared_ptr<const internal::StreamPlan> stream_plan;
};

}  // namespace airlock::detect

namespace airlock::detect::internal {

// Step 1, per first-pass match of the prefilter / dictionary database.
void CollectPrefilterMatch(const Analyzer::Impl& im, const scan::Match& m, PassOne* out);
void CollectDictionaryMatch(const Analyzer::Impl& im, const scan::Match& m, PassOne* out);

// Step 2 for one merged window of pattern `id`: runs its locator over
// `window` and adds the matches whose (id, end) is in the sorted range
// [first, last) to `cands`. REQUIRES: text holds the window.
Status LocateWindow(const Analyzer::Impl& im, unsigned id, std::string_view text,
                    std::uint64_t base, ByteSpan window,
                    const std::pair<unsigned, std::uint64_t>* first,
                    const std::pair<unsigned, std::uint64_t>* last,
                    std::vector<scan::Match>* cands);
// The reach of pattern `id`'s second-pass windows back from an end.
inline std::uint64_t LocatorReach(const Analyzer::Impl& im, unsigned id) {
  return im.patterns[id].max_width + 2;
}
// Second-pass windows of one pattern merge while they overlap, up to this
// many bytes more than the pattern's reach; then a new window starts at the
// next end minus the reach (and only that window's ends count in it). The
// cap keeps a match's start within its reach plus the cap, so that a
// stream can close windows after a bounded wait.
inline constexpr std::uint64_t kMergeSlack = 1024;
// The second-pass window of an end taken alone: `reach` bytes back.
// Patterns with a walk-back locator are located end by end in it.
inline ByteSpan OwnWindow(std::uint64_t end, std::uint64_t reach) {
  return ByteSpan{end > reach ? end - reach : 0, end};
}
// Whether the window of an end at `end` joins the window `cur`.
inline bool JoinsWindow(const ByteSpan& cur, std::uint64_t end, std::uint64_t reach) {
  const std::uint64_t begin = OwnWindow(end, reach).begin;
  return begin <= cur.end && end - cur.begin <= reach + kMergeSlack;
}

// Steps 3-4 for one (detector, start) group, its candidates sorted by end
// descending; `hits` sorted by HitOrder (start first). `text_end` is the offset of the
// end of the whole input (what block mode calls text.size()); the stream
// passes it once it is known, and otherwise guarantees that text reaches
// far enough past the group for the expanders (internal::kExpanderReach).
std::optional<Finding> EvaluateGroup(const Analyzer::Impl& im, std::string_view text,
                                     std::uint64_t base, std::uint64_t text_end,
                                     const scan::Match* first, const scan::Match* last,
                                     const std::vector<scan::Match>& hits,
                                     const FieldContext* field);

// Orders candidates into (detector, start) groups, longest end first, and
// context hits by start, as EvaluateGroup expects.
inline bool CandidateOrder(const scan::Match& a, const scan::Match& b) {
  if (a.id != b.id) return a.id < b.id;
  if (a.from != b.from) return a.from < b.from;
  return a.to > b.to;
}
inline bool HitOrder(const scan::Match& a, const scan::Match& b) {
  if (a.from != b.from) return a.from < b.from;
  if (a.id != b.id) return a.id < b.id;
  return a.to < b.to;
}
// Whether a context word of detector `det` lies where EvaluateGroup would
// count it for some span that begins at or after `earliest_begin` and ends
// at `end`: a hit with to >= earliest_begin - before and from <= end + after.
// `hits` sorted by HitOrder.
bool ContextNear(const Analyzer::Impl& im, unsigned det, const std::vector<scan::Match>& hits,
                 std::uint64_t earliest_begin, std::uint64_t end);
// Whether the context gate applies to first-pass ends of variable-width
// pattern `id` (its detector is context_gated and the pattern has a maximum
// width, so its located start is at most its reach before the end), and
// whether such an end has a context word in reach.
bool GatesEnd(const Analyzer::Impl& im, unsigned id);
bool EndHasContext(const Analyzer::Impl& im, const std::vector<scan::Match>& hits, unsigned id,
                   std::uint64_t end);
void SortCandidates(std::vector<scan::Match>* cands);
void SortHits(std::vector<scan::Match>* hits);

// Step 5: deterministic overlap resolution, as the indices into `found` of
// the findings kept, sorted by span, leaving out those marked in `dropped`
// (empty: none). Findings of container detectors are resolved among
// themselves only.
std::vector<std::size_t> KeptIndices(const Analyzer::Impl& im, std::span<const Finding> found,
                                     const std::vector<char>& dropped);

// The name of a compiled database's cache entry: the catalog's fingerprint,
// the engine's version, the layout, the database's label and start-of-match
// flag, and a digest of the exact patterns compiled, so that patterns derived
// by code that changed (the stream's prefix markers, say) never load a
// database built from others.
std::string DatabaseCacheKey(const std::string& fingerprint, const std::string& label, bool som,
                             const std::vector<scan::Pattern>& pats);

// Streaming-mode copies of the first-pass databases, compiled (or loaded from
// the cache) on first use, the prefilter with the prefix markers of the
// patterns that reach back more than kNarrowReach and have a prose-wide
// alphabet (Impl::stream_markers). `dictionary` is null when the catalog has none.
Status StreamingScanners(const Analyzer::Impl& im, const scan::Scanner** prefilter,
                         const scan::Scanner** dictionary);

}  // namespace airlock::detect::internal
