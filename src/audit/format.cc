#include "airlock/audit/format.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "internal/sha256.h"

namespace airlock::audit {
namespace {

constexpr std::string_view kCheckpointTag = "airlock-audit-checkpoint-v1";

template <typename T>
void PutFixed(std::string* out, T v) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out->push_back(static_cast<char>(u & 0xff));
    u = static_cast<U>(u >> 8);
  }
}

void PutStr8(std::string* out, std::string_view s) {
  // Validate() bounds every identifier to 64 bytes.
  out->push_back(static_cast<char>(s.size()));
  out->append(s);
}

// Reads the record front to back; the first failure sticks and names its
// byte offset.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <typename T>
  T Fixed(const char* what) {
    if (!Need(sizeof(T), what)) return T{};
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      u = static_cast<U>(u |
                         (static_cast<U>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i)));
    }
    pos_ += sizeof(T);
    return static_cast<T>(u);
  }

  std::string Str8(const char* what, bool allow_empty) {
    std::size_t at = pos_;
    std::size_t n = Fixed<std::uint8_t>(what);
    if (!Need(n, what)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    if (ok() && !IsIdentifier(s, allow_empty))
      Fail(at, std::string(what) + " is not an identifier");
    return s;
  }

  void Bytes(void* dst, std::size_t n, const char* what) {
    if (!Need(n, what)) return;
    std::memcpy(dst, in_.data() + pos_, n);
    pos_ += n;
  }

  void Fail(std::size_t at, std::string why) {
    if (status_.ok()) {
      status_ = Status::Corruption("audit record: " + why + " at byte " + std::to_string(at));
    }
  }
  bool ok() const { return status_.ok(); }
  std::size_t pos() const { return pos_; }
  bool done() const { return pos_ == in_.size(); }
  const Status& status() const { return status_; }

 private:
  bool Need(std::size_t n, const char* what) {
    if (!ok()) return false;
    if (in_.size() - pos_ < n) {
      Fail(pos_, std::string("truncated ") + what);
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  Status status_;
};

auto FindingKey(const FindingCount& f) { return std::tie(f.entity_type, f.data_class); }
auto PrintKey(const ValueFingerprint& f) { return std::tie(f.entity_type, f.mac); }

}  // namespace

std::string EncodeEvent(const Event& in) {
  std::vector<FindingCount> findings = in.findings;
  std::sort(findings.begin(), findings.end(),
            [](const auto& a, const auto& b) { return FindingKey(a) < FindingKey(b); });
  // Merge duplicates so equal events encode equally.
  std::vector<FindingCount> merged;
  for (auto& f : findings) {
    if (!merged.empty() && FindingKey(merged.back()) == FindingKey(f)) {
      merged.back().count += f.count;
    } else {
      merged.push_back(std::move(f));
    }
  }
  std::vector<ValueFingerprint> prints = in.fingerprints;
  std::sort(prints.begin(), prints.end(),
            [](const auto& a, const auto& b) { return PrintKey(a) < PrintKey(b); });
  prints.erase(std::unique(prints.begin(), prints.end()), prints.end());

  std::string out;
  out.reserve(128 + in.reasons.size() * 2 + merged.size() * 40 + prints.size() * 48);
  PutFixed<std::uint8_t>(&out, kRecordVersion);
  PutFixed<std::uint8_t>(&out, static_cast<std::uint8_t>(in.kind));
  PutFixed<std::uint8_t>(&out, static_cast<std::uint8_t>(in.decision));
  PutStr8(&out, in.instance);
  PutFixed<std::uint64_t>(&out, in.seq);
  PutFixed<std::int64_t>(&out, in.time_us);
  PutStr8(&out, in.request_id);
  PutStr8(&out, in.principal);
  PutStr8(&out, in.workflow);
  PutStr8(&out, in.backend);
  PutFixed<std::uint16_t>(&out, in.status);
  PutFixed<std::uint64_t>(&out, in.latency_us);
  PutFixed<std::uint64_t>(&out, in.request_bytes);
  PutFixed<std::uint64_t>(&out, in.response_bytes);
  PutFixed<std::uint32_t>(&out, in.prompt_tokens);
  PutFixed<std::uint32_t>(&out, in.completion_tokens);
  PutFixed<std::uint8_t>(&out, static_cast<std::uint8_t>(in.reasons.size()));
  for (Reason r : in.reasons) PutFixed<std::uint16_t>(&out, static_cast<std::uint16_t>(r));
  PutFixed<std::uint16_t>(&out, static_cast<std::uint16_t>(merged.size()));
  for (const auto& f : merged) {
    PutStr8(&out, f.entity_type);
    PutStr8(&out, f.data_class);
    PutFixed<std::uint32_t>(&out, f.count);
  }
  PutFixed<std::uint16_t>(&out, static_cast<std::uint16_t>(prints.size()));
  for (const auto& f : prints) {
    PutStr8(&out, f.entity_type);
    out.append(reinterpret_cast<const char*>(f.mac.data()), f.mac.size());
  }
  return out;
}

Result<Event> DecodeEvent(std::string_view record) {
  Reader r(record);
  Event e;
  std::uint8_t version = r.Fixed<std::uint8_t>("version");
  if (r.ok() && version != kRecordVersion) r.Fail(0, "unknown version " + std::to_string(version));
  std::size_t at = r.pos();
  e.kind = static_cast<EventKind>(r.Fixed<std::uint8_t>("kind"));
  if (r.ok() && EventKindName(e.kind) == "unknown") r.Fail(at, "unknown kind");
  at = r.pos();
  e.decision = static_cast<Decision>(r.Fixed<std::uint8_t>("decision"));
  if (r.ok() && DecisionName(e.decision) == "unknown") r.Fail(at, "unknown decision");
  e.instance = r.Str8("instance", false);
  e.seq = r.Fixed<std::uint64_t>("seq");
  e.time_us = r.Fixed<std::int64_t>("time");
  e.request_id = r.Str8("request_id", true);
  e.principal = r.Str8("principal", true);
  e.workflow = r.Str8("workflow", true);
  e.backend = r.Str8("backend", true);
  e.status = r.Fixed<std::uint16_t>("status");
  e.latency_us = r.Fixed<std::uint64_t>("latency");
  e.request_bytes = r.Fixed<std::uint64_t>("request_bytes");
  e.response_bytes = r.Fixed<std::uint64_t>("response_bytes");
  e.prompt_tokens = r.Fixed<std::uint32_t>("prompt_tokens");
  e.completion_tokens = r.Fixed<std::uint32_t>("completion_tokens");
  std::size_t n = r.Fixed<std::uint8_t>("reason count");
  if (r.ok() && n > kMaxReasons) r.Fail(r.pos() - 1, "too many reasons");
  for (std::size_t i = 0; r.ok() && i < n; ++i) {
    at = r.pos();
    auto reason = static_cast<Reason>(r.Fixed<std::uint16_t>("reason"));
    if (r.ok() && ReasonName(reason) == "unknown") r.Fail(at, "unknown reason");
    e.reasons.push_back(reason);
  }
  n = r.Fixed<std::uint16_t>("finding count");
  if (r.ok() && n > kMaxFindingCounts) r.Fail(r.pos() - 2, "too many finding counts");
  for (std::size_t i = 0; r.ok() && i < n; ++i) {
    at = r.pos();
    FindingCount f;
    f.entity_type = r.Str8("entity_type", false);
    f.data_class = r.Str8("data_class", true);
    f.count = r.Fixed<std::uint32_t>("finding count");
    if (r.ok() && !e.findings.empty() && !(FindingKey(e.findings.back()) < FindingKey(f))) {
      r.Fail(at, "finding counts not sorted");
    }
    e.findings.push_back(std::move(f));
  }
  n = r.Fixed<std::uint16_t>("fingerprint count");
  if (r.ok() && n > kMaxFingerprints) r.Fail(r.pos() - 2, "too many fingerprints");
  for (std::size_t i = 0; r.ok() && i < n; ++i) {
    at = r.pos();
    ValueFingerprint f;
    f.entity_type = r.Str8("fingerprint entity_type", false);
    r.Bytes(f.mac.data(), f.mac.size(), "fingerprint");
    if (r.ok() && !e.fingerprints.empty() && !(PrintKey(e.fingerprints.back()) < PrintKey(f))) {
      r.Fail(at, "fingerprints not sorted");
    }
    e.fingerprints.push_back(std::move(f));
  }
  if (r.ok() && !r.done()) r.Fail(r.pos(), "trailing bytes");
  if (!r.ok()) return r.status();
  return e;
}

Result<RecordHeader> DecodeHeader(std::string_view in) {
  RecordHeader h;
  std::size_t pos = 3;  // version, kind, decision
  auto str8 = [&](std::string_view* out) {
    if (pos >= in.size() || in.size() - pos - 1 < static_cast<unsigned char>(in[pos])) return false;
    std::size_t n = static_cast<unsigned char>(in[pos]);
    *out = in.substr(pos + 1, n);
    pos += 1 + n;
    return true;
  };
  auto u64 = [&](std::uint64_t* out) {
    if (in.size() - pos < 8) return false;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[pos + i]);
    *out = v;
    pos += 8;
    return true;
  };
  std::string_view skip;
  std::uint64_t t = 0;
  if (in.size() < 3 || static_cast<unsigned char>(in[0]) != kRecordVersion || !str8(&h.instance) ||
      !u64(&h.seq) || !u64(&t) || !str8(&skip) || !str8(&h.principal) || !str8(&h.workflow)) {
    return Status::Corruption("audit record: malformed header");
  }
  h.time_us = static_cast<std::int64_t>(t);
  return h;
}

const std::string& GenesisHash() {
  static const std::string kGenesis(kHashBytes, '\0');
  return kGenesis;
}

std::string ChainHash(std::string_view prev_hash, std::string_view record) {
  return internal::Sha256Of(prev_hash, internal::Sha256Of(record));
}

std::string CheckpointMessage(std::string_view instance, std::uint64_t seq, std::string_view hash,
                              std::int64_t time_us) {
  std::string out(kCheckpointTag);
  PutStr8(&out, instance);
  PutFixed<std::uint64_t>(&out, seq);
  out.append(hash);
  PutFixed<std::int64_t>(&out, time_us);
  return out;
}

}  // namespace airlock::audit
