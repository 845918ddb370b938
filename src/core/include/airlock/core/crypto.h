// Cryptographic helpers over OpenSSL EVP.
//
// Thread-safety: all functions are safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

namespace airlock {

// Raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// Lower-case hex SHA-256 digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace airlock
