#include "airlock/detect/stream_analyzer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <bitset>
#include <limits>
#include <utility>
#include <vector>

#include "internal/analyzer_impl.h"
#include "internal/code_lines.h"
#include "internal/expanders.h"

namespace airlock::detect {

namespace {

using internal::kContextBase;

// A first-pass match ending at e is reported once bytes_written() >= e + kSlack.
constexpr std::uint64_t kSlack = 2;
constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
// Candidates are evaluated in batches: a pass over the pending ones runs at
// most once per this many bytes (it walks all of them).
constexpr std::uint64_t kBatch = 256;
// Writes shorter than this are gathered before the first-pass stream scans
// run: vectorscan loads and stores its whole stream state on every call,
// which at a model's few bytes per token cost more than the scan itself.
// The gathered bytes are held (SafeOffset() stays before them) until they
// are scanned.
constexpr std::uint64_t kScanBatch = 256;

std::uint64_t SubSat(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

// Sorts v[sorted, end) and merges it into the sorted prefix. Returns the
// least index whose element changed (v->size() when none did).
template <typename T, typename Less>
std::size_t SortTail(std::vector<T>* v, std::size_t& sorted, Less less) {
  if (sorted == v->size()) return sorted;
  const auto mid = v->begin() + static_cast<std::ptrdiff_t>(sorted);
  std::sort(mid, v->end(), less);
  // Where the tail's least element goes: the prefix before it stays.
  const auto first = std::upper_bound(v->begin(), mid, *mid, less);
  if (first != mid) std::inplace_merge(first, mid, v->end(), less);
  sorted = v->size();
  return static_cast<std::size_t>(first - v->begin());
}

bool SpanOrder(const Finding& a, const Finding& b) {
  if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
  return a.span.end < b.span.end;
}

// Lambdas, not the functions: std::sort inlines a lambda's body but calls
// through a function pointer on every comparison.
constexpr auto kByCandidate = [](const scan::Match& a, const scan::Match& b) { return internal::CandidateOrder(a, b); };
constexpr auto kByHit = [](const scan::Match& a, const scan::Match& b) { return internal::HitOrder(a, b); };
constexpr auto kBySpan = [](const Finding& a, const Finding& b) { return SpanOrder(a, b); };

using internal::kNarrowReach;

// A queue over a vector: unlike std::deque, constructing or copying an
// empty one allocates nothing (a stream starts from copies of its plan's).
template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  const T& front() const { return items_[head_]; }
  void push_back(const T& v) { items_.push_back(v); }
  template <typename... Args>
  void emplace_back(Args&&... args) {
    items_.emplace_back(std::forward<Args>(args)...);
  }
  void pop_front() {
    if (++head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 64 && 2 * head_ >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return items_.end(); }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

// Patterns of one alphabet whose reach exceeds kNarrowReach. A match still
// to come ends at or after written - 1 and holds every byte between its
// start and there, so it cannot start at or before a byte outside the
// alphabet: last_break (one past the last such byte seen) bounds its start
// as well as its reach does. On prose a token pattern's bound is the last
// space, a few bytes back, instead of its 1 KiB reach.
struct AlphabetGroup {
  std::bitset<256> alphabet;
  std::uint64_t reach = 0;       // the longest reach of its patterns
  std::uint64_t last_break = 0;
};

// Patterns with a head run (Analyzer::Impl::StreamHeadRun) of one head
// alphabet and tail width: a match still to come ends at or after
// bytes_written() - 1, so its head ended at most `width` bytes before that,
// or has not ended; either way its head is the run of head bytes through
// that point (or a later one), and the match began no earlier than that
// run. On prose the run is a word: the bound is a word and the tail back
// instead of the pattern's 1 KiB reach.
struct HeadRunTrack {
  std::bitset<256> alphabet;
  std::uint64_t width = 0;
  std::uint64_t reach = 0;
};

// A pattern that reaches back further than kNarrowReach, with a prose-wide
// alphabet (internal::ProseWideAlphabet) and a prefix marker
// (Impl::StreamMarker): each of its matches
// starts with a match of the prefix at most `width` bytes long. A match
// still in progress has passed its prefix, whose end the stream reported
// (`ends`, ascending), or is still in it: it began at most `width` before
// a marker end or before the end of the text. On prose the markers are
// rare, so the bound is `width` bytes instead of the pattern's 1 KiB reach.
struct MarkerTrack {
  std::uint64_t reach = 0;
  std::uint64_t width = 0;
  Fifo<std::uint64_t> ends;
};

// How a complete line counts in a run of code lines (internal::MayBeCodeLine):
// a run begins with a code line and may hold blank ones.
enum class LineKind { kCode, kBlank, kOther };

// Patterns that are runs of code-shaped lines (internal::IsCodeRunPattern):
// a match still in progress began at the start of the current run of
// complete lines that may be code (or blank), or of the current line when
// the last complete line may not.
struct CodeRuns {
  bool on = false;
  std::uint64_t reach = 0;       // the longest reach of such patterns
  std::uint64_t line_start = 0;  // start of the line not complete yet
  std::uint64_t run_start = kNever;  // first line of the current run; kNever: none
  std::uint64_t upto = 0;        // bytes before it have been read
  // The complete lines read, by start (ascending), with their kind, for
  // CodeRunStart's walk back; those before the buffer are dropped.
  Fifo<std::pair<std::uint64_t, LineKind>> kinds;
};

LineKind KindOf(std::string_view line) {
  if (internal::MayBeCodeLine(line)) return LineKind::kCode;
  return internal::IsBlankLine(line) ? LineKind::kBlank : LineKind::kOther;
}

// The second-pass window of one variable-width pattern that may still grow.
struct Chain {
  bool open = false;
  ByteSpan window;
  std::vector<std::pair<unsigned, std::uint64_t>> ends;  // (pattern, end), ascending
  // No match of these ends starts before this: the least start of the ends
  // located as they came, the first line of a run of code lines, or the
  // start of the run of the pattern's alphabet before an end.
  std::uint64_t least_start = kNever;
  // The first `located` ends were located as they came (a window with few
  // ends: wide street-address and secret patterns); their candidates.
  std::size_t located = 0;
  std::vector<scan::Match> found;
  // The run of bytes of the pattern's alphabet that ends at alpha_upto
  // starts at alpha_start (a match holds no other byte): kept so that the
  // ends of a URL or a token, one per byte, do not rescan it.
  std::uint64_t alpha_upto = kNever;
  std::uint64_t alpha_start = 0;
};

// Ends of a wide pattern's window (reach over kNarrowReach) located one by
// one as they come, before it closes; later ones hold the frontier at the
// run of their pattern's alphabet before them (AlphabetRunStart): a URL or
// a token ends at every byte, and locating each would rescan the window per
// byte.
constexpr std::size_t kEagerEnds = 4;

}  // namespace

// The part of a stream's state that depends on the analyzer alone: each
// StreamAnalyzer starts from a copy of its analyzer's plan
// (Analyzer::Impl::stream_plan).
struct internal::StreamPlan {
  // Per detector: bytes of text needed after a candidate's end before it can
  // be evaluated, and how far its span may move left of the candidate.
  std::vector<std::uint64_t> right_need;
  std::vector<std::uint64_t> left_move;
  // Per detector with the person_name expander: the text its candidates
  // need is that expander's reach (internal::NameReadEnd) plus right_tail
  // (the context window after the span, the longest word, a byte), often
  // far less than right_need.
  std::vector<char> name_reach;
  std::vector<std::uint64_t> right_tail;
  std::uint64_t max_reach = 0;      // longest open window (or fixed width)
  // The frontier's bound on matches still to come: narrow_reach for the
  // patterns of reach up to kNarrowReach and those matching every byte,
  // the groups for the rest.
  std::uint64_t narrow_reach = 0;
  std::vector<AlphabetGroup> groups;
  // Per byte value: bit g set when the byte is in groups[g]'s alphabet (the
  // first 64 groups; UpdateBreaks walks any further ones one by one).
  std::array<std::uint64_t, 256> group_bits{};
  std::vector<MarkerTrack> markers;
  std::vector<HeadRunTrack> head_runs;
  CodeRuns code_runs;
  std::vector<int> marker_track;  // per Impl::stream_markers entry: its track, or -1
  std::uint64_t max_left_move = 0;
  std::uint64_t max_before = 0;     // longest context `before` window
  std::uint64_t max_right_need = 0;
  std::uint64_t max_width = 0;      // longest match of any pattern
  std::uint64_t max_gate_need = 0;  // longest right_need of a gated detector
};

namespace {

// The plan of im's streams, built on first use (after StreamingScanners,
// which finds the markers and the code-run patterns).
const internal::StreamPlan& PlanFor(const Analyzer::Impl& im);

}  // namespace

struct StreamAnalyzer::State : internal::StreamPlan {
  std::shared_ptr<const Analyzer> analyzer;
  const Analyzer::Impl* im = nullptr;
  std::unique_ptr<scan::Stream> prefilter;
  std::unique_ptr<scan::Stream> dictionary;

  // Bytes before breaks_upto are folded into the groups' last_break.
  std::uint64_t breaks_upto = 0;

  std::string buf;                  // stream bytes [base, received)
  std::uint64_t base = 0;
  std::uint64_t written = 0;        // bytes the first-pass scans have seen
  std::uint64_t received = 0;       // bytes_written(): written + gathered
  bool finished = false;
  Status error;

  internal::PassOne p1;             // new first-pass output, drained per write
  std::vector<Chain> chains;        // by pattern id
  std::vector<unsigned> open_chains;
  // Ends of context-gated detectors (Analyzer::Impl::context_gated) wait
  // here until the text their context words may lie in has been scanned;
  // then those with no word in reach are dropped, as Analyze drops them.
  std::vector<std::pair<unsigned, std::uint64_t>> gate_wait;  // (pattern, end), ascending per detector
  std::vector<std::pair<unsigned, std::uint64_t>> new_ends;   // scratch
  std::vector<scan::Match> cands;   // candidates not evaluated yet
  std::vector<scan::Match> hits;    // context words still needed
  std::size_t hits_sorted = 0;      // hits[0, hits_sorted) are in HitOrder
  std::size_t cands_sorted = 0;     // cands[0, cands_sorted) are in CandidateOrder
  std::size_t trim_at = 16384;      // trim when the buffer reaches this
  std::vector<Finding> found;       // evaluated, overlaps not resolved yet
  std::size_t found_sorted = 0;     // found[0, found_sorted) are in SpanOrder
  // Step 4's walk over `found`, kept between calls so that a long chain of
  // overlapping findings (which cannot be resolved before it ends) is not
  // walked again on every write: found[0, walked) has been walked, the
  // largest end among them is walked_end, and the walk stopped because
  // found[walked] ended after walked_ff.
  std::size_t walked = 0;
  std::uint64_t walked_end = 0;
  std::uint64_t walked_ff = 0;
  std::uint64_t safe = 0;
  bool closed_any = false;          // a window closed since the last pass
  std::uint64_t last_pass = 0;      // bytes_written() at the last pass
  // Over the pending candidates: the earliest bytes_written() at which one
  // can be ready (with no window open), the least start a finding made from
  // one can have, and the least candidate start. Nothing is evaluated
  // before wake_at, so most writes skip step 3.
  std::uint64_t wake_at = kNever;
  std::uint64_t pending_ff = kNever;
  std::uint64_t pending_from = kNever;
  // The least start of the pending candidates whose span may move left
  // (their bound, LeftReach of it, is taken when the frontier is: LeftReach
  // never decreases as `from` grows, so the least start gives the least
  // reach, and Trim keeps the bytes it walks).
  std::uint64_t pending_left_from = kNever;

  // Set when a ready-looking group waits only for the frontier (an open
  // window, or a match that may still be in progress): the next look is when
  // a window closes or the frontier has moved past blocked_cf.
  bool blocked_by_windows = false;
  std::uint64_t blocked_cf = 0;

  void AddPending(const scan::Match& m, bool wake = true) {
    if (wake) {
      const std::uint64_t need = name_reach[m.id] != 0 ? right_tail[m.id] : right_need[m.id];
      wake_at = std::min(wake_at, std::max(m.from + kSlack + narrow_reach, m.to + need + kSlack));
    }
    if (left_move[m.id] != 0) {
      pending_left_from = std::min(pending_left_from, m.from);
    } else {
      pending_ff = std::min(pending_ff, m.from);
    }
    pending_from = std::min<std::uint64_t>(pending_from, m.from);
  }

  // How far left of `from` a span from a candidate starting there (or later)
  // may begin: kNameLeftWords words, each after a single space, at most
  // kExpanderReach bytes (the person_name expander; max_left_move is 0
  // without it). Never decreases as `from` grows, for one buffer: a walk
  // from a later start that reaches an earlier start's word has fewer words
  // left, and its floor is higher.
  std::uint64_t LeftReach(std::uint64_t from) const;
  // For a candidate of a detector with name_reach: the offset up to which
  // the text must be scanned before it can be evaluated as block mode would
  // (kNever until the scanned text decides it).
  std::uint64_t NameNeedEnd(const scan::Match& m) const;
  Status CloseChain(unsigned id);
  // Locates the ends of chains[id] not located yet over its window (their
  // candidates go to cands); the window stays as it is.
  Status LocateRest(unsigned id);
  Status Advance(std::vector<Finding>* out);
  // Runs the first-pass stream scans over the gathered bytes, then Advance.
  Status ScanGathered(std::vector<Finding>* out);
  std::uint64_t CandidateFrontier() const;
  // A marker end reported by the first pass (id kMarkerBase + index).
  void AddMarker(const scan::Match& m);
  // Drops marker ends too old to bound any match still in progress.
  void PruneMarkers();
  // Reads the lines completed since the last call (CodeRuns).
  void UpdateCodeRuns();
  // The start of the run of bytes of pattern id's alphabet that ends at
  // `end` (no match ending there starts before it), not before the window.
  std::uint64_t AlphabetRunStart(Chain& c, unsigned id, std::uint64_t end);
  // The first line of the run of code lines (blank lines allowed) that ends
  // at `end`, not before `floor` (which it returns when the run reaches it).
  std::uint64_t CodeRunStart(std::uint64_t end, std::uint64_t floor) const;
  // Folds the bytes scanned since the last call into the groups' last_break.
  void UpdateBreaks();
  void Trim(std::uint64_t candidate_frontier);
};

Status StreamAnalyzer::State::CloseChain(unsigned id) {
  closed_any = true;
  Chain& c = chains[id];
  c.open = false;
  cands.insert(cands.end(), c.found.begin(), c.found.end());
  c.found.clear();
  Status s = LocateRest(id);
  c.ends.clear();
  c.located = 0;
  return s;
}

Status StreamAnalyzer::State::LocateRest(unsigned id) {
  Chain& c = chains[id];
  // Ends of one pattern can be reported out of order (at stream close, say).
  const auto rest = c.ends.begin() + static_cast<std::ptrdiff_t>(c.located);
  std::sort(rest, c.ends.end());
  Status s = Status::Ok();
  if (rest != c.ends.end()) {
    // The ends not located yet each folded the start of their pattern's
    // alphabet run into least_start (the code-run bound is not used here):
    // the scan can begin a byte before it.
    ByteSpan w = c.window;
    if (!im->stream_code_run[id] && c.least_start != kNever && c.least_start > w.begin) {
      w.begin = c.least_start - 1;
    }
    s = internal::LocateWindow(*im, id, buf, base, w, &*rest, c.ends.data() + c.ends.size(), &cands);
  }
  c.located = c.ends.size();
  return s;
}

// No candidate still to come starts before this offset.
std::uint64_t StreamAnalyzer::State::CandidateFrontier() const {
  if (finished) return kNever;
  // Later first-pass ends are > written - kSlack; their matches start at
  // most their pattern's reach earlier (a new window), and after the last
  // byte their pattern cannot match; open windows (which later ends may
  // join) produce matches inside them.
  std::uint64_t cf = SubSat(written + 1, kSlack + narrow_reach);
  for (const AlphabetGroup& g : groups) {
    cf = std::min(cf, std::max(SubSat(written + 1, kSlack + g.reach), g.last_break));
  }
  if (code_runs.on) {
    const std::uint64_t b = std::min(code_runs.run_start, code_runs.line_start);
    cf = std::min(cf, std::max(SubSat(written + 1, kSlack + code_runs.reach), b));
  }
  for (const MarkerTrack& t : markers) {
    // Prefixes ending after written - kSlack are not reported yet.
    std::uint64_t b = SubSat(written + 1, kSlack + t.width);
    if (!t.ends.empty()) b = std::min(b, SubSat(t.ends.front(), t.width));
    cf = std::min(cf, std::max(SubSat(written + 1, kSlack + t.reach), b));
  }
  for (const HeadRunTrack& t : head_runs) {
    // The run of head bytes through p (or the first byte after p when p's
    // byte is not one); a run reaching the buffer's start may begin before
    // it: then only the reach bounds.
    const std::uint64_t p = SubSat(written + 1, kSlack + t.width + 1);
    std::uint64_t run = 0;
    if (p >= base && p < written) {
      const auto in = [&](std::uint64_t q) { return t.alphabet[static_cast<unsigned char>(buf[q - base])]; };
      run = p;
      if (!in(p)) {
        run = p + 1;
      } else {
        while (run > base && in(run - 1)) --run;
        if (run == base && base > 0) run = 0;
      }
    }
    cf = std::min(cf, std::max(SubSat(written + 1, kSlack + t.reach), run));
  }
  for (unsigned id : open_chains) cf = std::min<std::uint64_t>(cf, chains[id].least_start);
  for (const auto& [id, end] : gate_wait) cf = std::min(cf, SubSat(end, internal::LocatorReach(*im, id)));
  return cf;
}

void StreamAnalyzer::State::AddMarker(const scan::Match& m) {
  const int t = marker_track[m.id - internal::kMarkerBase];
  if (t >= 0) markers[static_cast<std::size_t>(t)].ends.push_back(m.to);
}

void StreamAnalyzer::State::PruneMarkers() {
  for (MarkerTrack& t : markers) {
    // A prefix that ended at e bounds starts from e - width on; once that is
    // before the reach bound it bounds nothing.
    const std::uint64_t reach_bound = SubSat(written + 1, kSlack + t.reach);
    while (!t.ends.empty() && SubSat(t.ends.front(), t.width) <= reach_bound) t.ends.pop_front();
  }
}

std::uint64_t StreamAnalyzer::State::LeftReach(std::uint64_t from) const {
  if (max_left_move == 0 || from == kNever) return from;
  const std::uint64_t floor = SubSat(from, max_left_move);
  if (floor < base || from > base + buf.size()) return floor;
  auto space = [&](std::uint64_t p) {
    const char c = buf[p - base];
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
  };
  // From inside a word, its start (a later candidate may start there); then
  // up to kNameLeftWords words, each after one space. A word is any run of
  // bytes that are not white space (a superset of the expander's words).
  std::uint64_t p = from;
  while (p > floor && !space(p - 1)) --p;
  for (int w = 0; w < internal::kNameLeftWords; ++w) {
    if (p < floor + 2 || buf[p - 1 - base] != ' ') break;
    std::uint64_t q = p - 1;
    while (q > floor && !space(q - 1)) --q;
    if (q == p - 1) break;  // two spaces: no word
    p = q;
  }
  return p;
}

std::uint64_t StreamAnalyzer::State::NameNeedEnd(const scan::Match& m) const {
  // The expander sees at most kExpanderReach bytes after the candidate
  // (EvaluateGroup), which right_need covers; before that, the bytes
  // scanned so far.
  const std::uint64_t upto = std::min<std::uint64_t>(written, m.to + internal::kExpanderReach);
  if (m.from < base || upto <= m.from) return kNever;
  const std::string_view text = std::string_view(buf).substr(0, upto - base);
  const std::size_t end = internal::NameReadEnd(text, m.from - base);
  if (end == std::string_view::npos) return kNever;
  return base + end + right_tail[m.id];
}

std::uint64_t StreamAnalyzer::State::AlphabetRunStart(Chain& c, unsigned id, std::uint64_t end) {
  const std::bitset<256>& alphabet = im->alphabets[id];
  const std::uint64_t floor = std::max(c.window.begin, base);
  auto in = [&](std::uint64_t p) { return alphabet[static_cast<unsigned char>(buf[p - base])]; };
  if (c.alpha_upto != kNever && end >= c.alpha_upto) {
    std::uint64_t p = c.alpha_upto;
    while (p < end && in(p)) ++p;
    if (p == end) {
      c.alpha_upto = end;
      return std::max(c.alpha_start, floor);
    }
  }
  std::uint64_t p = end;
  while (p > floor && in(p - 1)) --p;
  c.alpha_upto = end;
  c.alpha_start = p;
  return p;
}

std::uint64_t StreamAnalyzer::State::CodeRunStart(std::uint64_t end, std::uint64_t floor) const {
  floor = std::max(floor, base);
  std::uint64_t first = end;  // the earliest code line found
  std::uint64_t line_end = end;
  while (line_end > floor) {
    const std::string_view before = std::string_view(buf).substr(0, line_end - base);
    const std::size_t nl = before.rfind('\n');
    const std::uint64_t line_start = nl == std::string_view::npos ? base : base + nl + 1;
    if (line_start < floor || (nl == std::string_view::npos && base > 0)) return floor;
    LineKind kind;
    const auto& kinds = code_runs.kinds;
    const auto known = std::lower_bound(
        kinds.begin(), kinds.end(), line_start,
        [](const std::pair<std::uint64_t, LineKind>& k, std::uint64_t at) { return k.first < at; });
    if (line_end != end && known != kinds.end() && known->first == line_start) {
      kind = known->second;  // a complete line, read by UpdateCodeRuns
    } else {
      kind = KindOf(before.substr(line_start - base));
    }
    if (kind == LineKind::kCode) {
      first = line_start;
    } else if (first == end) {
      return floor;  // the match's own last line: a LINE, so this cannot be
    } else if (kind == LineKind::kOther) {
      break;
    }
    if (line_start == 0) break;
    line_end = line_start - 1;  // the '\n' before the line
  }
  return first;
}

void StreamAnalyzer::State::UpdateCodeRuns() {
  CodeRuns& r = code_runs;
  if (!r.on) return;
  while (!r.kinds.empty() && r.kinds.front().first < base) r.kinds.pop_front();
  for (std::uint64_t p = std::max(r.upto, base); p < written;) {
    const std::size_t nl = buf.find('\n', p - base);
    if (nl == std::string::npos || base + nl >= written) break;
    const std::uint64_t q = base + nl;
    // A line whose start was trimmed away is taken as code (it only moves
    // the bound earlier; the reach bound applies anyway).
    const LineKind kind = r.line_start < base
                              ? LineKind::kCode
                              : KindOf(std::string_view(buf).substr(r.line_start - base, q - r.line_start));
    if (r.line_start >= base) r.kinds.emplace_back(r.line_start, kind);
    if (kind == LineKind::kOther) {
      r.run_start = kNever;
    } else if (kind == LineKind::kCode && r.run_start == kNever) {
      r.run_start = r.line_start;  // a run begins with a code line
    }
    r.line_start = q + 1;
    p = q + 1;
  }
  r.upto = written;
}

void StreamAnalyzer::State::UpdateBreaks() {
  // Bytes before written + 1 - kSlack lie inside every match still to come
  // that starts before them.
  const std::uint64_t lim = SubSat(written + 1, kSlack);
  const std::uint64_t from = std::max(breaks_upto, base);
  if (lim <= from) return;
  // One walk back for the first 64 groups: `open` holds those whose last
  // break in (from, lim] is not found yet.
  const std::size_t in_bits = std::min<std::size_t>(groups.size(), 64);
  std::uint64_t open = in_bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << in_bits) - 1;
  for (std::uint64_t p = lim; p > from && open != 0; --p) {
    std::uint64_t out = open & ~group_bits[static_cast<unsigned char>(buf[p - 1 - base])];
    open &= ~out;
    for (; out != 0; out &= out - 1) {
      AlphabetGroup& g = groups[static_cast<std::size_t>(std::countr_zero(out))];
      g.last_break = std::max(g.last_break, p);
    }
  }
  for (std::size_t i = in_bits; i < groups.size(); ++i) {
    AlphabetGroup& g = groups[i];
    for (std::uint64_t p = lim; p > from; --p) {
      if (!g.alphabet[static_cast<unsigned char>(buf[p - 1 - base])]) {
        g.last_break = std::max(g.last_break, p);
        break;
      }
    }
  }
  breaks_upto = lim;
}

void StreamAnalyzer::State::Trim(std::uint64_t cf) {
  if (buf.size() < trim_at) return;  // trimming is amortised
  std::uint64_t keep = std::min(cf, pending_from);
  // Expanders and word-boundary checks look before a candidate.
  keep = SubSat(keep, internal::kExpanderReach + 1);
  // The second-pass window of an end still to come (after written - kSlack)
  // reaches back max_reach; a byte more for a \b at its start.
  keep = std::min(keep, SubSat(written, kSlack + max_reach + 1));
  if (keep > base && keep - base >= buf.size() / 2) {
    buf.erase(0, keep - base);
    base = keep;
  }
  // Context words: a span can start max_left_move before its candidate and
  // look max_before further back.
  const std::uint64_t hit_keep = SubSat(keep, max_before);
  SortTail(&hits, hits_sorted, kByHit);
  std::erase_if(hits, [&](const scan::Match& h) { return h.to < hit_keep; });
  hits_sorted = hits.size();
  trim_at = std::max<std::size_t>(16384, 2 * buf.size());
}

Status StreamAnalyzer::State::Advance(std::vector<Finding>* out) {
  // 1. New first-pass output.
  const std::size_t old_cands = cands.size();
  for (const scan::Match& m : p1.cands) cands.push_back(m);
  hits.insert(hits.end(), p1.hits.begin(), p1.hits.end());
  // 2. Variable-width ends extend their pattern's window or start a new one
  // (the merge rule of Analyze's second pass). Ends of context-gated
  // detectors first wait in gate_wait until right_need bytes follow them
  // (all context words that can count for them are then known); those with
  // none in reach are dropped. (A window that closed meanwhile makes a new
  // one: for patterns with a maximum width, which alone are gated, the
  // located start of an end does not depend on how windows merge.)
  // The lines completed so far are read first: CodeRunStart below looks
  // their kinds up.
  UpdateCodeRuns();
  new_ends.clear();
  for (const auto& e : p1.ends) (internal::GatesEnd(*im, e.first) ? gate_wait : new_ends).push_back(e);
  if (!gate_wait.empty()) {
    SortTail(&hits, hits_sorted, kByHit);
    std::size_t kept_wait = 0;
    for (const auto& e : gate_wait) {
      const unsigned det = im->patterns[e.first].detector;
      // right_need covers the context window after the end and the longest
      // word; kSlack, as for evaluation, the byte a trailing \b needs.
      if (!finished && e.second + right_need[det] + kSlack > written) {
        gate_wait[kept_wait++] = e;
        continue;
      }
      if (internal::EndHasContext(*im, hits, e.first, e.second)) new_ends.push_back(e);
    }
    gate_wait.resize(kept_wait);
  }
  for (const auto& e : new_ends) {
    const auto& [id, end] = e;
    const std::uint64_t reach = internal::LocatorReach(*im, id);
    const ByteSpan w = internal::OwnWindow(end, reach);
    if (im->patterns[id].locator != nullptr) {
      // A walk-back locator needs only the bytes before the end (Analyze
      // takes such ends alone too): located now, no open window holds the
      // frontier back for it.
      Status s = internal::LocateWindow(*im, id, buf, base, w, &e, &e + 1, &cands);
      if (!s.ok()) return s;
      continue;
    }
    Chain& c = chains[id];
    if (c.open && !internal::JoinsWindow(c.window, end, reach)) {
      Status s = CloseChain(id);
      if (!s.ok()) return s;
    }
    if (!c.open) {
      c.open = true;
      c.window = w;
      c.least_start = kNever;
      c.alpha_upto = kNever;
      // CloseChain above may have left it in open_chains.
      if (std::find(open_chains.begin(), open_chains.end(), id) == open_chains.end()) {
        open_chains.push_back(id);
      }
    } else {
      c.window.begin = std::min(c.window.begin, w.begin);
      c.window.end = std::max(c.window.end, w.end);
    }
    if (im->stream_code_run[id]) {
      // A run of code lines that ends here starts at its first line.
      c.least_start = std::min(c.least_start, CodeRunStart(end, c.window.begin));
    } else if (reach > kNarrowReach && c.located == c.ends.size() && c.located < kEagerEnds &&
               (c.ends.empty() || c.ends.back().second <= end)) {
      // Located now over the window so far: the start of a match that ends
      // here depends only on the bytes before it (and the window's start,
      // which later ends do not move), so CloseChain would find the same.
      // The scan begins a byte before the run of the pattern's alphabet
      // that ends here (no match holds another byte; the byte before is
      // there for a \b at the run's start).
      const std::size_t had = c.found.size();
      const std::uint64_t run = AlphabetRunStart(c, id, end);
      const std::uint64_t from = run > c.window.begin ? run - 1 : c.window.begin;
      Status s = internal::LocateWindow(*im, id, buf, base, ByteSpan{from, end}, &e, &e + 1, &c.found);
      if (!s.ok()) return s;
      for (std::size_t k = had; k < c.found.size(); ++k) {
        c.least_start = std::min<std::uint64_t>(c.least_start, c.found[k].from);
      }
      ++c.located;
    } else {
      // Located at close over the whole window (a pattern without an upper
      // bound may start before its reach there), after the last byte before
      // the end that the pattern cannot match.
      c.least_start = std::min(c.least_start, AlphabetRunStart(c, id, end));
    }
    c.ends.emplace_back(id, end);
  }
  p1.cands.clear();
  p1.ends.clear();
  p1.hits.clear();
  // Windows that no later end can reach back into are complete.
  for (std::size_t i = 0; i < open_chains.size();) {
    const unsigned id = open_chains[i];
    const std::uint64_t next_end = written + 1 - std::min(written + 1, kSlack);
    if (finished || !internal::JoinsWindow(chains[id].window, next_end, internal::LocatorReach(*im, id))) {
      Status s = CloseChain(id);
      if (!s.ok()) return s;
      open_chains[i] = open_chains.back();
      open_chains.pop_back();
      continue;
    }
    // A run of code lines that has ended (a line that cannot be code came
    // after its ends) is located now rather than when its window closes, up
    // to 1 KiB later: no end still to come shares its start (a match spans
    // one run), and later ends do not move the window's start, so the
    // candidates are those CloseChain would find. They then wait as any
    // candidate does, instead of the window holding the stream back at the
    // run's first line.
    Chain& c = chains[id];
    if (im->stream_code_run[id] && c.located < c.ends.size()) {
      std::uint64_t last = 0;
      for (std::size_t k = c.located; k < c.ends.size(); ++k) last = std::max(last, c.ends[k].second);
      if (code_runs.run_start == kNever || code_runs.run_start > last) {
        Status s = LocateRest(id);
        if (!s.ok()) return s;
        c.least_start = kNever;
      }
    }
    ++i;
  }
  for (std::size_t i = old_cands; i < cands.size(); ++i) AddPending(cands[i]);
  UpdateBreaks();
  PruneMarkers();
  const std::uint64_t cf = CandidateFrontier();

  // 3. Evaluate the complete groups whose text has arrived.
  std::uint64_t ff = finished ? kNever : LeftReach(cf);
  if (!cands.empty() &&
      (finished || (written >= last_pass + kBatch &&
                    (written >= wake_at || (blocked_by_windows && (closed_any || cf > blocked_cf)))))) {
    last_pass = written;
    closed_any = false;
    // Only the new entries need sorting; then one linear merge.
    SortTail(&cands, cands_sorted, kByCandidate);
    SortTail(&hits, hits_sorted, kByHit);
    const std::uint64_t known = SubSat(written, kSlack);
    const std::uint64_t text_end = finished ? written : kNever;
    std::size_t kept = 0;
    wake_at = pending_ff = pending_from = pending_left_from = kNever;
    bool blocked = false;  // a group waits only for an open window
    for (std::size_t i = 0; i < cands.size();) {
      std::size_t j = i;
      while (j < cands.size() && cands[j].id == cands[i].id && cands[j].from == cands[i].from) ++j;
      const unsigned det = cands[i].id;
      // The text it needs has been scanned: the expander's whole window and
      // what follows it, or for a name as far as its expander can read.
      // (The name's walk only for a candidate the frontier has passed.)
      const bool text_in = cands[i].to + right_need[det] <= known ||
                           (name_reach[det] != 0 && cands[i].from < cf && NameNeedEnd(cands[i]) <= known);
      const bool ready = finished || (cands[i].from < cf && text_in);
      if (ready) {
        auto f = internal::EvaluateGroup(*im, buf, base, text_end, cands.data() + i,
                                         cands.data() + j, hits, nullptr);
        if (f.has_value()) {
          found.push_back(std::move(*f));
        }
      } else {
        const bool waits_for_window = text_in && written >= cands[i].from + kSlack + narrow_reach;
        blocked = blocked || waits_for_window;
        for (std::size_t k = i; k < j; ++k) {
          AddPending(cands[k], /*wake=*/!waits_for_window);
          cands[kept++] = cands[k];
        }
      }
      i = j;
    }
    cands.resize(kept);
    cands_sorted = kept;
    // Open windows hold the frontier back until one of them closes.
    blocked_by_windows = blocked;
    blocked_cf = cf;
  }
  ff = std::min({ff, pending_ff, LeftReach(pending_left_from)});

  // 4. Resolve overlaps for the leading groups of overlapping findings that
  // nothing still to come can touch.
  // The leading groups end at a finding that begins at or after every end
  // before it; they are cut off while all their ends are at or before ff.
  // The walk resumes where it stopped unless what it walked changed: a new
  // finding sorted in before that point, or a smaller ff.
  if (SortTail(&found, found_sorted, kBySpan) < walked || ff < walked_ff) {
    walked = 0;
    walked_end = 0;
  }
  walked_ff = ff;
  std::size_t cut = 0;
  std::size_t i = walked;
  std::uint64_t max_end = walked_end;
  for (; i < found.size(); ++i) {
    const std::uint64_t e = std::max<std::uint64_t>(max_end, found[i].span.end);
    if (e > ff) break;
    max_end = e;
    if (i + 1 == found.size() || found[i + 1].span.begin >= max_end) cut = i + 1;
  }
  walked = i;
  walked_end = max_end;
  if (cut > 0) {
    // Resolved in place: the kept ones move straight to `out`.
    for (std::size_t k : internal::KeptIndices(*im, std::span<const Finding>(found.data(), cut), {})) {
      out->push_back(std::move(found[k]));
    }
    found.erase(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(cut));
    found_sorted -= cut;
    // found[cut] began at or after every end before it, so the walked part
    // that remains has the same largest end.
    walked -= cut;
    if (walked == 0) walked_end = 0;
  }
  std::uint64_t safe_now = std::min<std::uint64_t>(ff, written);
  if (!found.empty()) safe_now = std::min<std::uint64_t>(safe_now, found.front().span.begin);
  safe = std::max(safe, safe_now);
  if (!finished) Trim(cf);
  return Status::Ok();
}

namespace {

const internal::StreamPlan& PlanFor(const Analyzer::Impl& im) {
  std::call_once(im.stream_plan_once, [&im] {
    auto built = std::make_shared<internal::StreamPlan>();
    internal::StreamPlan& plan = *built;
    const auto& dets = im.catalog.detectors();
    plan.right_need.assign(dets.size(), 0);
    plan.left_move.assign(dets.size(), 0);
    plan.right_tail.assign(dets.size(), 0);
    plan.name_reach.assign(dets.size(), 0);
    for (unsigned i = 0; i < dets.size(); ++i) {
      const Detector& d = dets[i];
      std::uint64_t longest_word = 0;
      for (unsigned w : im.detectors[i].context_words) {
        longest_word = std::max<std::uint64_t>(longest_word, im.context_words[w].size());
      }
      const std::uint64_t expand = d.expander.empty() ? 0 : internal::kExpanderReach;
      // After the candidate: the expander's window, then the context window
      // after the (possibly widened) span and the longest word that may start
      // in it; one byte for a dictionary entry's word boundary.
      plan.right_tail[i] = (longest_word > 0 ? d.context.after + longest_word : 0) + 1;
      plan.right_need[i] = expand + plan.right_tail[i];
      plan.name_reach[i] = d.expander == "person_name" ? 1 : 0;
      plan.left_move[i] = internal::ExpanderMovesLeft(d.expander) ? expand : 0;
      plan.max_before = std::max<std::uint64_t>(plan.max_before, d.context.before);
      plan.max_right_need = std::max(plan.max_right_need, plan.right_need[i]);
      if (im.context_gated[i]) plan.max_gate_need = std::max(plan.max_gate_need, plan.right_need[i] + kSlack);
      plan.max_left_move = std::max(plan.max_left_move, plan.left_move[i]);
    }
    plan.marker_track.assign(im.stream_markers.size(), -1);
    for (unsigned id = 0; id < im.patterns.size(); ++id) {
      const auto& p = im.patterns[id];
      // An open window of a variable-width pattern reaches back at most its
      // reach plus the merge slack from the next end.
      const std::uint64_t reach = p.fixed_width != 0
                                      ? p.fixed_width
                                      : internal::LocatorReach(im, id) + internal::kMergeSlack;
      plan.max_reach = std::max(plan.max_reach, reach);
      plan.max_width = std::max(plan.max_width, p.max_width);
      // New windows start at most the locator's reach before their end (the
      // merge slack is in the open windows, which the frontier reads).
      const std::uint64_t start_reach = p.fixed_width != 0 ? p.fixed_width : internal::LocatorReach(im, id);
      const std::bitset<256>& alphabet = im.alphabets[id];
      if (start_reach > kNarrowReach && alphabet.all() && im.stream_code_run[id]) {
        plan.code_runs.on = true;
        plan.code_runs.reach = std::max(plan.code_runs.reach, start_reach);
        continue;
      }
      if (const int h = im.stream_head_run_of[id]; start_reach > kNarrowReach && h >= 0) {
        const auto& hr = im.stream_head_runs[static_cast<std::size_t>(h)];
        auto t = std::find_if(plan.head_runs.begin(), plan.head_runs.end(), [&](const HeadRunTrack& x) {
          return x.alphabet == hr.head_alphabet && x.width == hr.tail_width;
        });
        if (t == plan.head_runs.end()) {
          plan.head_runs.push_back({hr.head_alphabet, hr.tail_width, start_reach});
        } else {
          t->reach = std::max(t->reach, start_reach);
        }
        continue;
      }
      if (const int k = im.stream_marker_of[id]; start_reach > kNarrowReach && k >= 0) {
        const auto& mk = im.stream_markers[static_cast<std::size_t>(k)];
        plan.marker_track[static_cast<std::size_t>(k)] = static_cast<int>(plan.markers.size());
        plan.markers.push_back({start_reach, mk.width, {}});
        continue;
      }
      if (start_reach <= kNarrowReach || alphabet.all()) {
        plan.narrow_reach = std::max(plan.narrow_reach, start_reach);
        continue;
      }
      auto g = std::find_if(plan.groups.begin(), plan.groups.end(),
                            [&](const AlphabetGroup& x) { return x.alphabet == alphabet; });
      if (g == plan.groups.end()) {
        if (plan.groups.size() < 64) {
          for (unsigned b = 0; b < 256; ++b) {
            if (alphabet[b]) plan.group_bits[b] |= std::uint64_t{1} << plan.groups.size();
          }
        }
        plan.groups.push_back({alphabet, start_reach, 0});
      } else {
        g->reach = std::max(g->reach, start_reach);
      }
    }
    im.stream_plan = std::move(built);
  });
  return *im.stream_plan;
}

}  // namespace

Result<std::unique_ptr<StreamAnalyzer>> StreamAnalyzer::Create(
    std::shared_ptr<const Analyzer> analyzer) {
  if (analyzer == nullptr) return Status::InvalidArgument("no analyzer");
  auto st = std::make_unique<State>();
  st->im = &analyzer->impl();
  const Analyzer::Impl& im = *st->im;
  const scan::Scanner* pre = nullptr;
  const scan::Scanner* dict = nullptr;
  Status s = internal::StreamingScanners(im, &pre, &dict);
  if (!s.ok()) return s;
  if (pre != nullptr) {
    auto stream = pre->OpenStream();
    if (!stream.ok()) return stream.status();
    st->prefilter = std::move(*stream);
  }
  if (dict != nullptr) {
    auto stream = dict->OpenStream();
    if (!stream.ok()) return stream.status();
    st->dictionary = std::move(*stream);
  }
  static_cast<internal::StreamPlan&>(*st) = PlanFor(im);
  st->chains.resize(im.patterns.size());
  st->analyzer = std::move(analyzer);
  return std::unique_ptr<StreamAnalyzer>(new StreamAnalyzer(std::move(st)));
}

Status StreamAnalyzer::Prepare(const Analyzer& analyzer) {
  const scan::Scanner* pre = nullptr;
  const scan::Scanner* dict = nullptr;
  Status s = internal::StreamingScanners(analyzer.impl(), &pre, &dict);
  if (s.ok()) (void)PlanFor(analyzer.impl());
  return s;
}

StreamAnalyzer::StreamAnalyzer(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamAnalyzer::~StreamAnalyzer() = default;

Status StreamAnalyzer::Write(std::string_view chunk, std::vector<Finding>* out) {
  State& st = *state_;
  if (st.finished) return Status::InvalidArgument("write after the stream finished");
  if (!st.error.ok()) return st.error;
  st.buf.append(chunk);
  st.received += chunk.size();
  if (st.received - st.written < kScanBatch) return Status::Ok();
  return st.ScanGathered(out);
}

Status StreamAnalyzer::State::ScanGathered(std::vector<Finding>* out) {
  State& st = *this;
  // The bytes not scanned yet end the buffer (it is only trimmed at the front).
  const std::string_view chunk =
      std::string_view(st.buf).substr(st.buf.size() - (st.received - st.written));
  st.written = st.received;
  // Matches are reported with stream offsets.
  auto on_pre = [&](const scan::Match& m) {
    if (m.id >= internal::kMarkerBase) {
      st.AddMarker(m);
      return true;
    }
    internal::CollectPrefilterMatch(*st.im, m, &st.p1);
    return true;
  };
  auto on_dict = [&](const scan::Match& m) {
    internal::CollectDictionaryMatch(*st.im, m, &st.p1);
    return true;
  };
  Status s;
  if (st.prefilter != nullptr) s = st.prefilter->Write(chunk, on_pre);
  if (s.ok() && st.dictionary != nullptr) s = st.dictionary->Write(chunk, on_dict);
  if (s.ok()) s = st.Advance(out);
  if (!s.ok()) st.error = s;
  return s;
}

Status StreamAnalyzer::Finish(std::vector<Finding>* out) {
  State& st = *state_;
  if (st.finished) return Status::InvalidArgument("the stream already finished");
  if (!st.error.ok()) return st.error;
  if (st.received > st.written) {
    if (Status g = st.ScanGathered(out); !g.ok()) return g;
  }
  const Analyzer::Impl& im = *st.im;
  Status s;
  if (st.prefilter != nullptr) {
    s = st.prefilter->Close([&](const scan::Match& m) {
      if (m.id >= internal::kMarkerBase) return true;  // the stream has ended
      internal::CollectPrefilterMatch(im, m, &st.p1);
      return true;
    });
  }
  if (s.ok() && st.dictionary != nullptr) {
    s = st.dictionary->Close([&](const scan::Match& m) {
      internal::CollectDictionaryMatch(im, m, &st.p1);
      return true;
    });
  }
  st.finished = true;
  if (s.ok()) s = st.Advance(out);
  if (!s.ok()) {
    st.error = s;
    return s;
  }
  st.safe = st.written;
  return Status::Ok();
}

std::uint64_t StreamAnalyzer::SafeOffset() const { return state_->safe; }
std::uint64_t StreamAnalyzer::bytes_written() const { return state_->received; }
std::size_t StreamAnalyzer::buffered_bytes() const { return state_->buf.size(); }

std::uint64_t StreamAnalyzer::MaxHoldBack() const {
  const State& st = *state_;
  // No candidate still to come starts more than max_reach before the next
  // first-pass end; a known candidate waits until max_right_need bytes
  // follow its end (at most max_width after its start); a span starts at
  // most max_left_move before its candidate; evaluation runs in batches of
  // kBatch bytes; an end of a context-gated detector waits up to
  // max_gate_need bytes before its window opens. That bounds the frontier of
  // findings still to come; a finding already made waits while a later one
  // could still overlap it, so it may start one finding's length earlier.
  const std::uint64_t frontier =
      std::max(kSlack + st.max_reach + st.max_gate_need, kSlack + st.max_width + st.max_right_need) +
      st.max_left_move + kBatch;
  return frontier + st.max_width + 2 * st.max_left_move + kScanBatch;
}

}  // namespace airlock::detect
