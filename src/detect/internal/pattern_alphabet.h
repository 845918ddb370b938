// The bytes a pattern's matches can contain, read from its regular
// expression (not a public API).
//
//   std::bitset<256> a = PatternAlphabet("\\b0[0-9]{1,4}(?:[ .\\-/][0-9]{2,8})+", false, false);
//   a['7'] == true, a['D'] == false: no match contains a 'D'
//
// An over-approximation: every byte of every match is in the set; where the
// syntax is not one this reader knows ('.', \W, lookaround,
// back-references, Unicode properties, non-ASCII classes in UTF-8 mode) the
// answer is all 256 bytes, which is always safe. A negated class is every
// byte its members cannot be (bytes >= 0x80 always in). Used by the
// analyzer to prove that a candidate ending inside a validated finding
// cannot start before it (a byte of the finding that the pattern cannot
// match lies in between), and by the stream analyzer to bound where a
// match still in progress can have started.
#pragma once

#include <bitset>
#include <string_view>

namespace airlock::detect::internal {

std::bitset<256> PatternAlphabet(std::string_view expression, bool caseless, bool utf8);

}  // namespace airlock::detect::internal
