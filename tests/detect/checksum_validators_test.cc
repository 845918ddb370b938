// Checksum validators: published examples, and every stdnum-vectors row of
// the schemes they cover (valid rows accepted, invalid rows rejected).
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/validators.h"

namespace airlock::detect {
namespace {

bool Valid(const char* validator, std::string_view value) {
  ValidatorFn fn = FindValidator(validator);
  EXPECT_NE(fn, nullptr) << validator;
  if (fn == nullptr) return false;
  return fn(value, ValidationContext{}).valid;
}

std::string Detail(const char* validator, std::string_view value) {
  ValidatorFn fn = FindValidator(validator);
  if (fn == nullptr) return "<none>";
  return fn(value, ValidationContext{}).detail;
}

TEST(ChecksumValidators, AllRegistered) {
  for (const char* name :
       {"credit_card", "iban", "bic", "eu_vat", "de_steuer_id", "fr_nir", "es_dni", "es_nie",
        "es_nif", "it_codice_fiscale", "nl_bsn", "be_nn", "pl_pesel", "se_personnummer",
        "dk_cpr", "fi_hetu", "no_fodselsnummer", "is_kennitala", "at_svnr", "at_tin", "ie_pps",
        "pt_nif", "pt_cc", "uk_nino", "uk_nhs", "us_ssn", "ch_ssn", "gr_amka", "ee_ik",
        "lt_asmens", "bg_egn", "si_emso", "ro_cnp", "be_vat", "bg_vat", "fr_tva", "gb_vat"}) {
    EXPECT_NE(FindValidator(name), nullptr) << name;
  }
}

TEST(ChecksumValidators, CreditCard) {
  // Issuers' published test numbers.
  EXPECT_TRUE(Valid("credit_card", "4111 1111 1111 1111"));
  EXPECT_TRUE(Valid("credit_card", "4012888888881881"));
  EXPECT_TRUE(Valid("credit_card", "5555-5555-5555-4444"));
  EXPECT_TRUE(Valid("credit_card", "2223003122003222"));  // Mastercard 2-series
  EXPECT_TRUE(Valid("credit_card", "378282246310005"));   // Amex
  EXPECT_TRUE(Valid("credit_card", "6011111111111117"));  // Discover
  EXPECT_TRUE(Valid("credit_card", "3530111333300000"));  // JCB
  EXPECT_TRUE(Valid("credit_card", "30569309025904"));    // Diners
  EXPECT_TRUE(Valid("credit_card", "6200000000000005"));  // UnionPay
  EXPECT_TRUE(Valid("credit_card", "6759649826438453"));  // Maestro
  EXPECT_EQ(Detail("credit_card", "378282246310005"), "amex");
  EXPECT_FALSE(Valid("credit_card", "4111 1111 1111 1112"));  // Luhn
  EXPECT_FALSE(Valid("credit_card", "0000000000000000"));     // same digit
  EXPECT_FALSE(Valid("credit_card", "1234567812345670"));     // no issuer
  EXPECT_FALSE(Valid("credit_card", "41111111111"));          // too short
  EXPECT_FALSE(Valid("credit_card", "3782822463100050"));     // Amex is 15 digits
}

TEST(ChecksumValidators, CreditCardJcbAndMaestroRanges) {
  // JCB: 15 digits starting 2131 or 1800, 16-19 digits starting 3528-3589.
  EXPECT_TRUE(Valid("credit_card", "213176828496175"));
  EXPECT_TRUE(Valid("credit_card", "180016070420458"));
  EXPECT_TRUE(Valid("credit_card", "1800 1607 0420 458"));
  EXPECT_EQ(Detail("credit_card", "180016070420458"), "jcb");
  EXPECT_EQ(Detail("credit_card", "3530111333300000"), "jcb");
  EXPECT_TRUE(Valid("credit_card", "3589 0000 0000 0003"));
  EXPECT_FALSE(Valid("credit_card", "3590730093437731"));  // above 3589
  EXPECT_FALSE(Valid("credit_card", "2131768284961759"));  // 2131 is 15 digits only
  EXPECT_FALSE(Valid("credit_card", "213176828496176"));   // Luhn
  // Maestro: 12 digits (0604, 50, 56-58, 6304, 639, 67).
  EXPECT_TRUE(Valid("credit_card", "060426070011"));
  EXPECT_EQ(Detail("credit_card", "060426070011"), "maestro");
  EXPECT_TRUE(Valid("credit_card", "501800000009"));
  EXPECT_FALSE(Valid("credit_card", "060426070012"));      // Luhn
  EXPECT_FALSE(Valid("credit_card", "0605 2607 0011"));    // no issuer
}

TEST(ChecksumValidators, IbanAndBic) {
  EXPECT_TRUE(Valid("iban", "DE89 3704 0044 0532 0130 00"));
  EXPECT_TRUE(Valid("iban", "GB82WEST12345698765432"));
  EXPECT_TRUE(Valid("iban", "fr14 2004 1010 0505 0001 3m02 606"));
  EXPECT_EQ(Detail("iban", "DE89 3704 0044 0532 0130 00"), "DE");
  EXPECT_FALSE(Valid("iban", "DE89 3704 0044 0532 0130 01"));
  EXPECT_FALSE(Valid("iban", "DE89 3704 0044 0532 0130 0"));  // length
  EXPECT_FALSE(Valid("iban", "XX89 3704 0044 0532 0130 00"));
  EXPECT_TRUE(Valid("bic", "DEUTDEFF"));
  EXPECT_TRUE(Valid("bic", "DEUTDEFF500"));
  EXPECT_TRUE(Valid("bic", "GKCC BE BB"));
  EXPECT_EQ(Detail("bic", "BNPAFRPP"), "FR");
  EXPECT_FALSE(Valid("bic", "DEUTXXFF"));   // no such country
  EXPECT_FALSE(Valid("bic", "DEU1DEFF"));   // bank code is letters
  EXPECT_FALSE(Valid("bic", "DEUTDEFF5"));  // length
}

TEST(ChecksumValidators, UsSsn) {
  EXPECT_TRUE(Valid("us_ssn", "536-22-1234"));
  EXPECT_TRUE(Valid("us_ssn", "536221234"));
  EXPECT_FALSE(Valid("us_ssn", "078-05-1120"));  // Woolworth card
  EXPECT_FALSE(Valid("us_ssn", "123-45-6789"));
  EXPECT_FALSE(Valid("us_ssn", "000-12-3456"));
  EXPECT_FALSE(Valid("us_ssn", "666-12-3456"));
  EXPECT_FALSE(Valid("us_ssn", "912-12-3456"));
  EXPECT_FALSE(Valid("us_ssn", "536-00-1234"));
  EXPECT_FALSE(Valid("us_ssn", "536-22-0000"));
  EXPECT_FALSE(Valid("us_ssn", "536-221234"));  // mixed separators
}

TEST(ChecksumValidators, UnitedKingdom) {
  EXPECT_TRUE(Valid("uk_nino", "AB 12 34 56 C"));
  EXPECT_TRUE(Valid("uk_nino", "JG103759A"));
  EXPECT_FALSE(Valid("uk_nino", "BG123456A"));  // forbidden prefix
  EXPECT_FALSE(Valid("uk_nino", "DA123456A"));  // D never used
  EXPECT_FALSE(Valid("uk_nino", "AO123456A"));  // O not second
  EXPECT_FALSE(Valid("uk_nino", "AB123456E"));  // suffix
  EXPECT_TRUE(Valid("uk_nino", "hh 01 02 03 d"));  // lower case
  EXPECT_TRUE(Valid("uk_nino", "tw987654a"));
  EXPECT_TRUE(Valid("uk_nhs", "943 476 5919"));
  EXPECT_TRUE(Valid("uk_nhs", "401-023-2137"));
  EXPECT_FALSE(Valid("uk_nhs", "943 476 5918"));
  EXPECT_FALSE(Valid("uk_nhs", "0000000000"));
}

TEST(ChecksumValidators, NationalIdsWithoutVectors) {
  // Spain (Ministerio del Interior examples).
  EXPECT_TRUE(Valid("es_dni", "12345678Z"));
  EXPECT_TRUE(Valid("es_dni", "12.345.678-Z"));
  EXPECT_FALSE(Valid("es_dni", "12345678A"));
  EXPECT_TRUE(Valid("es_nie", "X1234567L"));
  EXPECT_TRUE(Valid("es_nie", "Y-1234567-X"));
  EXPECT_TRUE(Valid("es_nie", "Y8063915-Z"));  // dash before the letter
  EXPECT_TRUE(Valid("es_nie", "x9613851n"));   // lower case
  EXPECT_TRUE(Valid("es_nif", "12345678z"));
  EXPECT_TRUE(Valid("es_nif", "55555555k"));
  EXPECT_FALSE(Valid("es_nie", "X1234567A"));
  // France: NIR, including Corsica.
  EXPECT_TRUE(Valid("fr_nir", "2 55 08 14 168 025 38"));
  EXPECT_TRUE(Valid("fr_nir", "1.69.05.2A.123.456.41"));
  EXPECT_FALSE(Valid("fr_nir", "2 55 08 14 168 025 39"));
  // Netherlands: BSN.
  EXPECT_TRUE(Valid("nl_bsn", "111222333"));
  EXPECT_TRUE(Valid("nl_bsn", "1234.56.782"));
  EXPECT_FALSE(Valid("nl_bsn", "123456789"));
  // Poland: PESEL.
  EXPECT_TRUE(Valid("pl_pesel", "44051401359"));
  EXPECT_TRUE(Valid("pl_pesel", "02070803628"));
  EXPECT_FALSE(Valid("pl_pesel", "44051401358"));
  EXPECT_FALSE(Valid("pl_pesel", "44133101354"));  // month 13
  // Denmark: CPR, date only.
  EXPECT_TRUE(Valid("dk_cpr", "211062-5629"));
  EXPECT_TRUE(Valid("dk_cpr", "2902001234"));
  EXPECT_FALSE(Valid("dk_cpr", "320162-5629"));
  EXPECT_FALSE(Valid("dk_cpr", "2902011234"));
  // Austria: SVNR.
  EXPECT_TRUE(Valid("at_svnr", "1237 010180"));
  EXPECT_FALSE(Valid("at_svnr", "1238 010180"));
  // Portugal: NIF.
  EXPECT_TRUE(Valid("pt_nif", "501 964 843"));
  EXPECT_FALSE(Valid("pt_nif", "501 964 842"));
  // Switzerland: AHV number.
  EXPECT_TRUE(Valid("ch_ssn", "756.9217.0769.85"));
  EXPECT_FALSE(Valid("ch_ssn", "756.9217.0769.84"));
  EXPECT_FALSE(Valid("ch_ssn", "54165168"));
  // Romania: CNP.
  EXPECT_TRUE(Valid("ro_cnp", "1630615123457"));
  EXPECT_FALSE(Valid("ro_cnp", "1630615123458"));
  // Finland: the century signs introduced in 2023.
  EXPECT_TRUE(Valid("fi_hetu", "010594Y202E"));
  EXPECT_TRUE(Valid("fi_hetu", "020502E202B"));
  EXPECT_TRUE(Valid("fi_hetu", "010594Y9032"));  // temporary code (900-999)
  EXPECT_TRUE(Valid("fi_hetu", "020594x903p"));
  EXPECT_TRUE(Valid("fi_hetu", "010516B903X"));
  EXPECT_FALSE(Valid("fi_hetu", "010594Y9033"));
  EXPECT_FALSE(Valid("fi_hetu", "131052-001H"));  // individual number 001
  // Norway: spaced forms.
  EXPECT_TRUE(Valid("no_fodselsnummer", "10 04 87 44 732"));
  EXPECT_TRUE(Valid("no_fodselsnummer", "26 11 15 940 14"));
  // Sweden: 12-digit form.
  EXPECT_TRUE(Valid("se_personnummer", "189004119807"));
  EXPECT_TRUE(Valid("se_personnummer", "19900305-2397"));
  // Italy: codice fiscale of a company (11 digits = partita IVA).
  EXPECT_TRUE(Valid("it_codice_fiscale", "00743110157"));
  EXPECT_TRUE(Valid("it_codice_fiscale", "01333550323"));
  EXPECT_FALSE(Valid("it_codice_fiscale", "01333550324"));
  EXPECT_FALSE(Valid("it_codice_fiscale", "00000000000"));
  // UK NHS with dashes.
  EXPECT_TRUE(Valid("uk_nhs", "943-476-5919"));
  // Belgium: born in 2000 or later.
  EXPECT_TRUE(Valid("be_nn", "00.01.01-001.05"));
  // Ireland: PPS with a 2013 second letter.
  EXPECT_TRUE(Valid("ie_pps", "1234567FA"));
}

TEST(ChecksumValidators, VatWithoutCountryPrefix) {
  EXPECT_TRUE(Valid("be_vat", "0202.239.951"));
  EXPECT_TRUE(Valid("be_vat", "2000021323"));
  EXPECT_TRUE(Valid("be_vat", "BE 0202.239.951"));
  EXPECT_FALSE(Valid("be_vat", "0202.239.952"));
  EXPECT_FALSE(Valid("be_vat", "0000000000"));
  EXPECT_TRUE(Valid("bg_vat", "175074752"));
  EXPECT_TRUE(Valid("bg_vat", "7111042925"));  // EGN
  EXPECT_FALSE(Valid("bg_vat", "175074751"));
  EXPECT_TRUE(Valid("fr_tva", "23 334 175 221"));
  EXPECT_TRUE(Valid("fr_tva", "40303265045"));
  EXPECT_FALSE(Valid("fr_tva", "84 323 140 391"));
  EXPECT_TRUE(Valid("gb_vat", "980780684"));
  EXPECT_TRUE(Valid("gb_vat", "242338087388"));
  EXPECT_TRUE(Valid("gb_vat", "GD100"));
  EXPECT_TRUE(Valid("gb_vat", "HA501"));
  EXPECT_FALSE(Valid("gb_vat", "980780685"));
  // Another country's prefix: the number is eu_vat's to judge.
  EXPECT_FALSE(Valid("bg_vat", "DE 125014855"));
  EXPECT_FALSE(Valid("gb_vat", "DE 125014855"));
  EXPECT_TRUE(Valid("gb_vat", "GB 980780684"));
  EXPECT_TRUE(Valid("gb_vat", "No 980780684"));  // a word, not Norway
  EXPECT_TRUE(Valid("bg_vat", "is 175074752"));
  // The prefixed forms stay with eu_vat, upper- or lower-case body.
  EXPECT_TRUE(Valid("eu_vat", "ES-x-2482300w"));
  EXPECT_TRUE(Valid("eu_vat", "NL 8225.69.759 b01"));
  EXPECT_TRUE(Valid("eu_vat", "BE2000021323"));
}

// stdnum scheme -> validator. Rows of these schemes are checked one by one.
const std::map<std::string, const char*>& SchemeValidators() {
  static const std::map<std::string, const char*> m = {
      {"iban", "iban"},
      {"be.iban", "iban"},
      {"bic", "bic"},
      {"eu.vat", "eu_vat"},
      {"de.idnr", "de_steuer_id"},
      {"es.nif", "es_nif"},
      {"it.codicefiscale", "it_codice_fiscale"},
      {"be.nn", "be_nn"},
      {"se.personnummer", "se_personnummer"},
      {"fi.hetu", "fi_hetu"},
      {"no.fodselsnummer", "no_fodselsnummer"},
      {"is_.kennitala", "is_kennitala"},
      {"at.tin", "at_tin"},
      {"ie.pps", "ie_pps"},
      {"pt.cc", "pt_cc"},
      {"ch.ssn", "ch_ssn"},
      {"gr.amka", "gr_amka"},
      {"ee.ik", "ee_ik"},
      {"lt.asmens", "lt_asmens"},
      {"bg.egn", "bg_egn"},
      {"si.emso", "si_emso"},
      {"be.vat", "be_vat"},
      {"bg.vat", "bg_vat"},
      {"fr.tva", "fr_tva"},
      {"gb.vat", "gb_vat"},
  };
  return m;
}

// Rows whose python-stdnum 1.18 label we deliberately do not follow, with
// the reason. Keyed by scheme and value.
bool KnownDifference(const std::string& scheme, const std::string& value) {
  static const std::vector<std::pair<std::string, std::string>> rows = {
      // Century signs Y/X/W/V/U and B/C/D/E/F are valid since 2023; 1.18
      // predates them.
      {"fi.hetu", "131052B308T"},
      {"fi.hetu", "131052X308T"},
      // es.nif in python-stdnum includes NIE numbers; es_nif leaves them to
      // es_nie, which is checked separately below.
      {"es.nif", "X1111111G"},
      // Temporary codes (individual number 900-999) are personal data;
      // python-stdnum rejects them unless allow_temporary is set.
      {"fi.hetu", "131052-9993"},
      // BBAN formats are checked for BE, ES and NL only.
      {"iban", "BG93 BNBG 9661 1A20 3456 78"},
      {"iban", "GI22 NW3K 0000 0000 7099 453"},
      // bic checks the ISO country code; python-stdnum 1.18 does not.
      {"bic", "MULTIPLE"},
  };
  for (const auto& r : rows) {
    if (r.first == scheme && r.second == value) return true;
  }
  return false;
}

TEST(ChecksumValidators, StdnumVectors) {
  std::ifstream in(std::string(AIRLOCK_DATASETS_DIR) + "/stdnum-vectors/vectors.jsonl");
  if (!in) GTEST_SKIP() << "stdnum-vectors data set not present";
  std::map<std::string, std::pair<int, int>> tally;  // scheme -> (rows, wrong)
  std::string line;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line);
    std::string scheme = row["scheme"];
    auto it = SchemeValidators().find(scheme);
    if (it == SchemeValidators().end()) continue;
    std::string value = row["value"];
    bool expected = row["valid"];
    if (KnownDifference(scheme, value)) continue;
    bool got = Valid(it->second, value);
    auto& t = tally[scheme];
    ++t.first;
    if (got != expected) {
      ++t.second;
      // The value is public test data, so it may be printed here.
      ADD_FAILURE() << scheme << " via " << it->second << ": '" << value << "' expected "
                    << expected;
    }
  }
  for (const auto& [scheme, t] : tally) EXPECT_GT(t.first, 0) << scheme;
  EXPECT_TRUE(Valid("es_nie", "X1111111G"));
  EXPECT_FALSE(Valid("fi_hetu", "131052T308T"));
}

// The built-in catalog around these validators: patterns, context rules and
// overlaps. One analyzer for all cases (compiling takes a few seconds).
const Analyzer& Builtin() {
  static std::shared_ptr<const Analyzer> a = [] {
    auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    auto an = Analyzer::Create(std::move(*c), {});
    EXPECT_TRUE(an.ok()) << an.status().ToString();
    return *an;
  }();
  return *a;
}

// Entity types found in `text`, in order.
std::vector<std::string> Types(std::string_view text) {
  auto f = Builtin().Analyze(text);
  EXPECT_TRUE(f.ok());
  std::vector<std::string> out;
  if (f.ok()) {
    for (const auto& x : *f) out.push_back(x.entity_type);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(ChecksumCatalog, VatPrefixIsUpperCase) {
  // "es" is a Spanish word, not the ES prefix: the NIE after it is an NIE.
  EXPECT_EQ(Types("Mi NIE es X9613851N"), Strings{"ES_NIE"});
  EXPECT_EQ(Types("Mi Número de identificación de extranjero es Y8063915-Z"), Strings{"ES_NIE"});
  EXPECT_EQ(Types("de 118619592"), Strings{});
  EXPECT_EQ(Types("USt-IdNr. DE 118 619 592"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("DE118619592"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("ES-x-2482300w"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("NL.8143.26.584.B.01"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("ATU 142 43 102"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("CHE-108.113.335 MwST"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("965 920 358 MVA"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("RO 1822964"), Strings{"VAT_ID"});
}

TEST(ChecksumCatalog, VatWithoutPrefixNeedsContext) {
  EXPECT_EQ(Types("VAT: 23 334 175 221"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("23 334 175 221"), Strings{});
  EXPECT_EQ(Types("BTW-nummer 0202.239.951"), Strings{"VAT_ID"});
  for (const auto& t : Types("0202.239.951")) EXPECT_NE(t, "VAT_ID");
  EXPECT_EQ(Types("VAT Reg No 980 7806 84"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("VAT number GD100"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("ИН по ДДС 175074752"), Strings{"VAT_ID"});
  EXPECT_EQ(Types("The vat is 175074752."), Strings{"VAT_ID"});
  EXPECT_EQ(Types("The vat is DE 125014855."), Strings{});  // bad DE check digit
}

TEST(ChecksumCatalog, NinoNeedsContext) {
  EXPECT_EQ(Types("AB 12 34 56 C"), Strings{});
  EXPECT_EQ(Types("National Insurance number: AB 12 34 56 C"), Strings{"UK_NINO"});
  EXPECT_EQ(Types("my NI number is tw987654a"), Strings{"UK_NINO"});
}

TEST(ChecksumCatalog, FormattingVariants) {
  EXPECT_EQ(Types("NHS number 401-023-2137"), Strings{"UK_NHS"});
  EXPECT_EQ(Types("fødselsnummer 10 04 87 44 732"), Strings{"NO_FODSELSNUMMER"});
  EXPECT_EQ(Types("189004119807"), Strings{"SE_PERSONNUMMER"});
  EXPECT_EQ(Types("Personnummer: 19900305-2397"), Strings{"SE_PERSONNUMMER"});
  EXPECT_EQ(Types("NIE x9613851n"), Strings{"ES_NIE"});
  EXPECT_EQ(Types("DNI 12345678z"), Strings{"ES_NIF"});
  EXPECT_EQ(Types("010594Y9032"), Strings{"FI_PERSONAL_IDENTITY_CODE"});
  EXPECT_EQ(Types("020516C903K"), Strings{"FI_PERSONAL_IDENTITY_CODE"});
  EXPECT_EQ(Types("Codice fiscale: 00743110157"), Strings{"IT_FISCAL_CODE"});
  EXPECT_EQ(Types("00743110157"), Strings{});
  EXPECT_EQ(Types("04521224 4 ZZ 7"), Strings{"PT_CITIZEN_CARD"});
}

TEST(ChecksumCatalog, Cards) {
  EXPECT_EQ(Types("card 180016070420458"), Strings{"CREDIT_CARD"});
  EXPECT_EQ(Types("card 213176828496175"), Strings{"CREDIT_CARD"});
  EXPECT_EQ(Types("card 060426070011"), Strings{"CREDIT_CARD"});
  EXPECT_EQ(Types("card 3530 1113 3330 0000"), Strings{"CREDIT_CARD"});
}

TEST(ChecksumCatalog, BalticCodesDecidedByContext) {
  EXPECT_EQ(Types("asmens kodas 33309240064"), Strings{"LT_PERSONAL_CODE"});
  EXPECT_EQ(Types("isikukood 33309240064"), Strings{"EE_PERSONAL_CODE"});
  // No word: reported (0.5), as the first of the two by detector id.
  auto f = Builtin().Analyze("33309240064");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 1u);
  EXPECT_DOUBLE_EQ((*f)[0].score, 0.5);
}

}  // namespace
}  // namespace airlock::detect
