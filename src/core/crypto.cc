#include "airlock/core/crypto.h"

#include <openssl/evp.h>

#include "airlock/core/bytes.h"

namespace airlock {

std::string Sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest is a one-shot that cannot fail for SHA-256 on valid input
  // short of memory exhaustion, which aborts elsewhere anyway.
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

}  // namespace airlock
