// Builds the analyzer the CLI uses: the built-in catalog plus user catalogs.
#pragma once

#include <memory>

#include "airlock/core/status.h"
#include "airlock/detect/analyzer.h"
#include "commands.h"

namespace airlock::cli {

// Adds --detectors, --no-builtin, --region and --min-score to a subcommand.
void AddCatalogOptions(CLI::App* cmd, CatalogOptions* opts);

Result<detect::Catalog> LoadCatalog(const CatalogOptions& opts);
Result<std::shared_ptr<const detect::Analyzer>> BuildAnalyzer(const CatalogOptions& opts);
// $XDG_CACHE_HOME/airlock or ~/.cache/airlock; empty when neither is known.
std::string CacheDir();

}  // namespace airlock::cli
