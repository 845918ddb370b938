// Evasion resistance, part one: text normalised the way a model reads it,
// with a map back to the bytes of the input.
//
//   NormalizedText n = Normalize(input);
//   ... find something at [b, e) of n.text ...
//   ByteSpan where = MapSpan(n.map, {b, e});   // input offsets
//
// Normalize applies, in this order:
//   1. escapes: JSON \uXXXX (surrogate pairs joined), HTML entities (common
//      named ones, &#NNN; and &#xHH;, the ';' optional for numeric ones) and
//      percent-encoding (%HH; the decoded bytes form UTF-8 again);
//   2. Unicode NFKC (ICU): full-width forms, ligatures, mathematical
//      alphanumerics, compatibility spaces;
//   3. per code point: zero-width characters, soft hyphens, bidi controls,
//      variation selectors are removed; Unicode decimal digits become ASCII
//      digits; Latin look-alikes from Cyrillic and Greek (only letters drawn
//      the same, e.g. Cyrillic а е о р с у х і ј ѕ, Greek Α Β Ε Ο Ρ ο ν)
//      become Latin; Unicode tag characters (U+E0020..E007E, "ASCII
//      smuggling") become the ASCII they shadow.
// Invalid UTF-8 passes through byte for byte.
//
// CollapseSpaced is the separator view: runs of at least 8 single letters or
// digits separated by single separators ("D E 8 9 3 7 ...", "4-1-1-1-...")
// are joined; the analyzer scans it only for detectors with `spaced: true`.
//
// EvasionSignals is the fast path: one pass over the bytes that says which of
// the above could change anything. For text it reports nothing for,
// Normalize and CollapseSpaced are the identity and FindEncodedSegments
// (decoders.h) finds nothing, so the analyzer skips them.
//
// Thread-safety: free functions; ICU's NFKC instance is shared and immutable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/bytes.h"

namespace airlock::detect {

// A half-open byte range of a source text.
struct SourceRange {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

// map[i] is the range of the source that produced byte i of a derived text
// (map.size() == text.size()). Never empty ranges.
using OffsetMap = std::vector<SourceRange>;

// The source range covering derived bytes [span.begin, span.end).
// REQUIRES: span.begin < span.end <= map.size().
ByteSpan MapSpan(const OffsetMap& map, ByteSpan span);

// Rewrites `inner` (a map into a text T) into a map into T's source, given
// `outer`, T's own map. An empty `outer` means T is its source.
void ComposeMaps(const OffsetMap& outer, OffsetMap* inner);

// Which transformations changed something.
enum NormalizeStep : unsigned {
  kStepEscapes = 1u << 0,     // JSON \u, HTML entities, percent-encoding
  kStepNfkc = 1u << 1,
  kStepInvisible = 1u << 2,   // zero-width, soft hyphen, bidi, selectors
  kStepDigits = 1u << 3,
  kStepHomoglyphs = 1u << 4,
  kStepTags = 1u << 5,
  kStepSpaced = 1u << 6,      // CollapseSpaced
};

struct NormalizedText {
  std::string text;
  OffsetMap map;        // into the input; empty when steps == 0
  unsigned steps = 0;   // NormalizeStep bits; 0: text is the input unchanged
};

// Inputs of 4 GiB or more are returned unchanged (offsets are 32-bit).
NormalizedText Normalize(std::string_view input);

// Joins spaced-out runs (see above). Returns false, leaving `out` untouched,
// when `text` has none. out->map is into `text`.
bool CollapseSpaced(std::string_view text, NormalizedText* out);

enum EvasionSignal : unsigned {
  kSignalNormalize = 1u << 0,  // non-ASCII code point normalisation may change, \u, &entity, %HH
  kSignalEncoded = 1u << 1,    // a base64 / hex / quoted-printable candidate
  kSignalSpaced = 1u << 2,     // a spaced-out run
};

// EvasionSignal bits for `text`; 0 for ordinary ASCII prose. One pass, no
// allocation.
unsigned EvasionSignals(std::string_view text);

// Building blocks shared by EvasionSignals and the decoders, so that the fast
// path never skips what they would find.
namespace internal {
// A byte of the union of the base64 alphabets (A-Z a-z 0-9 + / - _).
// Inline: the decoders call it for every byte of a text.
inline bool IsBase64Byte(unsigned char c) {
  const unsigned char lower = c | 0x20;
  return (c >= '0' && c <= '9') || (lower >= 'a' && lower <= 'z') || c == '+' || c == '/' || c == '-' ||
         c == '_';
}
// A base64 run [b, e) worth decoding: at least 16 bytes, and either 40 or
// more, or holding a digit, '+', '/', or an upper-case letter after another
// run byte (ordinary words do not).
bool IsEncodedCandidate(std::string_view text, std::size_t b, std::size_t e);
// The first run of at least 16 alphabet bytes (IsBase64Byte), whole, that
// starts at or after `from`, where t[from - 1], if any, is no alphabet
// byte: returns its start and sets *end; returns text.size() when there is
// none. 16 bytes at a time where the CPU allows.
std::size_t NextLongBase64Run(std::string_view text, std::size_t from, std::size_t* end);
// EvasionSignals without its 16-byte blocks (tests compare the two).
unsigned EvasionSignalsByteByByte(std::string_view text);
// '=' at `i` starts a quoted-printable escape: "=HH" (upper-case hex) or a
// soft line break.
bool IsQpEscape(std::string_view text, std::size_t i);
}  // namespace internal

}  // namespace airlock::detect
