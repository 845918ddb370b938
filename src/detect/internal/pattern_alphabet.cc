#include "internal/pattern_alphabet.h"

#include <cctype>
#include <cstddef>
#include <optional>

namespace airlock::detect::internal {
namespace {

using Set = std::bitset<256>;

void AddRange(Set* s, unsigned lo, unsigned hi) {
  for (unsigned c = lo; c <= hi && c < 256; ++c) s->set(c);
}
void AddDigits(Set* s) { AddRange(s, '0', '9'); }
void AddWord(Set* s) {
  AddDigits(s);
  AddRange(s, 'A', 'Z');
  AddRange(s, 'a', 'z');
  s->set('_');
}
void AddSpace(Set* s) {
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) s->set(static_cast<unsigned char>(c));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One escape starting after the backslash at expr[*i]. Returns false where
// the escape is not understood (the caller then gives up: all bytes).
// `single` receives the byte when the escape stands for exactly one.
bool Escape(std::string_view expr, std::size_t* i, Set* out, std::optional<unsigned>* single,
            bool* assertion) {
  *assertion = false;
  single->reset();
  if (*i >= expr.size()) return false;
  const char c = expr[(*i)++];
  switch (c) {
    case 'd': AddDigits(out); return true;
    case 'w': AddWord(out); return true;
    case 's': AddSpace(out); return true;
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
      *assertion = true;
      return true;
    case 'n': *single = '\n'; break;
    case 't': *single = '\t'; break;
    case 'r': *single = '\r'; break;
    case 'f': *single = '\f'; break;
    case 'v': *single = '\v'; break;
    case 'e': *single = 0x1b; break;
    case 'a': *single = 0x07; break;
    case 'x': {
      if (*i + 1 < expr.size() && HexValue(expr[*i]) >= 0 && HexValue(expr[*i + 1]) >= 0) {
        *single = static_cast<unsigned>(HexValue(expr[*i]) * 16 + HexValue(expr[*i + 1]));
        *i += 2;
        break;
      }
      return false;  // \x{...}, \xH: not needed by the catalog
    }
    default:
      // Letters and digits after a backslash are classes, properties or
      // back-references this reader does not model; punctuation is itself.
      if (std::isalnum(static_cast<unsigned char>(c))) return false;
      *single = static_cast<unsigned char>(c);
      break;
  }
  out->set(**single);
  return true;
}

// The members of a bracket class, from after '[' (and '^') to after ']',
// added to `out`; false when not understood. With `exact`, the set must not
// hold a byte the class cannot match (it is complemented for a negated
// class): \s leaves out \v, whose membership differs between regex
// dialects, and bytes >= 0x80 are refused.
bool ClassBody(std::string_view expr, std::size_t* i, bool utf8, bool exact, Set* out) {
  bool first = true;
  while (*i < expr.size()) {
    char c = expr[*i];
    if (c == ']' && !first) {
      ++*i;
      return true;
    }
    first = false;
    if (c == '[' && *i + 1 < expr.size() && (expr[*i + 1] == ':' || expr[*i + 1] == '=' || expr[*i + 1] == '.')) {
      return false;  // POSIX classes
    }
    std::optional<unsigned> single;
    if (c == '\\') {
      ++*i;
      bool assertion = false;
      Set members;
      if (!Escape(expr, i, &members, &single, &assertion)) return false;
      if (exact && expr[*i - 1] == 's') members.reset('\v');
      *out |= members;
      if (assertion) {
        if (expr[*i - 1] != 'b') return false;
        single = 0x08;  // \b in a class is backspace
        out->set(0x08);
      }
    } else {
      ++*i;
      if ((utf8 || exact) && static_cast<unsigned char>(c) >= 0x80) return false;  // code points, not bytes
      single = static_cast<unsigned char>(c);
      out->set(*single);
    }
    if (single && *single >= 0x80 && exact) return false;
    // A range: this byte, '-', the next one.
    if (single && *i + 1 < expr.size() && expr[*i] == '-' && expr[*i + 1] != ']') {
      ++*i;  // the '-'
      std::optional<unsigned> hi;
      if (expr[*i] == '\\') {
        ++*i;
        Set ignored;
        bool assertion = false;
        if (!Escape(expr, i, &ignored, &hi, &assertion) || assertion || !hi) return false;
      } else {
        const char h = expr[(*i)++];
        if ((utf8 || exact) && static_cast<unsigned char>(h) >= 0x80) return false;
        hi = static_cast<unsigned char>(h);
      }
      if (*hi < *single || (exact && *hi >= 0x80)) return false;
      AddRange(out, *single, *hi);
    }
  }
  return false;  // unterminated
}

// A bracket class starting after '[' at expr[*i]; false when not understood.
// A negated class matches every byte its members do not, and every byte
// >= 0x80 (parts of code points in UTF-8 mode; caseless matching adds the
// other case of an ASCII letter back at the end).
bool Class(std::string_view expr, std::size_t* i, bool utf8, Set* out) {
  if (*i < expr.size() && expr[*i] == '^') {
    ++*i;
    Set members;
    if (!ClassBody(expr, i, utf8, /*exact=*/true, &members)) return false;
    Set negated = ~members;
    AddRange(&negated, 0x80, 0xff);
    *out |= negated;
    return true;
  }
  return ClassBody(expr, i, utf8, /*exact=*/false, out);
}

// A quantifier "{m}", "{m,}" or "{m,n}" at expr[*i] ('{'): skipped when it is one.
bool SkipQuantifier(std::string_view expr, std::size_t* i) {
  std::size_t j = *i + 1;
  const std::size_t digits_start = j;
  while (j < expr.size() && std::isdigit(static_cast<unsigned char>(expr[j]))) ++j;
  if (j == digits_start) return false;
  if (j < expr.size() && expr[j] == ',') {
    ++j;
    while (j < expr.size() && std::isdigit(static_cast<unsigned char>(expr[j]))) ++j;
  }
  if (j >= expr.size() || expr[j] != '}') return false;
  *i = j + 1;
  return true;
}

}  // namespace

std::bitset<256> PatternAlphabet(std::string_view expr, bool caseless, bool utf8) {
  Set all;
  all.set();
  Set s;
  std::size_t i = 0;
  while (i < expr.size()) {
    const char c = expr[i];
    switch (c) {
      case '\\': {
        ++i;
        std::optional<unsigned> single;
        bool assertion = false;
        if (!Escape(expr, &i, &s, &single, &assertion)) return all;
        break;
      }
      case '[':
        ++i;
        if (!Class(expr, &i, utf8, &s)) return all;
        break;
      case '(':
        ++i;
        if (i < expr.size() && expr[i] == '?') {
          // Only non-capturing groups and the case-insensitive flag.
          if (i + 1 < expr.size() && expr[i + 1] == ':') {
            i += 2;
          } else if (expr.substr(i, 3) == "?i)" || expr.substr(i, 3) == "?i:") {
            caseless = true;  // from here on; the whole pattern is a safe over-approximation
            i += 3;
          } else {
            return all;  // lookaround, comments, other flags
          }
        }
        break;
      case ')': case '|': case '*': case '+': case '?': case '^': case '$':
        ++i;
        break;
      case '{':
        if (!SkipQuantifier(expr, &i)) {
          s.set('{');
          ++i;
        }
        break;
      case '.':
        return all;
      default:
        s.set(static_cast<unsigned char>(c));
        ++i;
        break;
    }
  }
  if (caseless) {
    // Other cases of non-ASCII letters are other byte sequences (moot when
    // every byte >= 0x80 is in already, as after a negated class).
    if (utf8) {
      unsigned high = 0;
      for (unsigned ch = 0x80; ch < 256; ++ch) high += s[ch];
      if (high != 0 && high != 0x80) return all;
    }
    for (unsigned ch = 'A'; ch <= 'Z'; ++ch) {
      if (s[ch] || s[ch + 32]) {
        s.set(ch);
        s.set(ch + 32);
      }
    }
  }
  return s;
}

}  // namespace airlock::detect::internal
