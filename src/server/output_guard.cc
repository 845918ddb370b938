#include "output_guard.h"

#include "airlock/transform/transform.h"

namespace airlock::server {

namespace {

// Scans `text`; returns text[0, cut) with leaks handled, where cut is
// `limit` moved back to the start of any finding that straddles it.
Result<std::string> ScanPrefix(const detect::Analyzer& analyzer, config::OutputAction action, std::string_view text,
                               std::size_t limit, const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* out, std::size_t* cut) {
  auto findings = analyzer.Analyze(text);
  if (!findings.ok()) return findings.status();
  std::size_t c = limit;
  for (const auto& f : *findings) {
    if (f.span.begin < c && f.span.end > c) c = f.span.begin;
  }
  std::vector<transform::Replacement> reps;
  for (const auto& f : *findings) {
    if (f.span.end > c) continue;
    const std::string_view value = text.substr(f.span.begin, f.span.size());
    if (allowed.count(fingerprint(value))) continue;
    out->counts[f.entity_type]++;
    out->classes[f.entity_type] = std::string(detect::DataClassName(f.data_class));
    if (action == config::OutputAction::kBlock) out->blocked = true;
    if (action != config::OutputAction::kAllow) reps.push_back({f.span, transform::RedactMarker(f.entity_type)});
  }
  *cut = c;
  if (out->blocked) return std::string();
  return transform::ApplyReplacements(text.substr(0, c), std::move(reps));
}

class WindowGuard final : public OutputGuard {
 public:
  WindowGuard(std::shared_ptr<const detect::Analyzer> a, config::OutputAction action, std::size_t hold,
              const std::set<std::string>* allowed, std::function<std::string(std::string_view)> fp,
              OutputFindings* findings)
      : a_(std::move(a)), action_(action), hold_(hold), allowed_(allowed), fp_(std::move(fp)), findings_(findings) {}

  Result<std::string> Feed(std::string_view piece) override {
    buf_.append(piece);
    if (buf_.size() <= hold_) return std::string();
    return Release(buf_.size() - hold_);
  }

  Result<std::string> Finish() override { return Release(buf_.size()); }

 private:
  Result<std::string> Release(std::size_t limit) {
    std::size_t cut = 0;
    auto out = ScanPrefix(*a_, action_, buf_, limit, *allowed_, fp_, findings_, &cut);
    if (!out.ok()) return out;
    buf_.erase(0, cut);
    return out;
  }

  std::shared_ptr<const detect::Analyzer> a_;
  config::OutputAction action_;
  std::size_t hold_;
  const std::set<std::string>* allowed_;
  std::function<std::string(std::string_view)> fp_;
  OutputFindings* findings_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<OutputGuard> MakeWindowGuard(std::shared_ptr<const detect::Analyzer> analyzer,
                                             config::OutputAction action, std::size_t hold_back,
                                             const std::set<std::string>* allowed,
                                             std::function<std::string(std::string_view)> fingerprint,
                                             OutputFindings* findings) {
  return std::make_unique<WindowGuard>(std::move(analyzer), action, hold_back, allowed, std::move(fingerprint),
                                       findings);
}

Result<std::string> GuardWhole(const detect::Analyzer& analyzer, config::OutputAction action,
                               std::string_view text, const std::set<std::string>& allowed,
                               const std::function<std::string(std::string_view)>& fingerprint,
                               OutputFindings* findings) {
  std::size_t cut = 0;
  return ScanPrefix(analyzer, action, text, text.size(), allowed, fingerprint, findings, &cut);
}

}  // namespace airlock::server
