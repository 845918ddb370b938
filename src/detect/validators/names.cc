// Person-name validators. The expanders (internal/expanders.cc) decide where
// a name begins and ends; this check only rejects spans that cannot be a
// written name whatever their context: digits, e-mail or URL characters,
// line breaks, or more words than a name has.
#include <cstddef>
#include <string_view>

#include "internal/validator_table.h"

namespace airlock::detect::internal {
namespace {

constexpr std::size_t kMaxNameBytes = 100;
constexpr int kMaxNameWords = 6;

ValidationResult PersonName(std::string_view candidate, const ValidationContext&) {
  if (candidate.empty() || candidate.size() > kMaxNameBytes) return {};
  int words = 1;
  bool letter = false;
  for (char ch : candidate) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= '0' && c <= '9') return {};
    if (c == '@' || c == '/' || c == '\\' || c == '_' || c == '\n' || c == '\r' || c == '\t' ||
        c == ':' || c == '=') {
      return {};
    }
    if (c == ' ') ++words;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80) letter = true;
  }
  if (!letter || words > kMaxNameWords) return {};
  return {true, ""};
}

constexpr ValidatorEntry kEntries[] = {
    {"person_name", &PersonName},
};

}  // namespace

std::span<const ValidatorEntry> NameValidators() { return kEntries; }

}  // namespace airlock::detect::internal
