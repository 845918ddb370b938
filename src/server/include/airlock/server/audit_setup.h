// Where a config's audit trail lives and what signs it, resolved one way for
// every writer of the trail: the gateway (trail.cc) and the `airlock` CLI
// (src/cli/cli_trail.cc). Both write to the same store, each on its own chain.
//
//   store        audit.store (or audit.store from env/file), else
//                "sqlite:<dir of store.path>/audit.db"
//   signing key  audit.signing_key, else <dir>/audit-signing.pem, created once
//                (Ed25519, mode 0600) by whichever writer comes first
//
// Thread-safety: free functions; the key file is created with O_EXCL, so two
// processes creating it at once end up loading the same key.
#pragma once

#include <string>
#include <string_view>

#include "airlock/audit/keys.h"
#include "airlock/config/config.h"
#include "airlock/core/status.h"

namespace airlock::server {

// The store URL of cfg's trail. For SQLite, creates the file's directory.
Result<std::string> AuditStoreUrl(const config::Config& cfg);

// The directory next to store.path ("." when store.path has none).
std::string StoreDir(const config::Config& cfg);

// cfg's signing key, able to sign. Creates the default key file when the
// config names none and it does not exist yet.
Result<audit::SigningKey> LoadOrCreateAuditSigningKey(const config::Config& cfg);

// `serve --check`'s view of the trail, creating and writing nothing: the
// store URL resolves and the store could be opened (audit::ProbeStore), and
// the signing key, where it exists, loads and can sign. Returns a line that
// says what was found (no secrets).
Result<std::string> CheckAuditSetup(const config::Config& cfg);

// "<prefix>-<hostname>", the hostname reduced to identifier characters
// ("<prefix>-local" without one). At most 48 bytes before any suffix.
std::string HostInstanceId(std::string_view prefix);

}  // namespace airlock::server
