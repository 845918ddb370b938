#include "text_norm.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace airlock::detect::index_internal {

namespace {

inline bool WordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> out;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !WordByte(p[i])) ++i;
    if (i >= n) break;
    const std::size_t begin = i;
    while (i < n) {
      if (WordByte(p[i])) {
        ++i;
        continue;
      }
      const unsigned char c = p[i];
      const bool joiner = c == '.' || c == '-' || c == '@' || c == '_' || c == '\'' || c == '+';
      const bool slash = c == '/' && IsDigit(p[i - 1]) && i + 1 < n && IsDigit(p[i + 1]);
      if ((joiner && i + 1 < n && WordByte(p[i + 1])) || slash) {
        ++i;
        continue;
      }
      break;
    }
    out.push_back({begin, i});
  }
  return out;
}

void AppendFolded(std::string_view word, std::string* out) {
  const auto* s = reinterpret_cast<const uint8_t*>(word.data());
  const int32_t n = static_cast<int32_t>(word.size());
  int32_t i = 0;
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      out->push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      out->append(word.substr(start, i - start));
      continue;
    }
    const UChar32 f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    uint8_t buf[4];
    int32_t len = 0;
    UBool err = false;
    U8_APPEND(buf, len, 4, f, err);
    (void)err;  // 4 bytes always hold one code point
    out->append(reinterpret_cast<const char*>(buf), len);
  }
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsAlnumAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return !s.empty();
}

}  // namespace airlock::detect::index_internal
