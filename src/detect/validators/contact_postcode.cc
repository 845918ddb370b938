// Postcode validators for the formats whose structure can be checked beyond
// "n digits": UK postcodes, Dutch postcodes and Irish Eircodes; and the value
// of a street field (street_value).
#include <algorithm>
#include <string>
#include <string_view>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

namespace {

bool Alpha(char c) { return c >= 'A' && c <= 'Z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

std::string Compact(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

bool AnyOf(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

}  // namespace

// UK: outward code A9, A99, AA9, AA99, A9A, AA9A; inward code 9AA. Letters
// the Royal Mail never uses in a position are refused (Q, V, X first; I, J,
// Z second; C, I, K, M, O, V in the inward letters). "GIR 0AA" is special.
ValidationResult ValidateUkPostcode(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  std::string s = Compact(candidate);
  if (s == "GIR0AA") {
    result.valid = true;
    return result;
  }
  if (s.size() < 5 || s.size() > 7) return result;
  std::string_view in = std::string_view(s).substr(s.size() - 3);
  std::string_view out = std::string_view(s).substr(0, s.size() - 3);
  if (!Digit(in[0]) || !Alpha(in[1]) || !Alpha(in[2])) return result;
  if (AnyOf(in[1], "CIKMOV") || AnyOf(in[2], "CIKMOV")) return result;
  if (!Alpha(out[0]) || AnyOf(out[0], "QVX")) return result;
  bool ok = false;
  if (out.size() == 2) {
    ok = Digit(out[1]);
  } else if (out.size() == 3) {
    ok = (Digit(out[1]) && (Digit(out[2]) || Alpha(out[2]))) ||
         (Alpha(out[1]) && !AnyOf(out[1], "IJZ") && Digit(out[2]));
  } else if (out.size() == 4) {
    ok = Alpha(out[1]) && !AnyOf(out[1], "IJZ") && Digit(out[2]) &&
         (Digit(out[3]) || Alpha(out[3]));
  }
  result.valid = ok;
  if (ok) result.detail = "GB";
  return result;
}

// NL: four digits not starting with 0, two letters; SA, SD and SS are not
// issued.
ValidationResult ValidateNlPostcode(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  std::string s = Compact(candidate);
  if (s.size() != 6) return result;
  for (int i = 0; i < 4; ++i) {
    if (!Digit(s[i])) return result;
  }
  if (s[0] == '0' || !Alpha(s[4]) || !Alpha(s[5])) return result;
  std::string_view letters = std::string_view(s).substr(4);
  if (letters == "SA" || letters == "SD" || letters == "SS") return result;
  result.valid = true;
  result.detail = "NL";
  return result;
}

// IE Eircode: routing key (letter + two digits, or "D6W"), then a unique
// identifier of four characters from a reduced alphabet.
ValidationResult ValidateEircode(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  std::string s = Compact(candidate);
  if (s.size() != 7) return result;
  constexpr std::string_view kLetters = "ACDEFHKNPRTVWXY";
  bool routing = (AnyOf(s[0], kLetters) && Digit(s[1]) && Digit(s[2])) || s.substr(0, 3) == "D6W";
  if (!routing) return result;
  for (int i = 3; i < 7; ++i) {
    if (!Digit(s[i]) && !AnyOf(s[i], kLetters)) return result;
  }
  result.valid = true;
  result.detail = "IE";
  return result;
}

// The value of a street or address field (street_address_field): a house,
// flat or box number next to words. Refused: values without a letter or a
// digit ("n/a", "Hauptstraße" alone says little, "12" is no street), e-mail
// and web addresses (an "E-Mail-Adresse" column), and IPv6 addresses (an
// "Adresse IP" column).
ValidationResult ValidateStreetValue(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  if (candidate.size() < 4 || candidate.size() > 256) return result;
  if (candidate.find('@') != std::string_view::npos || candidate.find("://") != std::string_view::npos ||
      candidate.find("www.") != std::string_view::npos || candidate.find("::") != std::string_view::npos ||
      std::count(candidate.begin(), candidate.end(), ':') >= 2) {
    return result;
  }
  bool digit = false;
  int letters = 0;
  for (char ch : candidate) {
    const auto c = static_cast<unsigned char>(ch);
    if (Digit(static_cast<char>(c))) digit = true;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC2) ++letters;
  }
  result.valid = digit && letters >= 2;
  return result;
}

}  // namespace airlock::detect::internal
