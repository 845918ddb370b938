// Subcommands of the `airlock` binary. Each returns the process exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "airlock/core/status.h"

namespace CLI {
class App;
}

namespace airlock::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitClean = 0;     // nothing at or above --fail-on
inline constexpr int kExitFindings = 1;  // something at or above --fail-on
inline constexpr int kExitError = 2;     // bad input, bad usage, unreadable file

struct CatalogOptions {
  std::vector<std::string> extra_catalogs;  // --detectors FILE|DIR (repeatable)
  bool builtin = true;                      // --no-builtin turns the default catalog off
  std::string region = "DE";                // --region
  double min_score = 0.5;                   // --min-score
};

struct ScanOptions {
  CatalogOptions catalog;
  std::vector<std::string> inputs;  // files, or "-" for standard input
  std::string input_format = "auto";
  std::string output_format = "table";
  std::string fail_on;  // empty: any reported finding; a score; or data classes
  bool show_values = false;
  bool binary = false;
  std::vector<std::string> indexes;  // --index FILE (repeatable)
  // Text input only: feed the analyzer N bytes at a time through a
  // StreamAnalyzer (the gateway's streamed-response path); 0: block mode.
  std::size_t stream_chunk = 0;
};

// Each command family adds its subcommands to the app and, for each, the
// function to run when it was chosen. main() runs the one whose subcommand
// was parsed. A new family is a new Register* function and one line in
// main.cc, so parallel work on different families never collides.
struct Command {
  CLI::App* app = nullptr;        // the (leaf) subcommand
  std::function<int()> run;       // returns the process exit code
};
using Commands = std::vector<Command>;

void RegisterScanCommands(CLI::App& app, Commands& out);       // scan
void RegisterDetectorsCommands(CLI::App& app, Commands& out);  // detectors list
void RegisterAuditCommands(CLI::App& app, Commands& out);      // audit ...
void RegisterCheckCommands(CLI::App& app, Commands& out);       // check

// The gateway's built-in default configuration (YAML), and its validation of
// a config file (empty path: the default). Used by `check`.
const std::string& BuiltinConfigYaml();
Status ValidateGatewayConfig(const std::string& path);
void RegisterIndexCommands(CLI::App& app, Commands& out);       // index records|documents
void RegisterModelCommands(CLI::App& app, Commands& out);      // model inspect|hash|quantize|run|bench
void RegisterServeCommands(CLI::App& app, Commands& out);      // serve
void RegisterKeysCommands(CLI::App& app, Commands& out);       // keys create|list|revoke
void RegisterLockdownCommands(CLI::App& app, Commands& out);  // lockdown on|off|status, admin ...

int RunScan(const ScanOptions& opts);
int RunDetectorsList(const CatalogOptions& opts, const std::string& format);

}  // namespace airlock::cli
