// The airlock command line. The only code not linked into tests.
// Each command family registers its subcommands (see commands.h).
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Airlock: a sovereign AI gateway. Finds personal data, secrets and confidential "
               "material before it leaves."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "airlock 0.1.0");

  airlock::cli::Commands commands;
  airlock::cli::RegisterScanCommands(app, commands);
  airlock::cli::RegisterDetectorsCommands(app, commands);
  airlock::cli::RegisterAuditCommands(app, commands);
  airlock::cli::RegisterCheckCommands(app, commands);
  airlock::cli::RegisterIndexCommands(app, commands);
  airlock::cli::RegisterModelCommands(app, commands);
  airlock::cli::RegisterServeCommands(app, commands);
  airlock::cli::RegisterKeysCommands(app, commands);
  airlock::cli::RegisterLockdownCommands(app, commands);

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
    for (const auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
  } catch (const std::bad_alloc&) {
    std::cerr << "airlock: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "airlock: internal error: " << e.what() << "\n";
  }
  return airlock::cli::kExitError;
}
