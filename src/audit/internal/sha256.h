// SHA-256 for the chain's hot loop. OpenSSL 3's EVP_Digest(EVP_sha256())
// looks the algorithm up on every call, which cost more than hashing a
// 200-byte record; this fetches it once and reuses one context per thread.
#pragma once

#include <string>
#include <string_view>

namespace airlock::audit::internal {

// Raw 32-byte SHA-256 of the concatenation of a and b.
std::string Sha256Of(std::string_view a, std::string_view b = {});

}  // namespace airlock::audit::internal
