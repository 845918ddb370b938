// Salesforce record ids.
//
// A 15-character id is case-sensitive: 3-character key prefix (object type),
// 2-character instance, 1 reserved character (currently always '0'), 9
// characters of record number. The 18-character form appends 3 characters
// that encode, for each 5-character block of the 15, which positions are
// upper-case letters (bit i set for position i), as an index into
// "A..Z0..5". The suffix lets case-insensitive systems round-trip the id,
// and gives us a 15-bit checksum to validate against.
#include <string_view>

#include "airlock/detect/validators.h"

namespace airlock::detect::internal {

namespace {

constexpr std::string_view kSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Checks the shape shared by both forms. Ids are mostly digits and mixed
// letters; a 15-letter word or a number never is one.
bool ValidBase(std::string_view id15) {
  int digits = 0;
  int letters = 0;
  for (char c : id15) {
    if (!IsAlnum(c)) return false;
    if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      ++letters;
    }
  }
  if (id15[5] != '0') return false;  // reserved character
  return digits >= 3 && letters >= 1;
}

char SuffixChar(std::string_view block) {
  int bits = 0;
  for (int i = 0; i < 5; ++i) {
    if (block[i] >= 'A' && block[i] <= 'Z') bits |= 1 << i;
  }
  return kSuffixAlphabet[bits];
}

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

ValidationResult ValidateSalesforceId(std::string_view candidate, const ValidationContext&) {
  ValidationResult result;
  if (candidate.size() != 15 && candidate.size() != 18) return result;
  std::string_view id15 = candidate.substr(0, 15);
  if (!ValidBase(id15)) return result;
  if (candidate.size() == 18) {
    for (int b = 0; b < 3; ++b) {
      if (Upper(candidate[15 + b]) != SuffixChar(id15.substr(b * 5, 5))) return result;
    }
  }
  result.valid = true;
  return result;
}

}  // namespace airlock::detect::internal
