// A short prefix that every match of a pattern starts with, read from its
// regular expression (not a public API).
//
//   auto p = BoundedPrefix({"[ \\t]-u[ \\t]+[^\\s]{3,}(?:\\s|$)", 0, 0}, 64);
//   p->expression == "[ \\t]-u", p->max_width == 3
//
// The expression is cut between two of its top-level items (an atom with its
// quantifier), so the prefix is the pattern's own leading items: a match of
// the pattern that begins at s has a match of the prefix that begins at s
// and ends at most max_width later. The longest such prefix whose matches
// are 1 to `limit` bytes long is returned; none for a pattern with a
// top-level alternation, syntax this reader does not know, or no such cut.
// The stream analyzer compiles these prefixes as markers: a match still in
// progress began at most max_width before the end of a marker it has passed,
// or max_width before the end of the text (StreamAnalyzer's frontier).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/scan/scan.h"

namespace airlock::detect::internal {

// The expression's leading inline flags ("(?m)") and its top-level items;
// none when the expression has a top-level '|' or syntax not understood.
struct TopLevelItems {
  std::string flags;
  std::vector<std::string_view> items;
};
std::optional<TopLevelItems> SplitTopLevel(std::string_view expression);

struct PatternPrefix {
  std::string expression;  // flags and leading items, compiled with the pattern's flags
  std::uint64_t max_width = 0;
};
std::optional<PatternPrefix> BoundedPrefix(const scan::Pattern& pattern, std::uint64_t limit);

// The pattern cut between two top-level items into a head and a tail whose
// matches are at most `limit` bytes long (the longest head with such a
// tail): every match is a match of the head followed by one of the tail.
// The stream analyzer bounds a match still in progress by the run of the
// head's bytes (PatternAlphabet of `head`) that lies `max_width` bytes back.
//   HeadAndTail({"\\b[A-Z][a-z]+(?:weg|gasse)\\s[0-9]{1,4}", 0, 0}, 64)
//     head "\\b[A-Z][a-z]+", tail "(?:weg|gasse)\\s[0-9]{1,4}" of max_width 10
struct PatternTail {
  std::string head;        // flags and leading items
  std::uint64_t max_width = 0;  // of the remaining items
};
std::optional<PatternTail> HeadAndTail(const scan::Pattern& pattern, std::uint64_t limit);

}  // namespace airlock::detect::internal
