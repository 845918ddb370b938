// stdnum-vectors: identifier strings labelled valid/invalid by python-stdnum.
#include <iostream>
#include <map>

#include "eval.h"

namespace airlock::eval {

namespace {

// python-stdnum scheme → our detectors. Validator names that do not exist
// yet are listed on purpose: a detector that later uses them is picked up.
struct SchemeMapping {
  const char* scheme;
  bool checksummed;  // the scheme has a check digit / check character
  Target ours;
};

const SchemeMapping kSchemes[] = {
    {"iban", true, {{"iban"}, {"IBAN_CODE"}}},
    {"be.iban", true, {{"iban"}, {"IBAN_CODE"}}},
    {"bic", false, {{"bic"}, {"SWIFT_CODE", "BIC"}}},
    {"imei", true, {{"imei"}, {"IMEI"}}},
    {"isin", true, {{"isin"}, {"ISIN"}}},
    {"lei", true, {{"lei"}, {"LEI"}}},
    {"eu.vat", true, {{"eu_vat"}, {"VAT_ID"}}},
    {"at.tin", true, {{"at_tin"}, {}}},
    {"be.nn", true, {{"be_nn"}, {}}},
    {"be.vat", true, {{"eu_vat", "be_vat"}, {}}},
    {"bg.egn", true, {{"bg_egn"}, {}}},
    {"bg.vat", true, {{"eu_vat", "bg_vat"}, {}}},
    {"ch.esr", true, {{"ch_esr"}, {}}},
    {"ch.ssn", true, {{"ch_ssn"}, {}}},
    {"ch.uid", true, {{"eu_vat", "ch_uid"}, {}}},
    {"ch.vat", true, {{"eu_vat", "ch_vat"}, {}}},
    {"cz.bankaccount", true, {{"cz_bankaccount"}, {}}},
    {"cz.rc", true, {{"cz_rc"}, {}}},
    {"de.handelsregisternummer", false, {{"de_handelsregister"}, {}}},
    {"de.idnr", true, {{"de_steuer_id", "de_idnr"}, {}}},
    {"de.stnr", false, {{"de_stnr", "de_steuernummer"}, {}}},
    {"de.wkn", false, {{"de_wkn"}, {}}},
    {"ee.ik", true, {{"ee_ik"}, {}}},
    {"ee.registrikood", true, {{"ee_registrikood"}, {}}},
    {"es.cups", true, {{"es_cups"}, {}}},
    {"es.nif", true, {{"es_nif", "es_dni", "es_nie"}, {}}},
    {"es.referenciacatastral", true, {{"es_referencia_catastral"}, {}}},
    {"fi.hetu", true, {{"fi_hetu"}, {}}},
    {"fr.siren", true, {{"fr_siren"}, {}}},
    {"fr.siret", true, {{"fr_siret"}, {}}},
    {"fr.tva", true, {{"eu_vat", "fr_tva"}, {}}},
    {"gb.sedol", true, {{"gb_sedol"}, {}}},
    {"gb.utr", true, {{"gb_utr"}, {}}},
    {"gb.vat", true, {{"eu_vat", "gb_vat"}, {}}},
    {"gr.amka", true, {{"gr_amka"}, {}}},
    {"ie.pps", true, {{"ie_pps"}, {}}},
    {"ie.vat", true, {{"eu_vat", "ie_vat"}, {}}},
    {"is_.kennitala", true, {{"is_kennitala"}, {}}},
    {"it.aic", true, {{"it_aic"}, {}}},
    {"it.codicefiscale", true, {{"it_codice_fiscale"}, {}}},
    {"li.peid", false, {{"li_peid"}, {}}},
    {"lt.asmens", true, {{"lt_asmens"}, {}}},
    {"no.fodselsnummer", true, {{"no_fodselsnummer"}, {}}},
    {"no.mva", true, {{"eu_vat", "no_mva"}, {}}},
    {"pl.regon", true, {{"pl_regon"}, {}}},
    {"pt.cc", true, {{"pt_cc"}, {}}},
    {"ro.onrc", false, {{"ro_onrc"}, {}}},
    {"se.personnummer", true, {{"se_personnummer"}, {}}},
    {"se.postnummer", false, {{"se_postnummer"}, {}}},
    {"si.emso", true, {{"si_emso"}, {}}},
};

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// True when findings of `types` cover at least 80% of the letters and
// digits of text[value]: a finding that drops a country prefix or a suffix
// still counts, a finding on a fragment does not.
bool Covers(const std::vector<detect::Finding>& findings, const std::set<std::string>& types,
            std::string_view text, ByteSpan value) {
  std::size_t total = 0, covered = 0;
  for (std::size_t i = value.begin; i < value.end; ++i) {
    if (!IsAlnum(text[i])) continue;
    ++total;
    for (const auto& f : findings) {
      if (types.count(f.entity_type) != 0 && f.span.begin <= i && i < f.span.end) {
        ++covered;
        break;
      }
    }
  }
  return total > 0 && covered * 5 >= total * 4;
}

bool CoveredByOther(const std::vector<detect::Finding>& findings,
                    const std::set<std::string>& types, ByteSpan value) {
  for (const auto& f : findings) {
    if (types.count(f.entity_type) == 0 && f.span.Overlaps(value)) return true;
  }
  return false;
}

struct SchemeStats {
  Counts alone;
  Counts context;
  std::size_t valid = 0, invalid = 0;
  std::size_t other_type = 0;  // rows where another type's finding overlaps the value
};

}  // namespace

nlohmann::json RunStdnum(const EvalContext& ctx, std::ostream& out) {
  out << "## stdnum-vectors (identifiers, valid / invalid per python-stdnum 1.18)\n\n";
  std::string path = ctx.datasets_dir + "/stdnum-vectors/vectors.jsonl";
  std::vector<nlohmann::json> rows;
  std::string err;
  if (!ReadJsonl(path, &rows, &err)) {
    out << "data set not found at " << path << "; skipped\n\n";
    return {{"skipped", err}};
  }

  std::map<std::string, const SchemeMapping*> by_scheme;
  for (const auto& m : kSchemes) by_scheme[m.scheme] = &m;
  std::map<std::string, std::set<std::string>> types_for;
  std::map<std::string, std::string> word_for;
  std::map<std::string, SchemeStats> stats;
  std::map<std::string, std::size_t> unmapped_rows;

  std::size_t step = ctx.quick ? 7 : 1;
  for (std::size_t ri = 0; ri < rows.size(); ri += step) {
    const auto& r = rows[ri];
    std::string scheme = r["scheme"].get<std::string>();
    std::string value = r["value"].get<std::string>();
    bool valid = r["valid"].get<bool>();
    auto& st = stats[scheme];
    (valid ? st.valid : st.invalid)++;
    auto mit = by_scheme.find(scheme);
    if (mit == by_scheme.end()) {
      ++unmapped_rows[scheme];
      continue;
    }
    if (types_for.count(scheme) == 0) {
      types_for[scheme] = ResolveEntityTypes(ctx.catalog(), mit->second->ours);
      word_for[scheme] = ContextWordFor(ctx.catalog(), types_for[scheme]);
    }
    const auto& types = types_for[scheme];
    if (types.empty()) continue;

    auto score = [&](const std::string& text, ByteSpan span, Counts* c, bool count_other) {
      auto found = ctx.analyzer->Analyze(text);
      if (!found.ok()) return;
      bool hit = Covers(*found, types, text, span);
      if (count_other && CoveredByOther(*found, types, span)) ++st.other_type;
      if (valid) {
        (hit ? c->tp : c->fn)++;
      } else {
        (hit ? c->fp : c->tn)++;
      }
      if (ctx.dump_errors && hit != valid) {
        std::cerr << "stdnum " << (valid ? "FN " : "FP ") << scheme << " " << text << "\n";
      }
    };
    score(value, {0, value.size()}, &st.alone, true);
    std::string word = word_for[scheme].empty() ? "number" : word_for[scheme];
    std::string sentence = "The " + word + " is " + value + ".";
    std::size_t at = 5 + word.size() + 4;
    score(sentence, {at, at + value.size()}, &st.context, false);
  }

  out << "Each value is analysed alone, and again inside \"The <context word> is <value>.\" "
         "(the word comes from the detector's context list). Valid row: true positive when "
         "a finding of the mapped type covers at least 80% of the value's letters and digits, "
         "else false negative. Invalid row: false positive when such a finding exists, else "
         "true negative. \"other\" counts rows where a finding of another type overlaps the "
         "value (alone).";
  if (ctx.quick) out << " QUICK: every 7th row.";
  out << "\n\n";
  out << "| scheme | check | our entity types | valid | invalid | P | R | **F1** | TN | FP | "
         "F1 in context | FP in context | other |\n";
  out << "|---|:-:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  nlohmann::json schemes = nlohmann::json::object();
  std::vector<std::string> not_covered;
  Counts total_alone, total_context;
  for (const auto& m : kSchemes) {
    auto sit = stats.find(m.scheme);
    if (sit == stats.end()) continue;
    const auto& st = sit->second;
    const auto& types = types_for[m.scheme];
    if (types.empty()) {
      not_covered.push_back(std::string(m.scheme) + " (" + std::to_string(st.valid) + "/" +
                            std::to_string(st.invalid) + ")");
      schemes[m.scheme] = {{"covered", false}, {"checksummed", m.checksummed},
                           {"valid", st.valid}, {"invalid", st.invalid}};
      continue;
    }
    std::string ours;
    for (const auto& t : types) ours += (ours.empty() ? "" : ", ") + t;
    out << "| " << m.scheme << " | " << (m.checksummed ? "yes" : "no") << " | " << ours << " | "
        << st.valid << " | " << st.invalid << " | " << Ratio(st.alone.Precision()) << " | "
        << Ratio(st.alone.Recall()) << " | **" << Ratio(st.alone.F1()) << "** | " << st.alone.tn
        << " | " << st.alone.fp << " | " << Ratio(st.context.F1()) << " | " << st.context.fp
        << " | " << st.other_type << " |\n";
    total_alone.Add(st.alone);
    total_context.Add(st.context);
    schemes[m.scheme] = {{"covered", true},
                         {"checksummed", m.checksummed},
                         {"ours", types},
                         {"context_word", word_for[m.scheme]},
                         {"valid", st.valid},
                         {"invalid", st.invalid},
                         {"alone", st.alone.ToJson()},
                         {"in_context", st.context.ToJson()},
                         {"other_type_rows", st.other_type}};
  }
  out << "| *all covered* | | | " << total_alone.tp + total_alone.fn << " | "
      << total_alone.fp + total_alone.tn << " | " << Ratio(total_alone.Precision()) << " | "
      << Ratio(total_alone.Recall()) << " | **" << Ratio(total_alone.F1()) << "** | "
      << total_alone.tn << " | " << total_alone.fp << " | " << Ratio(total_context.F1())
      << " | " << total_context.fp << " | |\n\n";
  if (!not_covered.empty()) {
    out << "Not covered (no detector in the catalog; valid/invalid rows): ";
    for (std::size_t i = 0; i < not_covered.size(); ++i) {
      out << (i ? ", " : "") << not_covered[i];
    }
    out << ".\n\n";
  }
  for (const auto& [s, n] : unmapped_rows) {
    out << "Scheme without a mapping in this program: " << s << " (" << n << " rows).\n";
  }
  return {{"schemes", schemes},
          {"all_covered", {{"alone", total_alone.ToJson()}, {"in_context", total_context.ToJson()}}},
          {"not_covered", not_covered}};
}

}  // namespace airlock::eval
