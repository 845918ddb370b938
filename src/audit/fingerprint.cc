#include "airlock/audit/fingerprint.h"

#include <openssl/crypto.h>

#include <cctype>
#include <cstring>

namespace airlock::audit {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Identifiers printed in groups: "DE89 3704 0044", "DE-123.456.789".
std::string Compact(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '-' || c == '.') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string Digits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

std::string Phone(std::string_view s) {
  s = Trim(s);
  std::string digits = Digits(s);
  if (!s.empty() && s.front() == '+') return "+" + digits;
  if (digits.size() > 2 && digits.compare(0, 2, "00") == 0) return "+" + digits.substr(2);
  return digits;
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : Trim(s)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string Normalise(std::string_view type, std::string_view value) {
  if (type == "EMAIL_ADDRESS" || type == "IP_ADDRESS" || type == "URL") return Lower(Trim(value));
  if (type == "PHONE_NUMBER") return Phone(value);
  if (type == "CREDIT_CARD" || type == "US_SSN") return Digits(value);
  if (type == "IBAN_CODE" || type == "SWIFT_CODE" || type == "VAT_ID" || EndsWith(type, "_ID") ||
      EndsWith(type, "_NUMBER") || EndsWith(type, "_CODE")) {
    return Compact(value);
  }
  return CollapseSpace(value);
}

ValueFingerprint Fingerprint(const HmacKey& key, std::string_view entity_type,
                             std::string_view normalised) {
  ValueFingerprint fp;
  fp.entity_type = std::string(entity_type);
  // HMAC over entity type, NUL, value, without a joined copy of the value.
  fp.mac = key.mac().Mac({entity_type, std::string_view("\0", 1), normalised});
  return fp;
}

ValueFingerprint FingerprintValue(const HmacKey& key, std::string_view entity_type,
                                  std::string_view value) {
  std::string n = Normalise(entity_type, value);
  ValueFingerprint fp = Fingerprint(key, entity_type, n);
  OPENSSL_cleanse(n.data(), n.size());
  return fp;
}

}  // namespace airlock::audit
