// Indexes (exact data match, document fingerprints) as scanners that run
// next to the detector catalog: `airlock scan --index` and the gateway's
// detection.indexes.
//
//   auto idx = detect::LoadIndexes({"records.idx", "documents.idx"});
//   for (const auto& scan : *idx) for (auto& f : scan(text)) ...
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::detect {

// Thread-safe: the index behind it is immutable once loaded.
using IndexScanner = std::function<std::vector<Finding>(std::string_view)>;

// Loads each file by its magic; errors name the file (missing, corrupt,
// not an index).
Result<std::vector<IndexScanner>> LoadIndexes(const std::vector<std::string>& paths);

}  // namespace airlock::detect
