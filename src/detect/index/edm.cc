#include "airlock/detect/edm.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <phonenumbers/phonenumberutil.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "airlock/core/crypto.h"
#include "index_file.h"
#include "siphash.h"
#include "text_norm.h"

namespace airlock::detect {

using index_internal::AppendFolded;
using index_internal::PutU32;
using index_internal::PutU64;
using index_internal::IsAlnumAscii;
using index_internal::IsDigits;
using index_internal::SipHash24;
using index_internal::Token;
using index_internal::Tokenize;

namespace {

constexpr char kMagic[12] = {'A', 'I', 'R', 'L', 'O', 'C', 'K', '-', 'E', 'D', 'M', '1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kMaxIdTokens = 8;     // "DE89 3704 0044 0532 0130 00" is 6
constexpr std::size_t kMaxEnumerate = 20000;  // rows tried per combination and scan

// Normaliser tags: one hash space per normal form.
constexpr char kTagText = 'T', kTagId = 'I', kTagPhone = 'P', kTagDate = 'D';

char TagOf(EdmType t) {
  switch (t) {
    case EdmType::kPhone: return kTagPhone;
    case EdmType::kId: return kTagId;
    case EdmType::kDate: return kTagDate;
    default: return kTagText;
  }
}

// "Anna  Maria Schmidt" -> "anna maria schmidt"; word count in *words.
std::string NormText(std::string_view v, std::size_t* words) {
  std::string out;
  *words = 0;
  for (const Token& t : Tokenize(v)) {
    if (!out.empty()) out.push_back(' ');
    AppendFolded(v.substr(t.begin, t.end - t.begin), &out);
    ++*words;
  }
  return out;
}

std::string NormId(std::string_view v) {
  std::string out;
  for (unsigned char c : v) {
    if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 32));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out.push_back(static_cast<char>(c));
  }
  return out.size() >= 4 ? out : std::string();
}

// National significant number, so "+49 30 1234567", "0049301234567" and
// "030 1234567" (region DE) are the same value.
std::string NormPhone(std::string_view v, const std::string& region) {
  std::string digits;
  bool plus = false;
  for (char c : v) {
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c == '+' && digits.empty()) plus = true;
  }
  if (digits.size() < 6 || digits.size() > 17) return {};
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  PhoneNumber pn;
  const std::string in = (plus ? "+" : "") + digits;
  if (PhoneNumberUtil::GetInstance()->Parse(in, region, &pn) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return digits;
  }
  return std::to_string(pn.national_number());
}

// ISO YYYYMMDD from YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY (both
// readings of a slash date are returned). Two-digit years are not read.
std::vector<std::string> NormDates(std::string_view v) {
  std::vector<std::string> out;
  std::vector<std::string> parts;
  std::string cur;
  char sep = 0;
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      cur.push_back(c);
    } else if (c == '-' || c == '.' || c == '/') {
      if (sep != 0 && sep != c) return out;
      sep = c;
      parts.push_back(cur);
      cur.clear();
    } else if (c == ' ' || c == 'T') {
      break;  // "1985-03-12T00:00:00Z": the date part
    } else {
      return out;
    }
  }
  parts.push_back(cur);
  if (parts.size() != 3) return out;
  auto ok = [](const std::string& y, const std::string& m, const std::string& d) {
    if (y.size() != 4 || m.empty() || m.size() > 2 || d.empty() || d.size() > 2) return false;
    const int mi = std::stoi(m), di = std::stoi(d);
    return mi >= 1 && mi <= 12 && di >= 1 && di <= 31;
  };
  auto iso = [](const std::string& y, const std::string& m, const std::string& d) {
    return y + (m.size() == 1 ? "0" : "") + m + (d.size() == 1 ? "0" : "") + d;
  };
  if (ok(parts[0], parts[1], parts[2])) {
    out.push_back(iso(parts[0], parts[1], parts[2]));
  } else if (sep == '/') {
    if (ok(parts[2], parts[1], parts[0])) out.push_back(iso(parts[2], parts[1], parts[0]));
    if (ok(parts[2], parts[0], parts[1]) && parts[0] != parts[1]) {
      out.push_back(iso(parts[2], parts[0], parts[1]));
    }
  } else if (ok(parts[2], parts[1], parts[0])) {
    out.push_back(iso(parts[2], parts[1], parts[0]));
  }
  return out;
}

std::uint64_t HashTagged(const std::uint64_t key[2], char tag, std::string_view norm,
                         std::string* scratch) {
  scratch->assign(1, tag);
  scratch->append(norm);
  return SipHash24(key, *scratch);
}

// RFC 4180 reader over a stream, one record at a time.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // False at end of input. Sets *error on an unterminated quote.
  bool Next(std::vector<std::string>* fields, std::string* error) {
    fields->clear();
    std::string line;
    if (!std::getline(in_, line)) return false;
    ++line_no_;
    std::string field;
    bool quoted = false;
    std::size_t i = 0;
    for (;;) {
      if (i >= line.size()) {
        if (quoted) {
          std::string more;
          if (!std::getline(in_, more)) {
            *error = "unterminated quoted field starting on line " + std::to_string(line_no_);
            return false;
          }
          ++line_no_;
          field.push_back('\n');
          line = std::move(more);
          i = 0;
          continue;
        }
        break;
      }
      const char c = line[i++];
      if (quoted) {
        if (c == '"') {
          if (i < line.size() && line[i] == '"') {
            field.push_back('"');
            ++i;
          } else {
            quoted = false;
          }
        } else {
          field.push_back(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields->push_back(std::move(field));
        field.clear();
      } else if (c != '\r') {
        field.push_back(c);
      }
    }
    fields->push_back(std::move(field));
    return true;
  }
  std::size_t line() const { return line_no_; }

 private:
  std::istream& in_;
  std::size_t line_no_ = 0;
};


}  // namespace

std::string_view EdmTypeName(EdmType t) {
  switch (t) {
    case EdmType::kText: return "text";
    case EdmType::kName: return "name";
    case EdmType::kEmail: return "email";
    case EdmType::kPhone: return "phone";
    case EdmType::kId: return "id";
    case EdmType::kDate: return "date";
  }
  return "?";
}

Result<EdmSchema> EdmSchema::Parse(const std::string& yaml_text, const std::string& source) {
  auto bad = [&](const YAML::Node& n, const std::string& why) {
    return Status::InvalidArgument(source + ":" + std::to_string(n.Mark().line + 1) + ": " + why);
  };
  EdmSchema s;
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) return Status::InvalidArgument(source + ": the schema must be a mapping");
    static const std::set<std::string> kKeys = {"name",    "entity_type", "data_class", "region",
                                                "columns", "match",       "proximity"};
    for (const auto& kv : root) {
      if (!kKeys.count(kv.first.as<std::string>())) {
        return bad(kv.first, "unknown key '" + kv.first.as<std::string>() + "'");
      }
    }
    if (root["name"]) s.name = root["name"].as<std::string>();
    if (root["entity_type"]) s.entity_type = root["entity_type"].as<std::string>();
    if (root["region"]) s.region = root["region"].as<std::string>();
    if (root["proximity"]) {
      const long p = root["proximity"].as<long>();
      if (p < 1 || p > 1000000) return bad(root["proximity"], "proximity must be 1..1000000 bytes");
      s.proximity = static_cast<std::size_t>(p);
    }
    if (root["data_class"] && !ParseDataClass(root["data_class"].as<std::string>(), &s.data_class)) {
      return bad(root["data_class"], "unknown data class '" + root["data_class"].as<std::string>() + "'");
    }
    const YAML::Node cols = root["columns"];
    if (!cols || !cols.IsSequence() || cols.size() == 0) {
      return bad(cols ? cols : root, "schema needs a non-empty 'columns' list");
    }
    for (const auto& c : cols) {
      if (!c.IsMap() || !c["name"]) return bad(c, "a column needs a name");
      Column col;
      col.name = c["name"].as<std::string>();
      const std::string type = c["type"] ? c["type"].as<std::string>() : "text";
      bool found = false;
      for (EdmType t : {EdmType::kText, EdmType::kName, EdmType::kEmail, EdmType::kPhone,
                        EdmType::kId, EdmType::kDate}) {
        if (type == EdmTypeName(t)) {
          col.type = t;
          found = true;
        }
      }
      if (!found) {
        return bad(c["type"], "unknown column type '" + type + "' (text, name, email, phone, id, date)");
      }
      for (const auto& prev : s.columns) {
        if (prev.name == col.name) return bad(c, "column '" + col.name + "' listed twice");
      }
      s.columns.push_back(col);
    }
    const YAML::Node match = root["match"];
    if (!match || !match.IsSequence() || match.size() == 0) {
      return bad(match ? match : root,
                 "schema needs 'match': the combinations of columns that count (e.g. "
                 "[[FirstName, LastName, Birthdate]])");
    }
    for (const auto& combo : match) {
      if (!combo.IsSequence() || combo.size() == 0) return bad(combo, "a combination is a list of columns");
      std::vector<int> idx;
      for (const auto& name : combo) {
        const std::string n = name.as<std::string>();
        auto it = std::find_if(s.columns.begin(), s.columns.end(),
                               [&](const Column& c) { return c.name == n; });
        if (it == s.columns.end()) return bad(name, "combination names column '" + n + "' not in columns");
        idx.push_back(static_cast<int>(it - s.columns.begin()));
      }
      s.combos.push_back(std::move(idx));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return s;
}

Result<EdmSchema> EdmSchema::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read schema");
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<std::unique_ptr<EdmIndex>> EdmIndex::BuildFromStream(const EdmSchema& schema,
                                                            std::istream& in,
                                                            EdmBuildStats* stats) {
  std::unique_ptr<EdmIndex> idx(new EdmIndex());
  idx->schema_ = schema;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(idx->key_), sizeof idx->key_) != 1) {
    return Status::Internal("no randomness for the index key");
  }
  CsvReader reader(in);
  std::vector<std::string> header, fields;
  std::string error;
  if (!reader.Next(&header, &error)) {
    return Status::InvalidArgument(error.empty() ? "CSV export is empty (no header row)" : error);
  }
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);
  std::vector<int> col_of(schema.columns.size(), -1);
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    for (std::size_t h = 0; h < header.size(); ++h) {
      if (header[h] == schema.columns[c].name) col_of[c] = static_cast<int>(h);
    }
    if (col_of[c] < 0) {
      return Status::InvalidArgument("CSV header has no column '" + schema.columns[c].name +
                                     "' named in the schema");
    }
  }
  EdmBuildStats local;
  EdmBuildStats& st = stats ? *stats : local;
  std::string scratch;
  while (reader.Next(&fields, &error)) {
    const std::uint32_t row = static_cast<std::uint32_t>(++st.rows);
    if (fields.size() != header.size()) {
      ++st.skipped_rows;
      continue;
    }
    for (std::size_t c = 0; c < schema.columns.size(); ++c) {
      const std::string& v = fields[col_of[c]];
      if (v.empty()) continue;
      const EdmType type = schema.columns[c].type;
      std::vector<std::string> norms;
      if (type == EdmType::kPhone) {
        norms.push_back(NormPhone(v, schema.region));
      } else if (type == EdmType::kId) {
        norms.push_back(NormId(v));
      } else if (type == EdmType::kDate) {
        norms = NormDates(v);
      } else {
        std::size_t words = 0;
        norms.push_back(NormText(v, &words));
        idx->max_words_ = std::max(idx->max_words_, std::min<std::size_t>(words, 8));
      }
      for (const auto& n : norms) {
        if (n.empty()) continue;
        idx->entries_.push_back({HashTagged(idx->key_, TagOf(type), n, &scratch), row,
                                 static_cast<std::uint16_t>(c)});
        ++st.values;
      }
    }
  }
  if (!error.empty()) return Status::InvalidArgument("CSV export: " + error);
  idx->records_ = st.rows;
  idx->Finish();
  return idx;
}

Result<std::unique_ptr<EdmIndex>> EdmIndex::BuildFromCsv(const EdmSchema& schema,
                                                         std::string_view csv,
                                                         EdmBuildStats* stats) {
  std::istringstream in{std::string(csv)};
  return BuildFromStream(schema, in, stats);
}

Result<std::unique_ptr<EdmIndex>> EdmIndex::BuildFromCsvFile(const EdmSchema& schema,
                                                             const std::string& path,
                                                             EdmBuildStats* stats) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read CSV export");
  auto r = BuildFromStream(schema, in, stats);
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

void EdmIndex::Finish() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.column != b.column) return a.column < b.column;
    return a.row < b.row;
  });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) {
                               return a.hash == b.hash && a.column == b.column && a.row == b.row;
                             }),
                 entries_.end());
  // Directory over the top bits: about two entries per bucket.
  dir_bits_ = 1;
  while ((std::size_t{1} << dir_bits_) < entries_.size() / 2 + 1 && dir_bits_ < 28) ++dir_bits_;
  dir_.assign((std::size_t{1} << dir_bits_) + 1, 0);
  std::size_t e = 0;
  for (std::size_t b = 0; b < (std::size_t{1} << dir_bits_); ++b) {
    dir_[b] = static_cast<std::uint32_t>(e);
    while (e < entries_.size() && (entries_[e].hash >> (64 - dir_bits_)) == b) ++e;
  }
  dir_.back() = static_cast<std::uint32_t>(entries_.size());
  // One bit per hash in a table of ~16 bits per entry: most scan probes are
  // misses, and the bit table (2 MiB per million values) answers them from
  // cache without touching the entry table.
  int bits = 10;
  while ((std::size_t{1} << bits) < entries_.size() * 16 && bits < 34) ++bits;
  filter_mask_ = (std::uint64_t{1} << bits) - 1;
  filter_.assign((filter_mask_ >> 6) + 1, 0);
  for (const Entry& entry : entries_) {
    const std::uint64_t bit = entry.hash & filter_mask_;
    filter_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
}

EdmIndex::Range EdmIndex::Lookup(std::uint64_t h) const {
  const std::uint64_t fb = h & filter_mask_;
  if ((filter_[fb >> 6] & (std::uint64_t{1} << (fb & 63))) == 0) return {0, 0};
  const std::size_t b = h >> (64 - dir_bits_);
  // A bucket holds ~2 distinct hashes, but a common value (a first name)
  // has one entry per record: binary search, never a walk over postings.
  const auto first = entries_.begin() + dir_[b], last = entries_.begin() + dir_[b + 1];
  auto lo = std::lower_bound(first, last, h, [](const Entry& e, std::uint64_t v) { return e.hash < v; });
  auto hi = std::upper_bound(lo, last, h, [](std::uint64_t v, const Entry& e) { return v < e.hash; });
  return {static_cast<std::uint32_t>(lo - entries_.begin()),
          static_cast<std::uint32_t>(hi - entries_.begin())};
}

std::uint64_t EdmIndex::MemoryBytes() const {
  return entries_.capacity() * sizeof(Entry) + dir_.capacity() * sizeof(std::uint32_t) +
         filter_.capacity() * sizeof(std::uint64_t);
}

Status EdmIndex::Save(const std::string& path) const {
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kVersion);
  PutU64(&out, key_[0]);
  PutU64(&out, key_[1]);
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << schema_.name << YAML::Key
    << "entity_type" << YAML::Value << schema_.entity_type << YAML::Key << "data_class"
    << YAML::Value << std::string(DataClassName(schema_.data_class)) << YAML::Key << "region"
    << YAML::Value << schema_.region << YAML::Key << "proximity" << YAML::Value
    << static_cast<long>(schema_.proximity) << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : schema_.columns) {
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name << YAML::Key
      << "type" << YAML::Value << std::string(EdmTypeName(c.type)) << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::Key << "match" << YAML::Value << YAML::BeginSeq;
  for (const auto& combo : schema_.combos) {
    y << YAML::Flow << YAML::BeginSeq;
    for (int i : combo) y << schema_.columns[i].name;
    y << YAML::EndSeq;
  }
  y << YAML::EndSeq << YAML::EndMap;
  const std::string schema_text = y.c_str();
  PutU32(&out, static_cast<std::uint32_t>(schema_text.size()));
  out += schema_text;
  PutU64(&out, records_);
  PutU32(&out, static_cast<std::uint32_t>(max_words_));
  PutU64(&out, entries_.size());
  out.append(reinterpret_cast<const char*>(entries_.data()), entries_.size() * sizeof(Entry));
  out += Sha256(out);
  return index_internal::WriteFile0600(path, out);
}

Result<std::unique_ptr<EdmIndex>> EdmIndex::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read index");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(path + ": not a valid exact-data-match index (" + why + ")");
  };
  if (data.size() < sizeof kMagic + 4 + 16 + 4 + 32 || std::memcmp(data.data(), kMagic, 12) != 0) {
    return corrupt("wrong magic or too short");
  }
  if (Sha256(std::string_view(data).substr(0, data.size() - 32)) != data.substr(data.size() - 32)) {
    return corrupt("checksum mismatch: truncated or modified");
  }
  std::size_t pos = sizeof kMagic;
  auto u32 = [&](std::uint32_t* v) {
    if (pos + 4 > data.size() - 32) return false;
    std::memcpy(v, data.data() + pos, 4);
    pos += 4;
    return true;
  };
  auto u64 = [&](std::uint64_t* v) {
    if (pos + 8 > data.size() - 32) return false;
    std::memcpy(v, data.data() + pos, 8);
    pos += 8;
    return true;
  };
  std::unique_ptr<EdmIndex> idx(new EdmIndex());
  std::uint32_t version = 0, schema_len = 0, max_words = 0;
  std::uint64_t n = 0;
  if (!u32(&version) || version != kVersion) return corrupt("unsupported version");
  if (!u64(&idx->key_[0]) || !u64(&idx->key_[1]) || !u32(&schema_len) ||
      pos + schema_len > data.size() - 32) {
    return corrupt("header");
  }
  auto schema = EdmSchema::Parse(data.substr(pos, schema_len), path + " (embedded schema)");
  if (!schema.ok()) return corrupt(schema.status().message());
  idx->schema_ = std::move(*schema);
  pos += schema_len;
  if (!u64(&idx->records_) || !u32(&max_words) || !u64(&n)) return corrupt("header");
  idx->max_words_ = std::clamp<std::size_t>(max_words, 1, 8);
  if (n > (data.size() - 32 - pos) / sizeof(Entry) || pos + n * sizeof(Entry) != data.size() - 32) {
    return corrupt("entry table size");
  }
  idx->entries_.resize(n);
  std::memcpy(idx->entries_.data(), data.data() + pos, n * sizeof(Entry));
  for (const Entry& e : idx->entries_) {
    if (e.column >= idx->schema_.columns.size()) return corrupt("column out of range");
  }
  idx->Finish();
  return idx;
}

std::vector<Finding> EdmIndex::Scan(std::string_view text) const {
  std::vector<Finding> out;
  if (entries_.empty()) return out;
  const std::vector<Token> tokens = Tokenize(text);
  bool want_text = false, want_id = false, want_phone = false, want_date = false;
  for (const auto& c : schema_.columns) {
    switch (c.type) {
      case EdmType::kPhone: want_phone = true; break;
      case EdmType::kId: want_id = true; break;
      case EdmType::kDate: want_date = true; break;
      default: want_text = true;
    }
  }
  struct Hit {
    Range range;
    std::size_t begin, end;
  };
  std::vector<Hit> hits;
  std::string norm, scratch;
  auto probe = [&](char tag, std::string_view n, std::size_t b, std::size_t e) {
    const Range r = Lookup(HashTagged(key_, tag, n, &scratch));
    if (r.begin != r.end) hits.push_back({r, b, e});
  };
  auto word = [&](std::size_t i) {
    return text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (want_text) {
      norm.clear();
      for (std::size_t k = 0; k < max_words_ && i + k < tokens.size(); ++k) {
        if (k > 0) norm.push_back(' ');
        AppendFolded(word(i + k), &norm);
        probe(kTagText, norm, tokens[i].begin, tokens[i + k].end);
      }
    }
    const std::string_view w = word(i);
    const bool has_digit = std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (want_id && has_digit) {
      norm.clear();
      for (std::size_t k = 0; k < kMaxIdTokens && i + k < tokens.size(); ++k) {
        const std::string_view wk = word(i + k);
        if (!IsAlnumAscii(wk) && k > 0) break;
        const std::string part = NormId(wk);
        norm += part.empty() ? std::string(wk) : part;
        const std::string id = NormId(norm);
        if (!id.empty()) probe(kTagId, id, tokens[i].begin, tokens[i + k].end);
      }
    }
    if (want_phone && has_digit && (i == 0 || !IsDigits(word(i - 1)))) {
      // A run of digit groups, maybe after '+': "+49 30 1234567", "030/1234567".
      std::size_t k = i;
      std::string digits;
      while (k < tokens.size() && digits.size() < 17) {
        const std::string_view wk = word(k);
        std::string d;
        for (char c : wk) {
          if (c >= '0' && c <= '9') d.push_back(c);
          else if (c != '-' && c != '.' && c != '/') d = "x";
        }
        if (d == "x" || d.empty()) break;
        if (k > i) {
          const std::string_view gap = text.substr(tokens[k - 1].end, tokens[k].begin - tokens[k - 1].end);
          if (gap.size() > 3 || gap.find_first_not_of(" ()/-") != std::string_view::npos) break;
        }
        digits += d;
        ++k;
      }
      const bool plus = tokens[i].begin > 0 && text[tokens[i].begin - 1] == '+';
      if (digits.size() >= 6) {
        const std::string p = NormPhone((plus ? "+" : "") + digits, schema_.region);
        if (!p.empty()) probe(kTagPhone, p, tokens[i].begin - (plus ? 1 : 0), tokens[k - 1].end);
      }
    }
    if (want_date && has_digit && w.size() >= 8 && w.size() <= 10) {
      for (const auto& d : NormDates(w)) probe(kTagDate, d, tokens[i].begin, tokens[i].end);
    }
  }
  if (hits.empty()) return out;

  // For each column, the hits whose postings include it: (hit, sub-range).
  const std::size_t ncols = schema_.columns.size();
  struct ColHit {
    std::uint32_t begin, end;  // entries of this column, sorted by row
    std::size_t hit;
  };
  std::vector<std::vector<ColHit>> by_col(ncols);
  for (std::size_t h = 0; h < hits.size(); ++h) {
    std::uint32_t b = hits[h].range.begin;
    while (b < hits[h].range.end) {
      const std::uint16_t col = entries_[b].column;
      const auto e = std::upper_bound(entries_.begin() + b, entries_.begin() + hits[h].range.end, col,
                                      [](std::uint16_t c, const Entry& x) { return c < x.column; });
      const auto end = static_cast<std::uint32_t>(e - entries_.begin());
      by_col[col].push_back({b, end, h});
      b = end;
    }
  }
  // The hit of `list` whose postings hold `row`, nearest to byte `pos`.
  for (auto& list : by_col) {
    std::stable_sort(list.begin(), list.end(), [&](const ColHit& a, const ColHit& b) {
      return hits[a.hit].begin < hits[b.hit].begin;
    });
  }
  const std::size_t proximity = schema_.proximity;
  auto nearest = [&](const std::vector<ColHit>& list, std::uint32_t row, std::size_t pos,
                     std::size_t* hit) {
    bool found = false;
    std::size_t best = SIZE_MAX;
    // Only hits within `proximity` bytes count: a record's values sit
    // together (one CSV row, one JSON object, one paragraph).
    auto from = std::lower_bound(list.begin(), list.end(), pos > proximity ? pos - proximity : 0,
                                 [&](const ColHit& c, std::size_t p) { return hits[c.hit].begin < p; });
    for (auto chp = from; chp != list.end() && hits[chp->hit].begin <= pos + proximity; ++chp) {
      const ColHit& ch = *chp;
      auto it = std::lower_bound(entries_.begin() + ch.begin, entries_.begin() + ch.end, row,
                                 [](const Entry& e, std::uint32_t r) { return e.row < r; });
      if (it == entries_.begin() + ch.end || it->row != row) continue;
      const std::size_t b = hits[ch.hit].begin;
      const std::size_t d = b > pos ? b - pos : pos - b;
      if (d < best) {
        best = d;
        *hit = ch.hit;
        found = true;
      }
    }
    return found;
  };
  // row -> (columns matched, span)
  std::map<std::uint32_t, std::pair<std::set<int>, std::pair<std::size_t, std::size_t>>> rows;
  std::size_t enumerated = 0;
  for (const auto& combo : schema_.combos) {
    // Enumerate rows from the combination's rarest column.
    int rarest = -1;
    std::size_t best = SIZE_MAX;
    for (int c : combo) {
      std::size_t total = 0;
      for (const ColHit& ch : by_col[c]) total += ch.end - ch.begin;
      if (total < best) {
        best = total;
        rarest = c;
      }
    }
    if (best == 0 || best == SIZE_MAX) continue;
    for (const ColHit& ch : by_col[rarest]) {
      for (std::uint32_t e = ch.begin; e < ch.end && enumerated < kMaxEnumerate; ++e, ++enumerated) {
        const std::uint32_t row = entries_[e].row;
        std::vector<std::size_t> used = {ch.hit};
        bool all = true;
        for (int c : combo) {
          if (c == rarest) continue;
          std::size_t h = 0;
          if (!nearest(by_col[c], row, hits[ch.hit].begin, &h)) {
            all = false;
            break;
          }
          used.push_back(h);
        }
        if (!all) continue;
        std::pair<std::size_t, std::size_t> span{SIZE_MAX, 0};
        for (std::size_t h : used) {
          span.first = std::min(span.first, hits[h].begin);
          span.second = std::max(span.second, hits[h].end);
        }
        auto& slot = rows[row];
        for (int c : combo) slot.first.insert(c);
        // The closest occurrence of the record's values is reported.
        if (slot.second.second == 0 ||
            span.second - span.first < slot.second.second - slot.second.first) {
          slot.second = span;
        }
      }
    }
  }
  for (const auto& [row, info] : rows) {
    Finding f;
    f.detector = "edm:" + schema_.name;
    f.entity_type = schema_.entity_type;
    f.data_class = schema_.data_class;
    f.jurisdiction = "INTL";
    f.span = ByteSpan{info.second.first, info.second.second};
    f.score = 0.95;
    f.validated = true;
    std::string cols;
    for (int c : info.first) cols += (cols.empty() ? "" : ",") + schema_.columns[c].name;
    f.explanation = "exact data match: " + std::to_string(info.first.size()) +
                    " columns of one protected record";
    f.detail = "row=" + std::to_string(row) + " columns=" + cols;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace airlock::detect
