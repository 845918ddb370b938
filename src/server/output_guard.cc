#include "output_guard.h"

#include <algorithm>

#include "airlock/detect/stream_analyzer.h"
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

// Handles the catalog's `findings` in `text` (the held text, spans relative
// to it) and runs the indexes over `context` (released text just before it,
// seen by the index scanners only) and `text`; returns text[0, cut) with
// leaks handled, where cut is `limit` moved back to the start of any
// finding that straddles it. `at`: the stream offset of text[0]. Only the
// first `counted` findings count as leaks; the rest are redacted (or held)
// all the same.
std::string ReleasePrefix(const std::vector<detect::Finding>& findings, std::size_t counted,
                          const std::vector<detect::IndexScanner>& indexes, config::OutputAction action,
                          std::string_view context, std::string_view text, std::size_t limit,
                          const std::set<std::string>& allowed,
                          const std::function<std::string(std::string_view)>& fingerprint, OutputFindings* out,
                          std::size_t* cut, std::uint64_t at, IndexSeen* seen) {
  auto leak = [&](const std::string& type, detect::DataClass cls) {
    out->counts[type]++;
    out->classes[type] = std::string(detect::DataClassName(cls));
    if (action == config::OutputAction::kBlock) out->blocked = true;
  };
  std::vector<Span> spans;
  std::vector<const detect::Finding*> catalog;
  for (std::size_t k = 0; k < findings.size(); ++k) {
    const detect::Finding& f = findings[k];
    // An allowed value still holds the cut back: its tail alone may read as another entity.
    const bool ok = allowed.count(fingerprint(text.substr(f.span.begin, f.span.size()))) > 0;
    spans.push_back({f.span.begin, f.span.end, f.entity_type, false, ok});
    if (!ok && k < counted) catalog.push_back(&f);
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

// Releases streamed text up to the StreamAnalyzer's safe offset: no
// finding that starts before it is still to come, so a finding is always
// seen whole before any byte of it goes out, however long it is (a private
// key, a JWT, a code block). `hold` more bytes are kept on top of that for
// the indexes, whose records and passages span up to their proximity.
class StreamGuard final : public OutputGuard {
 public:
  StreamGuard(std::shared_ptr<const detect::Analyzer> a, const std::vector<detect::IndexScanner>* indexes,
              config::OutputAction action, std::size_t hold, const std::set<std::string>* allowed,
              std::function<std::string(std::string_view)> fp, OutputFindings* findings)
      : a_(std::move(a)), indexes_(indexes), action_(action), hold_(hold), allowed_(allowed), fp_(std::move(fp)),
        findings_(findings) {}

  Result<std::string> Feed(std::string_view piece) override {
    if (piece.empty()) return std::string();
    if (Status st = Open(); !st.ok()) return st;
    std::vector<detect::Finding> found;
    if (Status st = stream_->Write(piece, &found); !st.ok()) return st;
    buf_.append(piece);
    Take(std::move(found));
    const std::uint64_t written = base_ + stream_->bytes_written();
    if (written <= hold_) return std::string();
    const std::uint64_t limit = std::min<std::uint64_t>(base_ + stream_->SafeOffset(), written - hold_);
    if (limit <= released_) return std::string();
    return Release(static_cast<std::size_t>(limit - released_));
  }

  Result<std::string> Finish() override {
    if (stream_ != nullptr) {
      std::vector<detect::Finding> found;
      Status st = stream_->Finish(&found);
      stream_.reset();  // text after this (a backend that goes on) starts a new stream
      if (!st.ok()) return st;
      Take(std::move(found));
    }
    return Release(buf_.size());
  }

 private:
  Status Open() {
    if (stream_ != nullptr) return Status::Ok();
    auto s = detect::StreamAnalyzer::Create(a_);
    if (!s.ok()) return s.status();
    stream_ = std::move(*s);
    base_ = released_ + buf_.size();
    return Status::Ok();
  }

  // Findings in stream offsets of the current analyzer, kept in offsets
  // from the start of the text.
  void Take(std::vector<detect::Finding> found) {
    for (auto& f : found) {
      f.span = {f.span.begin + base_, f.span.end + base_};
      pending_.push_back(std::move(f));
    }
  }

  Result<std::string> Release(std::size_t limit) {
    // The safe offset promises that no finding starts in released text;
    // if one did, its start has gone out unmasked: end the stream.
    std::vector<detect::Finding> held;
    held.reserve(pending_.size());
    for (const auto& f : pending_) {
      if (f.span.begin < released_) return Status::Internal("a finding starts in text already released");
      held.push_back(f);
      held.back().span = {f.span.begin - released_, f.span.end - released_};
    }
    // The stream scans the raw bytes only. What only a normalised or
    // decoded view shows (base64, escapes, homoglyphs, spaced-out digits)
    // is looked for in the held text, as block mode would, when it has
    // anything escape- or encoding-like in it. A view finding that overlaps
    // one of the stream's is redacted with it but not counted again.
    std::size_t counted = held.size();
    if (limit > 0) {
      auto all = a_->AnalyzeViews(buf_);
      if (!all.ok()) return all.status();
      const std::size_t raw = held.size();
      std::vector<detect::Finding> repeated;
      for (auto& f : *all) {
        if (!f.normalized && f.encoding.empty()) continue;
        const bool known = std::any_of(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(raw),
                                       [&](const detect::Finding& r) {
                                         return r.span.begin < f.span.end && f.span.begin < r.span.end;
                                       });
        (known ? repeated : held).push_back(std::move(f));
      }
      counted = held.size();
      for (auto& f : repeated) held.push_back(std::move(f));
    }
    std::size_t cut = 0;
    std::string out = ReleasePrefix(held, counted, *indexes_, action_, context_, buf_, limit, *allowed_, fp_, findings_,
                                    &cut, released_, &seen_);
    if (!indexes_->empty()) {
      context_.append(buf_, 0, cut);
      if (context_.size() > kIndexContext) context_.erase(0, context_.size() - kIndexContext);
    }
    released_ += cut;
    buf_.erase(0, cut);
    std::erase_if(pending_, [&](const detect::Finding& f) { return f.span.end <= released_; });
    return out;
  }

  std::shared_ptr<const detect::Analyzer> a_;
  const std::vector<detect::IndexScanner>* indexes_;
  config::OutputAction action_;
  std::size_t hold_;
  const std::set<std::string>* allowed_;
  std::function<std::string(std::string_view)> fp_;
  OutputFindings* findings_;
  std::unique_ptr<detect::StreamAnalyzer> stream_;
  std::uint64_t base_ = 0;               // offset of the current stream's first byte in the text
  std::vector<detect::Finding> pending_;  // reported, not yet wholly released (text offsets)
  std::string buf_;                       // text not released yet, from offset released_
  std::string context_;      // the last released bytes (as the model sent them), for the indexes
  std::uint64_t released_ = 0;
  IndexSeen seen_;
};

}  // namespace

std::unique_ptr<OutputGuard> MakeStreamGuard(std::shared_ptr<const detect::Analyzer> analyzer,
                                             const std::vector<detect::IndexScanner>* indexes,
                                             config::OutputAction action, std::size_t hold_back,
                                             const std::set<std::string>* allowed,
                                             std::function<std::string(std::string_view)> fingerprint,
                                             OutputFindings* findings) {
  return std::make_unique<StreamGuard>(std::move(analyzer), indexes, action, hold_back, allowed,
                                       std::move(fingerprint), findings);
}

Result<std::string> GuardWhole(const detect::Analyzer& analyzer, const std::vector<detect::IndexScanner>& indexes,
                               config::OutputAction action, std::string_view text,
                               const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* findings) {
  auto found = analyzer.Analyze(text);
  if (!found.ok()) return found.status();
  std::size_t cut = 0;
  IndexSeen seen;
  return ReleasePrefix(*found, found->size(), indexes, action, {}, text, text.size(), allowed, fingerprint, findings, &cut, 0,
                       &seen);
}

}  // namespace airlock::server
