// `airlock check` reads the config as YAML (for file:line) but first lets the
// gateway's own parser validate it, so that a config `airlock serve` would
// refuse is an error in `check` too, named the same way.
#include <string>

#include "airlock/config/config.h"
#include "commands.h"

namespace airlock::cli {

const std::string& BuiltinConfigYaml() { return config::DefaultYaml(); }

Status ValidateGatewayConfig(const std::string& path) {
  if (path.empty()) return Status::Ok();  // the built-in default parses (asserted at start-up)
  auto cfg = config::LoadFile(path);
  return cfg.ok() ? Status::Ok() : cfg.status();
}

}  // namespace airlock::cli
