#include "airlock/detect/embedded.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>

#include "airlock/detect/document.h"

namespace airlock::detect {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;

bool Space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A '{' or '[' that may open a JSON record: the next byte that is not white
// space opens a key, a string, an object or an array. ("{not json}" in prose
// and "[1]" citations are not tried.)
bool MayOpenRecord(std::string_view t, std::size_t open) {
  std::size_t i = open + 1;
  while (i < t.size() && Space(t[i])) ++i;
  return i < t.size() && (t[i] == '"' || t[i] == '{' || t[i] == '[');
}

// The closing bracket of the value that opens at `open`, by bracket depth
// with strings skipped; kNpos when it does not close.
std::size_t MatchingClose(std::string_view t, std::size_t open) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = open; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i;
    }
  }
  return kNpos;
}

// The key a value sits under: the pointer's last token that is not an array
// index ("/records/0/LastName" → "LastName"; "/Streets/1" → "Streets").
std::string_view FieldKey(std::string_view pointer) {
  while (!pointer.empty()) {
    const std::size_t slash = pointer.rfind('/');
    const std::string_view token = slash == kNpos ? pointer : pointer.substr(slash + 1);
    const bool index = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (!index) return token;
    if (slash == kNpos) break;
    pointer = pointer.substr(0, slash);
  }
  return {};
}

}  // namespace

Result<std::vector<Finding>> EmbeddedFieldFindings(const Analyzer& analyzer, std::string_view text) {
  std::vector<Finding> out;
  const auto& detectors = analyzer.catalog().detectors();
  if (std::none_of(detectors.begin(), detectors.end(), [](const Detector& d) { return !d.fields.empty(); })) {
    return out;
  }
  // Per key: what its name tells the analyzer, and the ids of the detectors
  // that take its values.
  struct Field {
    FieldContext fc;
    std::set<std::string_view> ids;
  };
  std::unordered_map<std::string, Field> fields;
  int attempts = 0;
  std::size_t from = 0;
  while (attempts < kMaxEmbeddedAttempts) {
    const std::size_t open = text.find_first_of("{[", from);
    if (open == kNpos) break;
    from = open + 1;
    if (!MayOpenRecord(text, open)) continue;
    ++attempts;
    const std::size_t close = MatchingClose(text, open);
    if (close == kNpos) continue;
    const std::string_view doc = text.substr(open, close + 1 - open);
    auto segments = SplitJson(doc);
    if (!segments.ok()) continue;
    from = close + 1;
    for (const Segment& seg : *segments) {
      const std::string key(FieldKey(seg.pointer));
      if (key.empty()) continue;
      auto it = fields.find(key);
      if (it == fields.end()) {
        Field f{analyzer.PrepareField(key), {}};
        for (unsigned d : f.fc.detectors) f.ids.insert(detectors[d].id);
        it = fields.emplace(key, std::move(f)).first;
      }
      const auto& [fc, ids] = it->second;
      if (fc.detectors.empty()) continue;
      auto found = analyzer.Analyze(seg.text(), &fc);
      if (!found.ok()) return found.status();
      for (Finding& f : *found) {
        if (!ids.contains(f.detector)) continue;  // Analyze of the whole text reports the others
        const ByteSpan in_doc = seg.ToInputSpan(f.span);
        f.span = {open + in_doc.begin, open + in_doc.end};
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

void MergeFindings(std::vector<Finding>* found, std::vector<Finding> extra) {
  for (Finding& e : extra) {
    bool covered = false;
    bool partial = false;
    for (const Finding& f : *found) {
      if (!f.span.Overlaps(e.span)) continue;
      if (f.span.begin <= e.span.begin && f.span.end >= e.span.end) {
        covered = true;
      } else if (f.span.begin < e.span.begin || f.span.end > e.span.end) {
        partial = true;
      }
    }
    if (covered || partial) continue;
    std::erase_if(*found, [&](const Finding& f) { return f.span.Overlaps(e.span); });
    found->push_back(std::move(e));
  }
  std::stable_sort(found->begin(), found->end(),
                   [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
}

}  // namespace airlock::detect
