#include "airlock/detect/finding.h"

#include <array>
#include <cctype>

namespace airlock::detect {

namespace {
constexpr std::array<std::pair<DataClass, std::string_view>, 8> kDataClassNames = {{
    {DataClass::kPersonal, "personal"},
    {DataClass::kSpecialCategory, "special_category"},
    {DataClass::kFinancial, "financial"},
    {DataClass::kGovernmentId, "government_id"},
    {DataClass::kContact, "contact"},
    {DataClass::kCredential, "credential"},
    {DataClass::kConfidential, "confidential"},
    {DataClass::kTechnical, "technical"},
}};

bool IsAlnum(unsigned char c) { return std::isalnum(c) != 0; }
}  // namespace

std::string_view DataClassName(DataClass c) {
  for (const auto& [dc, name] : kDataClassNames) {
    if (dc == c) return name;
  }
  return "unknown";
}

bool ParseDataClass(std::string_view name, DataClass* out) {
  std::string norm(name);
  for (char& ch : norm) {
    if (ch == '-') ch = '_';
  }
  for (const auto& [dc, n] : kDataClassNames) {
    if (n == norm) {
      *out = dc;
      return true;
    }
  }
  return false;
}

std::string MaskedPreview(std::string_view value, std::string_view entity_type) {
  std::string out(value);
  if (entity_type == "PERSON") {
    // First letter of each word.
    bool word_start = true;
    for (char& c : out) {
      unsigned char uc = static_cast<unsigned char>(c);
      if (std::isspace(uc) || c == '-' || c == '\'') {
        word_start = true;
        continue;
      }
      if (word_start && uc < 0x80) {
        word_start = false;
        continue;
      }
      word_start = false;
      if (uc >= 0x80 && (uc & 0xC0) == 0x80) {
        c = '\0';  // drop UTF-8 continuation bytes so one '*' per character
      } else {
        c = '*';
      }
    }
    std::string compact;
    for (char c : out) {
      if (c != '\0') compact.push_back(c);
    }
    return compact;
  }
  // Identifiers, e-mails, phones: keep separators and the first and last two
  // alphanumerics (only when long enough that this hides most of the value).
  std::size_t alnum = 0;
  for (char c : out) alnum += IsAlnum(static_cast<unsigned char>(c)) ? 1 : 0;
  // Card and IBAN previews follow their industries' habits (issuer / country
  // and check digits visible); everything else shows less.
  const bool wide_head = entity_type == "CREDIT_CARD" || entity_type == "IBAN_CODE";
  std::size_t head = (wide_head && alnum >= 16) ? 4 : (alnum >= 12 ? 2 : (alnum >= 8 ? 1 : 0));
  std::size_t tail = alnum >= 12 ? 2 : (alnum >= 8 ? 1 : 0);
  std::size_t seen = 0;
  std::string compact;
  for (char c : out) {
    unsigned char uc = static_cast<unsigned char>(c);
    if (uc >= 0x80) {
      if ((uc & 0xC0) != 0x80) compact.push_back('*');
      continue;
    }
    if (IsAlnum(uc)) {
      ++seen;
      compact.push_back((seen <= head || seen > alnum - tail) ? c : '*');
    } else {
      compact.push_back(c);
    }
  }
  return compact;
}

}  // namespace airlock::detect
