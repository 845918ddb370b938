#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "airlock/detect/finding.h"
#include "airlock/transform/transform.h"

namespace airlock::transform {

std::string ApplyReplacements(std::string_view text, std::vector<Replacement> replacements) {
  std::sort(replacements.begin(), replacements.end(),
            [](const Replacement& a, const Replacement& b) { return a.span.begin < b.span.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const auto& r : replacements) {
    if (r.span.begin < pos || r.span.end > text.size()) continue;  // overlapping: first wins
    out.append(text.substr(pos, r.span.begin - pos));
    out.append(r.with);
    pos = r.span.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::string RedactMarker(std::string_view entity_type) {
  return "[REDACTED:" + std::string(entity_type) + "]";
}

std::string Mask(std::string_view value, std::string_view entity_type) {
  return detect::MaskedPreview(value, entity_type);
}

std::string Hash(std::string_view value, std::string_view entity_type, std::string_view key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), md, &len);
  return "[" + std::string(entity_type) + ":" +
         HexEncode(std::string_view(reinterpret_cast<const char*>(md), 6)) + "]";
}

}  // namespace airlock::transform
