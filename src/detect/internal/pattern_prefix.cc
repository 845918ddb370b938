#include "internal/pattern_prefix.h"

#include <cctype>

namespace airlock::detect::internal {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Skips `{...}` at e[*i] if there; false when it does not close.
bool SkipBraces(std::string_view e, std::size_t* i) {
  if (*i >= e.size() || e[*i] != '{') return true;
  const std::size_t close = e.find('}', *i);
  if (close == std::string_view::npos) return false;
  *i = close + 1;
  return true;
}

// e[*i] is a backslash: moves past the escape.
bool SkipEscape(std::string_view e, std::size_t* i) {
  ++*i;
  if (*i >= e.size()) return false;
  const char c = e[(*i)++];
  switch (c) {
    case 'Q': case 'E': case 'k': case 'g':
      return false;  // literal runs and back-references: not read here
    case 'x':
      if (*i < e.size() && e[*i] == '{') return SkipBraces(e, i);
      for (int n = 0; n < 2 && *i < e.size() && IsHex(e[*i]); ++n) ++*i;
      return true;
    case 'p': case 'P': case 'N':
      if (*i < e.size() && e[*i] == '{') return SkipBraces(e, i);
      if (*i < e.size()) ++*i;
      return true;
    case 'c':
      if (*i >= e.size()) return false;
      ++*i;
      return true;
    default:
      if (c >= '0' && c <= '7') {
        for (int n = 0; n < 2 && *i < e.size() && e[*i] >= '0' && e[*i] <= '7'; ++n) ++*i;
      }
      return true;
  }
}

// e[*i] is '[': moves past the class.
bool SkipClass(std::string_view e, std::size_t* i) {
  std::size_t j = *i + 1;
  if (j < e.size() && e[j] == '^') ++j;
  if (j < e.size() && e[j] == ']') ++j;  // a leading ']' is a member
  while (j < e.size()) {
    if (e[j] == '\\') {
      if (!SkipEscape(e, &j)) return false;
    } else if (e[j] == '[' && j + 1 < e.size() && e[j + 1] == ':') {
      const std::size_t close = e.find(":]", j + 2);
      if (close == std::string_view::npos) return false;
      j = close + 2;
    } else if (e[j] == ']') {
      *i = j + 1;
      return true;
    } else {
      ++j;
    }
  }
  return false;
}

// e[*i] is '(': moves past the group and what it holds.
bool SkipGroup(std::string_view e, std::size_t* i) {
  std::size_t j = *i + 1;
  int depth = 1;
  while (j < e.size()) {
    const char c = e[j];
    if (c == '\\') {
      if (!SkipEscape(e, &j)) return false;
    } else if (c == '[') {
      if (!SkipClass(e, &j)) return false;
    } else {
      ++j;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        *i = j;
        return true;
      }
    }
  }
  return false;
}

// A quantifier at e[*i], if any ({n}, {n,}, {n,m}, *, +, ?), with its lazy
// or possessive mark.
void SkipQuantifier(std::string_view e, std::size_t* i) {
  std::size_t j = *i;
  if (j < e.size() && (e[j] == '*' || e[j] == '+' || e[j] == '?')) {
    ++j;
  } else if (j < e.size() && e[j] == '{') {
    std::size_t k = j + 1;
    const std::size_t digits = k;
    while (k < e.size() && std::isdigit(static_cast<unsigned char>(e[k])) != 0) ++k;
    if (k == digits) return;  // a literal '{'
    if (k < e.size() && e[k] == ',') {
      ++k;
      while (k < e.size() && std::isdigit(static_cast<unsigned char>(e[k])) != 0) ++k;
    }
    if (k >= e.size() || e[k] != '}') return;
    j = k + 1;
  } else {
    return;
  }
  if (j < e.size() && (e[j] == '?' || e[j] == '+')) ++j;
  *i = j;
}

}  // namespace

std::optional<TopLevelItems> SplitTopLevel(std::string_view e) {
  TopLevelItems out;
  std::size_t i = 0;
  // Leading inline flags: "(?m)", "(?is)".
  while (i + 3 < e.size() && e[i] == '(' && e[i + 1] == '?') {
    std::size_t j = i + 2;
    while (j < e.size() && std::isalpha(static_cast<unsigned char>(e[j])) != 0) ++j;
    if (j == i + 2 || j >= e.size() || e[j] != ')') break;
    out.flags.append(e.substr(i, j + 1 - i));
    i = j + 1;
  }
  while (i < e.size()) {
    const std::size_t start = i;
    const char c = e[i];
    if (c == '|' || c == ')' || c == '*' || c == '+' || c == '?') return std::nullopt;
    if (c == '\\') {
      if (!SkipEscape(e, &i)) return std::nullopt;
    } else if (c == '[') {
      if (!SkipClass(e, &i)) return std::nullopt;
    } else if (c == '(') {
      if (!SkipGroup(e, &i)) return std::nullopt;
    } else {
      ++i;
      while (i < e.size() && (static_cast<unsigned char>(e[i]) & 0xC0) == 0x80) ++i;  // UTF-8
    }
    SkipQuantifier(e, &i);
    out.items.push_back(e.substr(start, i - start));
  }
  return out;
}

std::optional<PatternPrefix> BoundedPrefix(const scan::Pattern& pattern, std::uint64_t limit) {
  auto split = SplitTopLevel(pattern.expression);
  if (!split) return std::nullopt;
  std::optional<PatternPrefix> best;
  std::string prefix = split->flags;
  // Proper prefixes only; widths grow with each item.
  for (std::size_t k = 0; k + 1 < split->items.size(); ++k) {
    prefix.append(split->items[k]);
    auto info = scan::InspectPattern({prefix, pattern.id, pattern.flags});
    if (!info.ok() || info->max_width == scan::PatternInfo::kUnbounded || info->max_width > limit) break;
    if (info->min_width >= 1) best = PatternPrefix{prefix, info->max_width};
  }
  return best;
}

std::optional<PatternTail> HeadAndTail(const scan::Pattern& pattern, std::uint64_t limit) {
  auto split = SplitTopLevel(pattern.expression);
  if (!split) return std::nullopt;
  // Tails shrink as the cut moves right: the first bounded one is the
  // longest, and its head the shortest.
  for (std::size_t k = 1; k < split->items.size(); ++k) {
    std::string tail = split->flags;
    for (std::size_t i = k; i < split->items.size(); ++i) tail.append(split->items[i]);
    auto info = scan::InspectPattern({tail, pattern.id, pattern.flags});
    if (!info.ok() || info->max_width == scan::PatternInfo::kUnbounded || info->max_width > limit) continue;
    std::string head = split->flags;
    for (std::size_t i = 0; i < k; ++i) head.append(split->items[i]);
    return PatternTail{head, info->max_width};
  }
  return std::nullopt;
}

}  // namespace airlock::detect::internal
