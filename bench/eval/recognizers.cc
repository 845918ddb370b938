// presidio-recognizer-vectors: the parametrised cases of Presidio's
// recognizer tests. The expectations are Presidio's behaviour, not ground
// truth, so this section reports agreement, not accuracy.
#include <iostream>
#include <map>

#include "eval.h"

namespace airlock::eval {

namespace {

struct RecognizerMapping {
  const char* recognizer;
  Target ours;
  const char* note;
};

const RecognizerMapping kRecognizers[] = {
    {"credit_card", {{"credit_card"}, {"CREDIT_CARD"}}, ""},
    {"iban", {{"iban"}, {"IBAN_CODE"}}, ""},
    {"email", {{"email"}, {"EMAIL_ADDRESS"}}, ""},
    {"ip", {{"ipv4", "ipv6", "ip"}, {"IP_ADDRESS"}}, ""},
    {"phone", {{"phone", "phone_shape"}, {"PHONE_NUMBER"}}, ""},
    {"url", {{"domain"}, {"DOMAIN_NAME", "URL"}}, ""},
    {"date", {{"date_of_birth"}, {"DATE_OF_BIRTH", "DATE_TIME"}},
     "Presidio reports every date; we report dates of birth only"},
    {"us_ssn", {{"us_ssn"}, {"US_SSN"}}, ""},
    {"uk_nhs", {{"uk_nhs"}, {"UK_NHS"}}, ""},
    {"uk_nino", {{"uk_nino"}, {"UK_NINO"}}, ""},
    {"uk_postcode", {{"uk_postcode"}, {"UK_POSTCODE"}}, ""},
    {"es_nif", {{"es_nif", "es_dni"}, {"ES_NIF"}}, ""},
    {"es_nie", {{"es_nie"}, {"ES_NIE"}}, ""},
    {"it_fiscal_code", {{"it_codice_fiscale"}, {"IT_FISCAL_CODE"}}, ""},
    {"it_vat_code", {{"eu_vat", "it_vat"}, {"IT_VAT_CODE"}},
     "Presidio accepts bare 11-digit numbers; our VAT detector wants the IT prefix"},
    {"pl_pesel", {{"pl_pesel"}, {"PL_PESEL"}}, ""},
    {"se_personnummer", {{"se_personnummer"}, {"SE_PERSONNUMMER"}}, ""},
    {"fi_personal_identity_code", {{"fi_hetu"}, {"FI_PERSONAL_IDENTITY_CODE"}}, ""},
    {"de_tax_id", {{"de_steuer_id"}, {"DE_TAX_ID"}}, ""},
    {"de_vat_id", {{"eu_vat", "de_vat"}, {"DE_VAT_ID"}}, ""},
    {"de_tax_number", {{"de_stnr", "de_steuernummer"}, {"DE_TAX_NUMBER"}}, ""},
    {"mac", {{"mac"}, {"MAC_ADDRESS"}}, ""},
    {"crypto", {{"crypto", "btc_address"}, {"CRYPTO"}}, ""},
    {"us_bank", {{}, {"US_BANK_NUMBER"}}, ""},
    {"aba_routing", {{"aba_routing"}, {"ABA_ROUTING_NUMBER"}}, ""},
    {"us_passport", {{}, {"US_PASSPORT"}}, ""},
    {"us_driver_license", {{}, {"US_DRIVER_LICENSE"}}, ""},
    {"us_itin", {{"us_itin"}, {"US_ITIN"}}, ""},
    {"uk_passport", {{}, {"UK_PASSPORT"}}, ""},
    {"de_passport", {{}, {"DE_PASSPORT"}}, ""},
    {"de_id_card", {{}, {"DE_ID_CARD"}}, ""},
    {"es_passport", {{}, {"ES_PASSPORT"}}, ""},
};

}  // namespace

nlohmann::json RunRecognizers(const EvalContext& ctx, std::ostream& out) {
  out << "## presidio-recognizer-vectors (agreement with Presidio's recognizer tests)\n\n";
  std::string path = ctx.datasets_dir + "/presidio-recognizer-vectors/vectors.jsonl";
  std::vector<nlohmann::json> rows;
  std::string err;
  if (!ReadJsonl(path, &rows, &err)) {
    out << "data set not found at " << path << "; skipped\n\n";
    return {{"skipped", err}};
  }
  out << "These expectations describe what Presidio's recognizers return (for example, "
         "0 results for a bad checksum, or a hit on a bare number without context), not "
         "ground truth, so a disagreement is not always our error. Where spans are given, "
         "findings of the mapped types are matched to them by overlap, one-to-one; where "
         "only a count is given, min(expected, found) counts as agreeing. \"rows agree\": "
         "same count (and every span matched).\n\n";

  std::map<std::string, const RecognizerMapping*> by_name;
  for (const auto& m : kRecognizers) by_name[m.recognizer] = &m;
  struct Stats {
    Counts c;
    std::size_t rows = 0, agree = 0, positive = 0;
  };
  std::map<std::string, Stats> stats;
  std::map<std::string, std::size_t> unmapped;
  std::map<std::string, std::set<std::string>> types_for;
  for (const auto& r : rows) {
    std::string rec = r["recognizer"].get<std::string>();
    auto mit = by_name.find(rec);
    if (mit == by_name.end()) {
      ++unmapped[rec];
      continue;
    }
    if (types_for.count(rec) == 0) types_for[rec] = ResolveEntityTypes(ctx.catalog(), mit->second->ours);
    const auto& types = types_for[rec];
    if (types.empty()) {
      ++unmapped[rec];
      continue;
    }
    auto& st = stats[rec];
    ++st.rows;
    std::string text = r["text"].get<std::string>();
    auto expected = r["expected_count"].get<std::size_t>();
    if (expected > 0) ++st.positive;
    auto found = ctx.analyzer->Analyze(text);
    if (!found.ok()) continue;
    std::vector<ByteSpan> pred;
    for (const auto& f : *found) {
      if (types.count(f.entity_type) != 0) pred.push_back(f.span);
    }
    Counts c;
    if (r["expected_spans"].is_array()) {
      auto cp = CodePointToByte(text);
      std::vector<ByteSpan> gold;
      for (const auto& s : r["expected_spans"]) {
        auto b = s[0].get<std::size_t>();
        auto e = s[1].get<std::size_t>();
        if (e < cp.size() && b <= e) gold.push_back({cp[b], cp[e]});
      }
      std::vector<bool> gm, pm;
      std::size_t m = MatchOverlap(gold, pred, &gm, &pm);
      c.tp = m;
      c.fp = pred.size() - m;
      c.fn = gold.size() - m;
    } else {
      c.tp = std::min(expected, pred.size());
      c.fp = pred.size() > expected ? pred.size() - expected : 0;
      c.fn = expected > pred.size() ? expected - pred.size() : 0;
    }
    if (expected == 0 && pred.empty()) c.tn = 1;
    if (c.fp == 0 && c.fn == 0) {
      ++st.agree;
    } else if (ctx.dump_errors) {
      std::cerr << "recognizer " << rec << " expected " << expected << " found " << pred.size()
                << ": " << text << "\n";
    }
    st.c.Add(c);
  }

  out << "| Presidio recognizer | our entity types | rows (positive) | rows agree | P | R | "
         "**F1** | note |\n";
  out << "|---|---|--:|--:|--:|--:|--:|---|\n";
  nlohmann::json recs = nlohmann::json::object();
  for (const auto& m : kRecognizers) {
    auto it = stats.find(m.recognizer);
    if (it == stats.end()) continue;
    const auto& st = it->second;
    std::string ours;
    for (const auto& t : types_for[m.recognizer]) ours += (ours.empty() ? "" : ", ") + t;
    out << "| " << m.recognizer << " | " << ours << " | " << st.rows << " (" << st.positive
        << ") | " << st.agree << " | " << Ratio(st.c.Precision()) << " | "
        << Ratio(st.c.Recall()) << " | **" << Ratio(st.c.F1()) << "** | " << m.note << " |\n";
    recs[m.recognizer] = {{"ours", types_for[m.recognizer]},
                          {"rows", st.rows},
                          {"positive_rows", st.positive},
                          {"rows_agree", st.agree},
                          {"counts", st.c.ToJson()}};
  }
  out << "\n";
  if (!unmapped.empty()) {
    out << "Not covered (no mapped detector in the catalog; rows): ";
    bool first = true;
    for (const auto& [r, n] : unmapped) {
      out << (first ? "" : ", ") << r << " " << n;
      first = false;
    }
    out << ".\n\n";
  }
  nlohmann::json unm = unmapped;
  return {{"recognizers", recs}, {"not_covered", unm}};
}

}  // namespace airlock::eval
