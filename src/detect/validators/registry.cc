#include <string>
#include <vector>

#include "airlock/detect/validators.h"
#include "internal/validator_table.h"

namespace airlock::detect {

namespace {
template <typename F>
void ForEachEntry(F f) {
  for (auto table : {internal::ChecksumValidators(), internal::ContactValidators(),
                     internal::NameValidators(), internal::SecretValidators(),
                     internal::SourceCodeValidators()}) {
    for (const auto& e : table) f(e);
  }
}
}  // namespace

ValidatorFn FindValidator(std::string_view name) {
  ValidatorFn found = nullptr;
  ForEachEntry([&](const internal::ValidatorEntry& e) {
    if (found == nullptr && name == e.name) found = e.fn;
  });
  return found;
}

std::vector<std::string> ValidatorNames() {
  std::vector<std::string> names;
  ForEachEntry([&](const internal::ValidatorEntry& e) { names.emplace_back(e.name); });
  return names;
}

std::string DigitsOnly(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

std::string AlnumUpper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      out.push_back(c);
    } else if (c >= 'a' && c <= 'z') {
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(c);
    }
  }
  return out;
}

bool OnlyAlnumAnd(std::string_view s, std::string_view seps) {
  for (char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alnum && seps.find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool AllSame(std::string_view s) {
  for (char c : s) {
    if (c != s.front()) return false;
  }
  return true;
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool Mod97Valid(std::string_view alnum) {
  if (alnum.empty()) return false;
  int rem = 0;
  for (char c : alnum) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

}  // namespace airlock::detect
