// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF, used so
// that index files hold keyed hashes rather than values.
#pragma once

#include <cstdint>
#include <string_view>

namespace airlock::detect::index_internal {

std::uint64_t SipHash24(const std::uint64_t key[2], std::string_view data);

}  // namespace airlock::detect::index_internal
