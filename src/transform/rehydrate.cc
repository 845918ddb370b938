#include <cstdio>

#include "airlock/transform/transform.h"

namespace airlock::transform {

namespace {

constexpr std::size_t kMaxSurrogate = 80;

bool SurrogateChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

void AppendValue(std::string* out, std::string_view v, bool json) {
  if (!json) {
    out->append(v);
    return;
  }
  for (char c : v) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(c);
        }
    }
  }
}

// Rehydrates `text`; when `partial_tail` is non-null, a trailing '<...' that
// could still become a surrogate is not emitted but returned there.
std::string RehydrateImpl(std::string_view text, const Mapping& m, bool json, std::string* partial_tail) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t lt = text.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, lt - i));
    std::size_t j = lt + 1;
    while (j < text.size() && j - lt < kMaxSurrogate && SurrogateChar(text[j])) ++j;
    if (j == text.size() && partial_tail != nullptr && j - lt < kMaxSurrogate) {
      *partial_tail = std::string(text.substr(lt));
      return out;
    }
    if (j < text.size() && text[j] == '>') {
      auto it = m.value_of.find(std::string(text.substr(lt, j + 1 - lt)));
      if (it != m.value_of.end()) {
        AppendValue(&out, it->second, json);
        i = j + 1;
        continue;
      }
    }
    out.push_back('<');
    i = lt + 1;
  }
  return out;
}

}  // namespace

std::string Rehydrate(std::string_view text, const Mapping& m, bool json_encoded) {
  if (m.value_of.empty()) return std::string(text);
  return RehydrateImpl(text, m, json_encoded, nullptr);
}

std::string StreamRehydrator::Feed(std::string_view piece) {
  std::string text = std::move(held_);
  held_.clear();
  text.append(piece);
  if (m_->value_of.empty()) return text;
  return RehydrateImpl(text, *m_, json_, &held_);
}

std::string StreamRehydrator::Finish() {
  std::string rest = std::move(held_);
  held_.clear();
  return rest;
}

}  // namespace airlock::transform
