// Byte helpers shared by the two index file formats (EDM, fingerprints).
// Internal to the index library.
#pragma once

#include <cstdint>
#include <string>

#include "airlock/core/status.h"

namespace airlock::detect::index_internal {

// Little-endian appends (the formats are little-endian; so are the hosts).
void PutU32(std::string* out, std::uint32_t v);
void PutU64(std::string* out, std::uint64_t v);

// Writes `data` to `path` mode 0600 through a temporary file, fsync and
// rename, so a reader never sees a half-written index.
Status WriteFile0600(const std::string& path, const std::string& data);

}  // namespace airlock::detect::index_internal
