// `airlock check`: the deployment gate. Reads a config (or the built-in
// default), runs the control catalog over it (and, with --live, probes a
// running instance), applies waivers, writes a report, and exits 0/1/2.
#include <CLI/CLI.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "airlock/compliance/catalog.h"
#include "airlock/compliance/checks.h"
#include "airlock/compliance/report.h"
#include "airlock/compliance/ropa.h"
#include "airlock/compliance/waivers.h"
#include "commands.h"

namespace airlock::cli {

namespace {

struct CheckCliOptions {
  std::string config;
  std::string waivers;
  std::string fail_on = "high";
  std::string format = "text";
  std::string output;
  std::vector<std::string> ropa;
  std::string live;
  std::string ca_file;
  std::string admin_key_env = "AIRLOCK_ADMIN_KEY";
  std::string today;
  std::string controls_dir;
  std::string adequacy_file;
};

std::string Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int Fail(const std::string& msg) {
  std::cerr << "airlock check: " << msg << "\n";
  return kExitError;
}

bool WriteFile(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int RunCheck(const CheckCliOptions& o) {
  using namespace compliance;
  auto severity = ParseSeverity(o.fail_on);
  if (!severity.ok()) return Fail("--fail-on: " + severity.status().message());
  CheckOptions opts;
  opts.today = o.today.empty() ? Today() : o.today;
  if (!IsIsoDate(opts.today)) return Fail("--today must be a date YYYY-MM-DD");
  opts.live_url = o.live;
  opts.ca_file = o.ca_file;
  if (const char* k = std::getenv(o.admin_key_env.c_str()); k != nullptr) opts.api_key = k;

  const std::string controls_dir = o.controls_dir.empty() ? DefaultControlsDir() : o.controls_dir;
  auto catalog = ControlCatalog::LoadDirectory(controls_dir);
  if (!catalog.ok()) return Fail(catalog.status().message());
  if (Status s = MatchCatalog(*catalog); !s.ok()) return Fail(s.message());

  auto config = o.config.empty() ? ConfigDocument::LoadText(BuiltinConfigYaml(), "<built-in default>")
                                 : ConfigDocument::LoadFile(o.config);
  if (!config.ok()) return Fail(config.status().message());
  // The gateway's own validation first: a config `airlock serve` would
  // refuse is an error here too, named the same way.
  if (Status s = ValidateGatewayConfig(o.config); !s.ok()) return Fail(s.message());

  CheckEnv env;
  env.config = &*config;
  env.options = &opts;
  opts.jurisdictions_file = o.adequacy_file;
  if (opts.jurisdictions_file.empty()) {
    opts.jurisdictions_file =
        (std::filesystem::path(controls_dir).parent_path() / "jurisdictions" / "adequacy.yaml")
            .string();
    const YAML::Node j = config->root()["jurisdictions"];
    if (j.IsDefined() && j.IsMap() && j["adequacy_file"].IsDefined()) {
      opts.jurisdictions_file = j["adequacy_file"].as<std::string>();
    }
  }
  if (Status s = LoadJurisdictions(opts.jurisdictions_file, &env); !s.ok()) return Fail(s.message());

  std::vector<Waiver> waivers;
  if (!o.waivers.empty()) {
    auto w = LoadWaivers(o.waivers, *catalog);
    if (!w.ok()) return Fail(w.status().message());
    waivers = std::move(*w);
  }

  std::vector<CheckResult> results = RunChecks(*catalog, env);
  ApplyWaivers(waivers, opts.today, &results);

  for (const auto& path : o.ropa) {
    const bool csv = std::filesystem::path(path).extension() == ".csv";
    if (!WriteFile(path, csv ? RopaCsv(env) : RopaMarkdown(env))) {
      return Fail(path + ": cannot write the record of processing");
    }
  }

  ReportInput in;
  in.catalog = &*catalog;
  in.results = &results;
  in.config_source = config->source();
  in.jurisdictions_date = env.jurisdictions_date;
  in.jurisdictions_file = opts.jurisdictions_file;
  in.today = opts.today;
  in.fail_on = *severity;
  in.live_url = opts.live_url;
  std::string text;
  if (o.format == "json") {
    text = RenderJson(in);
  } else if (o.format == "sarif") {
    text = RenderSarif(in);
  } else if (o.format == "junit") {
    text = RenderJunit(in);
  } else {
    text = RenderText(in);
  }
  if (!WriteFile(o.output.empty() ? "-" : o.output, text)) {
    return Fail(o.output + ": cannot write the report");
  }
  return CountBlocking(results, *severity) > 0 ? kExitFindings : kExitClean;
}

}  // namespace

void RegisterCheckCommands(CLI::App& app, Commands& out) {
  auto o = std::make_shared<CheckCliOptions>();
  auto* cmd = app.add_subcommand(
      "check",
      "Check a deployment against ISO/IEC 27001, GDPR, NIS2, NIST AI RMF, OWASP LLM and EU AI "
      "Act controls before it goes live");
  cmd->add_option("-c,--config", o->config, "Config file (default: the built-in default)");
  cmd->add_option("--waivers", o->waivers, "Waiver file (accepted risks with owner and expiry)");
  cmd->add_option("--fail-on", o->fail_on,
                  "Exit 1 on failures at or above: info, low, medium, high (default), critical");
  cmd->add_option("-f,--format", o->format, "Report format")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}));
  cmd->add_option("-o,--output", o->output, "Write the report here (default: standard output)");
  cmd->add_option("--ropa", o->ropa,
                  "Also write a GDPR Art. 30 record of processing: FILE.md (Markdown) or "
                  "FILE.csv; '-' prints Markdown; repeatable");
  cmd->add_option("--live", o->live, "Probe a running instance too (http:// or https:// URL)");
  cmd->add_option("--ca-file", o->ca_file, "CA bundle to verify --live over TLS");
  cmd->add_option("--admin-key-env", o->admin_key_env,
                  "Environment variable with an admin API key, for the live model-pin and audit-chain probes "
                  "(default AIRLOCK_ADMIN_KEY)");
  cmd->add_option("--today", o->today, "Date waivers are judged against (default: today, UTC)");
  cmd->add_option("--controls", o->controls_dir, "Control catalog directory (default: built-in)");
  cmd->add_option("--adequacy", o->adequacy_file,
                  "EEA/adequacy data file (default: the config's adequacy_file, else built-in)");
  out.push_back({cmd, [o] { return RunCheck(*o); }});
}

}  // namespace airlock::cli
