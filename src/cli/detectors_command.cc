// `airlock detectors list`: the catalog as people and pipelines see it.
#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "catalog_loader.h"
#include "commands.h"

namespace airlock::cli {

int RunDetectorsList(const CatalogOptions& opts, const std::string& format) {
  auto catalog = LoadCatalog(opts);
  if (!catalog.ok()) {
    std::cerr << "airlock detectors: " << catalog.status().message() << "\n";
    return kExitError;
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : catalog->detectors()) {
      out.push_back({{"id", d.id},
                     {"entity_type", d.entity_type},
                     {"data_class", std::string(detect::DataClassName(d.data_class))},
                     {"jurisdiction", d.jurisdiction},
                     {"validator", d.validator},
                     {"score", d.score},
                     {"context_required", d.context.required},
                     {"description", d.description},
                     {"source", d.source}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitClean;
  }
  if (format != "table") {
    std::cerr << "airlock detectors: unknown --format '" << format << "'\n";
    return kExitError;
  }
  std::printf("%-28s %-28s %-16s %-5s %s\n", "ID", "ENTITY", "CLASS", "JUR", "VALIDATOR");
  for (const auto& d : catalog->detectors()) {
    std::printf("%-28s %-28s %-16s %-5s %s\n", d.id.c_str(), d.entity_type.c_str(),
                std::string(detect::DataClassName(d.data_class)).c_str(), d.jurisdiction.c_str(),
                d.validator.empty() ? "-" : d.validator.c_str());
  }
  std::printf("%zu detectors\n", catalog->detectors().size());
  return kExitClean;
}

void RegisterDetectorsCommands(CLI::App& app, Commands& out) {
  struct ListOptions {
    CatalogOptions catalog;
    std::string format = "table";
  };
  auto opts = std::make_shared<ListOptions>();
  auto* det = app.add_subcommand("detectors", "Inspect the detector catalog");
  det->require_subcommand(1);
  auto* list = det->add_subcommand("list", "List detectors");
  list->add_option("-f,--format", opts->format, "table or json")->default_val("table");
  AddCatalogOptions(list, &opts->catalog);
  out.push_back({list, [opts] { return RunDetectorsList(opts->catalog, opts->format); }});
}

}  // namespace airlock::cli
