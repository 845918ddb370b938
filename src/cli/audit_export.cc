// `airlock audit export`: an evidence bundle a third party can check offline,
// and `airlock audit verify-bundle`, that check.
//
// A bundle holds, per instance, the events selected (each with its canonical
// record) and the proof that ties them to signed checkpoints: the chain from
// an anchor (genesis or a checkpoint before the first selected event) to the
// first checkpoint after the last one, where events that were not selected
// appear only as the SHA-256 of their record ("link"). Since
//   hash(n) = SHA-256(hash(n-1) || SHA-256(record(n)))
// the links suffice to recompute the chain without disclosing those events.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "airlock/audit/format.h"
#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"
#include "audit_commands.h"
#include "airlock/audit/json.h"

namespace airlock::cli {

using audit::EventFromJson;
using audit::EventToJson;
using audit::FormatTimeUs;
using audit::ParseTimeUs;
namespace {

using nlohmann::ordered_json;

constexpr const char* kBundleFormat = "airlock-audit-evidence/1";

int Fail(const std::string& cmd, const Status& s) {
  std::cerr << "airlock audit " << cmd << ": " << s.message() << "\n";
  return kExitError;
}

ordered_json CheckpointJson(const audit::Checkpoint& c) {
  ordered_json j;
  j["type"] = "checkpoint";
  j["instance"] = c.instance;
  j["seq"] = c.seq;
  j["time"] = FormatTimeUs(c.time_us);
  j["time_us"] = c.time_us;
  j["hash"] = HexEncode(c.hash);
  j["key_id"] = c.key_id;
  j["signature"] = HexEncode(c.signature);
  return j;
}

// One bundle line as CSV: identifiers hold no commas or quotes (event.h), so
// no field needs quoting.
const std::vector<std::string> kCsvColumns = {
    "type",           "instance",      "seq",
    "time",           "time_us",       "kind",
    "request_id",     "principal",     "workflow",
    "backend",        "decision",      "reasons",
    "status",         "latency_us",    "request_bytes",
    "response_bytes", "prompt_tokens", "completion_tokens",
    "findings",       "fingerprints",  "record_sha256",
    "record",         "hash",          "key_id",
    "signature"};

std::string CsvCell(const ordered_json& j, const std::string& col) {
  if (!j.contains(col)) return "";
  const auto& v = j[col];
  if (col == "reasons") {
    std::string out;
    for (const auto& r : v) out += (out.empty() ? "" : ";") + r.get<std::string>();
    return out;
  }
  if (col == "findings") {
    std::string out;
    for (const auto& f : v) {
      out += (out.empty() ? "" : ";") + f["entity_type"].get<std::string>() + "/" +
             f["data_class"].get<std::string>() + "=" + std::to_string(f["count"].get<unsigned>());
    }
    return out;
  }
  if (col == "fingerprints") {
    std::string out;
    for (const auto& f : v) {
      out += (out.empty() ? "" : ";") + f["entity_type"].get<std::string>() + ":" +
             f["hmac"].get<std::string>();
    }
    return out;
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

class BundleWriter {
 public:
  BundleWriter(std::ostream& out, bool csv) : out_(out), csv_(csv) {
    if (csv_) {
      for (std::size_t i = 0; i < kCsvColumns.size(); ++i) out_ << (i ? "," : "") << kCsvColumns[i];
      out_ << "\n";
    }
  }
  void Line(const ordered_json& j) {
    if (!csv_) {
      out_ << j.dump() << "\n";
      return;
    }
    if (j["type"] == "bundle") return;  // the header is JSON-only; CSV starts with its columns
    for (std::size_t i = 0; i < kCsvColumns.size(); ++i)
      out_ << (i ? "," : "") << CsvCell(j, kCsvColumns[i]);
    out_ << "\n";
  }

 private:
  std::ostream& out_;
  bool csv_;
};

struct ExportOptions {
  AuditOptions a;
  std::string since, until, principal, workflow, format = "jsonl", output;
};

int RunExport(const ExportOptions& o) {
  audit::EventFilter f;
  if (!o.since.empty()) {
    auto t = ParseTimeUs(o.since);
    if (!t.ok()) return Fail("export", t.status().WithContext("--since"));
    f.since_us = *t;
  }
  if (!o.until.empty()) {
    auto t = ParseTimeUs(o.until);
    if (!t.ok()) return Fail("export", t.status().WithContext("--until"));
    f.until_us = *t;
  }
  f.principal = o.principal;
  f.workflow = o.workflow;
  auto store = OpenAuditStore(o.a);
  if (!store.ok()) return Fail("export", store.status());
  auto key = LoadAuditKey(o.a);
  if (!key.ok()) return Fail("export", key.status());

  std::map<std::string, std::set<std::uint64_t>> selected;
  Status s = (*store)->ScanFiltered(f, [&](const audit::StoredEvent& e) {
    selected[e.instance].insert(e.seq);
    return true;
  });
  if (!s.ok()) return Fail("export", s);

  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("export", Status::IoError(o.output + ": cannot create"));
  }
  std::ostream& out = o.output.empty() ? std::cout : file;
  BundleWriter w(out, o.format == "csv");

  ordered_json header;
  header["type"] = "bundle";
  header["format"] = kBundleFormat;
  header["since"] = o.since.empty() ? nullptr : ordered_json(FormatTimeUs(f.since_us));
  header["until"] = o.until.empty() ? nullptr : ordered_json(FormatTimeUs(f.until_us));
  header["principal"] = o.principal.empty() ? nullptr : ordered_json(o.principal);
  header["workflow"] = o.workflow.empty() ? nullptr : ordered_json(o.workflow);
  header["chain"] = "hash(n) = SHA-256(hash(n-1) || SHA-256(record(n))), hash(0) = 32 zero bytes";
  header["key_id"] = key->KeyId();
  auto pem = key->PublicPem();
  header["public_key_pem"] = pem.ok() ? *pem : "";
  std::size_t total = 0;
  for (const auto& [inst, seqs] : selected) total += seqs.size();
  header["events"] = total;
  w.Line(header);

  std::size_t unsigned_events = 0;
  for (const auto& [inst, seqs] : selected) {
    auto cps = (*store)->Checkpoints(inst);
    if (!cps.ok()) return Fail("export", cps.status());
    std::uint64_t first = *seqs.begin(), last = *seqs.rbegin();
    const audit::Checkpoint* anchor = nullptr;
    const audit::Checkpoint* end = nullptr;
    for (const auto& c : *cps) {
      if (c.seq < first) anchor = &c;
      if (c.seq >= last && end == nullptr) end = &c;
    }
    ordered_json a;
    a["type"] = "anchor";
    a["instance"] = inst;
    a["seq"] = anchor ? anchor->seq : 0;
    a["hash"] = HexEncode(anchor ? anchor->hash : audit::GenesisHash());
    w.Line(a);
    if (anchor) w.Line(CheckpointJson(*anchor));
    std::uint64_t from = anchor ? anchor->seq + 1 : 1;
    std::uint64_t to = end ? end->seq : UINT64_MAX;
    auto cp = cps->begin();
    while (cp != cps->end() && cp->seq < from) ++cp;
    s = (*store)->ScanChain(inst, from, [&](const audit::StoredEvent& row) {
      if (row.seq > to) return false;
      if (seqs.count(row.seq)) {
        auto ev = audit::DecodeEvent(row.record);
        ordered_json j;
        j["type"] = "event";
        if (ev.ok()) j.update(EventToJson(*ev));
        j["instance"] = row.instance;
        j["seq"] = row.seq;
        j["record"] = HexEncode(row.record);
        j["hash"] = HexEncode(row.hash);
        w.Line(j);
        if (!end) ++unsigned_events;
      } else {
        w.Line({{"type", "link"},
                {"instance", row.instance},
                {"seq", row.seq},
                {"record_sha256", Sha256Hex(row.record)}});
      }
      for (; cp != cps->end() && cp->seq <= row.seq; ++cp) {
        if (cp->seq == row.seq) w.Line(CheckpointJson(*cp));
      }
      return true;
    });
    if (!s.ok()) return Fail("export", s);
  }
  out.flush();
  if (!out) return Fail("export", Status::IoError("write failed"));
  std::cerr << "exported " << total << " events";
  if (unsigned_events > 0)
    std::cerr << " (" << unsigned_events << " after the last checkpoint: not yet signed)";
  std::cerr << "\n";
  return kExitClean;
}

std::optional<std::string> Unhex(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& h = v.get_ref<const std::string&>();
  if (h.size() % 2) return std::nullopt;
  std::string out;
  out.reserve(h.size() / 2);
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < h.size(); i += 2) {
    int hi = nib(h[i]), lo = nib(h[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

int RunVerifyBundle(const std::string& path, const std::string& key_path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("verify-bundle", Status::IoError(path + ": cannot open"));
  struct Chain {
    std::uint64_t seq = 0;
    std::string hash;
    bool anchored = false;
    std::uint64_t signed_to = 0;
    std::uint64_t events = 0;
    std::uint64_t last_event_seq = 0;
  };
  std::map<std::string, Chain> chains;
  std::optional<audit::SigningKey> key;
  std::string line;
  std::size_t lineno = 0;
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what) {
    problems.push_back("line " + std::to_string(lineno) + ": " + what);
  };
  while (std::getline(in, line) && problems.empty()) {
    ++lineno;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type")) {
      problem("not a bundle line");
      break;
    }
    std::string type = j.value("type", "");
    if (lineno == 1) {
      if (type != "bundle" || j.value("format", "") != kBundleFormat) {
        problem(std::string("not an evidence bundle (") + kBundleFormat + ")");
        break;
      }
      auto k = key_path.empty() ? audit::SigningKey::FromPem(j.value("public_key_pem", ""))
                                : audit::SigningKey::LoadPem(key_path);
      if (!k.ok()) return Fail("verify-bundle", k.status());
      key.emplace(std::move(*k));
      if (key_path.empty()) {
        std::cerr << "note: key " << key->KeyId()
                  << " taken from the bundle; compare it with the key id you trust, or pass "
                     "--signing-key\n";
      }
      continue;
    }
    std::string inst = j.value("instance", "");
    auto seq = j.value("seq", std::uint64_t{0});
    Chain& c = chains[inst];
    if (type == "anchor") {
      auto h = Unhex(j["hash"]);
      if (!h || h->size() != audit::kHashBytes) {
        problem("bad anchor hash");
        break;
      }
      c.seq = seq;
      c.hash = *h;
      c.anchored = seq == 0 && *h == audit::GenesisHash();
      continue;
    }
    if (type == "checkpoint") {
      auto h = Unhex(j["hash"]);
      auto sig = Unhex(j["signature"]);
      if (!h || !sig ||
          !key->Verify(audit::CheckpointMessage(inst, seq, *h, j.value("time_us", std::int64_t{0})),
                       *sig)) {
        problem(inst + ":" + std::to_string(seq) + " checkpoint signature does not verify");
        break;
      }
      if (seq != c.seq || *h != c.hash) {
        problem(inst + ":" + std::to_string(seq) +
                " the chain does not match the signed checkpoint");
        break;
      }
      c.anchored = true;
      c.signed_to = seq;
      continue;
    }
    if (type != "event" && type != "link") {
      problem("unknown line type");
      break;
    }
    if (seq != c.seq + 1) {
      problem(inst + ":" + std::to_string(seq) + " out of order (expected seq " +
              std::to_string(c.seq + 1) + ")");
      break;
    }
    if (type == "link") {
      auto d = Unhex(j["record_sha256"]);
      if (!d || d->size() != 32) {
        problem(inst + ":" + std::to_string(seq) + " bad link");
        break;
      }
      c.hash = Sha256(c.hash + *d);
    } else {
      auto rec = Unhex(j["record"]);
      auto ev =
          rec ? audit::DecodeEvent(*rec) : Result<audit::Event>(Status::Corruption("not hex"));
      if (!ev.ok() || ev->instance != inst || ev->seq != seq) {
        problem(inst + ":" + std::to_string(seq) + " record does not decode to this event");
        break;
      }
      // The readable fields must say what the record says.
      ordered_json want = EventToJson(*ev);
      for (const auto& [k, v] : want.items()) {
        if (!j.contains(k) || j[k] != v) {
          problem(inst + ":" + std::to_string(seq) + " field '" + k + "' differs from the record");
          break;
        }
      }
      if (!problems.empty()) break;
      c.hash = audit::ChainHash(c.hash, *rec);
      ++c.events;
      c.last_event_seq = seq;
    }
    c.seq = seq;
  }
  if (lineno == 0) problems.push_back("empty bundle");
  for (const auto& [inst, c] : chains) {
    if (!problems.empty()) break;
    if (!c.anchored) {
      problems.push_back(inst + ": the chain is not anchored at genesis or a signed checkpoint");
    }
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cout << "FAIL " << p << "\n";
    return kExitFindings;
  }
  std::uint64_t total = 0, unsigned_events = 0;
  for (const auto& [inst, c] : chains) {
    total += c.events;
    if (c.last_event_seq > c.signed_to) {
      std::cout << inst << ": events after seq " << c.signed_to
                << " are chained but not covered by a signed checkpoint\n";
      unsigned_events += 1;
    }
  }
  std::cout << "OK: " << total << " events in " << chains.size() << " chains, proven by "
            << (unsigned_events ? "the chain (some not yet signed)" : "signed checkpoints")
            << " with key " << key->KeyId() << "\n";
  return kExitClean;
}

}  // namespace

void RegisterAuditExportCommands(CLI::App& audit, Commands& out) {
  auto o = std::make_shared<ExportOptions>();
  auto* exp = audit.add_subcommand(
      "export", "Write an evidence bundle: the events selected and the chain proof for them");
  AddStoreOption(exp, &o->a);
  AddSigningKeyOption(exp, &o->a,
                      "PEM key (public is enough) whose public half goes into the bundle");
  exp->add_option("--since", o->since,
                  "from this time (inclusive): 2026-11-01 or 2026-11-01T00:00:00Z");
  exp->add_option("--until", o->until, "up to this time (exclusive)");
  exp->add_option("--principal", o->principal, "only this principal's events");
  exp->add_option("--workflow", o->workflow, "only this workflow's events");
  exp->add_option("--format", o->format, "jsonl or csv")->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("-o,--output", o->output, "write here instead of standard output");
  out.push_back({exp, [o] { return RunExport(*o); }});

  struct VerifyBundleOptions {
    std::string path, key;
  };
  auto vb = std::make_shared<VerifyBundleOptions>();
  auto* verify = audit.add_subcommand("verify-bundle", "Check an evidence bundle (JSONL) offline");
  verify->add_option("bundle", vb->path, "the bundle file")->required();
  verify->add_option("--signing-key", vb->key,
                     "PEM public key to trust (default: the bundle's, with a note)");
  out.push_back({verify, [vb] { return RunVerifyBundle(vb->path, vb->key); }});
}

}  // namespace airlock::cli
