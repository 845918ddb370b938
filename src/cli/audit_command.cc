// `airlock audit ...`: keys, verification, tail, retention and the
// data-subject search over the audit trail. Until the gateway's config
// exists, options (or AIRLOCK_AUDIT_* environment variables) name the store
// and the keys.
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "airlock/audit/audit_log.h"
#include "airlock/audit/fingerprint.h"
#include "airlock/audit/format.h"
#include "airlock/audit/keys.h"
#include "airlock/audit/store.h"
#include "airlock/audit/verify.h"
#include "airlock/audit/verify_json.h"
#include "airlock/core/bytes.h"
#include "audit_commands.h"
#include "airlock/audit/json.h"
#include "commands.h"

namespace airlock::cli {

using audit::EventFromJson;
using audit::EventToJson;
using audit::FormatTimeUs;
using audit::ParseTimeUs;
namespace {

std::string EnvOr(const char* name, std::string fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int Fail(const std::string& cmd, const Status& s) {
  std::cerr << "airlock audit " << cmd << ": " << s.message() << "\n";
  return kExitError;
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

}  // namespace

void AddStoreOption(CLI::App* cmd, AuditOptions* o) {
  cmd->add_option("--store", o->store,
                  "sqlite:PATH or postgresql://... (default: $AIRLOCK_AUDIT_STORE)");
}
void AddSigningKeyOption(CLI::App* cmd, AuditOptions* o, const char* what) {
  cmd->add_option("--signing-key", o->signing_key,
                  std::string(what) + " (default: $AIRLOCK_AUDIT_SIGNING_KEY)");
}
void AddHmacKeyOption(CLI::App* cmd, AuditOptions* o) {
  cmd->add_option("--hmac-key", o->hmac_key,
                  "file with the fingerprint key (default: the key in $AIRLOCK_AUDIT_HMAC_KEY)");
}

Result<std::unique_ptr<audit::Store>> OpenAuditStore(const AuditOptions& o) {
  std::string url = o.store.empty() ? EnvOr("AIRLOCK_AUDIT_STORE") : o.store;
  if (url.empty())
    return Status::InvalidArgument("no store: give --store sqlite:PATH or postgresql://...");
  return audit::OpenStore(url);
}

Result<audit::SigningKey> LoadAuditKey(const AuditOptions& o) {
  std::string path = o.signing_key.empty() ? EnvOr("AIRLOCK_AUDIT_SIGNING_KEY") : o.signing_key;
  if (path.empty()) return Status::InvalidArgument("no key: give --signing-key PEM");
  return audit::SigningKey::LoadPem(path);
}

namespace {

int RunKeygen(const std::string& signing, const std::string& pub, const std::string& hmac) {
  if (signing.empty() && hmac.empty()) {
    return Fail("keygen",
                Status::InvalidArgument("give --signing-key PATH and/or --hmac-key PATH"));
  }
  if (!signing.empty()) {
    auto key = audit::SigningKey::Generate();
    if (!key.ok()) return Fail("keygen", key.status());
    auto pem = key->PrivatePem();
    if (!pem.ok()) return Fail("keygen", pem.status());
    if (Status s = audit::WriteSecretFile(signing, *pem); !s.ok()) return Fail("keygen", s);
    std::cout << "signing key " << key->KeyId() << " written to " << signing << "\n";
    if (!pub.empty()) {
      auto pub_pem = key->PublicPem();
      if (!pub_pem.ok()) return Fail("keygen", pub_pem.status());
      if (Status s = audit::WriteSecretFile(pub, *pub_pem); !s.ok()) return Fail("keygen", s);
      std::cout << "public key written to " << pub << "\n";
    }
  }
  if (!hmac.empty()) {
    // 32 random bytes, hex: printable, so it also fits an environment variable.
    std::string bytes(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32) != 1) {
      return Fail("keygen", Status::Internal("no randomness for the fingerprint key"));
    }
    if (Status s = audit::WriteSecretFile(hmac, HexEncode(bytes) + "\n"); !s.ok()) {
      return Fail("keygen", s);
    }
    std::cout << "fingerprint key written to " << hmac << "\n";
  }
  return kExitClean;
}

int RunVerify(const AuditOptions& o, const std::string& format) {
  auto store = OpenAuditStore(o);
  if (!store.ok()) return Fail("verify", store.status());
  auto key = LoadAuditKey(o);
  if (!key.ok()) return Fail("verify", key.status());
  auto report = audit::Verify(**store, *key);
  if (!report.ok()) return Fail("verify", report.status());
  if (format == "json") {
    const auto j = audit::VerifyReportToJson<nlohmann::ordered_json>(*report, {}, key->KeyId());
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& c : report->chains) {
      std::cout << c.instance << ": events " << c.first_seq << ".." << c.last_seq << " ("
                << c.events << "), " << c.checkpoints << " checkpoints, last signed at seq "
                << c.last_checkpoint_seq << ", unsigned tail " << c.unsigned_tail << "\n";
    }
    for (const auto& p : report->problems) std::cout << "FAIL " << p.ToString() << "\n";
    if (report->ok()) {
      std::cout << "OK: " << report->chains.size() << " chains, " << report->events()
                << " events verified with key " << key->KeyId() << "\n";
    }
  }
  return report->ok() ? kExitClean : kExitFindings;
}

void PrintEvent(const audit::StoredEvent& row, const std::string& format) {
  auto ev = audit::DecodeEvent(row.record);
  if (!ev.ok()) {
    std::cout << row.instance << ":" << row.seq << " undecodable record\n";
    return;
  }
  if (format == "jsonl") {
    std::cout << EventToJson(*ev).dump() << "\n";
    return;
  }
  std::string counts;
  for (const auto& f : ev->findings) {
    counts += (counts.empty() ? "" : ",") + f.entity_type + "=" + std::to_string(f.count);
  }
  std::cout << FormatTimeUs(ev->time_us) << " " << row.instance << ":" << row.seq << " "
            << audit::EventKindName(ev->kind) << " "
            << (ev->principal.empty() ? "-" : ev->principal) << " "
            << (ev->workflow.empty() ? "-" : ev->workflow) << " "
            << audit::DecisionName(ev->decision) << " " << ev->status << " "
            << (counts.empty() ? "-" : counts) << "\n";
}

int RunTail(const AuditOptions& o, std::size_t n, bool follow, int interval_ms,
            const std::string& format) {
  if (format != "text" && format != "jsonl") {
    return Fail("tail", Status::InvalidArgument("--format must be text or jsonl"));
  }
  auto store = OpenAuditStore(o);
  if (!store.ok()) return Fail("tail", store.status());
  // Each chain's head first, then the newest n events up to those heads,
  // read newest first (the cost is n rows, not the trail): what --follow
  // prints next starts after the heads, so no event is printed twice or lost
  // to a commit between the two reads.
  std::map<std::string, std::uint64_t> seen;  // instance -> last seq printed or skipped
  auto chains = (*store)->Instances();
  if (!chains.ok()) return Fail("tail", chains.status());
  for (const auto& inst : *chains) {
    auto head = (*store)->Head(inst);
    if (!head.ok()) return Fail("tail", head.status());
    seen[inst] = head->seq;
  }
  std::vector<audit::StoredEvent> last;
  audit::EventFilter newest;
  newest.newest_first = true;
  Status s = n == 0 ? Status::Ok() : (*store)->ScanFiltered(newest, [&](audit::StoredEvent& e) {
    auto it = seen.find(e.instance);
    if (it == seen.end() || e.seq > it->second) return true;  // committed after the heads were read
    last.push_back(std::move(e));
    return last.size() < n;
  });
  if (!s.ok()) return Fail("tail", s);
  for (auto it = last.rbegin(); it != last.rend(); ++it) PrintEvent(*it, format);
  std::cout.flush();
  if (!follow) return kExitClean;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    auto instances = (*store)->Instances();
    if (!instances.ok()) return Fail("tail", instances.status());
    for (const auto& inst : *instances) {
      s = (*store)->ScanChain(inst, seen[inst] + 1, [&](const audit::StoredEvent& e) {
        PrintEvent(e, format);
        seen[inst] = e.seq;
        return !g_stop;
      });
      if (!s.ok()) return Fail("tail", s);
    }
    std::cout.flush();
  }
  return kExitClean;
}

int RunPrune(const AuditOptions& o, const std::string& before, bool force) {
  auto cut = ParseTimeUs(before);
  if (!cut.ok()) return Fail("prune", cut.status().WithContext("--before"));
  auto store = OpenAuditStore(o);
  if (!store.ok()) return Fail("prune", store.status());
  if (!force) {
    // Pruning a trail that does not verify would destroy the evidence of
    // what is wrong with it.
    auto key = LoadAuditKey(o);
    if (!key.ok()) return Fail("prune", key.status().WithContext("(or --force)"));
    auto report = audit::Verify(**store, *key);
    if (!report.ok()) return Fail("prune", report.status());
    if (!report->ok()) {
      for (const auto& p : report->problems) std::cerr << "FAIL " << p.ToString() << "\n";
      std::cerr << "airlock audit prune: the trail does not verify; nothing pruned\n";
      return kExitFindings;
    }
  }
  auto r = (*store)->Prune(*cut);
  if (!r.ok()) return Fail("prune", r.status());
  std::cout << "pruned " << r->events_deleted << " events and " << r->checkpoints_deleted
            << " checkpoints before " << FormatTimeUs(*cut)
            << "; each chain now starts after a signed checkpoint\n";
  return kExitClean;
}

int RunFind(const AuditOptions& o, const std::string& type, const std::string& format) {
  auto key = audit::HmacKey::Load(o.hmac_key);
  if (!key.ok()) return Fail("find", key.status());
  if (!type.empty() && !audit::IsIdentifier(type, false)) {
    return Fail("find", Status::InvalidArgument("--type must be an entity type such as IBAN_CODE"));
  }
  std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return Fail("find", Status::InvalidArgument("no value on standard input"));
  auto store = OpenAuditStore(o);
  if (!store.ok()) return Fail("find", store.status());
  // Fingerprint per entity type, computed when a type is first met (or
  // only for --type): the value is never compared or kept as text.
  std::map<std::string, audit::ValueFingerprint> wanted;
  if (!type.empty()) wanted[type] = audit::FingerprintValue(*key, type, value);
  std::size_t hits = 0;
  Status s = (*store)->ScanFiltered({}, [&](const audit::StoredEvent& row) {
    auto ev = audit::DecodeEvent(row.record);
    if (!ev.ok()) return true;
    for (const auto& fp : ev->fingerprints) {
      auto it = wanted.find(fp.entity_type);
      if (it == wanted.end()) {
        if (!type.empty()) continue;
        it = wanted.emplace(fp.entity_type, audit::FingerprintValue(*key, fp.entity_type, value))
                 .first;
      }
      if (it->second.mac == fp.mac) {
        ++hits;
        if (format == "jsonl") {
          auto j = EventToJson(*ev);
          j["matched_entity_type"] = fp.entity_type;
          std::cout << j.dump() << "\n";
        } else {
          std::cout << fp.entity_type << " ";
          PrintEvent(row, "text");
        }
        break;
      }
    }
    return true;
  });
  OPENSSL_cleanse(value.data(), value.size());
  if (!s.ok()) return Fail("find", s);
  std::cerr << hits << " events hold the value\n";
  // Like grep: 0 when found, 1 when not.
  return hits > 0 ? kExitClean : kExitFindings;
}

// Appends events given as JSON lines on standard input, for importing,
// demos and tests until the gateway writes them. A line may carry
// "values": [{"entity_type": "IBAN_CODE", "value": "..."}]; they are
// fingerprinted with the HMAC key and dropped.
int RunAppend(const AuditOptions& o, const std::string& instance, std::uint64_t every) {
  auto store = OpenAuditStore(o);
  if (!store.ok()) return Fail("append", store.status());
  auto key = LoadAuditKey(o);
  if (!key.ok()) return Fail("append", key.status());
  std::optional<audit::HmacKey> hmac;
  audit::AuditLogOptions opts;
  opts.instance_id = instance;
  opts.checkpoint_every_events = every;
  auto log = audit::AuditLog::Open(std::move(*store), std::move(*key), opts);
  if (!log.ok()) return Fail("append", log.status());
  std::string line;
  std::size_t lineno = 0, appended = 0;
  int rc = kExitClean;
  while (std::getline(std::cin, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto where = "line " + std::to_string(lineno);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      rc = Fail("append", Status::InvalidArgument(where + ": not JSON"));
      break;
    }
    auto ev = EventFromJson(j);
    if (!ev.ok()) {
      rc = Fail("append", ev.status().WithContext(where));
      break;
    }
    if (j.contains("values")) {
      if (!hmac) {
        auto k = audit::HmacKey::Load(o.hmac_key);
        if (!k.ok()) {
          rc = Fail("append", k.status());
          break;
        }
        hmac.emplace(std::move(*k));
      }
      bool bad = !j["values"].is_array();
      for (const auto& v : bad ? nlohmann::json::array() : j["values"]) {
        if (!v.is_object() || !v.contains("entity_type") || !v.contains("value") ||
            !v["entity_type"].is_string() || !v["value"].is_string() ||
            !audit::IsIdentifier(v["entity_type"].get<std::string>(), false)) {
          bad = true;
          break;
        }
        ev->fingerprints.push_back(audit::FingerprintValue(
            *hmac, v["entity_type"].get<std::string>(), v["value"].get<std::string>()));
      }
      if (bad) {
        rc = Fail("append",
                  Status::InvalidArgument(
                      where + ": 'values' must be [{\"entity_type\": ..., \"value\": ...}]"));
        break;
      }
    }
    auto id = (*log)->Append(std::move(*ev));
    if (!id.ok()) {
      rc = Fail("append", id.status().WithContext(where));
      break;
    }
    ++appended;
  }
  if (Status s = (*log)->Close(); !s.ok() && rc == kExitClean) rc = Fail("append", s);
  std::cerr << "appended " << appended << " events to " << instance << "\n";
  return rc;
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, Commands& out) {
  auto* audit = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit->require_subcommand(1);

  struct KeygenOptions {
    std::string signing, pub, hmac;
  };
  auto kg = std::make_shared<KeygenOptions>();
  auto* keygen =
      audit->add_subcommand("keygen", "Create an Ed25519 signing key and/or a fingerprint key");
  keygen->add_option("--signing-key", kg->signing, "write the Ed25519 private key (PEM) here");
  keygen->add_option("--public-key", kg->pub, "also write its public half (PEM) here");
  keygen->add_option("--hmac-key", kg->hmac, "write a fingerprint key (64 hex characters) here");
  out.push_back({keygen, [kg] { return RunKeygen(kg->signing, kg->pub, kg->hmac); }});

  struct VerifyOptions {
    AuditOptions a;
    std::string format = "text";
  };
  auto vo = std::make_shared<VerifyOptions>();
  auto* verify = audit->add_subcommand(
      "verify", "Check every chain and checkpoint; name the first event that was tampered with");
  AddStoreOption(verify, &vo->a);
  AddSigningKeyOption(verify, &vo->a, "PEM public (or private) key that signed the checkpoints");
  verify->add_option("-f,--format", vo->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  out.push_back({verify, [vo] { return RunVerify(vo->a, vo->format); }});

  struct TailOptions {
    AuditOptions a;
    std::size_t n = 10;
    bool follow = false;
    int interval_ms = 500;
    std::string format = "text";
  };
  auto to = std::make_shared<TailOptions>();
  auto* tail = audit->add_subcommand("tail", "Show the latest events; -f keeps following");
  AddStoreOption(tail, &to->a);
  tail->add_option("-n,--lines", to->n, "how many of the latest events (default 10)");
  tail->add_flag("-f,--follow", to->follow, "keep printing new events until interrupted");
  tail->add_option("--interval-ms", to->interval_ms, "poll interval with -f (default 500)")
      ->check(CLI::Range(10, 60000));
  tail->add_option("--format", to->format, "text or jsonl");
  out.push_back(
      {tail, [to] { return RunTail(to->a, to->n, to->follow, to->interval_ms, to->format); }});

  struct PruneOptions {
    AuditOptions a;
    std::string before;
    bool force = false;
  };
  auto po = std::make_shared<PruneOptions>();
  auto* prune = audit->add_subcommand(
      "prune", "Delete events older than a date, keeping the rest verifiable from a checkpoint");
  AddStoreOption(prune, &po->a);
  AddSigningKeyOption(prune, &po->a, "key to verify the trail before pruning");
  prune->add_option("--before", po->before, "2026-01-01, 2026-01-01T00:00:00Z or @UNIX_SECONDS")
      ->required();
  prune->add_flag("--force", po->force, "prune without verifying first");
  out.push_back({prune, [po] { return RunPrune(po->a, po->before, po->force); }});

  struct FindOptions {
    AuditOptions a;
    std::string type;
    std::string format = "text";
  };
  auto fo = std::make_shared<FindOptions>();
  auto* find = audit->add_subcommand(
      "find", "Read a value on standard input and list every event that saw it (by fingerprint)");
  AddStoreOption(find, &fo->a);
  AddHmacKeyOption(find, &fo->a);
  find->add_option("--type", fo->type,
                   "entity type of the value (default: try every type in the trail)");
  find->add_option("--format", fo->format, "text or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));
  out.push_back({find, [fo] { return RunFind(fo->a, fo->type, fo->format); }});

  struct AppendOptions {
    AuditOptions a;
    std::string instance;
    std::uint64_t every = 1000;
  };
  auto ao = std::make_shared<AppendOptions>();
  auto* append = audit->add_subcommand(
      "append", "Append events given as JSON lines on standard input (import, demos, tests)");
  AddStoreOption(append, &ao->a);
  AddSigningKeyOption(append, &ao->a, "PEM private key that signs checkpoints");
  AddHmacKeyOption(append, &ao->a);
  append->add_option("--instance", ao->instance, "the chain to append to")->required();
  append->add_option("--checkpoint-every", ao->every,
                     "events between signed checkpoints (default 1000)");
  out.push_back({append, [ao] { return RunAppend(ao->a, ao->instance, ao->every); }});

  RegisterAuditExportCommands(*audit, out);
}

}  // namespace airlock::cli
