// Evasion resistance, part two: encoded segments found, decoded and handed
// back with a map to the encoded bytes, so that the analyzer can scan what
// they hide and point at where it was hidden.
//
//   std::size_t budget = 1 << 20;   // decoded bytes allowed, in all
//   for (const EncodedSegment& s : FindEncodedSegments(text, &budget)) {
//     ... scan s.decoded; MapSpan(s.map, hit) is the hit in `text` ...
//   }
//
// What counts as a segment:
//   base64   a run of the base64 alphabet (standard, or URL-safe with - and
//            _), optional '=' padding, at least 16 bytes, and either 40 or
//            more or holding a digit, '+', '/' or an inner capital (so that
//            long words are left alone); MIME line breaks inside a run are
//            followed when the line before holds 40 or more bytes (a
//            multiple of 4) and the next line is all alphabet and padding;
//   hex      such a run that is all hex digits (an optional 0x prefix),
//            even length, at least 16 digits;
//   qp       quoted-printable: the lines around "=HH" escapes and "="
//            soft line breaks, at least two escapes, one of them "=HH".
// and only when the decoded bytes are text: valid UTF-8, at least 8 bytes,
// 90 % or more printable characters. So a base64 PNG, a git SHA, a UUID, a
// hex colour or random key material decode to nothing worth scanning and
// are dropped, after at most 48 bytes of decoding for base64.
//
// Thread-safety: free functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/bytes.h"
#include "airlock/detect/normalizer.h"

namespace airlock::detect {

struct EncodedSegment {
  ByteSpan span;                 // the encoded bytes in the scanned text
  std::string_view encoding;     // "base64", "base64url", "hex" or "qp" (static)
  std::string decoded;
  OffsetMap map;                 // decoded byte -> bytes of the scanned text
};

// Segments in text order. Stops when the next segment would take `*budget`
// below zero; decreases `*budget` by the decoded bytes returned.
std::vector<EncodedSegment> FindEncodedSegments(std::string_view text, std::size_t* budget);

// Valid UTF-8, at least 8 bytes, at least 90 % printable characters (tab,
// CR and LF count as printable; other C0/C1 controls and DEL do not).
bool LooksLikeText(std::string_view bytes);

}  // namespace airlock::detect
