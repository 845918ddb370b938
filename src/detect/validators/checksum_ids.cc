// National identifiers (personal and tax numbers) and VAT numbers.
//
// Every validator here follows the same steps: check that the candidate holds
// only characters the identifier is written with (digits, its letters, and the
// separators people use: space, dash, dot, slash), compact it, check the
// structure (length, embedded dates, fixed letters), then the check digits.
// Sources for the algorithms are the issuing authorities' specifications as
// summarised by python-stdnum's module documentation.
#include <array>
#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "internal/validator_table.h"

namespace airlock::detect::internal {
namespace {

ValidationResult Reject() { return {}; }
ValidationResult Accept(std::string detail = {}) { return {true, std::move(detail)}; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Compacts a candidate written with `seps` separators; empty when the
// candidate holds any other character.
std::string Compact(std::string_view candidate, std::string_view seps = " -./") {
  if (!OnlyAlnumAnd(candidate, seps)) return {};
  return AlnumUpper(candidate);
}

int Num(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

long long Num64(std::string_view digits) {
  long long v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

int Dig(char c) { return c - '0'; }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool ValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  int max = kDays[m - 1] + ((m == 2 && IsLeap(y)) ? 1 : 0);
  return d <= max;
}

int CurrentYear() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day(days).year());
}

// A date with an unknown century (two-digit year): valid in some century.
bool ValidDateAnyCentury(int yy, int m, int d) {
  return ValidDate(1900 + yy, m, d) || ValidDate(2000 + yy, m, d);
}

// Weighted sum of digits.
template <std::size_t N>
int Weighted(std::string_view digits, const std::array<int, N>& w) {
  int s = 0;
  for (std::size_t i = 0; i < N && i < digits.size(); ++i) s += w[i] * Dig(digits[i]);
  return s;
}

// ISO 7064 MOD 11,10 over all digits; true when the last digit checks.
bool Mod11_10Valid(std::string_view digits) {
  int p = 10;
  for (std::size_t i = 0; i + 1 < digits.size(); ++i) {
    int s = (Dig(digits[i]) + p) % 10;
    if (s == 0) s = 10;
    p = (2 * s) % 11;
  }
  return (11 - p) % 10 == Dig(digits.back());
}

// ===========================================================================
// Germany

// Steuerliche Identifikationsnummer: 11 digits, no leading zero; in the
// first ten digits exactly one digit occurs two or three times, all others
// at most once; ISO 7064 MOD 11,10.
bool DeIdnrValid(std::string_view d) {
  if (d.size() != 11 || !AllDigits(d) || d[0] == '0') return false;
  std::array<int, 10> count{};
  for (std::size_t i = 0; i < 10; ++i) ++count[Dig(d[i])];
  int repeated = 0;
  int times = 0;
  for (int c : count) {
    if (c > 1) {
      ++repeated;
      times = c;
    }
  }
  if (repeated != 1 || (times != 2 && times != 3)) return false;
  return Mod11_10Valid(d);
}

ValidationResult DeSteuerId(std::string_view c, const ValidationContext&) {
  return DeIdnrValid(Compact(c)) ? Accept("DE") : Reject();
}

// ===========================================================================
// France: NIR (numéro de sécurité sociale), 13 characters + 2-digit key.

ValidationResult FrNir(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " .-");
  if (s.size() != 15) return Reject();
  // Corsica: department 2A / 2B (positions 5-6) counts as 19 / 18.
  std::string digits = s;
  if (s[5] == '2' && (s[6] == 'A' || s[6] == 'B')) {
    digits[5] = '1';
    digits[6] = s[6] == 'A' ? '9' : '8';
  }
  if (!AllDigits(digits)) return Reject();
  char sex = digits[0];
  if (sex != '1' && sex != '2' && sex != '3' && sex != '4' && sex != '7' && sex != '8') {
    return Reject();
  }
  int month = Num(std::string_view(digits).substr(3, 2));
  // 01-12; 20 and 30-42 and 50-99 appear for unknown or fictitious months.
  if (month == 0 || (month > 12 && month < 20) || (month > 20 && month < 30) ||
      (month > 42 && month < 50)) {
    return Reject();
  }
  long long n = Num64(std::string_view(digits).substr(0, 13));
  int key = Num(std::string_view(digits).substr(13, 2));
  if (key != 97 - static_cast<int>(n % 97)) return Reject();
  return Accept("FR");
}

// ===========================================================================
// Spain

constexpr std::string_view kDniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

bool DniValid(std::string_view s) {
  if (s.size() != 9 || !AllDigits(s.substr(0, 8))) return false;
  return kDniLetters[Num64(s.substr(0, 8)) % 23] == s[8];
}

bool NieValid(std::string_view s) {
  if (s.size() != 9) return false;
  char p = s[0];
  if (p != 'X' && p != 'Y' && p != 'Z') return false;
  std::string d = std::string(1, static_cast<char>('0' + (p - 'X'))) + std::string(s.substr(1));
  return DniValid(d);
}

// CIF (legal entities): letter, 7 digits, check digit or letter.
bool CifValid(std::string_view s) {
  if (s.size() != 9 || std::string_view("ABCDEFGHJNPQRSUVW").find(s[0]) == std::string_view::npos) {
    return false;
  }
  if (!AllDigits(s.substr(1, 7))) return false;
  int sum = 0;
  for (int i = 0; i < 7; ++i) {
    int d = Dig(s[1 + i]);
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  int check = (10 - sum % 10) % 10;
  return s[8] == static_cast<char>('0' + check) || s[8] == "JABCDEFGHI"[check];
}

// NIF of residents without DNI (K, L, M): DNI letter over the 7 digits.
bool KlmValid(std::string_view s) {
  if (s.size() != 9 || (s[0] != 'K' && s[0] != 'L' && s[0] != 'M')) return false;
  if (!AllDigits(s.substr(1, 7))) return false;
  return kDniLetters[Num64(s.substr(1, 7)) % 23] == s[8];
}

ValidationResult EsDni(std::string_view c, const ValidationContext&) {
  return DniValid(Compact(c)) ? Accept("ES") : Reject();
}
ValidationResult EsNie(std::string_view c, const ValidationContext&) {
  return NieValid(Compact(c)) ? Accept("ES") : Reject();
}
// NIF: DNI, K/L/M numbers and CIF. NIE numbers are reported by es_nie.
ValidationResult EsNif(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c);
  return (DniValid(s) || KlmValid(s) || CifValid(s)) ? Accept("ES") : Reject();
}

// ===========================================================================
// Italy: codice fiscale (persons; 16 characters with omocodia).

int CfOddValue(char c) {
  static constexpr int kOdd[26] = {1,  0,  5,  7,  9,  13, 15, 17, 19, 21, 2,  4,  18,
                                   20, 11, 3,  6,  8,  12, 14, 16, 10, 22, 25, 24, 23};
  return IsDigit(c) ? kOdd[c - '0'] : kOdd[c - 'A'];
}

bool ItVat(std::string_view s);

ValidationResult ItCodiceFiscale(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  // Companies and other legal persons: 11 digits, the same number as their
  // partita IVA (Luhn + office code).
  if (s.size() == 11) return ItVat(s) ? Accept("IT") : Reject();
  if (s.size() != 16) return Reject();
  // Positions that hold digits, possibly replaced by omocodia letters.
  constexpr std::string_view kOmocodia = "LMNPQRSTUV";
  std::string digits = s;
  for (int i : {6, 7, 9, 10, 12, 13, 14}) {
    char ch = s[i];
    if (IsDigit(ch)) continue;
    auto pos = kOmocodia.find(ch);
    if (pos == std::string_view::npos) return Reject();
    digits[i] = static_cast<char>('0' + pos);
  }
  for (int i : {0, 1, 2, 3, 4, 5, 8, 11, 15}) {
    if (!IsUpper(s[i])) return Reject();
  }
  auto month_pos = std::string_view("ABCDEHLMPRST").find(s[8]);
  if (month_pos == std::string_view::npos) return Reject();
  int day = Num(std::string_view(digits).substr(9, 2));
  if (day > 40) day -= 40;
  int yy = Num(std::string_view(digits).substr(6, 2));
  if (!ValidDateAnyCentury(yy, static_cast<int>(month_pos) + 1, day)) return Reject();
  int sum = 0;
  for (int i = 0; i < 15; ++i) {
    char ch = s[i];
    if (i % 2 == 0) {
      sum += CfOddValue(ch);
    } else {
      sum += IsDigit(ch) ? ch - '0' : ch - 'A';
    }
  }
  if (s[15] != static_cast<char>('A' + sum % 26)) return Reject();
  return Accept("IT");
}

// ===========================================================================
// Netherlands: BSN (11-proef).

bool BsnValid(std::string_view d) {
  if (d.size() == 8) return BsnValid("0" + std::string(d));
  if (d.size() != 9 || !AllDigits(d) || Num64(d) == 0) return false;
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (9 - i) * Dig(d[i]);
  sum -= Dig(d[8]);
  return sum % 11 == 0;
}

ValidationResult NlBsn(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -.");
  if (s.size() != 9 || AllSame(s)) return Reject();
  return BsnValid(s) ? Accept("NL") : Reject();
}

// ===========================================================================
// Belgium: rijksregisternummer / numéro national.

ValidationResult BeNn(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -.");
  if (s.size() != 11 || !AllDigits(s)) return Reject();
  // The birth date part is not checked: it may be 00 when unknown, BIS
  // numbers add 20 or 40 to the month, and numbers run out for busy days.
  long long body = Num64(std::string_view(s).substr(0, 9));
  int check = Num(std::string_view(s).substr(9, 2));
  if (97 - body % 97 == check) return Accept("BE");
  if (97 - (2000000000LL + body) % 97 == check) return Accept("BE");
  return Reject();
}

// ===========================================================================
// Poland: PESEL.

ValidationResult PlPesel(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 11 || !AllDigits(s)) return Reject();
  int yy = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int dd = Num(std::string_view(s).substr(4, 2));
  static constexpr int kCentury[] = {1900, 2000, 2100, 2200, 1800};
  int year = kCentury[(mm / 20) % 5] + yy;
  if (!ValidDate(year, mm % 20, dd)) return Reject();
  static constexpr std::array<int, 10> kW = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
  int check = (10 - Weighted(s, kW) % 10) % 10;
  return check == Dig(s[10]) ? Accept("PL") : Reject();
}

// ===========================================================================
// Nordic countries

// Sweden: personnummer / samordningsnummer, [CC]YYMMDD[-+]NNNC.
ValidationResult SePersonnummer(std::string_view c, const ValidationContext&) {
  if (!OnlyAlnumAnd(c, " -+") || AlnumUpper(c).size() != DigitsOnly(c).size()) return Reject();
  std::string d = DigitsOnly(c);
  int year;
  if (d.size() == 12) {
    year = Num(std::string_view(d).substr(0, 4));
    if (year < 1800) return Reject();
    d = d.substr(2);
  } else if (d.size() == 10) {
    year = 1900 + Num(std::string_view(d).substr(0, 2));
  } else {
    return Reject();
  }
  int mm = Num(std::string_view(d).substr(2, 2));
  int dd = Num(std::string_view(d).substr(4, 2));
  if (dd > 60) dd -= 60;  // samordningsnummer
  bool ok = d.size() == 10 && (ValidDate(year, mm, dd) || ValidDate(year + 100, mm, dd));
  if (!ok) return Reject();
  return LuhnValid(d) ? Accept("SE") : Reject();
}

// Denmark: CPR, DDMMYY-SSSS. The mod-11 check was dropped in 2007, so only
// the date is checked; the detector needs context.
ValidationResult DkCpr(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 10 || !AllDigits(s)) return Reject();
  int dd = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int yy = Num(std::string_view(s).substr(4, 2));
  if (!ValidDateAnyCentury(yy, mm, dd)) return Reject();
  if (AllSame(s.substr(6))) {
    // 0000 is not issued.
    if (s[6] == '0') return Reject();
  }
  return Accept("DK");
}

// Finland: henkilötunnus, DDMMYYCZZZQ.
ValidationResult FiHetu(std::string_view c, const ValidationContext&) {
  // The century sign is a separator-like character ('-', '+'), so the raw
  // text is used rather than a compacted form.
  std::string raw;
  for (char ch : c) {
    if (ch == ' ') continue;
    raw.push_back((ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch);
  }
  if (raw.size() != 11) return Reject();
  int century;
  switch (raw[6]) {
    case '+': century = 1800; break;
    case '-': case 'Y': case 'X': case 'W': case 'V': case 'U': century = 1900; break;
    case 'A': case 'B': case 'C': case 'D': case 'E': case 'F': century = 2000; break;
    default: return Reject();
  }
  std::string_view r(raw);
  if (!AllDigits(r.substr(0, 6)) || !AllDigits(r.substr(7, 3))) return Reject();
  int dd = Num(r.substr(0, 2));
  int mm = Num(r.substr(2, 2));
  int yy = Num(r.substr(4, 2));
  if (!ValidDate(century + yy, mm, dd)) return Reject();
  // 002-899 are permanent codes; 900-999 are temporary codes (hospitals,
  // foreigners without a permanent code), personal data all the same.
  int individual = Num(r.substr(7, 3));
  if (individual < 2) return Reject();
  constexpr std::string_view kCheck = "0123456789ABCDEFHJKLMNPRSTUVWXY";
  long long n = Num64(std::string(r.substr(0, 6)) + std::string(r.substr(7, 3)));
  return kCheck[n % 31] == raw[10] ? Accept("FI") : Reject();
}

// Norway: fødselsnummer / D-nummer, DDMMYYIIIKK with two mod-11 digits.
ValidationResult NoFodselsnummer(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -.");
  if (s.size() != 11 || !AllDigits(s)) return Reject();
  int dd = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int yy = Num(std::string_view(s).substr(4, 2));
  if (dd > 40) dd -= 40;  // D-nummer
  if (mm > 40) mm -= 40;  // H-nummer
  // The individual number tells the century.
  int individual = Num(std::string_view(s).substr(6, 3));
  int year;
  if (individual < 500) {
    year = 1900 + yy;
  } else if (individual < 750 && yy >= 54) {
    year = 1800 + yy;
  } else if (yy < 40) {
    year = 2000 + yy;
  } else if (individual >= 900) {
    year = 1900 + yy;
  } else {
    return Reject();
  }
  if (!ValidDate(year, mm, dd) || year > CurrentYear()) return Reject();
  static constexpr std::array<int, 9> kW1 = {3, 7, 6, 1, 8, 9, 4, 5, 2};
  static constexpr std::array<int, 10> kW2 = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int k1 = (11 - Weighted(s, kW1) % 11) % 11;
  if (k1 == 10 || k1 != Dig(s[9])) return Reject();
  int k2 = (11 - Weighted(s, kW2) % 11) % 11;
  if (k2 == 10 || k2 != Dig(s[10])) return Reject();
  return Accept("NO");
}

// Iceland: kennitala, DDMMYY-RRCS.
ValidationResult IsKennitala(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 10 || !AllDigits(s)) return Reject();
  int dd = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int yy = Num(std::string_view(s).substr(4, 2));
  char century = s[9];
  if (century != '9' && century != '0') return Reject();
  if (dd >= 40) dd -= 40;  // organisations
  if (!ValidDate((century == '9' ? 1900 : 2000) + yy, mm, dd)) return Reject();
  static constexpr std::array<int, 9> kW = {3, 2, 7, 6, 5, 4, 3, 2, 1};
  return Weighted(s, kW) % 11 == 0 ? Accept("IS") : Reject();
}

// ===========================================================================
// Austria

// Sozialversicherungsnummer: NNNC DDMMYY, weights 3,7,9,0,5,8,4,2,1,6.
ValidationResult AtSvnr(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -/");
  if (s.size() != 10 || !AllDigits(s) || s[0] == '0') return Reject();
  static constexpr std::array<int, 10> kW = {3, 7, 9, 0, 5, 8, 4, 2, 1, 6};
  int check = Weighted(s, kW) % 11;
  if (check == 10 || check != Dig(s[3])) return Reject();
  int dd = Num(std::string_view(s).substr(4, 2));
  int mm = Num(std::string_view(s).substr(6, 2));
  // Unknown parts of a birth date are written as 00 or a month above 12.
  if (dd > 31 || mm > 16) return Reject();
  return Accept("AT");
}

// Abgabenkontonummer (tax number): 2-digit office, 6 digits, check digit.
ValidationResult AtTin(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -./,");
  if (s.size() != 9 || !AllDigits(s)) return Reject();
  constexpr std::string_view kDouble = "0246813579";
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (i % 2) ? kDouble[Dig(s[i])] - '0' : Dig(s[i]);
  if ((10 - sum % 10) % 10 != Dig(s[8])) return Reject();
  // Tax office numbers (Finanzamtsnummern).
  constexpr std::string_view kOffices =
      "03 04 06 07 08 09 10 12 15 16 18 22 23 29 33 38 41 46 51 52 53 54 57 59 61 65 67 68 69 "
      "71 72 81 82 83 84 90 91 93 97 98";
  bool known = false;
  for (std::size_t i = 0; i + 1 < kOffices.size(); i += 3) {
    if (kOffices.substr(i, 2) == std::string_view(s).substr(0, 2)) known = true;
  }
  if (!known) return Reject();
  return Accept("AT");
}

// ===========================================================================
// Ireland: PPS number, 7 digits, check letter, optional second letter.

char IePpsCheck(std::string_view seven_digits, char second) {
  constexpr std::string_view kAlphabet = "WABCDEFGHIJKLMNOPQRSTUV";
  int sum = 0;
  for (int i = 0; i < 7; ++i) sum += (8 - i) * Dig(seven_digits[i]);
  if (second >= 'A' && second <= 'I') sum += 9 * (second - 'A' + 1);
  return kAlphabet[sum % 23];
}

ValidationResult IePps(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if ((s.size() != 8 && s.size() != 9) || !AllDigits(std::string_view(s).substr(0, 7))) {
    return Reject();
  }
  char check = s[7];
  if (check < 'A' || check > 'W') return Reject();
  char second = s.size() == 9 ? s[8] : 'W';
  if (std::string_view("AHWTX").find(second) == std::string_view::npos) return Reject();
  // Since 2013 the second letter (A, H) enters the check; W, T, X do not.
  char used = (second == 'A' || second == 'H') ? second : 'W';
  return IePpsCheck(std::string_view(s).substr(0, 7), used) == check ? Accept("IE") : Reject();
}

// ===========================================================================
// Portugal: NIF (número de contribuinte).

bool PtNifValid(std::string_view d) {
  if (d.size() != 9 || !AllDigits(d) || d[0] == '0') return false;
  static constexpr std::array<int, 8> kW = {9, 8, 7, 6, 5, 4, 3, 2};
  int check = 11 - Weighted(d, kW) % 11;
  if (check >= 10) check = 0;
  return check == Dig(d[8]);
}

ValidationResult PtNif(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -.");
  if (AllSame(s)) return Reject();
  return PtNifValid(s) ? Accept("PT") : Reject();
}

// Portugal: Cartão de Cidadão, 8 digits, check digit, 2 letters/digits and a
// second check digit; Luhn-like over the base-36 values.
ValidationResult PtCc(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 12 || !AllDigits(std::string_view(s).substr(0, 9)) || !IsDigit(s[11])) {
    return Reject();
  }
  int sum = 0;
  bool dbl = false;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    char ch = *it;
    int v;
    if (IsDigit(ch)) {
      v = ch - '0';
    } else if (IsUpper(ch)) {
      v = ch - 'A' + 10;
    } else {
      return Reject();
    }
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0 ? Accept("PT") : Reject();
}

// ===========================================================================
// United Kingdom

// National Insurance number: two prefix letters, six digits, suffix A-D.
ValidationResult UkNino(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 9 && s.size() != 8) return Reject();
  char a = s[0];
  char b = s[1];
  if (!IsUpper(a) || !IsUpper(b) || !AllDigits(std::string_view(s).substr(2, 6))) return Reject();
  constexpr std::string_view kNever = "DFIQUV";
  if (kNever.find(a) != std::string_view::npos || kNever.find(b) != std::string_view::npos) {
    return Reject();
  }
  if (b == 'O') return Reject();
  std::string prefix = s.substr(0, 2);
  for (const char* bad : {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}) {
    if (prefix == bad) return Reject();
  }
  if (s.size() == 9 && (s[8] < 'A' || s[8] > 'D')) return Reject();
  return Accept("GB");
}

// NHS number: 10 digits, mod 11.
ValidationResult UkNhs(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 10 || !AllDigits(s) || AllSame(s)) return Reject();
  static constexpr std::array<int, 9> kW = {10, 9, 8, 7, 6, 5, 4, 3, 2};
  int check = 11 - Weighted(s, kW) % 11;
  if (check == 11) check = 0;
  if (check == 10 || check != Dig(s[9])) return Reject();
  return Accept("GB");
}

// ===========================================================================
// United States: SSN (structure only; there is no check digit).

ValidationResult UsSsn(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -.");
  if (s.size() != 9 || !AllDigits(s)) return Reject();
  int area = Num(std::string_view(s).substr(0, 3));
  int group = Num(std::string_view(s).substr(3, 2));
  int serial = Num(std::string_view(s).substr(5, 4));
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return Reject();
  // Numbers published as examples (Woolworth wallet card, advertising).
  for (const char* dummy : {"078051120", "219099999", "123456789", "457555462"}) {
    if (s == dummy) return Reject();
  }
  if (AllSame(s)) return Reject();
  // The same separator, if any, must be used twice (123-45-6789, 123 45 6789).
  std::string seps;
  for (char ch : c) {
    if (!IsDigit(ch)) seps.push_back(ch);
  }
  if (!seps.empty() && (seps.size() != 2 || seps[0] != seps[1])) return Reject();
  return Accept("US");
}

// ===========================================================================
// Switzerland: AHV-Nr. / AVS (13 digits, 756 prefix, EAN-13 check).

bool Ean13Valid(std::string_view d) {
  int sum = 0;
  for (std::size_t i = 0; i + 1 < d.size(); ++i) sum += Dig(d[i]) * ((i % 2) ? 3 : 1);
  return (10 - sum % 10) % 10 == Dig(d.back());
}

ValidationResult ChSsn(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " .-");
  if (s.size() != 13 || !AllDigits(s) || s.compare(0, 3, "756") != 0) return Reject();
  return Ean13Valid(s) ? Accept("CH") : Reject();
}

// ===========================================================================
// Greece: AMKA (social security number): DDMMYY + 5 digits, Luhn.

ValidationResult GrAmka(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 11 || !AllDigits(s)) return Reject();
  int dd = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int yy = Num(std::string_view(s).substr(4, 2));
  if (!ValidDateAnyCentury(yy, mm, dd)) return Reject();
  return LuhnValid(s) ? Accept("GR") : Reject();
}

// ===========================================================================
// Baltic states: Estonian isikukood and Lithuanian asmens kodas share the
// format GYYMMDDSSSC and the two-pass mod-11 check.

bool BalticCheck(std::string_view s) {
  static constexpr std::array<int, 10> kW1 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1};
  static constexpr std::array<int, 10> kW2 = {3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
  int check = Weighted(s, kW1) % 11;
  if (check == 10) check = Weighted(s, kW2) % 11 % 10;
  return check == Dig(s[10]);
}

bool BalticDate(std::string_view s, int max_gender) {
  int g = Dig(s[0]);
  if (g < 1 || g > max_gender) return false;
  int year = 1800 + 100 * ((g - 1) / 2) + Num(s.substr(1, 2));
  return ValidDate(year, Num(s.substr(3, 2)), Num(s.substr(5, 2)));
}

ValidationResult EeIk(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 11 || !AllDigits(s) || !BalticDate(s, 8)) return Reject();
  return BalticCheck(s) ? Accept("EE") : Reject();
}

ValidationResult LtAsmens(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 11 || !AllDigits(s)) return Reject();
  // 9 marks a number issued in exceptional cases, without a birth date.
  if (s[0] != '9' && !BalticDate(s, 6)) return Reject();
  return BalticCheck(s) ? Accept("LT") : Reject();
}

// ===========================================================================
// Latvia: personas kods (old form with a birth date).

bool LvPersonalValid(std::string_view s) {
  if (s.size() != 11 || !AllDigits(s)) return false;
  if (s[0] > '3') {
    // Legal entities (PVN): weighted sum mod 11 == 3.
    static constexpr std::array<int, 11> kW = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};
    return Weighted(s, kW) % 11 == 3;
  }
  int dd = Num(s.substr(0, 2));
  int mm = Num(s.substr(2, 2));
  int year = 1800 + 100 * Dig(s[6]) + Num(s.substr(4, 2));
  if (!ValidDate(year, mm, dd)) return false;
  static constexpr std::array<int, 10> kW = {10, 5, 8, 4, 2, 1, 6, 3, 7, 9};
  return (1 + Weighted(s, kW)) % 11 % 10 == Dig(s[10]);
}

// ===========================================================================
// Bulgaria: EGN, YYMMDDSSSC; month +20 for 1800s, +40 for 2000s.

bool EgnValid(std::string_view s) {
  if (s.size() != 10 || !AllDigits(s)) return false;
  int yy = Num(s.substr(0, 2));
  int mm = Num(s.substr(2, 2));
  int dd = Num(s.substr(4, 2));
  int year = 1900 + yy;
  if (mm > 40) {
    mm -= 40;
    year += 100;
  } else if (mm > 20) {
    mm -= 20;
    year -= 100;
  }
  if (!ValidDate(year, mm, dd)) return false;
  static constexpr std::array<int, 9> kW = {2, 4, 8, 5, 10, 9, 7, 3, 6};
  return Weighted(s, kW) % 11 % 10 == Dig(s[9]);
}

// Personal number of a foreigner (LNCh / PNF).
bool PnfValid(std::string_view s) {
  if (s.size() != 10 || !AllDigits(s)) return false;
  static constexpr std::array<int, 9> kW = {21, 19, 17, 13, 11, 9, 7, 3, 1};
  return Weighted(s, kW) % 10 == Dig(s[9]);
}

ValidationResult BgEgn(std::string_view c, const ValidationContext&) {
  return EgnValid(Compact(c, " -")) ? Accept("BG") : Reject();
}

// ===========================================================================
// Slovenia: EMŠO, DDMMYYYRRSSSC.

ValidationResult SiEmso(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -");
  if (s.size() != 13 || !AllDigits(s)) return Reject();
  int dd = Num(std::string_view(s).substr(0, 2));
  int mm = Num(std::string_view(s).substr(2, 2));
  int yyy = Num(std::string_view(s).substr(4, 3));
  int year = yyy + (yyy < 800 ? 2000 : 1000);
  if (!ValidDate(year, mm, dd)) return Reject();
  static constexpr std::array<int, 12> kW = {7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int check = (11 - Weighted(s, kW) % 11) % 11 % 10;
  return check == Dig(s[12]) ? Accept("SI") : Reject();
}

// ===========================================================================
// Romania: CNP, SYYMMDDJJNNNC.

bool CnpValid(std::string_view s) {
  if (s.size() != 13 || !AllDigits(s) || s[0] == '0') return false;
  static constexpr int kCentury[] = {0, 1900, 1900, 1800, 1800, 2000, 2000, 1900, 1900, 1900};
  int year = kCentury[Dig(s[0])] + Num(s.substr(1, 2));
  if (!ValidDate(year, Num(s.substr(3, 2)), Num(s.substr(5, 2)))) return false;
  int county = Num(s.substr(7, 2));
  if (county == 0 || (county > 52 && county != 70 && county != 80 && county != 81 &&
                      county != 82 && county != 83)) {
    return false;
  }
  static constexpr std::array<int, 12> kW = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
  int check = Weighted(s, kW) % 11;
  if (check == 10) check = 1;
  return check == Dig(s[12]);
}

ValidationResult RoCnp(std::string_view c, const ValidationContext&) {
  return CnpValid(Compact(c, " -")) ? Accept("RO") : Reject();
}

// ===========================================================================
// Czech Republic / Slovakia: rodné číslo, YYMMDD/SSS[C].

bool RcValid(std::string_view s) {
  if ((s.size() != 9 && s.size() != 10) || !AllDigits(s)) return false;
  int year = 1900 + Num(s.substr(0, 2));
  int mm = Num(s.substr(2, 2)) % 50 % 20;
  int dd = Num(s.substr(4, 2));
  if (s.size() == 9) {
    if (year >= 1980) year -= 100;
    if (year > 1953) return false;
  } else if (year < 1954) {
    year += 100;
  }
  if (!ValidDate(year, mm, dd)) return false;
  if (s.size() == 10) {
    return static_cast<int>(Num64(s.substr(0, 9)) % 11 % 10) == Dig(s[9]);
  }
  return true;
}

// ===========================================================================
// VAT numbers.

bool AtVat(std::string_view s) {
  if (s.size() != 9 || s[0] != 'U' || !AllDigits(s.substr(1))) return false;
  std::string_view d = s.substr(1);
  int sum = 0;
  for (int i = 0; i < 7; ++i) {
    int v = Dig(d[i]);
    if (i % 2) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return (10 - (sum + 4) % 10) % 10 == Dig(d[7]);
}

bool BeVat(std::string s) {
  if (s.size() == 9) s = "0" + s;
  // Enterprise numbers begin with 0 or 1; the 2 series is being issued now.
  if (s.size() != 10 || !AllDigits(s) || s[0] > '2') return false;
  if (Num64(std::string_view(s).substr(0, 8)) == 0) return false;
  return 97 - Num64(std::string_view(s).substr(0, 8)) % 97 == Num(std::string_view(s).substr(8));
}

bool BgVat(std::string_view s) {
  if (!AllDigits(s)) return false;
  if (s.size() == 9) {
    int check = 0;
    for (int i = 0; i < 8; ++i) check += (i + 1) * Dig(s[i]);
    check %= 11;
    if (check == 10) {
      check = 0;
      for (int i = 0; i < 8; ++i) check += (i + 3) * Dig(s[i]);
      check %= 11;
    }
    return check % 10 == Dig(s[8]);
  }
  if (s.size() == 10) {
    if (EgnValid(s) || PnfValid(s)) return true;
    static constexpr std::array<int, 9> kW = {4, 3, 2, 7, 6, 5, 4, 3, 2};
    return (11 - Weighted(s, kW) % 11) % 11 == Dig(s[9]);
  }
  return false;
}

bool CyVat(std::string_view s) {
  if (s.size() != 9 || !AllDigits(s.substr(0, 8)) || !IsUpper(s[8])) return false;
  if (s.substr(0, 2) == "12") return false;
  static constexpr int kOdd[] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (i % 2 == 0) ? kOdd[Dig(s[i])] : Dig(s[i]);
  return s[8] == static_cast<char>('A' + sum % 26);
}

bool CzVat(std::string_view s) {
  if (!AllDigits(s)) return false;
  if (s.size() == 8) {
    if (s[0] == '9') return false;
    int sum = 0;
    for (int i = 0; i < 7; ++i) sum += (8 - i) * Dig(s[i]);
    int check = (11 - sum) % 11;
    if (check < 0) check += 11;
    return (check == 0 ? 1 : check) % 10 == Dig(s[7]);
  }
  if (s.size() == 9 && s[0] == '6') {
    int sum = 0;
    for (int i = 0; i < 7; ++i) sum += (8 - i) * Dig(s[1 + i]);
    sum %= 11;
    return ((8 - (10 - sum) % 11) % 10 + 10) % 10 == Dig(s[8]);
  }
  return RcValid(s);
}

bool DeVat(std::string_view s) {
  return s.size() == 9 && AllDigits(s) && s[0] != '0' && Mod11_10Valid(s);
}

bool DkVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s) || s[0] == '0') return false;
  static constexpr std::array<int, 8> kW = {2, 7, 6, 5, 4, 3, 2, 1};
  return Weighted(s, kW) % 11 == 0;
}

bool EeVat(std::string_view s) {
  if (s.size() != 9 || !AllDigits(s)) return false;
  static constexpr std::array<int, 9> kW = {3, 7, 1, 3, 7, 1, 3, 7, 1};
  return Weighted(s, kW) % 10 == 0;
}

bool ElVat(std::string s) {
  if (s.size() == 8) s = "0" + s;
  if (s.size() != 9 || !AllDigits(s)) return false;
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += Dig(s[i]) << (8 - i);
  return sum % 11 % 10 == Dig(s[8]);
}

bool EsVat(std::string_view s) {
  if (s.size() != 9) return false;
  return DniValid(s) || NieValid(s) || KlmValid(s) || CifValid(s);
}

bool FiVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s)) return false;
  static constexpr std::array<int, 8> kW = {7, 9, 10, 5, 8, 4, 2, 1};
  return Weighted(s, kW) % 11 == 0;
}

bool FrVat(std::string_view s) {
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  if (s.size() != 11 || !AllDigits(s.substr(2))) return false;
  if (kAlphabet.find(s[0]) == std::string_view::npos ||
      kAlphabet.find(s[1]) == std::string_view::npos) {
    return false;
  }
  std::string_view siren = s.substr(2);
  if (siren.substr(0, 3) != "000" && !LuhnValid(siren)) return false;
  long long n = Num64(siren);
  if (IsDigit(s[0]) && IsDigit(s[1])) {
    return Num(s.substr(0, 2)) == static_cast<int>((n * 100 + 12) % 97);
  }
  long long check = IsDigit(s[0])
                        ? static_cast<long long>(kAlphabet.find(s[0])) * 24 +
                              static_cast<long long>(kAlphabet.find(s[1])) - 10
                        : static_cast<long long>(kAlphabet.find(s[0])) * 34 +
                              static_cast<long long>(kAlphabet.find(s[1])) - 100;
  return (n + 1 + check / 11) % 11 == check % 11;
}

bool HrVat(std::string_view s) { return s.size() == 11 && AllDigits(s) && Mod11_10Valid(s); }

bool HuVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s)) return false;
  static constexpr std::array<int, 8> kW = {9, 7, 3, 1, 9, 7, 3, 1};
  return Weighted(s, kW) % 10 == 0;
}

char IeVatCheck(std::string_view digits7, int extra) {
  constexpr std::string_view kAlphabet = "WABCDEFGHIJKLMNOPQRSTUV";
  int sum = extra;
  for (int i = 0; i < 7; ++i) sum += (8 - i) * Dig(digits7[i]);
  return kAlphabet[sum % 23];
}

bool IeVat(std::string_view s) {
  if (s.size() == 8) {
    if (!IsDigit(s[0]) || !AllDigits(s.substr(2, 5))) return false;
    if (AllDigits(s.substr(0, 7))) return s[7] == IeVatCheck(s.substr(0, 7), 0);
    if (IsUpper(s[1]) || s[1] == '+' || s[1] == '*') {
      // Old style: digit, letter, 5 digits, check letter; the first digit
      // moves to the end.
      std::string d = "0" + std::string(s.substr(2, 5)) + s[0];
      return s[7] == IeVatCheck(d, 0);
    }
    return false;
  }
  if (s.size() == 9 && AllDigits(s.substr(0, 7)) && IsUpper(s[7])) {
    constexpr std::string_view kAlphabet = "WABCDEFGHIJKLMNOPQRSTUV";
    auto v = kAlphabet.find(s[8]);
    if (v == std::string_view::npos) return false;
    return s[7] == IeVatCheck(s.substr(0, 7), 9 * static_cast<int>(v));
  }
  return false;
}

bool ItVat(std::string_view s) {
  if (s.size() != 11 || !AllDigits(s) || Num64(s.substr(0, 7)) == 0) return false;
  int office = Num(s.substr(7, 3));
  if (!((office >= 1 && office <= 100) || office == 120 || office == 121 || office == 888 ||
        office == 999)) {
    return false;
  }
  return LuhnValid(s);
}

bool LtVat(std::string_view s) {
  if (!AllDigits(s)) return false;
  if (s.size() == 9) {
    if (s[7] != '1') return false;
  } else if (s.size() == 12) {
    if (s[10] != '1') return false;
  } else {
    return false;
  }
  std::size_t n = s.size() - 1;
  int check = 0;
  for (std::size_t i = 0; i < n; ++i) check += static_cast<int>(1 + i % 9) * Dig(s[i]);
  check %= 11;
  if (check == 10) {
    check = 0;
    for (std::size_t i = 0; i < n; ++i) check += static_cast<int>(1 + (i + 2) % 9) * Dig(s[i]);
  }
  return check % 11 % 10 == Dig(s[n]);
}

bool LuVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s)) return false;
  return Num64(s.substr(0, 6)) % 89 == Num(s.substr(6));
}

bool LvVat(std::string_view s) { return LvPersonalValid(s); }

bool MtVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s) || s[0] == '0') return false;
  static constexpr std::array<int, 8> kW = {3, 4, 6, 7, 8, 9, 10, 1};
  return Weighted(s, kW) % 37 == 0;
}

bool NlVat(std::string s) {
  // Leading zeros of the 9-digit part are sometimes dropped.
  if (s.size() < 12 && s.size() >= 6) s = std::string(12 - s.size(), '0') + s;
  if (s.size() != 12 || s[9] != 'B' || !AllDigits(std::string_view(s).substr(10)) ||
      !AllDigits(std::string_view(s).substr(0, 9))) {
    return false;
  }
  if (Num(std::string_view(s).substr(10)) == 0) return false;
  if (BsnValid(std::string_view(s).substr(0, 9))) return true;
  // Since 2020 sole proprietors get a number checked by mod 97 over "NL"+number.
  return Mod97Valid("NL" + s);
}

bool PlVat(std::string_view s) {
  if (s.size() != 10 || !AllDigits(s)) return false;
  static constexpr std::array<int, 9> kW = {6, 5, 7, 2, 3, 4, 5, 6, 7};
  int check = Weighted(s, kW) % 11;
  return check != 10 && check == Dig(s[9]);
}

bool RoVat(std::string_view s) {
  if (!AllDigits(s) || s[0] == '0') return false;
  if (s.size() == 13) return CnpValid(s);
  if (s.size() < 2 || s.size() > 10) return false;
  static constexpr int kW[] = {7, 5, 3, 2, 1, 7, 5, 3, 2};
  std::string padded = std::string(10 - s.size(), '0') + std::string(s);
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += kW[i] * Dig(padded[i]);
  return sum * 10 % 11 % 10 == Dig(padded[9]);
}

bool SeVat(std::string_view s) {
  if (s.size() != 12 || !AllDigits(s) || s.substr(10) != "01") return false;
  return LuhnValid(s.substr(0, 10));
}

bool SiVat(std::string_view s) {
  if (s.size() != 8 || !AllDigits(s) || s[0] == '0') return false;
  static constexpr std::array<int, 7> kW = {8, 7, 6, 5, 4, 3, 2};
  int check = 11 - Weighted(s, kW) % 11;
  if (check == 11) return false;
  return check % 10 == Dig(s[7]);
}

bool SkVat(std::string_view s) {
  if (s.size() != 10 || !AllDigits(s)) return false;
  if (RcValid(s)) return true;
  int third = Dig(s[2]);
  return s[0] != '0' && (third == 2 || third == 3 || third == 4 || third == 7 || third == 8 ||
                         third == 9) &&
         Num64(s) % 11 == 0;
}

bool GbVat(std::string_view s) {
  if (s.size() == 5) {
    if (!AllDigits(s.substr(2))) return false;
    int n = Num(s.substr(2));
    return (s.substr(0, 2) == "GD" && n < 500) || (s.substr(0, 2) == "HA" && n >= 500);
  }
  if (s.size() == 11 && (s.substr(0, 6) == "GD8888" || s.substr(0, 6) == "HA8888")) {
    if (!AllDigits(s.substr(6))) return false;
    int n = Num(s.substr(6, 3));
    bool kind_ok = (s[0] == 'G' && n < 500) || (s[0] == 'H' && n >= 500);
    return kind_ok && n % 97 == Num(s.substr(9, 2));
  }
  if ((s.size() == 9 || s.size() == 12) && AllDigits(s)) {
    static constexpr std::array<int, 9> kW = {8, 7, 6, 5, 4, 3, 2, 10, 1};
    int sum = Weighted(s, kW) % 97;
    if (Num(s.substr(0, 3)) >= 100) return sum == 0 || sum == 42 || sum == 55;
    return sum == 0;
  }
  return false;
}

bool ChVat(std::string_view s) {
  // UID: CHE + 9 digits; the VAT form adds MWST / TVA / IVA / TPV.
  if (s.size() < 12 || s.substr(0, 3) != "CHE") return false;
  std::string_view rest = s.substr(12);
  if (!(rest.empty() || rest == "MWST" || rest == "TVA" || rest == "IVA" || rest == "TPV")) {
    return false;
  }
  std::string_view d = s.substr(3, 9);
  if (!AllDigits(d)) return false;
  static constexpr std::array<int, 8> kW = {5, 4, 3, 2, 7, 6, 5, 4};
  int check = (11 - Weighted(d, kW) % 11) % 11;
  return check != 10 && check == Dig(d[8]);
}

bool NoOrgnr(std::string_view s) {
  if (s.size() != 9 || !AllDigits(s)) return false;
  static constexpr std::array<int, 9> kW = {3, 2, 7, 6, 5, 4, 3, 2, 1};
  return Weighted(s, kW) % 11 == 0;
}

bool NoVat(std::string_view s) {
  if (s.size() == 12 && s.substr(9) == "MVA") return NoOrgnr(s.substr(0, 9));
  return NoOrgnr(s);
}

struct VatCountry {
  const char* prefix;
  const char* detail;
  bool (*check)(std::string_view);
};

bool BeVatView(std::string_view s) { return BeVat(std::string(s)); }
bool ElVatView(std::string_view s) { return ElVat(std::string(s)); }
bool NlVatView(std::string_view s) { return NlVat(std::string(s)); }

constexpr VatCountry kVatCountries[] = {
    {"AT", "AT", &AtVat},   {"BE", "BE", &BeVatView}, {"BG", "BG", &BgVat},
    {"CY", "CY", &CyVat},   {"CZ", "CZ", &CzVat},     {"DE", "DE", &DeVat},
    {"DK", "DK", &DkVat},   {"EE", "EE", &EeVat},     {"EL", "GR", &ElVatView},
    {"GR", "GR", &ElVatView}, {"ES", "ES", &EsVat},   {"FI", "FI", &FiVat},
    {"FR", "FR", &FrVat},   {"HR", "HR", &HrVat},     {"HU", "HU", &HuVat},
    {"IE", "IE", &IeVat},   {"IT", "IT", &ItVat},     {"LT", "LT", &LtVat},
    {"LU", "LU", &LuVat},   {"LV", "LV", &LvVat},     {"MT", "MT", &MtVat},
    {"NL", "NL", &NlVatView}, {"PL", "PL", &PlVat},   {"PT", "PT", &PtNifValid},
    {"RO", "RO", &RoVat},   {"SE", "SE", &SeVat},     {"SI", "SI", &SiVat},
    {"SK", "SK", &SkVat},   {"GB", "GB", &GbVat},     {"XI", "GB", &GbVat},
    {"NO", "NO", &NoVat},
};

bool IsVatPrefix(std::string_view two) {
  for (const auto& country : kVatCountries) {
    if (two == country.prefix) return true;
  }
  return two == "CH";
}

// VAT number with its country prefix (EL for Greece, XI for Northern
// Ireland, CHE for Switzerland), or a Norwegian number ending in MVA.
ValidationResult EuVat(std::string_view c, const ValidationContext&) {
  std::string s = Compact(c, " -./:()");
  if (s.size() < 7 || s.size() > 20) return Reject();
  if (s.compare(0, 3, "CHE") == 0) return ChVat(s) ? Accept("CH") : Reject();
  std::string_view v(s);
  for (const auto& country : kVatCountries) {
    std::string_view prefix(country.prefix);
    if (v.substr(0, 2) != prefix) continue;
    std::string_view body = v.substr(2);
    // "RO RO 123...": Romanian numbers are often written with the prefix
    // twice.
    if (prefix == "RO" && body.substr(0, 2) == prefix) {
      if (country.check(body.substr(2))) return Accept(country.detail);
    }
    return country.check(body) ? Accept(country.detail) : Reject();
  }
  // Norwegian numbers are written "123 456 789 MVA" without a prefix.
  if (s.size() == 12 && v.substr(9) == "MVA" && NoVat(v)) return Accept("NO");
  return Reject();
}

// National VAT numbers written without their country prefix; the detectors
// using these need a VAT word nearby. Their patterns take an optional
// leading letter pair: the country's own prefix is skipped; another EU/UK
// prefix in capitals ("DE 125014855") rejects the number, which is eu_vat's
// to judge; any other pair is a word before the number ("No", "is") and is
// skipped. `keep` lists pairs that start the number itself (GB GD/HA).
bool IsVatPrefix(std::string_view two);

std::string WithoutPrefix(std::string_view c, std::string_view prefix,
                          std::initializer_list<std::string_view> keep = {}) {
  std::string s = Compact(c, " -./:");
  if (s.size() < 2 || !IsUpper(s[0]) || !IsUpper(s[1])) return s;
  std::string_view two(s.data(), 2);
  for (std::string_view k : keep) {
    if (two == k && IsUpper(c[0]) && IsUpper(c[1])) return s;
  }
  if (two == prefix) return s.substr(2);
  // "NO" is left out: "VAT No 123..." is far more common than Norway here.
  if (IsUpper(c[0]) && IsUpper(c[1]) && two != "NO" && IsVatPrefix(two)) return {};
  return s.substr(2);
}

ValidationResult BeVatBare(std::string_view c, const ValidationContext&) {
  return BeVat(WithoutPrefix(c, "BE")) ? Accept("BE") : Reject();
}
ValidationResult BgVatBare(std::string_view c, const ValidationContext&) {
  std::string s = WithoutPrefix(c, "BG");
  if (AllSame(s)) return Reject();
  return BgVat(s) ? Accept("BG") : Reject();
}
ValidationResult FrTvaBare(std::string_view c, const ValidationContext&) {
  return FrVat(WithoutPrefix(c, "FR")) ? Accept("FR") : Reject();
}
ValidationResult GbVatBare(std::string_view c, const ValidationContext&) {
  std::string s = WithoutPrefix(c, "GB", {"GD", "HA"});
  if (s.size() >= 2 && s.compare(0, 2, "XI") == 0) s.erase(0, 2);
  if (AllSame(s)) return Reject();
  return GbVat(s) ? Accept("GB") : Reject();
}

constexpr ValidatorEntry kIdValidators[] = {
    {"de_steuer_id", &DeSteuerId},
    {"fr_nir", &FrNir},
    {"es_dni", &EsDni},
    {"es_nie", &EsNie},
    {"es_nif", &EsNif},
    {"it_codice_fiscale", &ItCodiceFiscale},
    {"nl_bsn", &NlBsn},
    {"be_nn", &BeNn},
    {"pl_pesel", &PlPesel},
    {"se_personnummer", &SePersonnummer},
    {"dk_cpr", &DkCpr},
    {"fi_hetu", &FiHetu},
    {"no_fodselsnummer", &NoFodselsnummer},
    {"is_kennitala", &IsKennitala},
    {"at_svnr", &AtSvnr},
    {"at_tin", &AtTin},
    {"ie_pps", &IePps},
    {"pt_nif", &PtNif},
    {"pt_cc", &PtCc},
    {"uk_nino", &UkNino},
    {"uk_nhs", &UkNhs},
    {"us_ssn", &UsSsn},
    {"ch_ssn", &ChSsn},
    {"gr_amka", &GrAmka},
    {"ee_ik", &EeIk},
    {"lt_asmens", &LtAsmens},
    {"bg_egn", &BgEgn},
    {"si_emso", &SiEmso},
    {"ro_cnp", &RoCnp},
    {"eu_vat", &EuVat},
    {"be_vat", &BeVatBare},
    {"bg_vat", &BgVatBare},
    {"fr_tva", &FrTvaBare},
    {"gb_vat", &GbVatBare},
};

}  // namespace

std::span<const ValidatorEntry> NationalIdValidators() { return kIdValidators; }

}  // namespace airlock::detect::internal
