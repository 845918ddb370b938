// Shared pieces of the `airlock audit` command family (audit_command.cc,
// audit_export.cc).
#pragma once

#include <memory>
#include <string>

#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "commands.h"

namespace CLI {
class App;
}

namespace airlock::cli {

struct AuditOptions {
  std::string store;        // --store; default $AIRLOCK_AUDIT_STORE
  std::string signing_key;  // --signing-key; default $AIRLOCK_AUDIT_SIGNING_KEY
  std::string hmac_key;     // --hmac-key FILE; default the key in $AIRLOCK_AUDIT_HMAC_KEY
};

void AddStoreOption(CLI::App* cmd, AuditOptions* o);
void AddSigningKeyOption(CLI::App* cmd, AuditOptions* o, const char* what);
void AddHmacKeyOption(CLI::App* cmd, AuditOptions* o);
Result<std::unique_ptr<audit::Store>> OpenAuditStore(const AuditOptions& o);
Result<audit::SigningKey> LoadAuditKey(const AuditOptions& o);

// export, verify-bundle
void RegisterAuditExportCommands(CLI::App& audit, Commands& out);

}  // namespace airlock::cli
