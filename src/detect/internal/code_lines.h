// Where a run of code-shaped lines may begin, for the stream analyzer's
// frontier (not a public API).
//
// The `source_code` detector's pattern (data/detectors/source_code.yaml) is
// a run of three or more code-shaped lines, `(?m)^LINE(?:\r?\n(?:[ \t]*\r?\n)?LINE){2,}$`:
// its matches reach back up to 1 KiB and it can match every byte, so a
// stream would otherwise hold back 1 KiB of every answer for it. A match
// still in progress begins at the start of a line, and every complete line
// from there on is a LINE or blank, so the stream bounds its start by the
// first line of the current run of such lines (StreamAnalyzer's frontier).
//
//   IsCodeRunPattern(expr)  true only for that exact expression (any other
//                           pattern, an edited one included, keeps the
//                           reach bound: this reader knows no other)
//   MayBeCodeLine(line)     true for every line LINE matches (a superset:
//                           the bound may start earlier, never later)
#pragma once

#include <string_view>

namespace airlock::detect::internal {

bool IsCodeRunPattern(std::string_view expression);
// `line`: the bytes between two line breaks, without the '\n'.
bool MayBeCodeLine(std::string_view line);
// Only spaces, tabs and carriage returns.
bool IsBlankLine(std::string_view line);

}  // namespace airlock::detect::internal
