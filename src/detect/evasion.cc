#include "internal/evasion.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "airlock/detect/decoders.h"
#include "airlock/detect/normalizer.h"

namespace airlock::detect::internal {

namespace {

std::string StepNames(unsigned steps) {
  static constexpr std::pair<unsigned, const char*> kNames[] = {
      {kStepEscapes, "escapes"},       {kStepNfkc, "nfkc"},       {kStepInvisible, "invisible"},
      {kStepDigits, "digits"},         {kStepHomoglyphs, "homoglyphs"}, {kStepTags, "tags"},
      {kStepSpaced, "spaced"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((steps & bit) == 0) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

// Where a view came from: the decoders that produced it (empty for the input
// itself) and the outermost encoded segment, in input offsets.
struct Origin {
  std::string chain;
  ByteSpan encoded_span;
};

class Walker {
 public:
  Walker(const EvasionLimits& limits, const ViewScan& scan, std::size_t budget,
         std::vector<Finding>* found)
      : limits_(limits), scan_(scan), found_(found), budget_(budget) {}

  // `text` with `map` into the input (null: `text` is the input, which the
  // caller has scanned already).
  Status Walk(std::string_view text, const OffsetMap* map, unsigned signals, unsigned depth,
              const Origin& origin) {
    if (map != nullptr) {
      if (Status s = Emit(text, map, false, 0, origin); !s.ok()) return s;
    }
    NormalizedText norm;
    std::string_view primary = text;
    const OffsetMap* primary_map = map;
    if ((signals & kSignalNormalize) != 0) {
      norm = Normalize(text);
      if (norm.steps != 0) {
        if (map != nullptr) ComposeMaps(*map, &norm.map);
        if (Status s = Emit(norm.text, &norm.map, false, norm.steps, origin); !s.ok()) return s;
        primary = norm.text;
        primary_map = &norm.map;
        // Escapes and full-width forms can make spaced runs and encodings.
        signals |= EvasionSignals(primary);
      }
    }
    if ((signals & kSignalSpaced) != 0) {
      NormalizedText joined;
      if (CollapseSpaced(primary, &joined)) {
        if (primary_map != nullptr) ComposeMaps(*primary_map, &joined.map);
        const unsigned steps = joined.steps | norm.steps;
        if (Status s = Emit(joined.text, &joined.map, true, steps, origin); !s.ok()) return s;
      }
    }
    if ((signals & kSignalEncoded) == 0 || depth >= limits_.max_depth) return Status::Ok();
    for (EncodedSegment& seg : FindEncodedSegments(primary, &budget_)) {
      Origin inner;
      inner.chain = origin.chain.empty() ? std::string(seg.encoding)
                                         : origin.chain + ">" + std::string(seg.encoding);
      inner.encoded_span = origin.encoded_span;
      if (origin.chain.empty()) {
        inner.encoded_span = primary_map != nullptr ? MapSpan(*primary_map, seg.span) : seg.span;
      }
      if (primary_map != nullptr) ComposeMaps(*primary_map, &seg.map);
      Status s = Walk(seg.decoded, &seg.map, EvasionSignals(seg.decoded), depth + 1, inner);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  Status Emit(std::string_view text, const OffsetMap* map, bool spaced_only, unsigned steps,
              const Origin& origin) {
    std::vector<Finding> local;
    if (Status s = scan_(text, spaced_only, &local); !s.ok()) return s;
    for (Finding& f : local) {
      f.matched_preview =
          MaskedPreview(text.substr(f.span.begin, f.span.size()), f.entity_type);
      f.span = MapSpan(*map, f.span);
      f.normalized = true;
      if (steps != 0) f.explanation += "; normalised (" + StepNames(steps) + ")";
      if (!origin.chain.empty()) {
        f.encoding = origin.chain;
        f.encoded_span = origin.encoded_span;
        f.explanation += "; decoded (" + origin.chain + ")";
      }
      found_->push_back(std::move(f));
    }
    return Status::Ok();
  }

  const EvasionLimits& limits_;
  const ViewScan& scan_;
  std::vector<Finding>* found_;
  std::size_t budget_;
};

}  // namespace

Status ScanEvasionViews(std::string_view input, unsigned signals, const EvasionLimits& limits,
                        const ViewScan& scan, std::vector<Finding>* found) {
  const std::size_t window = std::max<std::size_t>(limits.window_bytes, 64);
  if (input.size() <= window) {
    Walker w(limits, scan, 2 * input.size() + 4096, found);
    return w.Walk(input, nullptr, signals, 0, Origin{});
  }
  const std::size_t overlap = std::min<std::size_t>(4096, window / 4);
  std::vector<Finding> local;
  for (std::size_t start = 0;;) {
    std::size_t end = std::min(input.size(), start + window);
    if (end < input.size()) {  // end after a line break in the window's second half, if any
      // Searched within that half only: an unbounded search would walk back
      // over the whole input for each window of a text without line breaks.
      const std::size_t half = start + window / 2;
      const std::size_t nl = input.substr(half, end - half).rfind('\n');
      if (nl != std::string_view::npos) end = half + nl + 1;
    }
    const std::string_view win = input.substr(start, end - start);
    local.clear();
    Walker w(limits, scan, 2 * win.size() + 4096, &local);
    // The whole input's signals are a superset of each window's.
    if (Status s = w.Walk(win, nullptr, signals, 0, Origin{}); !s.ok()) return s;
    for (Finding& f : local) {
      f.span = {f.span.begin + start, f.span.end + start};
      if (!f.encoding.empty()) {
        f.encoded_span = {f.encoded_span.begin + start, f.encoded_span.end + start};
      }
      found->push_back(std::move(f));
    }
    if (end == input.size()) return Status::Ok();
    // The next window starts `overlap` back, after a line break if there is one.
    std::size_t next = end - overlap;
    const std::size_t nl = input.substr(next, end - next).find('\n');  // within the overlap only
    if (nl != std::string_view::npos && next + nl + 1 < end) next = next + nl + 1;
    start = next;
  }
}

std::vector<char> DuplicateFlags(const std::vector<Finding>& f) {
  std::vector<std::size_t> order(f.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (f[a].span.begin != f[b].span.begin) return f[a].span.begin < f[b].span.begin;
    if (f[a].span.end != f[b].span.end) return f[a].span.end < f[b].span.end;
    if (f[a].detector != f[b].detector) return f[a].detector < f[b].detector;
    return a < b;
  });
  std::vector<char> drop(f.size(), 0);
  for (std::size_t k = 1; k < order.size(); ++k) {
    const Finding& prev = f[order[k - 1]];
    const Finding& cur = f[order[k]];
    if (cur.span == prev.span && cur.detector == prev.detector) drop[order[k]] = 1;
  }
  return drop;
}

}  // namespace airlock::detect::internal
