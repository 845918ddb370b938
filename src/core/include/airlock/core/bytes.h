// Byte spans and small byte-level helpers shared by every module.
//
// Offsets in Airlock are byte offsets into the input as it was read (UTF-8 or
// not), half-open [begin, end). They are named as such to avoid the code-point
// confusion that other tools have.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

struct ByteSpan {
  std::size_t begin = 0;
  std::size_t end = 0;  // exclusive

  std::size_t size() const { return end - begin; }
  bool Overlaps(const ByteSpan& o) const { return begin < o.end && o.begin < end; }
  friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};

// Compares two byte strings in time that depends only on their lengths, never
// on where they first differ. Use for secrets (API keys, HMACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Returns the byte offset of the first invalid UTF-8 sequence, or npos when
// `text` is valid UTF-8 (overlong forms and surrogates count as invalid).
std::size_t FirstInvalidUtf8(std::string_view text);

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// The bytes of `hex` (either case); nullopt when its length is odd or it
// holds a character that is not a hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

// Base64 of `bytes` (RFC 4648 section 4, padded); url_safe: the URL and
// filename alphabet of section 5 (- and _ for + and /).
std::string Base64Encode(std::string_view bytes, bool url_safe = false);
// Decodes standard base64 (padding optional; CR, LF and spaces skipped);
// nullopt on any other character, or a length no encoder writes.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace airlock
