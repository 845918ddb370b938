// Span expanders: C++ hooks named by a detector's `expander:` field.
#pragma once

#include <cstddef>
#include <string_view>

#include "airlock/core/bytes.h"

namespace airlock::detect::internal {

// How far an expander may look: the analyzer passes it the text from
// kExpanderReach bytes before the candidate to kExpanderReach bytes after it
// (clipped to the input), in block and stream mode alike, so that a stream
// can decide a candidate once that much text has arrived. Names are a few
// short words; a token longer than this is cut at the window edge.
inline constexpr std::size_t kExpanderReach = 256;

// The words a `person_name` span may gain on the left of its candidate:
// two steps of one or two words (a particle and the name before it), each
// after a single space. The other expanders never move a span's start before
// its candidate's.
inline constexpr int kNameLeftWords = 4;
bool ExpanderMovesLeft(std::string_view expander);

// How far right of a `person_name` seed at `begin` the expander can read:
// an offset into `text` (the span it gives depends on no byte at or after
// it), or npos when `text` ends before that is decided. A stream evaluates
// a name once this much has arrived, rather than kExpanderReach bytes.
inline constexpr std::size_t kNameReadMargin = 8;
std::size_t NameReadEnd(std::string_view text, std::size_t begin);

// Widens or trims a candidate span for detectors with `expander:`; returns
// false to drop it. `text` is the analysed text around the candidate (see
// kExpanderReach). Unknown names return true unchanged.
bool ExpandSpan(std::string_view expander, std::string_view text, ByteSpan* span);

// Whether `expander` names an expander; the analyzer rejects a catalog that
// names an unknown one.
bool IsKnownExpander(std::string_view expander);

}  // namespace airlock::detect::internal
