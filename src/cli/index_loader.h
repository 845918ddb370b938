// Indexes (exact data match, document fingerprints) as scanners `airlock
// scan --index` runs next to the detector catalog.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"
#include "airlock/detect/finding.h"

namespace airlock::cli {

using IndexScanner = std::function<std::vector<detect::Finding>(std::string_view)>;

// Loads each file by its magic; errors name the file (missing, corrupt,
// not an index).
Result<std::vector<IndexScanner>> LoadIndexes(const std::vector<std::string>& paths);

}  // namespace airlock::cli
