// Tokens and case folding shared by exact data match and document
// fingerprints. Internal to the index library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::detect::index_internal {

// A word of the input: [begin, end) byte offsets.
struct Token {
  std::size_t begin, end;
};

// Words are runs of letters and digits (any non-ASCII byte counts as a
// letter, so UTF-8 words stay whole), joined across '.', '-', '@', '_', '\''
// and '+' when a word character follows, and across '/' between digits:
// "anna.schmidt@example.de", "O'Brien", "1985-03-12" and "12/03/1985" are one
// token each; a sentence's final period is not part of its last word.
std::vector<Token> Tokenize(std::string_view text);

// Unicode simple case folding (ICU), UTF-8 in and out; invalid bytes are kept.
void AppendFolded(std::string_view word, std::string* out);

bool IsDigits(std::string_view s);
bool IsAlnumAscii(std::string_view s);

}  // namespace airlock::detect::index_internal
