#include "airlock/detect/analyzer.h"

#include <atomic>
#include <bitset>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "airlock/core/crypto.h"
#include "airlock/scan/scan.h"
#include "airlock/detect/normalizer.h"
#include "internal/analyzer_impl.h"
#include "internal/code_lines.h"
#include "internal/evasion.h"
#include "internal/expanders.h"
#include "internal/pattern_alphabet.h"
#include "internal/pattern_prefix.h"

namespace airlock::detect {

namespace fs = std::filesystem;
using internal::CompiledDetector;
using internal::kContextBase;
using internal::kFieldCandidate;
using internal::kMaxUnboundedWidth;
using internal::PatternMeta;

namespace {

// Part of the database cache key: bump it whenever the way patterns are laid
// out in the databases (ids, flags, which patterns go where) changes. The key
// also holds a digest of the exact patterns compiled (DatabaseCacheKey), so
// that patterns derived by code (the stream's prefix markers, say) that
// changes between versions never load another version's database.
constexpr const char* kCacheLayout = "layout-4";


bool IsAsciiWord(unsigned char c) { return std::isalnum(c) != 0 || c == '_'; }
// A byte that may belong to a word: ASCII word characters and any byte of a
// multi-byte UTF-8 sequence (letters outside ASCII).
bool IsWordByte(unsigned char c) { return IsAsciiWord(c) || c >= 0x80; }

// Escapes a literal for vectorscan and adds \b where the literal begins or
// ends with an ASCII word character. Boundaries next to non-ASCII letters are
// checked after the match instead (vectorscan's \b is ASCII-only here).
std::string LiteralPattern(std::string_view lit) {
  std::string out;
  if (!lit.empty() && IsAsciiWord(static_cast<unsigned char>(lit.front()))) out += "\\b";
  for (unsigned char c : lit) {
    if (c >= 0x80 || IsAsciiWord(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out += "\\s+";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (!lit.empty() && IsAsciiWord(static_cast<unsigned char>(lit.back()))) out += "\\b";
  return out;
}

bool HasWordBoundaries(std::string_view text, std::uint64_t from, std::uint64_t to) {
  if (from > 0 && IsWordByte(static_cast<unsigned char>(text[from - 1])) &&
      IsWordByte(static_cast<unsigned char>(text[from]))) {
    return false;
  }
  if (to < text.size() && IsWordByte(static_cast<unsigned char>(text[to])) &&
      IsWordByte(static_cast<unsigned char>(text[to - 1]))) {
    return false;
  }
  return true;
}

// What "%.2f" prints for a score in [0, 1], one call per finding. Scores
// are rounded to hundredths with integers, except within a hair of a half
// hundredth, where only exact formatting rounds as printf does.
std::string FormatScore(double s) {
  const double h = s * 100;
  if (s >= 0 && s <= 1 && std::fabs(h - std::floor(h) - 0.5) > 1e-6) {
    const auto n = static_cast<unsigned>(std::lround(h));
    const char out[4] = {static_cast<char>('0' + n / 100), '.', static_cast<char>('0' + n / 10 % 10),
                         static_cast<char>('0' + n % 10)};
    return std::string(out, 4);
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), s, std::chars_format::fixed, 2);
  return std::string(buf, r.ptr);
}

}  // namespace

namespace {

// `label` tells the databases of one catalog apart in the cache.
Result<std::shared_ptr<const scan::Database>> CompileOrLoad(const std::vector<scan::Pattern>& pats,
                                                            bool som, bool literals,
                                                            const std::string& fingerprint,
                                                            const std::string& label,
                                                            const std::string& cache_dir,
                                                            AnalyzerStats* stats,
                                                            scan::Database::Mode mode =
                                                                scan::Database::Mode::kBlock) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  fs::path cache_file;
  if (!cache_dir.empty()) {
    cache_file = fs::path(cache_dir) /
                 (internal::DatabaseCacheKey(fingerprint, label, som, pats) + ".hsdb");
    std::ifstream in(cache_file, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      auto db = scan::Database::Deserialize(ss.str(), mode);
      if (db.ok()) {
        // A load refreshes the entry's time: PruneCache drops the least
        // recently used entries first.
        std::error_code ec;
        fs::last_write_time(cache_file, fs::file_time_type::clock::now(), ec);
        stats->compile_ms += elapsed_ms();
        return db;
      }
      // A damaged cache entry is ignored and rewritten below.
    }
  }
  auto db = literals ? scan::Database::CompileLiterals(pats, mode)
                     : scan::Database::Compile(pats, mode, som);
  if (!db.ok()) return db;
  const double ms = elapsed_ms();
  stats->compile_ms += ms;
  stats->from_cache = false;  // set true by Create; any compile clears it
  // Both databases of a catalog are cached together, even a small one,
  // so that a catalog either loads whole from the cache or compiles.
  if (!cache_file.empty()) {
    auto bytes = (*db)->Serialize();
    std::error_code ec;
    fs::create_directories(cache_file.parent_path(), ec);
    if (bytes.ok() && !ec) {
      // Write then rename, so a concurrent reader never sees half a file.
      fs::path tmp = cache_file;
      tmp += ".tmp" + std::to_string(::getpid());
      std::ofstream out(tmp, std::ios::binary);
      out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
      out.close();
      if (out) fs::rename(tmp, cache_file, ec);
      if (ec || !out) fs::remove(tmp, ec);
    }
  }
  return db;
}

// Keeps the cache directory's entries (*.hsdb) within `max_bytes`, removing
// the least recently used first, but none used since `since` (the catalog
// being built). Every catalog change adds a set of entries; without a bound
// the directory grows for as long as catalogs are edited. A process that
// loses an entry to another's pruning recompiles it.
void PruneCache(const std::string& dir, std::uintmax_t max_bytes, fs::file_time_type since) {
  struct Entry {
    fs::file_time_type time;
    std::uintmax_t size;
    fs::path path;
  };
  std::vector<Entry> entries;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".hsdb") continue;
    std::error_code fe;
    const std::uintmax_t size = it->file_size(fe);
    const fs::file_time_type time = it->last_write_time(fe);
    if (fe) continue;
    entries.push_back({time, size, it->path()});
    total += size;
  }
  if (total <= max_bytes) return;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.time < b.time; });
  for (const Entry& e : entries) {
    if (total <= max_bytes || e.time >= since) break;
    std::error_code re;
    if (fs::remove(e.path, re)) total -= e.size;
  }
}

}  // namespace

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;

const Catalog& Analyzer::catalog() const { return impl_->catalog; }
const AnalyzerStats& Analyzer::stats() const { return impl_->stats; }

Result<std::shared_ptr<const Analyzer>> Analyzer::Create(Catalog catalog,
                                                         AnalyzerOptions options) {
  // Entries this catalog uses are written or refreshed from here on (one
  // second back: file times may be coarser than the clock).
  const fs::file_time_type started = fs::file_time_type::clock::now() - std::chrono::seconds(1);
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  std::vector<scan::Pattern> all;      // every pattern, literal and context word
  std::vector<scan::Pattern> located;  // the variable-width ones
  std::vector<scan::Pattern> literals;  // dictionary entries
  std::unordered_map<std::string, unsigned> word_ids;
  const auto& dets = catalog.detectors();
  if (dets.empty()) return Status::InvalidArgument("the detector catalog is empty");
  for (unsigned i = 0; i < dets.size(); ++i) {
    const Detector& d = dets[i];
    CompiledDetector cd;
    if (!d.expander.empty() && !internal::IsKnownExpander(d.expander)) {
      return Status::InvalidArgument(d.source + ": unknown expander '" + d.expander + "'");
    }
    internal::LocatorFn locator = nullptr;
    if (!d.locator.empty()) {
      locator = internal::FindLocator(d.locator);
      if (locator == nullptr) {
        return Status::InvalidArgument(d.source + ": unknown locator '" + d.locator + "'");
      }
      if (Status s = internal::LocatorFitsPatterns(d.locator, d.patterns, d.caseless); !s.ok()) {
        return Status::InvalidArgument(d.source + ": detector '" + d.id + "': " + s.message());
      }
    }
    if (!d.validator.empty()) {
      cd.validator = FindValidator(d.validator);
      if (cd.validator == nullptr) {
        return Status::InvalidArgument(d.source + ": unknown validator '" + d.validator + "'");
      }
    }
    unsigned flags = (d.caseless ? unsigned{scan::kCaseless} : 0u) | (d.utf8 ? unsigned{scan::kUtf8} : 0u);
    const auto first_pattern = static_cast<unsigned>(impl->patterns.size());
    for (const auto& p : d.patterns) {
      const auto id = static_cast<unsigned>(impl->patterns.size());
      scan::Pattern pat{p, id, flags};
      // Checking each pattern alone names the detector in the error and
      // gives the width bounds the two passes need.
      auto info = scan::InspectPattern(pat);
      if (!info.ok()) {
        return Status::InvalidArgument(d.source + ": detector '" + d.id + "': " +
                                       info.status().message());
      }
      PatternMeta meta;
      meta.detector = i;
      meta.index_in_detector = id - first_pattern;
      const bool unbounded = info->max_width == scan::PatternInfo::kUnbounded;
      meta.max_width = unbounded ? kMaxUnboundedWidth : info->max_width;
      if (!unbounded && info->min_width == info->max_width) meta.fixed_width = info->max_width;
      if (meta.fixed_width == 0) meta.locator = locator;
      impl->patterns.push_back(meta);
      impl->alphabets.push_back(internal::PatternAlphabet(p, d.caseless, d.utf8));
      all.push_back(pat);
      if (meta.fixed_width == 0 && locator == nullptr) located.push_back(std::move(pat));
    }
    for (const auto& lit : d.dictionary) {
      // Dictionary entries are plain literals in a database of their own
      // (fast to compile by the ten thousand); word boundaries are checked
      // after the match, and the start is the end minus the length.
      const auto id = static_cast<unsigned>(impl->patterns.size());
      PatternMeta meta;
      meta.detector = i;
      meta.max_width = lit.size();
      meta.fixed_width = lit.size();
      impl->patterns.push_back(meta);
      impl->alphabets.emplace_back().set();
      literals.push_back({lit, id, d.caseless ? unsigned{scan::kCaseless} : 0u});
    }
    impl->detector_patterns.emplace_back(first_pattern, static_cast<unsigned>(impl->patterns.size()));
    cd.dictionary = !d.dictionary.empty();
    if (d.container) impl->container_ids.push_back(d.id);
    for (const auto& [lang, word] : d.context.words) {
      auto [it, inserted] = word_ids.emplace(word, static_cast<unsigned>(impl->context_words.size()));
      if (inserted) impl->context_words.push_back(word);
      cd.context_words.push_back(it->second);
    }
    impl->detectors.push_back(std::move(cd));
  }
  if (impl->patterns.size() >= kFieldCandidate || dets.size() >= kFieldCandidate) {
    return Status::ResourceExhausted("the catalog has more than 8 million patterns");
  }
  for (unsigned w = 0; w < impl->context_words.size(); ++w) {
    all.push_back({LiteralPattern(impl->context_words[w]), kContextBase + w, unsigned{scan::kCaseless}});
  }
  const std::string fp = catalog.Fingerprint();
  auto name_failure = [&](const Status& st) -> Status {
    // Name the detector whose pattern vectorscan rejected.
    const std::string& msg = st.message();
    auto pos = msg.find("(id ");
    if (pos != std::string::npos) {
      unsigned long id = std::stoul(msg.substr(pos + 4));
      if (id < impl->patterns.size()) {
        const Detector& bad = dets[impl->patterns[id].detector];
        return Status::InvalidArgument(bad.source + ": detector '" + bad.id + "': " + msg);
      }
      if (id >= kContextBase) return Status::InvalidArgument("context word rejected: " + msg);
    }
    return st;
  };
  impl->stats.from_cache = true;
  if (!all.empty()) {
    auto prefilter = CompileOrLoad(all, /*som=*/false, /*literals=*/false, fp, "prefilter",
                                   impl->options.cache_dir, &impl->stats);
    if (!prefilter.ok()) return name_failure(prefilter.status());
    impl->stats.pattern_count = all.size();
    impl->stats.database_bytes = (*prefilter)->SizeBytes();
    impl->stats.scratch_bytes = scan::ScratchPool(*prefilter).ScratchSizeBytes();
    impl->prefilter = std::make_unique<scan::Scanner>(*prefilter);
  }
  impl->prefilter_patterns = all;
  impl->dictionary_patterns = literals;
  impl->fingerprint = fp;
  if (!literals.empty()) {
    auto db = CompileOrLoad(literals, /*som=*/false, /*literals=*/true, fp, "dictionary",
                            impl->options.cache_dir, &impl->stats);
    if (!db.ok()) return db.status();
    impl->stats.pattern_count += literals.size();
    impl->stats.database_bytes += (*db)->SizeBytes();
    impl->dictionary = std::make_unique<scan::Scanner>(*db);
  }
  impl->locators.resize(impl->patterns.size());
  for (const scan::Pattern& pat : located) {
    auto db = CompileOrLoad({pat}, /*som=*/true, /*literals=*/false, fp,
                            "locator-" + std::to_string(pat.id),
                            impl->options.cache_dir, &impl->stats);
    if (!db.ok()) return name_failure(db.status());
    impl->stats.database_bytes += (*db)->SizeBytes();
    impl->stats.scratch_bytes =
        std::max(impl->stats.scratch_bytes, scan::ScratchPool(*db).ScratchSizeBytes());
    impl->locators[pat.id] = std::make_unique<scan::Scanner>(*db);
  }
  if (!impl->stats.from_cache && !impl->options.cache_dir.empty() &&
      impl->options.cache_max_bytes != 0) {
    PruneCache(impl->options.cache_dir, impl->options.cache_max_bytes, started);
  }
  std::vector<std::uint64_t> widest(dets.size(), 0);
  for (const auto& pm : impl->patterns) widest[pm.detector] = std::max(widest[pm.detector], pm.max_width);
  std::vector<unsigned> order(dets.size());
  for (unsigned i = 0; i < dets.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) { return widest[a] > widest[b]; });
  impl->detector_rank.resize(dets.size());
  for (unsigned r = 0; r < order.size(); ++r) impl->detector_rank[order[r]] = r;
  {
    std::vector<std::string> ids;
    for (const Detector& d : dets) ids.push_back(d.id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (std::uint32_t k = 0; k < ids.size(); ++k) impl->id_info[ids[k]].order = k;
    for (const std::string& id : impl->container_ids) impl->id_info[id].container = true;
  }
  impl->context_gated.resize(dets.size(), 0);
  for (unsigned i = 0; i < dets.size(); ++i) {
    const Detector& d = dets[i];
    impl->context_gated[i] = impl->options.context_gate && d.context.required && d.expander.empty() &&
                             !d.context.words.empty() &&
                             std::min(d.score, d.context.without_context) < impl->options.min_score;
  }
  impl->catalog = std::move(catalog);
  return std::shared_ptr<const Analyzer>(new Analyzer(std::move(impl)));
}

Result<std::size_t> Analyzer::CountRawMatches(std::string_view text) const {
  std::size_t n = 0;
  for (const auto* scanner : {impl_->prefilter.get(), impl_->dictionary.get()}) {
    if (scanner == nullptr) continue;
    Status s = scanner->Scan(text, [&](const scan::Match&) {
      ++n;
      return true;
    });
    if (!s.ok()) return s;
  }
  return n;
}

FieldContext Analyzer::PrepareField(std::string_view field_name) const {
  const Impl& im = *impl_;
  FieldContext fc;
  fc.name = NormaliseFieldName(field_name);
  if (fc.name.empty()) return fc;
  const std::string padded = " " + fc.name + " ";
  auto contains = [&](const std::string& words) {
    return !words.empty() && padded.find(" " + words + " ") != std::string::npos;
  };
  for (unsigned w = 0; w < im.context_words.size(); ++w) {
    if (contains(NormaliseFieldName(im.context_words[w]))) fc.context_words.push_back(w);
  }
  const auto& dets = im.catalog.detectors();
  for (unsigned i = 0; i < dets.size(); ++i) {
    for (const auto& f : dets[i].fields) {
      if (contains(f)) {
        fc.detectors.push_back(i);
        break;
      }
    }
  }
  return fc;
}

Result<std::vector<Finding>> Analyzer::Analyze(std::string_view text) const {
  return Analyze(text, nullptr);
}

namespace {

// Ends left out by CollectFindings because a validated finding dominates
// them (see CollectDeferring). Analyze checks afterwards that each one's
// dominator survived overlap resolution; those whose dominator did not are
// located and evaluated then, a cluster at a time (see Analyzer::AnalyzeText).
struct Deferral {
  struct End {
    unsigned pattern;
    std::uint64_t end;
    std::uint64_t lo;          // earliest start a match ending at `end` can have
    unsigned dominator;        // detector index
    ByteSpan dominator_span;
    std::size_t cluster = 0;  // ends of one detector whose start ranges [lo, end) chain together
  };
  std::vector<End> ends;
  std::vector<scan::Match> hits;  // the text's context words, for evaluating ends later
};

std::atomic<std::uint64_t> g_deferral_repairs{0};

Status CollectDeferring(const Analyzer::Impl& im, std::string_view text, const FieldContext* field,
                        bool spaced_only, internal::PassOne& p1, std::vector<Finding>* out,
                        Deferral* deferral);

// Step 2 for the ends [first, last) (sorted; several patterns may come in
// turn): windows reaching back from each end past its pattern's maximum
// width, merged where they touch (up to kMergeSlack beyond the reach); each
// window counts only its own ends.
Status LocateEnds(const Analyzer::Impl& im, std::string_view text,
                  const std::pair<unsigned, std::uint64_t>* first,
                  const std::pair<unsigned, std::uint64_t>* last, std::vector<scan::Match>* cands) {
  struct Window {
    ByteSpan span;
    const std::pair<unsigned, std::uint64_t>* first;
    const std::pair<unsigned, std::uint64_t>* last;
  };
  std::vector<Window> merged;
  for (auto i = first; i != last;) {
    const unsigned id = i->first;
    auto j = i;
    while (j != last && j->first == id) ++j;
    const std::uint64_t reach = internal::LocatorReach(im, id);
    merged.clear();
    for (auto k = i; k != j; ++k) {
      const std::uint64_t end = k->second;
      // A walk-back locator takes each end alone, with the window of its
      // reach (internal::OwnWindow): the stream locates an end as soon as
      // it arrives, and both must agree.
      if (im.patterns[id].locator != nullptr) {
        merged.push_back({internal::OwnWindow(end, reach), k, k + 1});
        continue;
      }
      if (!merged.empty() && internal::JoinsWindow(merged.back().span, end, reach)) {
        merged.back().span.end = std::max<std::uint64_t>(merged.back().span.end, end);
        merged.back().last = k + 1;
      } else {
        merged.push_back({ByteSpan{end > reach ? end - reach : 0, end}, k, k + 1});
      }
    }
    const std::bitset<256>& alphabet = im.alphabets[id];
    const bool narrows = im.patterns[id].locator == nullptr && !alphabet.all();
    for (const Window& w : merged) {
      ByteSpan span = w.span;
      if (narrows) {
        // No match holds a byte outside its pattern's alphabet, so none
        // ending in the window starts before the alphabet run that ends at
        // its first end (a later end's run starts no earlier): the scan
        // begins a byte before that run, for a \b at its start.
        std::uint64_t run = w.first->second;
        while (run > span.begin && alphabet[static_cast<unsigned char>(text[run - 1])]) --run;
        if (run > span.begin) span.begin = run - 1;
      }
      if (Status s = internal::LocateWindow(im, id, text, 0, span, w.first, w.last, cands); !s.ok()) return s;
    }
    i = j;
  }
  return Status::Ok();
}

// Step 3 for candidates sorted by CandidateOrder: one finding at most per
// (detector, start) group. Calls `added(detector, finding)` for each.
template <class Added>
void EvaluateCandidates(const Analyzer::Impl& im, std::string_view text, const FieldContext* field,
                        bool spaced_only, const std::vector<scan::Match>& cands,
                        const std::vector<scan::Match>& hits, std::vector<Finding>* out, Added&& added) {
  const auto& dets = im.catalog.detectors();
  for (std::size_t i = 0; i < cands.size();) {
    if (internal::CancelRequested()) return;  // the caller reports kCancelled
    std::size_t j = i;
    while (j < cands.size() && cands[j].id == cands[i].id && cands[j].from == cands[i].from) ++j;
    const unsigned det = cands[i].id & ~kFieldCandidate;
    if (spaced_only && !dets[det].spaced) {
      i = j;
      continue;
    }
    auto f = internal::EvaluateGroup(im, text, 0, text.size(), cands.data() + i, cands.data() + j, hits, field);
    if (f.has_value()) {
      out->push_back(std::move(*f));
      added(det, out->back());
    }
    i = j;
  }
}

// Steps 1-4 of Analyze (see analyzer.h) over one text: appends its findings,
// spans into `text`, before overlaps are resolved. spaced_only: the text is
// a separator view; only detectors with `spaced` count. With `deferral`,
// dominated ends are left out (CollectDeferring).
Status CollectFindings(const Analyzer::Impl& im, std::string_view text, const FieldContext* field,
                       bool spaced_only, std::vector<Finding>* out, Deferral* deferral = nullptr) {
  // Two passes. Start-of-match tracking makes vectorscan several times
  // slower, and most bytes of a text match nothing. So the first pass runs
  // every pattern and context word without it and yields (pattern, end)
  // pairs. A fixed-width pattern's start follows from its end. The
  // variable-width ones go to a second pass, which runs each alone with
  // start-of-match over small windows that end at its ends and reach back
  // further than its longest possible match; only matches whose
  // (pattern, end) the first pass saw are kept, so window edges cannot
  // invent matches (a `\b` at a window edge, say).
  internal::PassOne p1;
  std::vector<scan::Match>& cands = p1.cands;  // id = detector index
  auto& ends = p1.ends;                        // (variable pattern, end)
  std::vector<scan::Match>& hits = p1.hits;    // context words
  Status s;
  // A cancelled analysis stops the scan too (every kCancelCheck matches:
  // a first pass over megabytes takes a while).
  constexpr unsigned kCancelCheck = 1024;
  unsigned until_check = kCancelCheck;
  auto go_on = [&until_check] {
    if (--until_check != 0) return true;
    until_check = kCancelCheck;
    return !internal::CancelRequested();
  };
  if (im.prefilter != nullptr) s = im.prefilter->Scan(text, [&](const scan::Match& m) {
    internal::CollectPrefilterMatch(im, m, &p1);
    return go_on();
  });
  if (!s.ok()) return s;
  if (im.dictionary != nullptr) {
    s = im.dictionary->Scan(text, [&](const scan::Match& m) {
      internal::CollectDictionaryMatch(im, m, &p1);
      return go_on();
    });
    if (!s.ok()) return s;
  }
  if (internal::CancelRequested()) return Status::Ok();  // the caller reports kCancelled
  if (field != nullptr && !field->detectors.empty()) {
    // The whole (trimmed) value of a field named in a detector's `fields`.
    std::size_t b = 0, e = text.size();
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (b < e && space(text[b])) ++b;
    while (e > b && space(text[e - 1])) --e;
    if (e > b && e - b <= 256) {
      for (unsigned d : field->detectors) cands.push_back({d | kFieldCandidate, b, e});
    }
  }
  // Context gate: an end of a detector that needs a context word to reach
  // min_score, with none of its words in reach, cannot become a finding;
  // drop it before locating its start. (Not with a field name that supplies
  // context words. Fixed-width candidates are gated in EvaluateGroup.)
  internal::SortHits(&hits);
  if (field == nullptr || field->context_words.empty()) {
    std::erase_if(ends, [&](const std::pair<unsigned, std::uint64_t>& e) {
      return internal::GatesEnd(im, e.first) && !internal::EndHasContext(im, hits, e.first, e.second);
    });
  }
  if (cands.empty() && ends.empty()) return Status::Ok();
  std::sort(ends.begin(), ends.end());
  if (deferral != nullptr) return CollectDeferring(im, text, field, spaced_only, p1, out, deferral);

  // Second pass, pattern by pattern.
  s = LocateEnds(im, text, ends.data(), ends.data() + ends.size(), &cands);
  if (!s.ok()) return s;
  // Group by (detector, start); within a group try the longest end first.
  internal::SortCandidates(&cands);
  EvaluateCandidates(im, text, field, spaced_only, cands, hits, out, [](unsigned, const Finding&) {});
  return Status::Ok();
}

// Steps 2-3 with dominated ends left out. Detectors are taken widest first
// (Impl::detector_rank), each with all its candidates at once, so that a
// (detector, start) group is never split. An end of pattern P (detector not
// a container, no expander) that lies inside a validated, non-container
// finding F found before, F.begin < end <= F.end, is dominated when
//   - one of the |F| bytes before the end (in F, or just before F) is one
//     that P cannot match (PatternAlphabet), so a match ending there
//     starts after it and is shorter than F, or
//   - P's longest match is shorter than F.
// Either way its finding C would overlap F and be shorter, so F ranks above
// C (validated, then longer) and C is dropped whenever F is kept: neither
// locating nor validating it changes the result. A deferred end whose
// possible starts hold the start of a candidate evaluated in its round (it
// could share that group) is evaluated after all. Analyze checks after
// overlap resolution that every dominator was kept and evaluates the ends
// of those that were not (Deferral).
Status CollectDeferring(const Analyzer::Impl& im, std::string_view text, const FieldContext* field,
                        bool spaced_only, internal::PassOne& p1, std::vector<Finding>* out,
                        Deferral* deferral) {
  const auto& dets = im.catalog.detectors();
  std::vector<scan::Match>& cands = p1.cands;
  const auto& ends = p1.ends;  // sorted
  const std::vector<scan::Match>& hits = p1.hits;
  internal::SortCandidates(&cands);
  struct Dom {
    ByteSpan span;
    unsigned detector;
  };
  std::vector<Dom> doms;  // sorted by span.begin before each detector's ends are checked
  std::uint64_t longest = 0;  // the longest dominator's size
  auto added = [&](unsigned det, const Finding& f) {
    if (f.validated && !dets[det].container && f.span.size() <= internal::kMaxDominatorSpan) {
      doms.push_back({f.span, det});
      longest = std::max<std::uint64_t>(longest, f.span.size());
    }
  };
  // A dominator of the end `e` of pattern `pid`, if any; *lo receives the
  // earliest start a match ending at `e` can have.
  auto dominator = [&](unsigned pid, std::uint64_t e, std::uint64_t* lo) -> const Dom* {
    const std::bitset<256>& alphabet = im.alphabets[pid];
    const std::uint64_t width = im.patterns[pid].max_width;
    auto it = std::lower_bound(doms.begin(), doms.end(), e,
                               [](const Dom& d, std::uint64_t v) { return d.span.begin < v; });
    while (it != doms.begin()) {
      --it;
      if (e - it->span.begin > longest) break;  // none before it reaches e
      if (e > it->span.end) continue;
      // Inside it: a byte the pattern cannot match, fewer than |it| bytes
      // before e (in it, or just before it), puts every start after that
      // byte, so every match ending at e is shorter than it ...
      const std::uint64_t size = it->span.size();
      const std::uint64_t floor = e > size ? e - size : 0;
      for (std::uint64_t k = e; k > floor; --k) {
        if (!alphabet[static_cast<unsigned char>(text[k - 1])]) {
          *lo = k;
          return &*it;
        }
      }
      if (e < size) {  // ... as it is when the text before e is shorter than it
        *lo = 0;
        return &*it;
      }
      // ... and a pattern shorter than it cannot outgrow it either.
      if (width < it->span.size()) {
        *lo = e > width ? e - width : 0;
        return &*it;
      }
    }
    return nullptr;
  };
  std::size_t doms_sorted = 0;  // doms[0, doms_sorted) are in order
  auto sort_doms = [&] {
    auto by_begin = [](const Dom& a, const Dom& b) { return a.span.begin < b.span.begin; };
    std::sort(doms.begin() + static_cast<std::ptrdiff_t>(doms_sorted), doms.end(), by_begin);
    std::inplace_merge(doms.begin(), doms.begin() + static_cast<std::ptrdiff_t>(doms_sorted), doms.end(), by_begin);
    doms_sorted = doms.size();
  };

  // Field candidates first: they are groups of their own.
  std::vector<scan::Match> local;
  auto field_end = std::find_if(cands.begin(), cands.end(),
                                [](const scan::Match& m) { return (m.id & kFieldCandidate) != 0; });
  local.assign(field_end, cands.end());
  EvaluateCandidates(im, text, field, spaced_only, local, hits, out, added);

  std::vector<std::pair<unsigned, std::uint64_t>> kept;
  // The detectors with candidates or ends, widest first.
  std::vector<unsigned> present;
  for (auto c = cands.begin(); c != field_end; ++c)
    if (present.empty() || present.back() != c->id) present.push_back(c->id);
  for (const auto& e : ends) {
    const unsigned det = im.patterns[e.first].detector;
    if (present.empty() || present.back() != det) present.push_back(det);
  }
  std::sort(present.begin(), present.end(),
            [&](unsigned a, unsigned b) { return im.detector_rank[a] < im.detector_rank[b]; });
  present.erase(std::unique(present.begin(), present.end()), present.end());
  for (unsigned det : present) {
    const auto [pfirst, plast] = im.detector_patterns[det];
    auto cf = std::lower_bound(cands.begin(), field_end, det,
                               [](const scan::Match& m, unsigned d) { return m.id < d; });
    auto cl = cf;
    while (cl != field_end && cl->id == det) ++cl;
    auto ef = std::lower_bound(ends.begin(), ends.end(), std::make_pair(pfirst, std::uint64_t{0}));
    auto el = std::lower_bound(ef, ends.end(), std::make_pair(plast, std::uint64_t{0}));
    if (cf == cl && ef == el) continue;
    local.assign(cf, cl);
    kept.clear();
    const std::size_t first_deferred = deferral->ends.size();
    if (ef != el) {
      sort_doms();
      for (auto e = ef; e != el; ++e) {
        std::uint64_t lo = 0;
        const bool deferrable = !dets[det].container && dets[det].expander.empty();
        const Dom* d = deferrable ? dominator(e->first, e->second, &lo) : nullptr;
        if (d == nullptr) {
          kept.push_back(*e);
        } else {
          deferral->ends.push_back({e->first, e->second, lo, d->detector, d->span});
        }
      }
      if (Status s = LocateEnds(im, text, kept.data(), kept.data() + kept.size(), &local); !s.ok()) return s;
    }
    // A deferred end whose start range [lo, end) holds the start of a
    // candidate evaluated now could belong to its group: evaluated now as
    // well (and so on, for the candidates that adds).
    for (bool again = true; again && deferral->ends.size() > first_deferred;) {
      kept.clear();
      auto shares = [&](const Deferral::End& d) {
        for (const scan::Match& c : local)
          if (c.from >= d.lo && c.from < d.end) return true;
        return false;
      };
      auto first = deferral->ends.begin() + static_cast<std::ptrdiff_t>(first_deferred);
      for (auto d = first; d != deferral->ends.end(); ++d)
        if (shares(*d)) kept.emplace_back(d->pattern, d->end);
      again = !kept.empty();
      if (!again) break;
      deferral->ends.erase(std::remove_if(first, deferral->ends.end(), shares), deferral->ends.end());
      if (Status s = LocateEnds(im, text, kept.data(), kept.data() + kept.size(), &local); !s.ok()) return s;
    }
    internal::SortCandidates(&local);
    EvaluateCandidates(im, text, field, spaced_only, local, hits, out, added);
  }
  if (!deferral->ends.empty()) deferral->hits = std::move(p1.hits);
  return Status::Ok();
}

}  // namespace

Result<std::vector<Finding>> Analyzer::Analyze(std::string_view text,
                                               const FieldContext* field) const {
  return AnalyzeText(text, field, impl_->options.defer_dominated);
}

namespace {

thread_local const std::atomic<bool>* tl_cancel = nullptr;

Status CancelledStatus() { return Status::Cancelled("analysis cancelled (its caller gave up waiting)"); }

}  // namespace

CancelScope::CancelScope(const std::atomic<bool>* flag) : previous_(tl_cancel) { tl_cancel = flag; }
CancelScope::~CancelScope() { tl_cancel = previous_; }

bool internal::CancelRequested() { return tl_cancel != nullptr && tl_cancel->load(std::memory_order_relaxed); }

Result<std::vector<Finding>> Analyzer::AnalyzeText(std::string_view text, const FieldContext* field,
                                                   bool defer) const {
  auto found = AnalyzeUncancelled(text, field, defer);
  // Work cut short by a cancellation is incomplete: never report it.
  if (internal::CancelRequested()) return CancelledStatus();
  return found;
}

namespace {

// Evasion resistance: the findings of the normalised and decoded views of
// `text` (skipped for plain ASCII with nothing escape- or encoding-like in
// it: one pass over the bytes). *signals: what EvasionSignals saw (0 when
// the views did not run).
Status CollectViewFindings(const Analyzer::Impl& im, std::string_view text, const FieldContext* field,
                           unsigned* signals, std::vector<Finding>* views) {
  *signals = im.options.normalize ? EvasionSignals(text) : 0;
  if (im.options.normalize && im.options.force_evasion_views) {
    *signals = kSignalNormalize | kSignalEncoded | kSignalSpaced;
  }
  if (*signals == 0) return Status::Ok();
  const internal::EvasionLimits limits{im.options.max_decode_depth, im.options.evasion_window_bytes};
  const internal::ViewScan scan = [&](std::string_view view, bool spaced_only, std::vector<Finding>* out) {
    if (internal::CancelRequested()) return CancelledStatus();
    return CollectFindings(im, view, field, spaced_only, out);
  };
  return internal::ScanEvasionViews(text, *signals, limits, scan, views);
}

}  // namespace

Result<std::vector<Finding>> Analyzer::AnalyzeViews(std::string_view text) const {
  const Impl& im = *impl_;
  std::vector<Finding> views;
  unsigned signals = 0;
  if (Status s = CollectViewFindings(im, text, nullptr, &signals, &views); !s.ok()) return s;
  if (internal::CancelRequested()) return CancelledStatus();
  std::vector<Finding> kept;
  for (std::size_t i : internal::KeptIndices(im, views, internal::DuplicateFlags(views))) {
    kept.push_back(std::move(views[i]));
  }
  return kept;
}

Result<std::vector<Finding>> Analyzer::AnalyzeUncancelled(std::string_view text, const FieldContext* field,
                                                          bool defer) const {
  const Impl& im = *impl_;
  std::vector<Finding> found;
  Deferral deferral;
  if (Status s = CollectFindings(im, text, field, false, &found, defer ? &deferral : nullptr); !s.ok()) return s;
  if (internal::CancelRequested()) return CancelledStatus();
  std::vector<Finding> views;
  unsigned signals = 0;
  if (Status s = CollectViewFindings(im, text, field, &signals, &views); !s.ok()) return s;
  // The text's own findings first, then the views' (of equal ones, the
  // first is kept).
  std::size_t own = found.size();
  found.insert(found.end(), std::make_move_iterator(views.begin()), std::make_move_iterator(views.end()));
  auto kept_indices = [&] {
    return internal::KeptIndices(im, found, signals != 0 ? internal::DuplicateFlags(found) : std::vector<char>());
  };
  auto take = [&](const std::vector<std::size_t>& idx) {
    std::vector<Finding> kept;
    kept.reserve(idx.size());
    for (std::size_t i : idx) kept.push_back(std::move(found[i]));
    return kept;
  };
  auto& ends = deferral.ends;
  if (ends.empty()) return take(kept_indices());

  // Deferred ends: a dominated end is dropped in the full evaluation when
  // its dominator is kept. Those whose dominator was not kept are located
  // and evaluated now, each with every deferred end of its detector whose
  // start range overlaps (so that no (detector, start) group is split), and
  // overlaps are resolved again, until every remaining one's dominator is
  // kept. This gives the findings of evaluating every end.
  std::sort(ends.begin(), ends.end(), [&](const Deferral::End& x, const Deferral::End& y) {
    const unsigned dx = im.patterns[x.pattern].detector, dy = im.patterns[y.pattern].detector;
    if (dx != dy) return dx < dy;
    return x.lo < y.lo;
  });
  // Clusters: per detector, start ranges [lo, end) merged where they overlap.
  std::size_t cluster = 0;
  std::uint64_t reach = 0;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    const bool same = i > 0 && im.patterns[ends[i].pattern].detector == im.patterns[ends[i - 1].pattern].detector;
    if (same && ends[i].lo < reach) {
      reach = std::max(reach, ends[i].end);
    } else {
      if (i > 0) ++cluster;
      reach = ends[i].end;
    }
    ends[i].cluster = cluster;
  }
  const auto& dets = im.catalog.detectors();
  for (;;) {
    std::vector<std::size_t> idx = kept_indices();
    std::vector<char> redo_cluster(cluster + 1, 0);
    bool any = false;
    for (const auto& e : ends) {
      auto it = std::lower_bound(idx.begin(), idx.end(), e.dominator_span.begin,
                                 [&](std::size_t i, std::uint64_t b) { return found[i].span.begin < b; });
      bool is_kept = false;
      for (; it != idx.end() && found[*it].span.begin == e.dominator_span.begin; ++it) {
        if (found[*it].span.end == e.dominator_span.end && found[*it].detector == dets[e.dominator].id) is_kept = true;
      }
      if (!is_kept) redo_cluster[e.cluster] = any = true;
    }
    if (!any) return take(idx);
    g_deferral_repairs.fetch_add(1, std::memory_order_relaxed);
    std::vector<std::pair<unsigned, std::uint64_t>> redo;
    for (const auto& e : ends)
      if (redo_cluster[e.cluster]) redo.emplace_back(e.pattern, e.end);
    std::erase_if(ends, [&](const Deferral::End& e) { return redo_cluster[e.cluster] != 0; });
    std::sort(redo.begin(), redo.end());
    std::vector<scan::Match> cands;
    if (Status s = LocateEnds(im, text, redo.data(), redo.data() + redo.size(), &cands); !s.ok()) return s;
    internal::SortCandidates(&cands);
    std::vector<Finding> more;
    EvaluateCandidates(im, text, field, false, cands, deferral.hits, &more, [](unsigned, const Finding&) {});
    found.insert(found.begin() + static_cast<std::ptrdiff_t>(own), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    own += more.size();
  }
}

namespace internal {
std::uint64_t DeferralRepairs() { return g_deferral_repairs.load(std::memory_order_relaxed); }
}  // namespace internal

namespace internal {

void CollectPrefilterMatch(const Analyzer::Impl& im, const scan::Match& m, PassOne* out) {
  if (m.id >= kContextBase) {
    const std::uint64_t len = im.context_words[m.id - kContextBase].size();
    out->hits.push_back({m.id, m.to > len ? m.to - len : 0, m.to});
    return;
  }
  const PatternMeta& pm = im.patterns[m.id];
  if (pm.fixed_width != 0) {
    out->cands.push_back({pm.detector, m.to - pm.fixed_width, m.to});
  } else {
    out->ends.emplace_back(m.id, m.to);
  }
}

void CollectDictionaryMatch(const Analyzer::Impl& im, const scan::Match& m, PassOne* out) {
  const PatternMeta& pm = im.patterns[m.id];
  out->cands.push_back({pm.detector, m.to - pm.fixed_width, m.to});
}

bool ContextNear(const Analyzer::Impl& im, unsigned det, const std::vector<scan::Match>& hits,
                 std::uint64_t earliest_begin, std::uint64_t end) {
  const Detector& d = im.catalog.detectors()[det];
  const std::vector<unsigned>& words = im.detectors[det].context_words;
  const std::uint64_t lo = earliest_begin > d.context.before ? earliest_begin - d.context.before : 0;
  const std::uint64_t hi = end + d.context.after;
  // No context word is longer than 256 bytes (as in EvaluateGroup).
  auto it = std::lower_bound(hits.begin(), hits.end(), lo > 256 ? lo - 256 : 0,
                             [](const scan::Match& a, std::uint64_t from) { return a.from < from; });
  for (; it != hits.end() && it->from <= hi; ++it) {
    if (it->to >= lo && std::find(words.begin(), words.end(), it->id - kContextBase) != words.end()) {
      return true;
    }
  }
  return false;
}

bool GatesEnd(const Analyzer::Impl& im, unsigned id) {
  const PatternMeta& pm = im.patterns[id];
  return im.context_gated[pm.detector] && pm.max_width < kMaxUnboundedWidth;
}

bool EndHasContext(const Analyzer::Impl& im, const std::vector<scan::Match>& hits, unsigned id,
                   std::uint64_t end) {
  const std::uint64_t reach = LocatorReach(im, id);
  return ContextNear(im, im.patterns[id].detector, hits, end > reach ? end - reach : 0, end);
}

Status LocateWindow(const Analyzer::Impl& im, unsigned id, std::string_view text,
                    std::uint64_t base, ByteSpan w,
                    const std::pair<unsigned, std::uint64_t>* first,
                    const std::pair<unsigned, std::uint64_t>* last,
                    std::vector<scan::Match>* cands) {
  const PatternMeta& meta = im.patterns[id];
  if (meta.locator != nullptr) {
    // A walk back from each end in C++, over the same window.
    const std::string_view window = text.substr(w.begin - base, w.size());
    for (const auto* e = first; e != last; ++e) {
      const std::uint64_t end = e->second - w.begin;
      const std::uint64_t start = meta.locator(window, end, meta.index_in_detector);
      if (start < end) cands->push_back({meta.detector, start + w.begin, e->second});
    }
    return Status::Ok();
  }
  return im.locators[id]->Scan(text.substr(w.begin - base, w.size()), [&](const scan::Match& m) {
    const std::uint64_t to = m.to + w.begin;
    if (std::binary_search(first, last, std::make_pair(id, to))) {
      cands->push_back({im.patterns[id].detector, m.from + w.begin, to});
    }
    return true;
  });
}

// Candidates by id first: a counting sort by id (ids are detector indexes,
// a few hundred), then each id's run by start. The first pass reports in
// order of end, so a run is mostly in order already: it is sorted only when
// it is not.
// Lambdas, not the functions themselves: std::sort inlines a lambda's body
// but calls through a function pointer on every comparison.
void SortCandidates(std::vector<scan::Match>* cands) {
  auto by_start = [](const scan::Match& a, const scan::Match& b) { return CandidateOrder(a, b); };
  constexpr unsigned kMaxBuckets = 4096;
  unsigned top = 0;
  for (const scan::Match& m : *cands) top = std::max(top, m.id);
  if (cands->size() < 64 || top >= kMaxBuckets) {
    std::sort(cands->begin(), cands->end(), by_start);
    return;
  }
  std::vector<std::uint32_t> first(top + 2, 0);
  for (const scan::Match& m : *cands) ++first[m.id + 1];
  for (unsigned id = 0; id <= top; ++id) first[id + 1] += first[id];
  std::vector<scan::Match> sorted(cands->size());
  std::vector<std::uint32_t> next(first.begin(), first.end() - 1);
  for (const scan::Match& m : *cands) sorted[next[m.id]++] = m;
  for (unsigned id = 0; id <= top; ++id) {
    auto b = sorted.begin() + first[id], e = sorted.begin() + first[id + 1];
    if (!std::is_sorted(b, e, by_start)) std::sort(b, e, by_start);
  }
  cands->swap(sorted);
}

void SortHits(std::vector<scan::Match>* hits) {
  std::sort(hits->begin(), hits->end(),
            [](const scan::Match& a, const scan::Match& b) { return HitOrder(a, b); });
}

std::optional<Finding> EvaluateGroup(const Analyzer::Impl& im, std::string_view buffer,
                                     std::uint64_t base, std::uint64_t text_end,
                                     const scan::Match* first, const scan::Match* last,
                                     const std::vector<scan::Match>& hits,
                                     const FieldContext* field) {
  const auto& dets = im.catalog.detectors();
  // The input as far as it is held, in stream offsets: view(a, n) is the
  // input's bytes [a, a + n).
  const std::string_view held = buffer.substr(0, std::min<std::uint64_t>(buffer.size(), text_end - base));
  auto view = [&](std::uint64_t a, std::uint64_t n) { return held.substr(a - base, n); };
  const bool from_field = (first->id & kFieldCandidate) != 0;
  const Detector& d = dets[first->id & ~kFieldCandidate];
  const CompiledDetector& cd = im.detectors[first->id & ~kFieldCandidate];
  // The context gate (see CollectFindings) for fixed-width and located
  // candidates; the streaming analyzer evaluates a group only once the text
  // after it has arrived. The group's spans all begin at first->from and
  // end at or before first->to.
  if (!from_field && im.context_gated[first->id] &&
      (field == nullptr || field->context_words.empty()) &&
      !ContextNear(im, first->id, hits, first->from, first->to)) {
    return std::nullopt;
  }
  std::vector<unsigned> near;  // context words near the current span
  for (const scan::Match* k = first; k != last; ++k) {
    if (k > first && k->to == (k - 1)->to) continue;
    ByteSpan span{k->from, k->to};
    if (cd.dictionary) {
      // One byte either side decides the word boundaries.
      const std::uint64_t lo = span.begin > 0 ? span.begin - 1 : 0;
      if (!HasWordBoundaries(view(lo, span.end + 1 - lo), span.begin - lo, span.end - lo)) continue;
    }
    if (!d.expander.empty()) {
      // Expanders see kExpanderReach bytes either side of the candidate.
      const std::uint64_t lo = span.begin > kExpanderReach ? span.begin - kExpanderReach : 0;
      const std::uint64_t hi = std::min<std::uint64_t>(text_end, span.end + kExpanderReach);
      ByteSpan local{span.begin - lo, span.end - lo};
      if (!ExpandSpan(d.expander, view(lo, hi - lo), &local)) continue;
      span = {local.begin + lo, local.end + lo};
    }
    if (span.end <= span.begin || span.end > text_end) continue;
    Finding f;
    if (cd.validator != nullptr) {
      ValidationResult vr = cd.validator(view(span.begin, span.size()), im.options.validation);
      if (!vr.valid) continue;
      f.validated = true;
      f.detail = std::move(vr.detail);
    }
    // Context words near the span: one walk over the hits (sorted by
    // start) that begin at or after lo - 256 (no word is longer) and at or
    // before hi, instead of a search per context word of the detector.
    near.clear();
    if (!hits.empty() && !cd.context_words.empty()) {
      const std::uint64_t lo = span.begin > d.context.before ? span.begin - d.context.before : 0;
      const std::uint64_t hi = span.end + d.context.after;
      auto it = std::lower_bound(hits.begin(), hits.end(), lo > 256 ? lo - 256 : 0,
                                 [](const scan::Match& a, std::uint64_t from) { return a.from < from; });
      for (; it != hits.end() && it->from <= hi; ++it) {
        bool inside = it->from >= span.begin && it->to <= span.end;
        if (it->to >= lo && !inside) near.push_back(it->id - kContextBase);
      }
    }
    std::string seen;
    for (unsigned w : cd.context_words) {
      if (field != nullptr &&
          std::binary_search(field->context_words.begin(), field->context_words.end(), w)) {
        if (!seen.empty()) seen += ",";
        seen += im.context_words[w] + " (field name)";
        continue;
      }
      if (std::find(near.begin(), near.end(), w) != near.end()) {
        if (!seen.empty()) seen += ",";
        seen += im.context_words[w];
      }
    }
    double score = d.score;
    if (!seen.empty()) {
      score = std::min(1.0, score + d.context.boost);
    } else if (d.context.required) {
      score = std::min(score, d.context.without_context);
    }
    if (score < im.options.min_score) return std::nullopt;  // shorter ends score the same
    f.detector = d.id;
    f.entity_type = d.entity_type;
    f.data_class = d.data_class;
    f.jurisdiction = d.jurisdiction;
    f.span = span;
    f.score = score;
    f.explanation = from_field ? "field name" : "pattern";
    if (cd.validator != nullptr) f.explanation += "; " + d.validator + " check passed";
    if (!seen.empty()) {
      f.explanation += "; context: " + seen;
    } else if (d.context.required) {
      f.explanation += "; no context word near";
    }
    f.explanation += "; score " + FormatScore(score);
    return f;
  }
  return std::nullopt;
}

std::vector<std::size_t> KeptIndices(const Analyzer::Impl& im, std::span<const Finding> found,
                                     const std::vector<char>& dropped) {
  // Deterministic overlap resolution (see analyzer.h). The order's keys are
  // copied into one compact array first: sorting tens of thousands of
  // indices through the Finding records (strings and all) was mostly cache
  // misses.
  // A detector id is compared by its place in the catalog's ids' order
  // (Impl::id_info) rather than as a string; an id from outside the
  // catalog (kUnknownId) compares as a string.
  constexpr std::uint32_t kUnknownId = ~std::uint32_t{0};
  struct Key {
    std::uint64_t size;
    std::uint64_t begin;
    double score;
    const std::string* detector;
    std::uint32_t id_order;
    std::uint32_t index;
    bool container;
    bool validated;
  };
  std::vector<Key> order;
  order.reserve(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!dropped.empty() && dropped[i]) continue;
    const Finding& f = found[i];
    auto info = im.id_info.find(f.detector);
    const bool known = info != im.id_info.end();
    order.push_back({f.span.size(), f.span.begin, f.score, &f.detector,
                     known ? info->second.order : kUnknownId, static_cast<std::uint32_t>(i),
                     known && info->second.container, f.validated});
  }
  std::sort(order.begin(), order.end(), [](const Key& x, const Key& y) {
    if (x.container != y.container) return y.container;
    if (x.validated != y.validated) return x.validated;
    if (x.size != y.size) return x.size > y.size;
    if (x.score != y.score) return x.score > y.score;
    if (x.id_order != kUnknownId && y.id_order != kUnknownId) {
      if (x.id_order != y.id_order) return x.id_order < y.id_order;
    } else if (*x.detector != *y.detector) {
      return *x.detector < *y.detector;
    }
    return x.begin < y.begin;
  });
  // Spans kept so far: disjoint, so ordered by begin they are ordered by end
  // too, and a new span can only clash with its neighbours. A tree, not a
  // sorted vector: inserting into a vector made this quadratic in the number
  // of findings (tens of thousands in a large finding-dense text).
  auto by_begin = [](const ByteSpan& a, const ByteSpan& b) { return a.begin < b.begin; };
  std::multiset<ByteSpan, decltype(by_begin)> taken(by_begin);
  std::vector<std::pair<ByteSpan, std::uint32_t>> kept;
  kept.reserve(order.size());
  bool containers = false;
  for (const Key& k : order) {
    if (k.container && !containers) {
      // Containers come last and compete only with one another.
      containers = true;
      taken.clear();
    }
    const ByteSpan& sp = found[k.index].span;
    auto it = taken.lower_bound(sp);
    bool clash = (it != taken.end() && it->Overlaps(sp)) ||
                 (it != taken.begin() && std::prev(it)->Overlaps(sp));
    if (clash) continue;
    taken.insert(it, sp);
    kept.push_back({sp, k.index});
  }
  // By span; equal spans (a container and a finding it holds) keep the
  // order above: non-containers first.
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    if (a.first.begin != b.first.begin) return a.first.begin < b.first.begin;
    return a.first.end < b.first.end;
  });
  std::vector<std::size_t> out;
  out.reserve(kept.size());
  for (const auto& k : kept) out.push_back(k.second);
  return out;
}

namespace {

// `locator: email`, for '[A-Za-z0-9_.%+\-]+@' followed by a host name of
// [A-Za-z0-9.\-]: back from the end over host-name bytes to the '@' (no
// host-name byte is one), then over local-part bytes; the leftmost start is
// where that run begins.
std::uint64_t LocateEmail(std::string_view window, std::uint64_t end, unsigned /*pattern*/) {
  auto alnum = [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  };
  auto host = [&](unsigned char c) { return alnum(c) || c == '.' || c == '-'; };
  auto local = [&](unsigned char c) {
    return alnum(c) || c == '_' || c == '.' || c == '%' || c == '+' || c == '-';
  };
  std::uint64_t p = std::min<std::uint64_t>(end, window.size());
  while (p > 0 && host(static_cast<unsigned char>(window[p - 1]))) --p;
  if (p == 0 || window[p - 1] != '@') return end;
  const std::uint64_t at = p - 1;
  p = at;
  while (p > 0 && local(static_cast<unsigned char>(window[p - 1]))) --p;
  return p < at ? p : end;
}

// `locator: iban`, for the IBAN detector's two patterns (caseless):
//   0  \b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\b
//   1  \b[A-Z]{2}[ \-]?[0-9]{2}(?:[ .\-]{0,2}[A-Z0-9]){11,30}\b
// Back from the end, the letters and digits of a match form one chain: each
// is the first one before the next, across at most two separators (pattern
// 1) or none (pattern 0), since a unit's separators cannot skip one. With k
// units (30 down to 11, so the first fit is the leftmost start), the two
// chain bytes before them must be adjacent digits, then an optional ' ' or
// '-' (pattern 1), two letters, and a word boundary.
constexpr const char* kIbanPatterns[] = {
    "\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\\b",
    "\\b[A-Z]{2}[ \\-]?[0-9]{2}(?:[ .\\-]{0,2}[A-Z0-9]){11,30}\\b",
};
std::uint64_t LocateIban(std::string_view w, std::uint64_t end, unsigned pattern) {
  auto at = [&](std::uint64_t i) { return static_cast<unsigned char>(w[i]); };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  auto letter = [](unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
  auto alnum = [&](unsigned char c) { return digit(c) || letter(c); };
  const bool spaced = pattern == 1;
  auto sep = [&](unsigned char c) { return spaced && (c == ' ' || c == '.' || c == '-'); };
  end = std::min<std::uint64_t>(end, w.size());
  if (end == 0 || !alnum(at(end - 1))) return end;
  constexpr int kMaxUnits = 30, kMinUnits = 11;
  std::uint64_t chain[kMaxUnits + 2];  // chain[0] is the last byte
  int n = 0;
  chain[n++] = end - 1;
  while (n < kMaxUnits + 2) {
    std::uint64_t q = chain[n - 1];
    int gap = 0;
    while (q > 0 && gap <= 2 && sep(at(q - 1))) {
      --q;
      ++gap;
    }
    if (gap > 2 || q == 0 || !alnum(at(q - 1))) break;
    chain[n++] = q - 1;
  }
  for (int k = std::min(kMaxUnits, n - 2); k >= kMinUnits; --k) {
    const std::uint64_t d2 = chain[k], d1 = chain[k + 1];
    if (d1 + 1 != d2 || !digit(at(d1)) || !digit(at(d2))) continue;
    std::uint64_t l2 = d1;  // one past the second letter
    if (spaced && l2 > 0 && (at(l2 - 1) == ' ' || at(l2 - 1) == '-')) --l2;
    if (l2 < 2 || !letter(at(l2 - 1)) || !letter(at(l2 - 2))) continue;
    const std::uint64_t l1 = l2 - 2;
    if (l1 > 0 && (alnum(at(l1 - 1)) || at(l1 - 1) == '_')) continue;
    return l1;
  }
  return end;
}

}  // namespace

LocatorFn FindLocator(std::string_view name) {
  if (name == "email") return LocateEmail;
  if (name == "iban") return LocateIban;
  return nullptr;
}

Status LocatorFitsPatterns(std::string_view name, const std::vector<std::string>& patterns, bool caseless) {
  if (name != "iban") return Status::Ok();
  const bool fits = caseless && patterns.size() == 2 && patterns[0] == kIbanPatterns[0] &&
                    patterns[1] == kIbanPatterns[1];
  if (fits) return Status::Ok();
  return Status::InvalidArgument(std::string("locator 'iban' walks back exactly the patterns '") + kIbanPatterns[0] +
                                 "' and '" + kIbanPatterns[1] + "', caseless");
}

std::string DatabaseCacheKey(const std::string& fingerprint, const std::string& label, bool som,
                             const std::vector<scan::Pattern>& pats) {
  // Every pattern's id, flags and expression, in order.
  std::string all;
  for (const scan::Pattern& p : pats) {
    all += std::to_string(p.id) + ":" + std::to_string(p.flags) + ":" + std::to_string(p.expression.size()) +
           ":" + p.expression + "\n";
  }
  return Sha256Hex(fingerprint + "|" + scan::EngineVersion() + "|" + kCacheLayout + "|" + label +
                   (som ? "|som" : "|nosom") + "|" + Sha256Hex(all));
}

Status StreamingScanners(const Analyzer::Impl& im, const scan::Scanner** prefilter,
                         const scan::Scanner** dictionary) {
  std::call_once(im.stream_once, [&im] {
    // Stream-mode databases differ from block-mode ones; they are cached
    // under labels of their own.
    auto build = [&im](const std::vector<scan::Pattern>& pats, bool literals,
                       const std::string& label, std::unique_ptr<scan::Scanner>* out) {
      if (pats.empty() || !im.stream_status.ok()) return;
      AnalyzerStats ignored;
      auto db = CompileOrLoad(pats, /*som=*/false, literals, im.fingerprint, label,
                              im.options.cache_dir, &ignored, scan::Database::Mode::kStream);
      if (!db.ok()) {
        im.stream_status = db.status();
        return;
      }
      *out = std::make_unique<scan::Scanner>(*db);
    };
    std::vector<scan::Pattern> with_markers = im.prefilter_patterns;
    im.stream_marker_of.assign(im.patterns.size(), -1);
    im.stream_head_run_of.assign(im.patterns.size(), -1);
    im.stream_code_run.assign(im.patterns.size(), 0);
    for (const scan::Pattern& p : im.prefilter_patterns) {
      if (p.id >= im.patterns.size()) continue;
      im.stream_code_run[p.id] = IsCodeRunPattern(p.expression) ? 1 : 0;
      if (!ProseWideAlphabet(im.alphabets[p.id]) || LocatorReach(im, p.id) <= kNarrowReach) continue;
      if (auto cut = HeadAndTail(p, kNarrowReach)) {
        const Detector& d = im.catalog.detectors()[im.patterns[p.id].detector];
        const std::bitset<256> head = PatternAlphabet(cut->head, d.caseless, d.utf8);
        // Useful only when prose's spaces end a run of the head's bytes.
        if (!head[' ']) {
          im.stream_head_run_of[p.id] = static_cast<int>(im.stream_head_runs.size());
          im.stream_head_runs.push_back({p.id, head, cut->max_width});
          continue;
        }
      }
      if (auto prefix = BoundedPrefix(p, kNarrowReach)) {
        im.stream_marker_of[p.id] = static_cast<int>(im.stream_markers.size());
        with_markers.push_back({prefix->expression,
                                kMarkerBase + static_cast<unsigned>(im.stream_markers.size()), p.flags});
        im.stream_markers.push_back({p.id, prefix->max_width});
      }
    }
    build(with_markers, /*literals=*/false, "prefilter-stream-markers", &im.stream_prefilter);
    build(im.dictionary_patterns, /*literals=*/true, "dictionary-stream", &im.stream_dictionary);
  });
  if (!im.stream_status.ok()) return im.stream_status;
  *prefilter = im.stream_prefilter.get();
  *dictionary = im.stream_dictionary.get();
  return Status::Ok();
}

}  // namespace internal

}  // namespace airlock::detect
