#include "catalog_loader.h"

#include <cstdlib>
#include <filesystem>

namespace airlock::cli {

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
