// gitleaks-examples: per-rule true / false positive snippets for secrets.
#include <iostream>
#include <map>

#include "eval.h"

namespace airlock::eval {

nlohmann::json RunGitleaks(const EvalContext& ctx, std::ostream& out) {
  out << "## gitleaks-examples (credentials)\n\n";
  std::size_t credential_detectors = 0;
  for (const auto& d : ctx.catalog().detectors()) {
    if (d.data_class == detect::DataClass::kCredential) ++credential_detectors;
  }
  if (credential_detectors == 0) {
    out << "no credential detectors in catalog; skipped\n\n";
    return {{"skipped", "no credential detectors in catalog"}};
  }
  std::string path = ctx.datasets_dir + "/gitleaks-examples/examples.jsonl";
  std::vector<nlohmann::json> rows;
  std::string err;
  if (!ReadJsonl(path, &rows, &err)) {
    out << "data set not found at " << path << "; skipped\n\n";
    return {{"skipped", err}};
  }
  out << credential_detectors
      << " credential detectors. A `secret: true` row is detected when any finding of data "
         "class credential is reported in it; a `secret: false` row is a false positive when "
         "one is. Labels are per gitleaks rule: a false-positive row may still hold a secret "
         "that another rule would match, so FP here is an upper bound.\n\n";
  struct Stats {
    Counts c;
    std::map<std::string, std::size_t> by_detector;
  };
  std::map<std::string, Stats> stats;
  Counts total;
  for (const auto& r : rows) {
    std::string rule = r["rule"].get<std::string>();
    std::string text = r["text"].get<std::string>();
    bool secret = r["secret"].get<bool>();
    auto found = ctx.analyzer->Analyze(text);
    if (!found.ok()) continue;
    bool hit = false;
    auto& st = stats[rule];
    for (const auto& f : *found) {
      if (f.data_class != detect::DataClass::kCredential) continue;
      hit = true;
      ++st.by_detector[f.detector];
    }
    Counts c;
    if (secret) {
      (hit ? c.tp : c.fn)++;
    } else {
      (hit ? c.fp : c.tn)++;
    }
    st.c.Add(c);
    total.Add(c);
    if (ctx.dump_errors && hit != secret) {
      std::cerr << "gitleaks " << (secret ? "FN " : "FP ") << rule << "\n";
    }
  }
  out << "| gitleaks rule | secret rows detected | non-secret rows reported | our detectors |\n";
  out << "|---|--:|--:|---|\n";
  nlohmann::json rules = nlohmann::json::object();
  for (const auto& [rule, st] : stats) {
    std::string dets;
    for (const auto& [d, n] : st.by_detector) dets += (dets.empty() ? "" : ", ") + d;
    out << "| " << rule << " | " << st.c.tp << "/" << st.c.tp + st.c.fn << " | " << st.c.fp
        << "/" << st.c.fp + st.c.tn << " | " << dets << " |\n";
    nlohmann::json byd = st.by_detector;
    rules[rule] = {{"counts", st.c.ToJson()}, {"detectors", byd}};
  }
  out << "| *all* | " << total.tp << "/" << total.tp + total.fn << " (recall "
      << Ratio(total.Recall()) << ") | " << total.fp << "/" << total.fp + total.tn << " | |\n\n";
  return {{"credential_detectors", credential_detectors}, {"rules", rules}, {"all", total.ToJson()}};
}

}  // namespace airlock::eval
