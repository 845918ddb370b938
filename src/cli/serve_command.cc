// `airlock serve`: the gateway.
#include <CLI/CLI.hpp>

#include <iostream>

#include "airlock/detect/stream_analyzer.h"
#include "airlock/server/server.h"
#include "catalog_loader.h"
#include "commands.h"
#include "local_models.h"

namespace airlock::cli {

namespace {

struct ServeFlags {
  std::string config;
  std::string listen;
  std::vector<std::string> detectors;
  std::string model;
  bool check = false;
};

// The analyzer with its streaming databases ready: streamed answers go
// through a StreamAnalyzer, whose databases would otherwise be compiled (or
// loaded from the cache) by the first streamed answer.
Result<std::shared_ptr<const detect::Analyzer>> PrepareAnalyzer(const CatalogOptions& co) {
  auto analyzer = BuildAnalyzer(co);
  if (!analyzer.ok()) return analyzer;
  if (Status st = detect::StreamAnalyzer::Prepare(**analyzer); !st.ok()) return st;
  return analyzer;
}

int RunServe(const ServeFlags& f) {
  auto cfg = server::LoadConfig(f.config);
  if (!cfg.ok()) {
    std::cerr << "airlock serve: " << cfg.status().message() << "\n";
    return kExitError;
  }
  CatalogOptions co;
  co.extra_catalogs = f.detectors;
  co.min_score = (*cfg)->detection.min_score;
  co.region = (*cfg)->detection.region;
  if (f.check) {
    // What serve does before it listens, in its order, loading no model
    // weights and writing nothing.
    auto analyzer = PrepareAnalyzer(co);
    if (!analyzer.ok()) {
      std::cerr << "airlock serve: detectors: " << analyzer.status().message() << "\n";
      return kExitError;
    }
    LocalModels models(f.model, "models");
    auto found = server::CheckConfig(f.config, models.Checker());
    if (!found.ok()) {
      std::cerr << "airlock serve: " << found.status().message() << "\n";
      return kExitError;
    }
    std::cout << "detectors: " << (*analyzer)->catalog().detectors().size() << "\n";
    for (const std::string& line : *found) std::cout << line << "\n";
    std::cout << "config OK: " << (*cfg)->workflows.size() << " workflows, " << (*cfg)->backends.size()
              << " backends\n";
    return kExitClean;
  }
  auto analyzer = PrepareAnalyzer(co);
  if (!analyzer.ok()) {
    std::cerr << "airlock serve: detectors: " << analyzer.status().message() << "\n";
    return kExitError;
  }
  server::ServeOptions o;
  o.config_path = f.config;
  o.listen = f.listen;
  o.analyzer = *analyzer;
  LocalModels models(f.model, "models");
  o.local_backend = models.Factory();
  Status s = server::Serve(o);
  if (!s.ok()) {
    std::cerr << "airlock serve: " << s.message() << "\n";
    return kExitError;
  }
  return kExitClean;
}

}  // namespace

void RegisterServeCommands(CLI::App& app, Commands& out) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the gateway (OpenAI-compatible endpoint)");
  cmd->add_option("--config", flags->config, "Config file (YAML); default: the built-in config");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (overrides server.listen; port 0 picks one)");
  cmd->add_option("--detectors", flags->detectors, "Extra detector catalog (YAML file or directory); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--model", flags->model,
                  "GGUF model file for local backends that name none (default: the first models/*.gguf)");
  cmd->add_flag("--check", flags->check, "Validate the config and exit");
  out.push_back({cmd, [flags] { return RunServe(*flags); }});
}

}  // namespace airlock::cli
