// presidio-synth-v2: 1,500 synthetic sentences with labelled spans.
#include <fstream>
#include <iostream>
#include <map>

#include "eval.h"

namespace airlock::eval {

namespace {

// Presidio label ← our detectors. Our entity types are mostly Presidio's
// names; where they differ, or where the label is broader than our detector
// (DATE_TIME is every date, we report dates of birth), the row says so.
struct LabelMapping {
  const char* presidio;
  Target ours;
  const char* note;
};

const LabelMapping kMappings[] = {
    {"PERSON", {{"person_name"}, {"PERSON"}}, ""},
    {"EMAIL_ADDRESS", {{"email"}, {"EMAIL_ADDRESS"}}, ""},
    {"PHONE_NUMBER", {{"phone", "phone_shape"}, {"PHONE_NUMBER"}}, ""},
    {"CREDIT_CARD", {{"credit_card"}, {"CREDIT_CARD"}}, ""},
    {"IBAN_CODE", {{"iban"}, {"IBAN_CODE"}}, ""},
    {"US_SSN", {{"us_ssn"}, {"US_SSN"}}, ""},
    {"IP_ADDRESS", {{"ipv4", "ipv6", "ip"}, {"IP_ADDRESS"}}, ""},
    {"DOMAIN_NAME", {{"domain"}, {"DOMAIN_NAME", "URL"}}, ""},
    {"DATE_TIME",
     {{"date_of_birth"}, {"DATE_OF_BIRTH", "DATE_TIME", "DATE"}},
     "gold is every date/time; we report dates of birth only"},
    {"ZIP_CODE",
     {{"uk_postcode", "nl_postcode", "eircode"}, {"ZIP_CODE", "POSTCODE", "POSTAL_CODE"}},
     "gold is mostly US ZIP codes"},
    {"STREET_ADDRESS", {{}, {"STREET_ADDRESS", "ADDRESS"}}, ""},
    {"US_DRIVER_LICENSE", {{}, {"US_DRIVER_LICENSE"}}, ""},
    {"ORGANIZATION", {{}, {"ORGANIZATION"}}, ""},
    {"GPE", {{}, {"GPE", "LOCATION"}}, ""},
    {"TITLE", {{}, {"TITLE"}}, ""},
    {"NRP", {{}, {"NRP"}}, ""},
    {"AGE", {{}, {"AGE"}}, ""},
};

struct TypeStats {
  Counts overlap;
  Counts exact;
  std::size_t gold = 0;
  std::size_t pred = 0;
  std::size_t split = 0;  // FPs that overlap an already matched gold span of the type
  // FPs that overlap a gold span of another label (a ZIP code inside a
  // labelled street address, a person's name inside an organisation).
  std::map<std::string, std::size_t> inside_other;
  std::map<std::string, std::size_t> fp_by_detector;
};

}  // namespace

nlohmann::json RunSynth(const EvalContext& ctx, std::ostream& out) {
  out << "## presidio-synth-v2 (synthetic PII text)\n\n";
  std::string path = ctx.datasets_dir + "/presidio-synth-v2/synth_dataset_v2.json";
  std::ifstream in(path);
  if (!in) {
    out << "data set not found at " << path << "; skipped\n\n";
    return {{"skipped", "not found: " + path}};
  }
  nlohmann::json records = nlohmann::json::parse(in, nullptr, false);
  if (!records.is_array()) {
    out << "cannot parse " << path << "; skipped\n\n";
    return {{"skipped", "unparsable"}};
  }

  // Our entity type → Presidio label.
  std::map<std::string, std::string> to_presidio;
  std::map<std::string, std::set<std::string>> ours_for;
  for (const auto& m : kMappings) {
    for (const auto& t : ResolveEntityTypes(ctx.catalog(), m.ours)) {
      if (to_presidio.emplace(t, m.presidio).second) ours_for[m.presidio].insert(t);
    }
  }

  std::map<std::string, TypeStats> stats;  // by Presidio label
  std::set<std::string> labelled;
  for (const auto& r : records) {
    for (const auto& s : r["spans"]) labelled.insert(s["entity_type"].get<std::string>());
  }
  std::map<std::string, std::size_t> unlabelled;  // our type → findings
  std::size_t n_records = 0;
  std::size_t step = ctx.quick ? 10 : 1;
  for (std::size_t ri = 0; ri < records.size(); ri += step) {
    const auto& r = records[ri];
    ++n_records;
    std::string text = r["full_text"].get<std::string>();
    auto cp = CodePointToByte(text);
    std::map<std::string, std::vector<ByteSpan>> gold;
    for (const auto& s : r["spans"]) {
      auto b = s["start_position"].get<std::size_t>();
      auto e = s["end_position"].get<std::size_t>();
      if (e >= cp.size() || b > e) continue;  // cannot happen in this data set
      gold[s["entity_type"].get<std::string>()].push_back({cp[b], cp[e]});
    }
    auto found = ctx.analyzer->Analyze(text);
    if (!found.ok()) {
      std::cerr << "analyze failed: " << found.status().ToString() << "\n";
      continue;
    }
    std::map<std::string, std::vector<const detect::Finding*>> pred;
    for (const auto& f : *found) {
      auto it = to_presidio.find(f.entity_type);
      if (it == to_presidio.end() || labelled.count(it->second) == 0) {
        ++unlabelled[f.entity_type];
        continue;
      }
      pred[it->second].push_back(&f);
    }
    std::set<std::string> types;
    for (const auto& [t, v] : gold) types.insert(t);
    for (const auto& [t, v] : pred) types.insert(t);
    for (const auto& t : types) {
      auto& st = stats[t];
      const auto& g = gold[t];
      std::vector<ByteSpan> p;
      for (const auto* f : pred[t]) p.push_back(f->span);
      st.gold += g.size();
      st.pred += p.size();
      std::vector<bool> gm, pm;
      std::size_t m = MatchOverlap(g, p, &gm, &pm);
      st.overlap.tp += m;
      st.overlap.fp += p.size() - m;
      st.overlap.fn += g.size() - m;
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (pm[i]) continue;
        bool touches = false;
        for (const auto& gs : g) touches = touches || gs.Overlaps(p[i]);
        if (touches) ++st.split;
        for (const auto& [other, spans] : gold) {
          if (other == t) continue;
          bool inside = false;
          for (const auto& gs : spans) inside = inside || gs.Overlaps(p[i]);
          if (inside) {
            ++st.inside_other[other];
            break;
          }
        }
        ++st.fp_by_detector[pred[t][i]->detector];
        if (ctx.dump_errors) {
          std::cerr << "synth FP " << t << " [" << pred[t][i]->detector << "] "
                    << text.substr(p[i].begin, p[i].size()) << "\n";
        }
      }
      if (ctx.dump_errors) {
        for (std::size_t i = 0; i < g.size(); ++i) {
          if (!gm[i]) std::cerr << "synth FN " << t << " " << text.substr(g[i].begin, g[i].size()) << "\n";
        }
      }
      std::size_t exact = 0;
      std::vector<bool> used(p.size(), false);
      for (const auto& gs : g) {
        for (std::size_t i = 0; i < p.size(); ++i) {
          if (!used[i] && p[i] == gs) {
            used[i] = true;
            ++exact;
            break;
          }
        }
      }
      st.exact.tp += exact;
      st.exact.fp += p.size() - exact;
      st.exact.fn += g.size() - exact;
    }
  }

  out << n_records << " records";
  if (ctx.quick) out << " (every 10th)";
  out << ". Overlap: a finding that overlaps a gold span of the same type is a true "
         "positive, one-to-one (a second finding inside the same gold span is a false "
         "positive, counted under \"split\"). Exact: byte-identical spans. \"FP in other label\": "
         "false positives that overlap a gold span of another label (for example a ZIP code "
         "inside an address that the data set labels as one STREET_ADDRESS).\n\n";
  out << "| Presidio label | our entity types | gold | found | overlap P | overlap R | "
         "overlap F1 | exact P | exact R | exact F1 | split | FP in other label |\n";
  out << "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  nlohmann::json types_json = nlohmann::json::object();
  Counts total_overlap, total_exact;
  std::vector<std::string> order;
  for (const auto& m : kMappings) order.push_back(m.presidio);
  for (const auto& [t, st] : stats) {
    if (std::find(order.begin(), order.end(), t) == order.end()) order.push_back(t);
  }
  for (const auto& t : order) {
    if (labelled.count(t) == 0) continue;
    auto& st = stats[t];
    std::string ours;
    for (const auto& o : ours_for[t]) ours += (ours.empty() ? "" : ", ") + o;
    if (ours.empty()) ours = "(no detector)";
    out << "| " << t << " | " << ours << " | " << st.gold << " | " << st.pred << " | "
        << Ratio(st.overlap.Precision()) << " | " << Ratio(st.overlap.Recall()) << " | **"
        << Ratio(st.overlap.F1()) << "** | " << Ratio(st.exact.Precision()) << " | "
        << Ratio(st.exact.Recall()) << " | " << Ratio(st.exact.F1()) << " | " << st.split
        << " | ";
    std::size_t in_other = 0;
    for (const auto& [o, n] : st.inside_other) in_other += n;
    out << in_other << " |\n";
    nlohmann::json fpd = st.fp_by_detector;
    types_json[t] = {{"ours", ours_for[t]},     {"gold", st.gold},
                     {"found", st.pred},        {"overlap", st.overlap.ToJson()},
                     {"exact", st.exact.ToJson()}, {"split", st.split},
                     {"fp_by_detector", fpd}, {"fp_inside_other_label", st.inside_other}};
    if (!ours_for[t].empty()) {
      total_overlap.Add(st.overlap);
      total_exact.Add(st.exact);
    }
  }
  out << "| *all covered labels* | | " << total_overlap.tp + total_overlap.fn << " | "
      << total_overlap.tp + total_overlap.fp << " | " << Ratio(total_overlap.Precision())
      << " | " << Ratio(total_overlap.Recall()) << " | **" << Ratio(total_overlap.F1())
      << "** | " << Ratio(total_exact.Precision()) << " | " << Ratio(total_exact.Recall())
      << " | " << Ratio(total_exact.F1()) << " | | |\n\n";

  bool any_fp = false;
  for (const auto& t : order) {
    const auto& st = stats[t];
    if (st.fp_by_detector.empty()) continue;
    if (!any_fp) out << "False positives (overlap) by detector: ";
    for (const auto& [d, n] : st.fp_by_detector) {
      out << (any_fp ? ", " : "") << d << " " << n;
      any_fp = true;
    }
  }
  if (any_fp) out << ".\n\n";

  if (!unlabelled.empty()) {
    out << "Findings of types this data set does not label (not scored): ";
    bool first = true;
    for (const auto& [t, n] : unlabelled) {
      out << (first ? "" : ", ") << t << " " << n;
      first = false;
    }
    out << ".\n\n";
  }
  nlohmann::json unl = unlabelled;
  return {{"records", n_records},
          {"types", types_json},
          {"all_covered", {{"overlap", total_overlap.ToJson()}, {"exact", total_exact.ToJson()}}},
          {"unlabelled_types", unl}};
}

}  // namespace airlock::eval
