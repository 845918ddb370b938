#include "airlock/detect/doc_fingerprint.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "airlock/core/crypto.h"
#include "index_file.h"
#include "siphash.h"
#include "text_norm.h"

namespace airlock::detect {

using index_internal::AppendFolded;
using index_internal::PutU32;
using index_internal::PutU64;
using index_internal::WriteFile0600;
using index_internal::SipHash24;
using index_internal::Token;
using index_internal::Tokenize;

namespace {

constexpr char kMagic[12] = {'A', 'I', 'R', 'L', 'O', 'C', 'K', '-', 'D', 'O', 'C', '1'};
constexpr std::uint32_t kVersion = 1;

}  // namespace

std::unique_ptr<DocumentIndex> DocumentIndex::Create(const FingerprintOptions& options) {
  std::unique_ptr<DocumentIndex> idx(new DocumentIndex());
  idx->options_ = options;
  idx->options_.k = std::max<std::uint32_t>(1, options.k);
  idx->options_.window = std::max<std::uint32_t>(1, options.window);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(idx->key_), sizeof idx->key_) != 1) {
    std::abort();  // no randomness: nothing sane to do
  }
  return idx;
}

std::vector<DocumentIndex::Fingerprint> DocumentIndex::Winnow(std::string_view text) const {
  const std::vector<Token> tokens = Tokenize(text);
  std::vector<Fingerprint> grams;
  const std::size_t k = options_.k;
  if (tokens.size() < k) return {};
  // Each case-folded word is hashed once under the key; a k-gram's hash
  // mixes its k word hashes in order (64-bit finaliser of MurmurHash3), so
  // no string is built per k-gram.
  std::vector<std::uint64_t> word_hash(tokens.size());
  std::string folded;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    folded.clear();
    AppendFolded(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin), &folded);
    word_hash[i] = SipHash24(key_, folded);
  }
  auto fmix = [](std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
  };
  grams.reserve(tokens.size() - k + 1);
  for (std::size_t i = 0; i + k <= tokens.size(); ++i) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (std::size_t j = 0; j < k; ++j) h = fmix(h ^ word_hash[i + j]) + j;
    grams.push_back({h, tokens[i].begin, tokens[i + k - 1].end});
  }
  // Winnowing: in each window keep the minimum (the rightmost on ties), and
  // record it once.
  std::vector<Fingerprint> out;
  const std::size_t w = std::min<std::size_t>(options_.window, grams.size());
  std::size_t last = SIZE_MAX;
  for (std::size_t start = 0; start + w <= grams.size(); ++start) {
    std::size_t min = start;
    for (std::size_t j = start; j < start + w; ++j) {
      if (grams[j].hash <= grams[min].hash) min = j;
    }
    if (min != last) {
      out.push_back(grams[min]);
      last = min;
    }
  }
  return out;
}

void DocumentIndex::AddDocument(const std::string& name, std::string_view text) {
  std::vector<Fingerprint> fps = Winnow(text);
  std::vector<std::uint64_t> hashes;
  for (const auto& f : fps) hashes.push_back(f.hash);
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  const auto doc = static_cast<std::uint32_t>(docs_.size());
  docs_.push_back({name, static_cast<std::uint32_t>(hashes.size())});
  for (auto h : hashes) entries_.push_back({h, doc});
  sorted_ = false;
}

void DocumentIndex::Finish() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.doc < b.doc;
  });
  if (options_.max_doc_frequency > 0) {
    std::vector<Entry> kept;
    kept.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size();) {
      std::size_t j = i;
      while (j < entries_.size() && entries_[j].hash == entries_[i].hash) ++j;
      if (j - i <= options_.max_doc_frequency) kept.insert(kept.end(), entries_.begin() + i, entries_.begin() + j);
      i = j;
    }
    entries_.swap(kept);
  }
  sorted_ = true;
}

void DocumentIndex::set_thresholds(std::uint32_t min_matches, std::uint32_t min_chars) {
  options_.min_matches = std::max<std::uint32_t>(1, min_matches);
  options_.min_chars = min_chars;
}

std::uint64_t DocumentIndex::MemoryBytes() const {
  std::uint64_t n = entries_.capacity() * sizeof(Entry);
  for (const auto& d : docs_) n += sizeof(Doc) + d.name.capacity();
  return n;
}

std::vector<Finding> DocumentIndex::Scan(std::string_view text) const {
  std::vector<Finding> out;
  if (entries_.empty()) return out;
  if (!sorted_) return out;  // REQUIRES: Finish() after the last AddDocument
  struct Match {
    std::vector<std::uint64_t> hashes;
    std::vector<std::pair<std::size_t, std::size_t>> spans;
  };
  std::map<std::uint32_t, Match> by_doc;
  for (const Fingerprint& f : Winnow(text)) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), f.hash,
                               [](const Entry& e, std::uint64_t h) { return e.hash < h; });
    for (; it != entries_.end() && it->hash == f.hash; ++it) {
      Match& m = by_doc[it->doc];
      m.hashes.push_back(f.hash);
      m.spans.push_back({f.begin, f.end});
    }
  }
  for (auto& [doc, m] : by_doc) {
    std::sort(m.hashes.begin(), m.hashes.end());
    m.hashes.erase(std::unique(m.hashes.begin(), m.hashes.end()), m.hashes.end());
    if (m.hashes.size() < options_.min_matches) continue;
    std::sort(m.spans.begin(), m.spans.end());
    std::size_t covered = 0, cur_b = 0, cur_e = 0;
    for (const auto& [b, e] : m.spans) {
      if (b > cur_e) {
        covered += cur_e - cur_b;
        cur_b = b;
        cur_e = e;
      } else {
        cur_e = std::max(cur_e, e);
      }
    }
    covered += cur_e - cur_b;
    if (covered < options_.min_chars) continue;
    const Doc& d = docs_[doc];
    const double share = d.fingerprints ? double(m.hashes.size()) / d.fingerprints : 0;
    Finding f;
    f.detector = "document_fingerprint";
    f.entity_type = "PROTECTED_DOCUMENT";
    f.data_class = DataClass::kConfidential;
    f.jurisdiction = "INTL";
    f.span = ByteSpan{m.spans.front().first, m.spans.back().second};
    f.score = std::min(0.99, 0.7 + share);
    f.validated = true;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.2f", std::min(1.0, share));
    f.explanation = "shares " + std::to_string(m.hashes.size()) +
                    " fingerprints with a protected document";
    f.detail = "document=" + d.name + " share=" + pct + " matched=" +
               std::to_string(m.hashes.size()) + "/" + std::to_string(d.fingerprints) +
               " copied_bytes=" + std::to_string(covered);
    out.push_back(std::move(f));
  }
  return out;
}

Status DocumentIndex::Save(const std::string& path) const {
  if (!sorted_) return Status::Internal("DocumentIndex::Save before Finish()");
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kVersion);
  PutU64(&out, key_[0]);
  PutU64(&out, key_[1]);
  PutU32(&out, options_.k);
  PutU32(&out, options_.window);
  PutU32(&out, options_.min_matches);
  PutU32(&out, options_.min_chars);
  PutU32(&out, options_.max_doc_frequency);
  PutU32(&out, static_cast<std::uint32_t>(docs_.size()));
  for (const auto& d : docs_) {
    PutU32(&out, static_cast<std::uint32_t>(d.name.size()));
    out += d.name;
    PutU32(&out, d.fingerprints);
  }
  PutU64(&out, entries_.size());
  out.append(reinterpret_cast<const char*>(entries_.data()), entries_.size() * sizeof(Entry));
  out += Sha256(out);
  return WriteFile0600(path, out);
}

Result<std::unique_ptr<DocumentIndex>> DocumentIndex::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read index");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(path + ": not a valid document fingerprint index (" + why + ")");
  };
  if (data.size() < 12 + 4 + 16 + 20 + 8 + 32 || std::memcmp(data.data(), kMagic, 12) != 0) {
    return corrupt("wrong magic or too short");
  }
  const std::size_t body = data.size() - 32;
  if (Sha256(std::string_view(data).substr(0, body)) != data.substr(body)) {
    return corrupt("checksum mismatch: truncated or modified");
  }
  std::size_t pos = 12;
  auto u32 = [&](std::uint32_t* v) {
    if (pos + 4 > body) return false;
    std::memcpy(v, data.data() + pos, 4);
    pos += 4;
    return true;
  };
  auto u64 = [&](std::uint64_t* v) {
    if (pos + 8 > body) return false;
    std::memcpy(v, data.data() + pos, 8);
    pos += 8;
    return true;
  };
  std::unique_ptr<DocumentIndex> idx(new DocumentIndex());
  std::uint32_t version = 0, ndocs = 0;
  FingerprintOptions& o = idx->options_;
  if (!u32(&version) || version != kVersion) return corrupt("unsupported version");
  if (!u64(&idx->key_[0]) || !u64(&idx->key_[1]) || !u32(&o.k) || !u32(&o.window) ||
      !u32(&o.min_matches) || !u32(&o.min_chars) || !u32(&o.max_doc_frequency) || !u32(&ndocs) || o.k == 0 || o.window == 0) {
    return corrupt("header");
  }
  for (std::uint32_t i = 0; i < ndocs; ++i) {
    std::uint32_t len = 0, fps = 0;
    if (!u32(&len) || pos + len > body) return corrupt("document table");
    std::string name = data.substr(pos, len);
    pos += len;
    if (!u32(&fps)) return corrupt("document table");
    idx->docs_.push_back({std::move(name), fps});
  }
  std::uint64_t n = 0;
  if (!u64(&n) || n > (body - pos) / sizeof(Entry) || pos + n * sizeof(Entry) != body) {
    return corrupt("fingerprint table size");
  }
  idx->entries_.resize(n);
  std::memcpy(idx->entries_.data(), data.data() + pos, n * sizeof(Entry));
  for (const auto& e : idx->entries_) {
    if (e.doc >= ndocs) return corrupt("document id out of range");
  }
  for (std::size_t i = 1; i < idx->entries_.size(); ++i) {
    if (idx->entries_[i - 1].hash > idx->entries_[i].hash) return corrupt("table not sorted");
  }
  return idx;
}

}  // namespace airlock::detect
