#include "output_guard.h"

#include "airlock/transform/transform.h"

namespace airlock::server {

namespace {

// Released text kept (unreleased copy) so that index scanners see a record's
// values or a document's passage that straddles a release point.
constexpr std::size_t kIndexContext = 1024;

struct Span {
  std::size_t begin, end;
  std::string entity_type;
  bool from_index;
  bool allowed = false;  // the request carried this value in the clear: released as is
};

// Index findings already counted, in stream offsets (a finding that runs
// on across release points is counted once).
struct IndexSeen {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  bool Add(std::uint64_t b, std::uint64_t e) {
    for (auto& [sb, se] : spans) {
      if (b <= se && e >= sb) {  // overlapping or touching: the same finding, grown
        sb = std::min(sb, b);
        se = std::max(se, e);
        return false;
      }
    }
    spans.emplace_back(b, e);
    return true;
  }
};

// Scans `text` (the held text; `context` is released text just before it,
// seen by the index scanners only); returns text[0, cut) with leaks
// handled, where cut is `limit` moved back to the start of any finding
// that straddles it. `at`: the stream offset of text[0].
Result<std::string> ScanPrefix(const detect::Analyzer& analyzer, const std::vector<detect::IndexScanner>& indexes,
                               config::OutputAction action, std::string_view context, std::string_view text,
                               std::size_t limit, const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* out, std::size_t* cut, std::uint64_t at, IndexSeen* seen) {
  auto findings = analyzer.Analyze(text);
  if (!findings.ok()) return findings.status();
  auto leak = [&](const std::string& type, detect::DataClass cls) {
    out->counts[type]++;
    out->classes[type] = std::string(detect::DataClassName(cls));
    if (action == config::OutputAction::kBlock) out->blocked = true;
  };
  std::vector<Span> spans;
  std::vector<const detect::Finding*> catalog;
  for (const auto& f : *findings) {
    // An allowed value still holds the cut back: its tail alone may read as another entity.
    const bool ok = allowed.count(fingerprint(text.substr(f.span.begin, f.span.size()))) > 0;
    spans.push_back({f.span.begin, f.span.end, f.entity_type, false, ok});
    if (!ok) catalog.push_back(&f);
  }
  // Index findings over context + text; a part already released cannot be
  // recalled, the held part is handled like any other leak.
  std::vector<detect::Finding> from_index;
  if (!indexes.empty()) {
    std::string joined;
    joined.reserve(context.size() + text.size());
    joined.append(context).append(text);
    for (const auto& scan : indexes) {
      for (auto& f : scan(joined)) {
        if (allowed.count(fingerprint(std::string_view(joined).substr(f.span.begin, f.span.size())))) continue;
        const std::uint64_t abs_b = at - context.size() + f.span.begin, abs_e = at - context.size() + f.span.end;
        if (f.span.end <= context.size()) {
          // Found only once released (its end was never held): counted, too late to change.
          if (seen->Add(abs_b, abs_e)) leak(f.entity_type, f.data_class);
          continue;
        }
        const std::size_t b = std::max(f.span.begin, context.size()) - context.size();
        spans.push_back({b, f.span.end - context.size(), f.entity_type, true});
        f.span = {abs_b, abs_e};
        from_index.push_back(std::move(f));
      }
    }
  }
  // Nothing that straddles the cut is released; moving the cut back can
  // make another span straddle it.
  std::size_t c = limit;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& sp : spans)
      if (sp.begin < c && sp.end > c) {
        c = sp.begin;
        moved = true;
      }
  }
  for (const auto* f : catalog)
    if (f->span.end <= c) leak(f->entity_type, f->data_class);
  std::size_t k = 0;
  for (const auto& sp : spans) {
    if (!sp.from_index) continue;
    const detect::Finding& f = from_index[k++];
    if (sp.end <= c && seen->Add(f.span.begin, f.span.end)) leak(f.entity_type, f.data_class);
  }
  *cut = c;
  if (out->blocked) return std::string();
  if (action == config::OutputAction::kAllow) return std::string(text.substr(0, c));
  // Overlapping spans become one marker; an index finding's type wins.
  std::erase_if(spans, [&](const Span& sp) { return sp.end > c || sp.allowed; });
  std::sort(spans.begin(), spans.end(), [](const Span& x, const Span& y) {
    return x.begin != y.begin ? x.begin < y.begin : x.from_index > y.from_index;
  });
  std::vector<Span> merged;
  for (auto& sp : spans) {
    if (!merged.empty() && sp.begin < merged.back().end) {
      Span& m = merged.back();
      m.end = std::max(m.end, sp.end);
      if (sp.from_index && !m.from_index) {
        m.entity_type = sp.entity_type;
        m.from_index = true;
      }
      continue;
    }
    merged.push_back(std::move(sp));
  }
  std::vector<transform::Replacement> reps;
  for (const auto& m : merged) reps.push_back({{m.begin, m.end}, transform::RedactMarker(m.entity_type)});
  return transform::ApplyReplacements(text.substr(0, c), std::move(reps));
}

class WindowGuard final : public OutputGuard {
 public:
  WindowGuard(std::shared_ptr<const detect::Analyzer> a, const std::vector<detect::IndexScanner>* indexes,
              config::OutputAction action, std::size_t hold, const std::set<std::string>* allowed,
              std::function<std::string(std::string_view)> fp, OutputFindings* findings)
      : a_(std::move(a)), indexes_(indexes), action_(action), hold_(hold), allowed_(allowed), fp_(std::move(fp)),
        findings_(findings) {}

  Result<std::string> Feed(std::string_view piece) override {
    buf_.append(piece);
    if (buf_.size() <= hold_) return std::string();
    return Release(buf_.size() - hold_);
  }

  Result<std::string> Finish() override { return Release(buf_.size()); }

 private:
  Result<std::string> Release(std::size_t limit) {
    std::size_t cut = 0;
    auto out = ScanPrefix(*a_, *indexes_, action_, context_, buf_, limit, *allowed_, fp_, findings_, &cut,
                          released_, &seen_);
    if (!out.ok()) return out;
    if (!indexes_->empty()) {
      context_.append(buf_, 0, cut);
      if (context_.size() > kIndexContext) context_.erase(0, context_.size() - kIndexContext);
    }
    released_ += cut;
    buf_.erase(0, cut);
    return out;
  }

  std::shared_ptr<const detect::Analyzer> a_;
  const std::vector<detect::IndexScanner>* indexes_;
  config::OutputAction action_;
  std::size_t hold_;
  const std::set<std::string>* allowed_;
  std::function<std::string(std::string_view)> fp_;
  OutputFindings* findings_;
  std::string buf_;
  std::string context_;      // the last released bytes (as the model sent them), for the indexes
  std::uint64_t released_ = 0;  // stream offset of buf_[0]
  IndexSeen seen_;
};

}  // namespace

std::unique_ptr<OutputGuard> MakeWindowGuard(std::shared_ptr<const detect::Analyzer> analyzer,
                                             const std::vector<detect::IndexScanner>* indexes,
                                             config::OutputAction action, std::size_t hold_back,
                                             const std::set<std::string>* allowed,
                                             std::function<std::string(std::string_view)> fingerprint,
                                             OutputFindings* findings) {
  return std::make_unique<WindowGuard>(std::move(analyzer), indexes, action, hold_back, allowed,
                                       std::move(fingerprint), findings);
}

Result<std::string> GuardWhole(const detect::Analyzer& analyzer, const std::vector<detect::IndexScanner>& indexes,
                               config::OutputAction action, std::string_view text,
                               const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* findings) {
  std::size_t cut = 0;
  IndexSeen seen;
  return ScanPrefix(analyzer, indexes, action, {}, text, text.size(), allowed, fingerprint, findings, &cut, 0, &seen);
}

}  // namespace airlock::server
