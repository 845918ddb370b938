// Payment identifiers: card numbers (PAN), IBAN, BIC.
//
// Each validator strips the separators people write (spaces, dashes, dots)
// and checks structure and check digits. None of them keeps or reports the
// value; `detail` carries only a brand or a country code.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "internal/validator_table.h"

namespace airlock::detect::internal {
namespace {

ValidationResult Reject() { return {}; }
bool IsLetter(char c) { return c >= 'A' && c <= 'Z'; }
ValidationResult Accept(std::string detail) { return {true, std::move(detail)}; }

// Leading `n` digits of a digit string as an integer.
int Prefix(std::string_view digits, std::size_t n) {
  int v = 0;
  for (std::size_t i = 0; i < n && i < digits.size(); ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

// ---------------------------------------------------------------------------
// Payment cards.

struct CardRange {
  int lo;             // inclusive prefix range
  int hi;
  int digits;         // number of leading digits lo/hi describe
  int min_len;
  int max_len;
  const char* brand;
};

// Issuer identification ranges (ISO/IEC 7812 IIN), most specific first.
constexpr CardRange kCardRanges[] = {
    {34, 34, 2, 15, 15, "amex"},
    {37, 37, 2, 15, 15, "amex"},
    {2221, 2720, 4, 16, 16, "mastercard"},
    {51, 55, 2, 16, 16, "mastercard"},
    {4, 4, 1, 13, 19, "visa"},
    {6011, 6011, 4, 16, 19, "discover"},
    {644, 649, 3, 16, 19, "discover"},
    {65, 65, 2, 16, 19, "discover"},
    {622126, 622925, 6, 16, 19, "discover"},
    {3528, 3589, 4, 16, 19, "jcb"},
    {2131, 2131, 4, 15, 15, "jcb"},
    {1800, 1800, 4, 15, 15, "jcb"},
    {300, 305, 3, 14, 19, "diners"},
    {3095, 3095, 4, 14, 19, "diners"},
    {36, 36, 2, 14, 19, "diners"},
    {38, 39, 2, 14, 19, "diners"},
    {62, 62, 2, 16, 19, "unionpay"},
    {81, 81, 2, 16, 19, "unionpay"},
    {50, 50, 2, 12, 19, "maestro"},
    {604, 604, 4, 12, 19, "maestro"},  // 0604: legacy Maestro range
    {56, 58, 2, 12, 19, "maestro"},
    {6304, 6304, 4, 12, 19, "maestro"},
    {639, 639, 3, 12, 19, "maestro"},
    {67, 67, 2, 12, 19, "maestro"},
};

ValidationResult CreditCard(std::string_view candidate, const ValidationContext&) {
  if (!OnlyAlnumAnd(candidate, " -.") ) return Reject();
  std::string d = DigitsOnly(candidate);
  if (d.size() != AlnumUpper(candidate).size()) return Reject();  // letters
  if (d.size() < 12 || d.size() > 19) return Reject();
  if (AllSame(d) || !LuhnValid(d)) return Reject();
  const int len = static_cast<int>(d.size());
  for (const auto& r : kCardRanges) {
    int p = Prefix(d, static_cast<std::size_t>(r.digits));
    if (p >= r.lo && p <= r.hi && len >= r.min_len && len <= r.max_len) return Accept(r.brand);
  }
  return Reject();
}

// ---------------------------------------------------------------------------
// IBAN (ISO 13616). Lengths from the SWIFT IBAN registry, plus the French
// overseas territories that use their own country code.

struct IbanLength {
  char cc[3];
  int len;
};

constexpr IbanLength kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
    {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BL", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21},
    {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GF", 27}, {"GI", 23}, {"GL", 18}, {"GP", 27}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23},
    {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
    {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MF", 27}, {"MK", 19}, {"MN", 20}, {"MQ", 27}, {"MR", 27}, {"MT", 31},
    {"MU", 30}, {"NC", 27}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PF", 27},
    {"PK", 24}, {"PL", 28}, {"PM", 27}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RE", 27},
    {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24},
    {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TF", 27},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"WF", 27},
    {"XK", 20}, {"YE", 30}, {"YT", 27},
};

int IbanLengthFor(std::string_view cc) {
  for (const auto& e : kIbanLengths) {
    if (cc == e.cc) return e.len;
  }
  return 0;
}

// National checks inside the BBAN, for the countries where they are cheap.
bool NationalBbanValid(const std::string& s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  std::string_view cc(s.data(), 2);
  if (cc == "BE") {
    // Account number: 10 digits + 2-digit check, first 10 mod 97.
    if (!digits(4, 12)) return false;
    long long n = std::stoll(s.substr(4, 10));
    int check = std::stoi(s.substr(14, 2));
    int expect = static_cast<int>(n % 97);
    return check == (expect == 0 ? 97 : expect);
  }
  if (cc == "NL") {
    for (int i = 4; i < 8; ++i) {
      if (!IsLetter(s[i])) return false;
    }
    return digits(8, 10);
  }
  if (cc == "ES") {
    // Two control digits: bank+branch, then account.
    if (!digits(4, 20)) return false;
    static constexpr int kW[] = {1, 2, 4, 8, 5, 10, 9, 7, 3, 6};
    auto control = [&](const std::string& d) {
      int sum = 0;
      for (std::size_t i = 0; i < d.size(); ++i) sum += (d[i] - '0') * kW[i];
      int c = 11 - sum % 11;
      return c == 11 ? 0 : (c == 10 ? 1 : c);
    };
    int c1 = control("00" + s.substr(4, 8));
    int c2 = control(s.substr(14, 10));
    return s[12] - '0' == c1 && s[13] - '0' == c2;
  }
  return true;
}

ValidationResult Iban(std::string_view candidate, const ValidationContext&) {
  if (!OnlyAlnumAnd(candidate, " -.")) return Reject();
  std::string s = AlnumUpper(candidate);
  if (s.size() < 15 || s.size() > 34) return Reject();
  std::string_view cc(s.data(), 2);
  if (IbanLengthFor(cc) != static_cast<int>(s.size())) return Reject();
  if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9') return Reject();
  std::string rearranged = s.substr(4) + s.substr(0, 4);
  if (!Mod97Valid(rearranged)) return Reject();
  if (!NationalBbanValid(s)) return Reject();
  return Accept(std::string(cc));
}

// ---------------------------------------------------------------------------
// BIC (ISO 9362).

// ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which SWIFT uses.
constexpr std::string_view kIsoCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS XK YE YT ZA ZM ZW";

bool IsAlnumUpper(char c) { return IsLetter(c) || (c >= '0' && c <= '9'); }

ValidationResult Bic(std::string_view candidate, const ValidationContext&) {
  if (!OnlyAlnumAnd(candidate, " -")) return Reject();
  std::string s = AlnumUpper(candidate);
  if (s.size() != 8 && s.size() != 11) return Reject();
  for (int i = 0; i < 6; ++i) {
    if (!IsLetter(s[i])) return Reject();
  }
  for (std::size_t i = 6; i < s.size(); ++i) {
    if (!IsAlnumUpper(s[i])) return Reject();
  }
  std::string cc = s.substr(4, 2);
  bool known = false;
  for (std::size_t i = 0; i + 1 < kIsoCountries.size(); i += 3) {
    if (kIsoCountries.substr(i, 2) == cc) {
      known = true;
      break;
    }
  }
  if (!known) return Reject();
  // Location code: '0' as second character marks a test BIC; '1' as its
  // second character marks a passive participant; both are real codes.
  return Accept(cc);
}

constexpr ValidatorEntry kPaymentValidators[] = {
    {"credit_card", &CreditCard},
    {"iban", &Iban},
    {"bic", &Bic},
};

}  // namespace

std::span<const ValidatorEntry> PaymentValidators() { return kPaymentValidators; }

}  // namespace airlock::detect::internal
