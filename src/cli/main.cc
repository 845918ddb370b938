// The airlock command line. The only code not linked into tests.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

namespace {

void AddCatalogOptions(CLI::App* cmd, airlock::cli::CatalogOptions* opts) {
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Airlock: a sovereign AI gateway. Finds personal data, secrets and confidential "
               "material before it leaves."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "airlock 0.1.0");

  airlock::cli::ScanOptions scan;
  auto* scan_cmd = app.add_subcommand("scan", "Scan files (text, JSON, JSONL, CSV) or stdin");
  scan_cmd->add_option("inputs", scan.inputs, "Files to scan; '-' or nothing reads stdin");
  scan_cmd->add_option("--input", scan.input_format, "Input format")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "text", "json", "jsonl", "csv"}));
  scan_cmd->add_option("-f,--format", scan.output_format, "Output format")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "json", "sarif"}));
  scan_cmd->add_option("--fail-on", scan.fail_on,
                       "Exit 1 when a finding reaches this: a score (0.8), data classes "
                       "(financial,contact), 'any' (default) or 'none'");
  scan_cmd->add_flag("--show-values", scan.show_values,
                     "Print the detected values themselves (off by default)");
  scan_cmd->add_flag("--binary", scan.binary, "Scan files with NUL bytes as raw bytes");
  AddCatalogOptions(scan_cmd, &scan.catalog);

  airlock::cli::CatalogOptions list_opts;
  std::string list_format = "table";
  auto* det_cmd = app.add_subcommand("detectors", "Inspect the detector catalog");
  det_cmd->require_subcommand(1);
  auto* list_cmd = det_cmd->add_subcommand("list", "List detectors");
  list_cmd->add_option("-f,--format", list_format, "table or json")->default_val("table");
  AddCatalogOptions(list_cmd, &list_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : airlock::cli::kExitError;
  }
  // Errors are values inside Airlock; this catch is the last line of defence
  // (out of memory on a huge input) so the process exits with a clear message
  // and the error code instead of an abort.
  try {
    if (*scan_cmd) return airlock::cli::RunScan(scan);
    if (*list_cmd) return airlock::cli::RunDetectorsList(list_opts, list_format);
  } catch (const std::bad_alloc&) {
    std::cerr << "airlock: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "airlock: internal error: " << e.what() << "\n";
  }
  return airlock::cli::kExitError;
}
