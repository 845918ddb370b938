// Date-of-birth validator.
//
// Accepts the numeric and month-name date forms the catalog's patterns find
// (EU and US order, ISO order, month names in EN/DE/FR/ES/IT/NL) and checks
// that they name a real calendar date in a plausible birth range: not in the
// future and at most 125 years ago. Numeric day/month order is ambiguous
// ("03/04/1985"); the candidate passes when either reading is a real date,
// since the finding is the same data either way.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

namespace {

struct MonthName {
  const char* name;  // lower case, UTF-8
  int month;
};

// Full names; abbreviations are accepted as prefixes of at least three bytes
// when every name they prefix means the same month ("jui" is refused: juin
// or juillet).
constexpr MonthName kMonthNames[] = {
    {"january", 1},   {"januar", 1},     {"jänner", 1},    {"janvier", 1},   {"enero", 1},
    {"gennaio", 1},   {"januari", 1},    {"february", 2},  {"februar", 2},   {"février", 2},
    {"fevrier", 2},   {"febrero", 2},    {"febbraio", 2},  {"februari", 2},  {"march", 3},
    {"märz", 3},      {"maerz", 3},      {"mars", 3},      {"marzo", 3},     {"maart", 3},
    {"april", 4},     {"avril", 4},      {"abril", 4},     {"aprile", 4},    {"may", 5},
    {"mai", 5},       {"mayo", 5},       {"maggio", 5},    {"mei", 5},       {"june", 6},
    {"juni", 6},      {"juin", 6},       {"junio", 6},     {"giugno", 6},    {"july", 7},
    {"juli", 7},      {"juillet", 7},    {"julio", 7},     {"luglio", 7},    {"august", 8},
    {"août", 8},      {"aout", 8},       {"agosto", 8},    {"augustus", 8},  {"september", 9},
    {"septembre", 9}, {"septiembre", 9}, {"setiembre", 9}, {"settembre", 9}, {"october", 10},
    {"oktober", 10},  {"octobre", 10},   {"octubre", 10},  {"ottobre", 10},  {"november", 11},
    {"novembre", 11}, {"noviembre", 11}, {"december", 12}, {"dezember", 12}, {"décembre", 12},
    {"decembre", 12}, {"diciembre", 12}, {"dicembre", 12}, {"mrt", 3},
};

// Lower-cases ASCII and the upper-case Latin-1 letters used in month names
// (Ä, É, Û: UTF-8 C3 84 / C3 89 / C3 9B -> C3 A4 / C3 A9 / C3 BB).
std::string Lower(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < out.size()) {
      unsigned char n = static_cast<unsigned char>(out[i + 1]);
      if (n >= 0x80 && n <= 0x9E && n != 0x97) out[i + 1] = static_cast<char>(n + 0x20);
      ++i;
    }
  }
  return out;
}

// 0 when `word` names no month or is ambiguous.
int MonthFromWord(std::string_view word) {
  std::string w = Lower(word);
  if (w.size() < 3) return 0;
  int found = 0;
  for (const MonthName& m : kMonthNames) {
    std::string_view name = m.name;
    bool match = name == w || (name.size() > w.size() && name.substr(0, w.size()) == w);
    if (!match) continue;
    if (found != 0 && found != m.month) return 0;
    found = m.month;
  }
  return found;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && IsLeap(y)) return 29;
  return kDays[m - 1];
}

struct Today {
  int year;
  int month;
  int day;
};

Today CurrentDate() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// A real date, not in the future, at most 125 years ago.
bool PlausibleBirthDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  if (d > DaysInMonth(y, m)) return false;
  Today t = CurrentDate();
  if (y < t.year - 125) return false;
  if (y > t.year || (y == t.year && (m > t.month || (m == t.month && d > t.day)))) return false;
  return true;
}

// Two-digit years: the most recent century that does not put the date in
// the future.
int ExpandYear(int y, int digits) {
  if (digits != 2) return y;
  int current = CurrentDate().year;
  int candidate = current / 100 * 100 + y;
  return candidate > current ? candidate - 100 : candidate;
}

struct Token {
  bool number;
  std::string_view text;
  int value = 0;
};

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t j = i;
    if (c >= '0' && c <= '9') {
      int v = 0;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 5) {
        v = v * 10 + (s[j] - '0');
        ++j;
      }
      tokens.push_back({true, s.substr(i, j - i), v});
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) {
      while (j < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[j]);
        if (!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d >= 0x80)) break;
        ++j;
      }
      tokens.push_back({false, s.substr(i, j - i)});
    } else {
      j = i + 1;
    }
    i = j;
  }
  return tokens;
}

}  // namespace

ValidationResult ValidateDateOfBirth(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  if (candidate.size() > 48) return result;
  std::vector<Token> tokens = Tokenize(candidate);
  std::vector<const Token*> numbers;
  int month_word = 0;
  for (const Token& t : tokens) {
    if (t.number) {
      numbers.push_back(&t);
      continue;
    }
    int m = MonthFromWord(t.text);
    if (m != 0) {
      if (month_word != 0) return result;
      month_word = m;
    }
    // Other words (ordinal suffixes, "de", "of", "del") are connectors the
    // pattern allowed.
  }
  if (month_word != 0) {
    if (numbers.size() != 2) return result;
    const Token* day = numbers[0];
    const Token* year = numbers[1];
    if (day->text.size() == 4) std::swap(day, year);
    if (year->text.size() != 4 || day->text.size() > 2) return result;
    result.valid = PlausibleBirthDate(year->value, month_word, day->value);
    return result;
  }
  if (numbers.size() != 3) return result;
  const Token& a = *numbers[0];
  const Token& b = *numbers[1];
  const Token& c = *numbers[2];
  if (a.text.size() == 4) {  // ISO 8601: y-m-d
    if (b.text.size() > 2 || c.text.size() > 2) return result;
    result.valid = PlausibleBirthDate(a.value, b.value, c.value);
    return result;
  }
  if (a.text.size() > 2 || b.text.size() > 2) return result;
  if (c.text.size() != 2 && c.text.size() != 4) return result;
  int year = ExpandYear(c.value, static_cast<int>(c.text.size()));
  result.valid = PlausibleBirthDate(year, b.value, a.value) ||  // d.m.y
                 PlausibleBirthDate(year, a.value, b.value);    // m/d/y
  return result;
}

}  // namespace airlock::detect::internal
