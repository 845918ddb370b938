#include "catalog_loader.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>

namespace airlock::cli {

void AddCatalogOptions(CLI::App* cmd, CatalogOptions* opts) {
  cmd->add_option("--detectors", opts->extra_catalogs,
                  "Extra detector catalog (YAML file or directory); repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("!--no-builtin", opts->builtin, "Do not load the built-in detector catalog");
  cmd->add_option("--region", opts->region,
                  "Default region (ISO 3166 alpha-2) for phone numbers without a country code")
      ->default_val("DE");
  cmd->add_option("--min-score", opts->min_score, "Report findings scoring at least this")
      ->default_val(0.5)
      ->check(CLI::Range(0.0, 1.0));
}


namespace fs = std::filesystem;

std::string CacheDir() {
  if (const char* x = std::getenv("AIRLOCK_CACHE_DIR"); x != nullptr) return x;  // "" disables
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    return (fs::path(x) / "airlock").string();
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return (fs::path(h) / ".cache" / "airlock").string();
  }
  return "";
}

Result<detect::Catalog> LoadCatalog(const CatalogOptions& opts) {
  detect::Catalog catalog;
  if (opts.builtin) {
    auto builtin = detect::Catalog::LoadDirectory(detect::DefaultDataDir() + "/detectors");
    if (!builtin.ok()) return builtin.status();
    catalog = std::move(*builtin);
  }
  for (const auto& path : opts.extra_catalogs) {
    std::error_code ec;
    auto extra = fs::is_directory(path, ec) ? detect::Catalog::LoadDirectory(path)
                                            : detect::Catalog::LoadFile(path);
    if (!extra.ok()) return extra.status();
    if (Status s = catalog.Merge(std::move(*extra)); !s.ok()) return s;
  }
  return catalog;
}

Result<std::shared_ptr<const detect::Analyzer>> BuildAnalyzer(const CatalogOptions& opts) {
  auto catalog = LoadCatalog(opts);
  if (!catalog.ok()) return catalog.status();
  detect::AnalyzerOptions ao;
  ao.min_score = opts.min_score;
  ao.validation.default_region = opts.region;
  ao.cache_dir = CacheDir();
  return detect::Analyzer::Create(std::move(*catalog), ao);
}

}  // namespace airlock::cli
