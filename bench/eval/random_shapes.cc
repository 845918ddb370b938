// Random strings of each identifier's shape: how often does the check alone,
// and the full analyzer, report one? Compared with what the check allows in
// theory (1 in 10 for one decimal check digit, 1 in 97 for mod 97, ...).
//
// Shapes carry a plausible date where the identifier embeds one, so that the
// measured rate isolates the check digit rather than the calendar.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "airlock/detect/validators.h"
#include "eval.h"

namespace airlock::eval {

namespace {

using Rng = std::mt19937_64;

int Uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Uniform(rng, 0, 9)));
  return s;
}

char Pick(Rng& rng, std::string_view alphabet) {
  return alphabet[static_cast<std::size_t>(Uniform(rng, 0, static_cast<int>(alphabet.size()) - 1))];
}

std::string Picks(Rng& rng, std::string_view alphabet, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(Pick(rng, alphabet));
  return s;
}

std::string Two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

struct Date {
  int y, m, d;
};

// A real calendar date between 1930 and 2009.
Date RandomDate(Rng& rng) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  Date dt{Uniform(rng, 1930, 2009), Uniform(rng, 1, 12), 1};
  int days = kDays[dt.m - 1];
  if (dt.m == 2 && dt.y % 4 == 0 && (dt.y % 100 != 0 || dt.y % 400 == 0)) days = 29;
  dt.d = Uniform(rng, 1, days);
  return dt;
}

std::string YYMMDD(const Date& d) { return Two(d.y % 100) + Two(d.m) + Two(d.d); }
std::string DDMMYY(const Date& d) { return Two(d.d) + Two(d.m) + Two(d.y % 100); }

struct Shape {
  const char* name;       // what is generated
  const char* validator;  // registry name
  const char* check;      // the check, in words
  double theory;          // acceptance rate the check allows; < 0: no check
  std::function<std::string(Rng&)> gen;
};

std::vector<Shape> Shapes() {
  return {
      {"card: 16 digits, Visa/Mastercard prefix", "credit_card", "Luhn", 1.0 / 10,
       [](Rng& r) {
         static constexpr std::string_view kPrefixes[] = {"4", "51", "52", "53", "54", "55"};
         std::string p(kPrefixes[Uniform(r, 0, 5)]);
         return p + Digits(r, 16 - static_cast<int>(p.size()));
       }},
      {"card: 15 digits, Amex prefix", "credit_card", "Luhn", 1.0 / 10,
       [](Rng& r) { return std::string(Uniform(r, 0, 1) ? "34" : "37") + Digits(r, 13); }},
      {"IBAN: DE/AT/CH/PL/LT, right length, digits", "iban", "mod 97", 1.0 / 97,
       [](Rng& r) {
         static constexpr std::pair<const char*, int> kCountries[] = {
             {"DE", 22}, {"AT", 20}, {"CH", 21}, {"PL", 28}, {"LT", 20}};
         auto [cc, len] = kCountries[Uniform(r, 0, 4)];
         return std::string(cc) + Digits(r, len - 2);
       }},
      {"BIC: 4 letters, country, 2 (+3) alnum", "bic", "none (structure)", -1,
       [](Rng& r) {
         static constexpr std::string_view kCc[] = {"DE", "FR", "GB", "IT", "ES", "NL"};
         std::string s = Picks(r, kUpper, 4) + std::string(kCc[Uniform(r, 0, 5)]) + Picks(r, kAlnum, 2);
         if (Uniform(r, 0, 1)) s += Picks(r, kAlnum, 3);
         return s;
       }},
      {"DE Steuer-IdNr: 11 digits", "de_steuer_id", "mod 11,10 + digit-count rule", 1.0 / 10,
       [](Rng& r) { return std::string(1, static_cast<char>('1' + Uniform(r, 0, 8))) + Digits(r, 10); }},
      {"FR NIR: sex, YYMM, dept, 6 digits, key", "fr_nir", "mod 97", 1.0 / 97,
       [](Rng& r) {
         Date d = RandomDate(r);
         return std::to_string(Uniform(r, 1, 2)) + Two(d.y % 100) + Two(d.m) + Two(Uniform(r, 1, 95)) +
                Digits(r, 6) + Digits(r, 2);
       }},
      {"ES NIF (DNI shape)", "es_nif", "mod 23 letter", 1.0 / 23,
       [](Rng& r) { return Digits(r, 8) + Pick(r, "TRWAGMYFPDXBNJZSQVHLCKE"); }},
      {"ES NIE: X/Y/Z + 7 digits + letter", "es_nie", "mod 23 letter", 1.0 / 23,
       [](Rng& r) { return Pick(r, "XYZ") + Digits(r, 7) + Pick(r, "TRWAGMYFPDXBNJZSQVHLCKE"); }},
      {"IT codice fiscale: 6L 2D M 2D L 3D + letter", "it_codice_fiscale", "mod 26 letter", 1.0 / 26,
       [](Rng& r) {
         int day = Uniform(r, 1, 28) + (Uniform(r, 0, 1) ? 40 : 0);
         return Picks(r, kUpper, 6) + Digits(r, 2) + Pick(r, "ABCDEHLMPRST") + Two(day) +
                Pick(r, kUpper) + Digits(r, 3) + Pick(r, kUpper);
       }},
      {"NL BSN: 9 digits", "nl_bsn", "11-proof", 1.0 / 11, [](Rng& r) { return Digits(r, 9); }},
      {"BE national number: YYMMDD + 3 + 2", "be_nn", "mod 97 (two centuries)", 2.0 / 97,
       [](Rng& r) { return YYMMDD(RandomDate(r)) + Digits(r, 5); }},
      {"PL PESEL: YYMMDD + 5", "pl_pesel", "weighted mod 10", 1.0 / 10,
       [](Rng& r) {
         Date d = RandomDate(r);
         int mm = d.m + (d.y >= 2000 ? 20 : 0);
         return Two(d.y % 100) + Two(mm) + Two(d.d) + Digits(r, 5);
       }},
      {"SE personnummer: YYMMDD-NNNC", "se_personnummer", "Luhn", 1.0 / 10,
       [](Rng& r) { return YYMMDD(RandomDate(r)) + "-" + Digits(r, 4); }},
      {"DK CPR: DDMMYY-SSSS", "dk_cpr", "none since 2007 (date only)", -1,
       [](Rng& r) { return DDMMYY(RandomDate(r)) + "-" + Digits(r, 4); }},
      {"FI HETU: DDMMYY-NNNC", "fi_hetu", "mod 31 character", 1.0 / 31,
       [](Rng& r) {
         Date d = RandomDate(r);
         return DDMMYY(d) + (d.y >= 2000 ? "A" : "-") + Digits(r, 3) +
                Pick(r, "0123456789ABCDEFHJKLMNPRSTUVWXY");
       }},
      {"NO fødselsnummer: DDMMYY + 5", "no_fodselsnummer", "two mod 11 digits", 1.0 / 121,
       [](Rng& r) { return DDMMYY(RandomDate(r)) + Digits(r, 5); }},
      {"IS kennitala: DDMMYY + 3 + century", "is_kennitala", "mod 11", 1.0 / 11,
       [](Rng& r) {
         Date d = RandomDate(r);
         return DDMMYY(d) + Digits(r, 3) + (d.y >= 2000 ? "0" : "9");
       }},
      {"AT SVNR: 3 + check + DDMMYY", "at_svnr", "mod 11", 1.0 / 11,
       [](Rng& r) { return std::string(1, static_cast<char>('1' + Uniform(r, 0, 8))) + Digits(r, 3) + DDMMYY(RandomDate(r)); }},
      {"AT Steuernummer: NN-NNN/NNNN", "at_tin", "weighted mod 10 + office code", 1.0 / 10,
       [](Rng& r) { return Digits(r, 2) + "-" + Digits(r, 3) + "/" + Digits(r, 4); }},
      {"IE PPS: 7 digits + letter", "ie_pps", "mod 23 letter", 1.0 / 23,
       [](Rng& r) { return Digits(r, 7) + Pick(r, "ABCDEFGHIJKLMNOPQRSTUVW"); }},
      {"PT NIF: 9 digits", "pt_nif", "mod 11 (10→0)", 1.0 / 10,
       [](Rng& r) { return std::string(1, Pick(r, "1235689")) + Digits(r, 8); }},
      {"PT CC: 9 digits + 2 letters + digit", "pt_cc", "mod 10 over alnum", 1.0 / 10,
       [](Rng& r) { return Digits(r, 9) + Picks(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2) + Digits(r, 1); }},
      {"UK NINO: 2 letters, 6 digits, A-D", "uk_nino", "none (prefix rules)", -1,
       [](Rng& r) { return Picks(r, "ABCEGHJKLMNPRSTWXYZ", 2) + Digits(r, 6) + Pick(r, "ABCD"); }},
      {"UK NHS: 10 digits", "uk_nhs", "mod 11", 1.0 / 11, [](Rng& r) { return Digits(r, 10); }},
      {"US SSN: AAA-GG-SSSS", "us_ssn", "none (area/group/serial rules)", -1,
       [](Rng& r) { return Digits(r, 3) + "-" + Digits(r, 2) + "-" + Digits(r, 4); }},
      {"CH AHV: 756.NNNN.NNNN.NC", "ch_ssn", "EAN-13", 1.0 / 10,
       [](Rng& r) { return "756." + Digits(r, 4) + "." + Digits(r, 4) + "." + Digits(r, 2); }},
      {"GR AMKA: DDMMYY + 5", "gr_amka", "Luhn", 1.0 / 10,
       [](Rng& r) { return DDMMYY(RandomDate(r)) + Digits(r, 5); }},
      {"EE isikukood: G YYMMDD SSS C", "ee_ik", "two-pass mod 11", 1.0 / 10,
       [](Rng& r) {
         Date d = RandomDate(r);
         return std::to_string((d.y >= 2000 ? 5 : 3) + Uniform(r, 0, 1)) + YYMMDD(d) + Digits(r, 4);
       }},
      {"LT asmens kodas: G YYMMDD SSS C", "lt_asmens", "two-pass mod 11", 1.0 / 10,
       [](Rng& r) {
         Date d = RandomDate(r);
         return std::to_string((d.y >= 2000 ? 5 : 3) + Uniform(r, 0, 1)) + YYMMDD(d) + Digits(r, 4);
       }},
      {"BG EGN: YYMMDD + 4", "bg_egn", "mod 11 (10→0)", 1.0 / 10,
       [](Rng& r) {
         Date d = RandomDate(r);
         int mm = d.m + (d.y >= 2000 ? 40 : 0);
         return Two(d.y % 100) + Two(mm) + Two(d.d) + Digits(r, 4);
       }},
      {"SI EMŠO: DDMMYYY 50 SSS C", "si_emso", "mod 11", 1.0 / 11,
       [](Rng& r) {
         Date d = RandomDate(r);
         return Two(d.d) + Two(d.m) + std::to_string(d.y).substr(1) + "50" + Digits(r, 4);
       }},
      {"RO CNP: S YYMMDD JJ NNN C", "ro_cnp", "mod 11 (10→1)", 1.0 / 10,
       [](Rng& r) {
         Date d = RandomDate(r);
         return std::to_string((d.y >= 2000 ? 5 : 1) + Uniform(r, 0, 1)) + YYMMDD(d) +
                Two(Uniform(r, 1, 46)) + Digits(r, 4);
       }},
      {"VAT DE: DE + 9 digits", "eu_vat", "mod 11,10", 1.0 / 10,
       [](Rng& r) { return "DE" + std::string(1, static_cast<char>('1' + Uniform(r, 0, 8))) + Digits(r, 8); }},
      {"VAT AT: ATU + 8 digits", "eu_vat", "weighted mod 10", 1.0 / 10,
       [](Rng& r) { return "ATU" + Digits(r, 8); }},
      {"VAT IT: IT + 11 digits", "eu_vat", "Luhn + office-code range", 1.0 / 10, [](Rng& r) { return "IT" + Digits(r, 11); }},
      {"VAT FR: FR + 2-digit key + 9 digits", "eu_vat", "mod 97 key + SIREN Luhn", 1.0 / 970,
       [](Rng& r) { return "FR" + Digits(r, 11); }},
      {"Salesforce id: 18 alnum, reserved '0', 3-char case suffix", "salesforce_id",
       "case checksum (32^3)", 1.0 / 32768,
       [](Rng& r) {
         constexpr std::string_view kIdChars =
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
         return Picks(r, kIdChars, 5) + "0" + Picks(r, kIdChars, 9) +
                Picks(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", 3);
       }},
      {"date: DD.MM.YYYY (1930-2009)", "date_of_birth", "none (calendar)", -1,
       [](Rng& r) {
         Date d = RandomDate(r);
         return Two(d.d) + "." + Two(d.m) + "." + std::to_string(d.y);
       }},
  };
}

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

struct ScanCounts {
  std::size_t type_hits = 0;  // a finding of the detector's entity types overlaps the value
  std::size_t any_hits = 0;   // any finding overlaps the value
};

// Scans text built from each sample with `wrap` and counts overlapping
// findings; split across threads, deterministic in total.
ScanCounts ScanAll(const EvalContext& ctx, const std::vector<std::string>& samples, std::size_t n,
                   const std::set<std::string>& types, const std::string& prefix,
                   const std::string& suffix) {
  std::atomic<std::size_t> next{0}, type_hits{0}, any_hits{0};
  auto work = [&] {
    std::size_t t = 0, a = 0;
    std::string text;
    for (;;) {
      std::size_t i = next.fetch_add(256);
      if (i >= n) break;
      std::size_t end = std::min(n, i + 256);
      for (; i < end; ++i) {
        text = prefix + samples[i] + suffix;
        ByteSpan value{prefix.size(), prefix.size() + samples[i].size()};
        auto found = ctx.analyzer->Analyze(text);
        if (!found.ok()) continue;
        bool th = false, ah = false;
        for (const auto& f : *found) {
          if (!f.span.Overlaps(value)) continue;
          ah = true;
          if (types.count(f.entity_type) != 0) th = true;
        }
        t += th;
        a += ah;
      }
    }
    type_hits += t;
    any_hits += a;
  };
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < ctx.threads; ++k) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  return {type_hits.load(), any_hits.load()};
}

std::string Theory(double t) {
  if (t < 0) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "1/%.0f = %s", 1.0 / t, Percent(t).c_str());
  return b;
}

}  // namespace

nlohmann::json RunRandomShapes(const EvalContext& ctx, std::ostream& out) {
  out << "## Random strings of each identifier's shape\n\n";
  out << "Seed " << ctx.seed << ". \"check alone\": the validator called directly on "
      << ctx.random_n << " random strings per shape. \"alone\" / \"in context\": the full "
      << "analyzer (min score " << ctx.min_score << ") on the first " << ctx.random_analyzer_n
      << " of them, scanned alone and inside \"The <context word> is <value>.\"; a hit is a "
      << "finding of the detector's entity type overlapping the value. \"any type\": a "
      << "finding of any type overlapping the value, scanned alone. Date-bearing shapes use "
      << "real calendar dates, so the rate isolates the check digit.\n\n";
  out << "| shape | validator | check | allows | check alone | alone | in context | any type "
         "(alone) | context word |\n";
  out << "|---|---|---|--:|--:|--:|--:|--:|---|\n";
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& shape : Shapes()) {
    detect::ValidatorFn fn = detect::FindValidator(shape.validator);
    if (fn == nullptr) {
      out << "| " << shape.name << " | " << shape.validator << " | " << shape.check
          << " | | (no such validator) | | | | |\n";
      continue;
    }
    Rng rng(ctx.seed ^ Fnv1a(shape.name));
    std::vector<std::string> samples;
    samples.reserve(ctx.random_n);
    for (std::size_t i = 0; i < ctx.random_n; ++i) samples.push_back(shape.gen(rng));
    detect::ValidationContext vctx;
    vctx.default_region = ctx.region;
    std::size_t accepted = 0;
    for (const auto& s : samples) accepted += fn(s, vctx).valid ? 1 : 0;
    double check_rate = static_cast<double>(accepted) / static_cast<double>(samples.size());

    std::set<std::string> types = ResolveEntityTypes(ctx.catalog(), Target{{shape.validator}, {}});
    nlohmann::json row = {{"shape", shape.name},
                          {"validator", shape.validator},
                          {"check", shape.check},
                          {"theory", shape.theory < 0 ? nlohmann::json(nullptr) : nlohmann::json(shape.theory)},
                          {"n", samples.size()},
                          {"check_accepts", accepted},
                          {"check_rate", check_rate}};
    std::string alone = "no detector", context = "no detector", any = "—", word;
    if (!types.empty()) {
      word = ContextWordFor(ctx.catalog(), types);
      std::size_t n = ctx.random_analyzer_n;
      auto a = ScanAll(ctx, samples, n, types, "", "");
      std::string w = word.empty() ? "number" : word;
      auto c = ScanAll(ctx, samples, n, types, "The " + w + " is ", ".");
      double dn = static_cast<double>(n);
      alone = Percent(a.type_hits / dn);
      context = Percent(c.type_hits / dn);
      any = Percent(a.any_hits / dn);
      row["analyzer_n"] = n;
      row["entity_types"] = types;
      row["context_word"] = word;
      row["alone_hits"] = a.type_hits;
      row["in_context_hits"] = c.type_hits;
      row["any_type_alone_hits"] = a.any_hits;
    }
    out << "| " << shape.name << " | " << shape.validator << " | " << shape.check << " | "
        << Theory(shape.theory) << " | " << Percent(check_rate) << " | " << alone << " | "
        << context << " | " << any << " | " << word << " |\n";
    out.flush();
    rows.push_back(std::move(row));
  }
  out << "\n";
  return {{"shapes", rows}};
}

}  // namespace airlock::eval
