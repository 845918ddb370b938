#include "airlock/detect/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace airlock::detect {

namespace {

// ---- byte classes -----------------------------------------------------------

enum : std::uint8_t {
  kB64 = 1,      // A-Z a-z 0-9 + / - _
  kAlnum = 2,    // A-Z a-z 0-9
  kSep = 4,      // separators of a spaced-out run
  kSpecial = 8,  // \ & % = : may start an escape
  kHigh = 16,    // >= 0x80
  kHex = 32,
};

constexpr std::array<std::uint8_t, 256> MakeClasses() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool lower = c >= 'a' && c <= 'z';
    if (digit || upper || lower) v |= kAlnum | kB64;
    if (c == '+' || c == '/' || c == '-' || c == '_') v |= kB64;
    if (c == ' ' || c == '.' || c == '-' || c == '_' || c == '\t') v |= kSep;
    if (c == '\\' || c == '&' || c == '%' || c == '=') v |= kSpecial;
    if (c >= 0x80) v |= kHigh;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kClass = MakeClasses();

inline std::uint8_t Cls(char c) { return kClass[static_cast<unsigned char>(c)]; }
inline bool IsHex(char c) { return (Cls(c) & kHex) != 0; }
inline bool IsUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
inline bool IsAlnum(char c) { return (Cls(c) & kAlnum) != 0; }

#if defined(__SSE2__)
// The byte classes of 16 bytes at once, one bit per byte (bit k: p[k]).
// odd: escape-like (kSpecial) or high (kHigh) bytes.
struct BlockMasks {
  unsigned b64 = 0, alnum = 0, sep = 0, odd = 0;
};
inline BlockMasks Masks16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto eq = [&v](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  // Signed compares: bytes >= 0x80 are negative and fall outside both ranges.
  auto range = [](__m128i x, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const __m128i alnum = _mm_or_si128(range(v, '0', '9'),
                                     range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z'));
  const __m128i dash_under = _mm_or_si128(eq('-'), eq('_'));
  const __m128i b64 = _mm_or_si128(_mm_or_si128(alnum, dash_under), _mm_or_si128(eq('+'), eq('/')));
  const __m128i sep = _mm_or_si128(_mm_or_si128(eq(' '), eq('.')), _mm_or_si128(dash_under, eq('\t')));
  const __m128i special =
      _mm_or_si128(_mm_or_si128(eq('\\'), eq('&')), _mm_or_si128(eq('%'), eq('=')));
  BlockMasks m;
  m.b64 = static_cast<unsigned>(_mm_movemask_epi8(b64));
  m.alnum = static_cast<unsigned>(_mm_movemask_epi8(alnum));
  m.sep = static_cast<unsigned>(_mm_movemask_epi8(sep));
  m.odd = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(special, v)));
  return m;
}
#endif

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Tokens of a spaced-out run starting at p (a single alnum byte after a
// non-alnum one); *end is set past the last token. 1 when p starts none.
std::size_t SpacedRun(std::string_view t, std::size_t p, std::size_t* end) {
  std::size_t tokens = 1;
  std::size_t j = p + 1;
  if (j < t.size() && IsAlnum(t[j])) {
    *end = j;
    return 0;  // p starts a longer word
  }
  while (j + 1 < t.size() && (Cls(t[j]) & kSep) != 0 && IsAlnum(t[j + 1]) &&
         (j + 2 == t.size() || !IsAlnum(t[j + 2]))) {
    ++tokens;
    j += 2;
  }
  *end = j;
  return tokens;
}

constexpr std::size_t kMinSpacedTokens = 8;

void AppendUtf8(std::uint32_t cp, std::string* out) {
  char buf[4];
  std::int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, cp);
  out->append(buf, static_cast<std::size_t>(n));
}

void EmitCodePoint(std::string* out, OffsetMap* map, std::uint32_t cp, SourceRange src) {
  const std::size_t before = out->size();
  AppendUtf8(cp, out);
  map->insert(map->end(), out->size() - before, src);
}

bool ValidScalar(std::uint32_t cp) {
  return cp != 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

// ---- step 1: escapes --------------------------------------------------------

struct Entity {
  const char* name;
  std::uint32_t cp;
};
// Sorted by name (strcmp) for binary search. Common named entities, plus the
// invisible and punctuation ones an evasion would use.
constexpr Entity kEntities[] = {
    {"AMP", '&'},        {"GT", '>'},        {"LT", '<'},         {"QUOT", '"'},
    {"ZeroWidthSpace", 0x200B},               {"amp", '&'},        {"apos", '\''},
    {"colon", ':'},      {"comma", ','},     {"commat", '@'},     {"copy", 0xA9},
    {"dash", 0x2010},    {"dollar", '$'},    {"emsp", 0x2003},    {"ensp", 0x2002},
    {"equals", '='},     {"euro", 0x20AC},   {"excl", '!'},       {"gt", '>'},
    {"hellip", 0x2026},  {"hyphen", 0x2010}, {"laquo", 0xAB},     {"ldquo", 0x201C},
    {"lowbar", '_'},     {"lpar", '('},      {"lrm", 0x200E},     {"lsquo", 0x2018},
    {"lt", '<'},         {"mdash", 0x2014},  {"middot", 0xB7},    {"nbsp", 0xA0},
    {"ndash", 0x2013},   {"num", '#'},       {"percnt", '%'},     {"period", '.'},
    {"plus", '+'},       {"quest", '?'},     {"quot", '"'},       {"raquo", 0xBB},
    {"rdquo", 0x201D},   {"reg", 0xAE},      {"rlm", 0x200F},     {"rpar", ')'},
    {"rsquo", 0x2019},   {"semi", ';'},      {"shy", 0xAD},       {"sol", '/'},
    {"thinsp", 0x2009},  {"times", 0xD7},    {"zwj", 0x200D},     {"zwnj", 0x200C},
};

// The code point and length of an HTML entity at t[i] == '&', or 0.
std::size_t ParseEntity(std::string_view t, std::size_t i, std::uint32_t* cp) {
  std::size_t j = i + 1;
  if (j < t.size() && t[j] == '#') {
    ++j;
    const bool hex = j < t.size() && (t[j] == 'x' || t[j] == 'X');
    if (hex) ++j;
    const std::size_t digits_at = j;
    std::uint32_t v = 0;
    while (j < t.size() && j - digits_at < 8) {
      const int d = HexValue(t[j]);
      if (d < 0 || (!hex && d > 9)) break;
      v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      ++j;
    }
    if (j == digits_at || !ValidScalar(v)) return 0;
    if (j < t.size() && t[j] == ';') ++j;
    *cp = v;
    return j - i;
  }
  while (j < t.size() && j - i <= 15 && ((t[j] | 0x20) >= 'a' && (t[j] | 0x20) <= 'z')) ++j;
  if (j == i + 1 || j >= t.size() || t[j] != ';') return 0;
  const std::string name(t.substr(i + 1, j - i - 1));
  const auto* it = std::lower_bound(std::begin(kEntities), std::end(kEntities), name,
                                    [](const Entity& e, const std::string& n) {
                                      return std::strcmp(e.name, n.c_str()) < 0;
                                    });
  if (it == std::end(kEntities) || name != it->name) return 0;
  *cp = it->cp;
  return j + 1 - i;
}

std::uint32_t Hex4(std::string_view t, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = v * 16 + static_cast<std::uint32_t>(HexValue(t[at + k]));
  return v;
}

bool IsJsonEscape(std::string_view t, std::size_t i) {
  return i + 6 <= t.size() && t[i] == '\\' && t[i + 1] == 'u' && IsHex(t[i + 2]) &&
         IsHex(t[i + 3]) && IsHex(t[i + 4]) && IsHex(t[i + 5]);
}

// The code point and length of a JSON \u escape (a surrogate pair counts as
// one) at t[i], or 0.
std::size_t ParseJsonEscape(std::string_view t, std::size_t i, std::uint32_t* cp) {
  if (!IsJsonEscape(t, i)) return 0;
  std::uint32_t v = Hex4(t, i + 2);
  if (v >= 0xD800 && v <= 0xDBFF) {
    if (!IsJsonEscape(t, i + 6)) return 0;
    const std::uint32_t lo = Hex4(t, i + 8);
    if (lo < 0xDC00 || lo > 0xDFFF) return 0;
    *cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
    return 12;
  }
  if (!ValidScalar(v)) return 0;
  *cp = v;
  return 6;
}

bool Unescape(std::string_view in, std::string* out, OffsetMap* map) {
  bool changed = false;
  std::size_t copied = 0;  // in[copied, i) not yet copied
  auto flush = [&](std::size_t upto) {
    for (std::size_t k = copied; k < upto; ++k) {
      out->push_back(in[k]);
      map->push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
    }
  };
  for (std::size_t i = 0; i < in.size();) {
    const char c = in[i];
    if ((Cls(c) & kSpecial) == 0) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (c == '\\') {
      len = ParseJsonEscape(in, i, &cp);
    } else if (c == '&') {
      len = ParseEntity(in, i, &cp);
    } else if (c == '%' && i + 2 < in.size() && IsHex(in[i + 1]) && IsHex(in[i + 2])) {
      if (!changed) {
        out->reserve(in.size());
        map->reserve(in.size());
      }
      flush(i);
      out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      map->push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 3)});
      changed = true;
      i += 3;
      copied = i;
      continue;
    }
    if (len == 0) {
      ++i;
      continue;
    }
    if (!changed) {
      out->reserve(in.size());
      map->reserve(in.size());
    }
    flush(i);
    EmitCodePoint(out, map, cp,
                  {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + len)});
    changed = true;
    i += len;
    copied = i;
  }
  if (changed) flush(in.size());
  return changed;
}

// ---- step 2: NFKC -------------------------------------------------------------

bool Nfkc(std::string_view in, std::string* out, OffsetMap* map) {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(ec);
  if (U_FAILURE(ec)) return false;
  const icu::StringPiece sp(in.data(), static_cast<std::int32_t>(in.size()));
  if (nfkc->isNormalizedUTF8(sp, ec) || U_FAILURE(ec)) return false;
  ec = U_ZERO_ERROR;
  icu::Edits edits;
  icu::StringByteSink<std::string> sink(out, static_cast<std::int32_t>(in.size()));
  nfkc->normalizeUTF8(0, sp, sink, &edits, ec);
  if (U_FAILURE(ec) || !edits.hasChanges()) {
    out->clear();
    return false;
  }
  map->reserve(out->size());
  icu::Edits::Iterator it = edits.getFineIterator();
  while (it.next(ec)) {
    const auto src = static_cast<std::uint32_t>(it.sourceIndex());
    const auto old_len = static_cast<std::uint32_t>(it.oldLength());
    const auto new_len = static_cast<std::size_t>(it.newLength());
    if (!it.hasChange()) {
      for (std::uint32_t k = 0; k < new_len; ++k) map->push_back({src + k, src + k + 1});
    } else if (new_len > 0) {
      // An insertion without source (never made by NFKC) maps to the
      // following source byte so that ranges stay non-empty.
      const SourceRange r{src, std::max(src + old_len, src + 1)};
      map->insert(map->end(), new_len, r);
    }
  }
  if (U_FAILURE(ec) || map->size() != out->size()) {
    out->clear();
    map->clear();
    return false;
  }
  return true;
}

// ---- step 3: per code point ---------------------------------------------------

bool IsInvisible(std::uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x180E ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0xE0001 ||
         cp == 0xE007F;
}

struct Glyph {
  std::uint16_t from;
  char to;
};
// Cyrillic and Greek letters drawn like a Latin one, sorted by code point.
constexpr Glyph kHomoglyphs[] = {
    {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'I'},
    {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'},
    {0x03A5, 'Y'}, {0x03A7, 'X'}, {0x03B1, 'a'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'},
    {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C5, 'u'}, {0x03F2, 'c'}, {0x03F3, 'j'}, {0x0405, 'S'},
    {0x0406, 'I'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'}, {0x041A, 'K'},
    {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'},
    {0x0425, 'X'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'},
    {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04AE, 'Y'},
    {0x04BB, 'h'}, {0x04C0, 'I'}, {0x04CF, 'l'}, {0x0501, 'd'}, {0x051A, 'Q'}, {0x051B, 'q'},
    {0x051C, 'W'}, {0x051D, 'w'},
};

char Homoglyph(std::uint32_t cp) {
  if (cp < 0x0391 || cp > 0x051D) return 0;
  const auto* it = std::lower_bound(std::begin(kHomoglyphs), std::end(kHomoglyphs), cp,
                                    [](const Glyph& g, std::uint32_t c) { return g.from < c; });
  return it != std::end(kHomoglyphs) && it->from == cp ? it->to : 0;
}

bool FoldCodePoints(std::string_view in, std::string* out, OffsetMap* map, unsigned* steps) {
  // ASCII is left as it is.
  std::size_t first = 0;
  while (first < in.size() && static_cast<unsigned char>(in[first]) < 0x80) ++first;
  if (first == in.size()) return false;
  const auto* s = reinterpret_cast<const std::uint8_t*>(in.data());
  const auto n = static_cast<std::int32_t>(in.size());
  bool changed = false;
  std::int32_t copied = 0;
  auto flush = [&](std::int32_t upto) {
    for (std::int32_t k = copied; k < upto; ++k) {
      out->push_back(in[static_cast<std::size_t>(k)]);
      map->push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
    }
  };
  for (std::int32_t i = static_cast<std::int32_t>(first); i < n;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const std::int32_t at = i;
    UChar32 cp = 0;
    U8_NEXT(s, i, n, cp);
    if (cp < 0) continue;  // invalid: kept as it is
    const auto ucp = static_cast<std::uint32_t>(cp);
    unsigned step = 0;
    char ascii = 0;
    if (IsInvisible(ucp)) {
      step = kStepInvisible;
    } else if (ucp >= 0xE0020 && ucp <= 0xE007E) {
      step = kStepTags;
      ascii = static_cast<char>(ucp - 0xE0000);
    } else if (char g = Homoglyph(ucp); g != 0) {
      step = kStepHomoglyphs;
      ascii = g;
    } else if (u_charType(cp) == U_DECIMAL_DIGIT_NUMBER) {
      const std::int32_t v = u_charDigitValue(cp);
      if (v >= 0 && v <= 9) {
        step = kStepDigits;
        ascii = static_cast<char>('0' + v);
      }
    }
    if (step == 0) continue;
    if (!changed) {
      out->reserve(in.size());
      map->reserve(in.size());
    }
    flush(at);
    if (ascii != 0) {
      out->push_back(ascii);
      map->push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(i)});
    }
    *steps |= step;
    changed = true;
    copied = i;
  }
  if (changed) flush(n);
  return changed;
}

// Replaces (text, map) by the result of one step over text.
template <typename Step>
void Apply(NormalizedText* cur, std::string_view input, Step step) {
  std::string next;
  OffsetMap next_map;
  const std::string_view from = cur->steps == 0 ? input : std::string_view(cur->text);
  unsigned steps = 0;
  if (!step(from, &next, &next_map, &steps)) return;
  if (cur->steps != 0) ComposeMaps(cur->map, &next_map);
  cur->text = std::move(next);
  cur->map = std::move(next_map);
  cur->steps |= steps;
}

}  // namespace

ByteSpan MapSpan(const OffsetMap& map, ByteSpan span) {
  const SourceRange& a = map[span.begin];
  const SourceRange& b = map[span.end - 1];
  return {std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

void ComposeMaps(const OffsetMap& outer, OffsetMap* inner) {
  if (outer.empty()) return;
  for (SourceRange& r : *inner) {
    const ByteSpan s = MapSpan(outer, {r.begin, r.end});
    r = {static_cast<std::uint32_t>(s.begin), static_cast<std::uint32_t>(s.end)};
  }
}

NormalizedText Normalize(std::string_view input) {
  NormalizedText cur;
  if (input.size() >= std::numeric_limits<std::uint32_t>::max()) {
    cur.text = std::string(input);
    return cur;
  }
  Apply(&cur, input, [](std::string_view in, std::string* out, OffsetMap* map, unsigned* steps) {
    if (!Unescape(in, out, map)) return false;
    *steps |= kStepEscapes;
    return true;
  });
  Apply(&cur, input, [](std::string_view in, std::string* out, OffsetMap* map, unsigned* steps) {
    if (!Nfkc(in, out, map)) return false;
    *steps |= kStepNfkc;
    return true;
  });
  Apply(&cur, input, [](std::string_view in, std::string* out, OffsetMap* map, unsigned* steps) {
    return FoldCodePoints(in, out, map, steps);
  });
  if (cur.steps == 0) cur.text = std::string(input);
  return cur;
}

bool CollapseSpaced(std::string_view text, NormalizedText* out) {
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) return false;
  bool found = false;
  std::string res;
  OffsetMap map;
  std::size_t copied = 0;
  for (std::size_t p = 0; p < text.size(); ++p) {
    if (!IsAlnum(text[p]) || (p > 0 && IsAlnum(text[p - 1]))) continue;
    std::size_t end = 0;
    if (SpacedRun(text, p, &end) < kMinSpacedTokens) {
      p = end > p ? end - 1 : p;
      continue;
    }
    if (!found) {
      res.reserve(text.size());
      map.reserve(text.size());
      found = true;
    }
    for (std::size_t k = copied; k < p; ++k) {
      res.push_back(text[k]);
      map.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
    }
    for (std::size_t k = p; k < end; k += 2) {
      res.push_back(text[k]);
      map.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
    }
    copied = end;
    p = end - 1;
  }
  if (!found) return false;
  for (std::size_t k = copied; k < text.size(); ++k) {
    res.push_back(text[k]);
    map.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
  }
  out->text = std::move(res);
  out->map = std::move(map);
  out->steps = kStepSpaced;
  return true;
}

namespace internal {


bool IsEncodedCandidate(std::string_view t, std::size_t b, std::size_t e) {
  if (e - b < 16) return false;
  if (e - b >= 40) return true;
  for (std::size_t k = b; k < e; ++k) {
    const char c = t[k];
    if ((c >= '0' && c <= '9') || c == '+' || c == '/' || (k > b && c >= 'A' && c <= 'Z')) {
      return true;
    }
  }
  return false;
}

bool IsQpEscape(std::string_view t, std::size_t i) {
  if (t[i] != '=') return false;
  if (i + 2 < t.size() && IsUpperHex(t[i + 1]) && IsUpperHex(t[i + 2])) {
    return true;
  }
  if (i + 1 < t.size() && t[i + 1] == '\n') return true;
  return i + 2 < t.size() && t[i + 1] == '\r' && t[i + 2] == '\n';
}

}  // namespace internal

namespace {

// Length of the UTF-8 sequence at `i` when it encodes a code point that the
// normalised view leaves as it is, else 0: Latin-1 and Latin Extended-A
// letters (not × ÷, not the compatibility forms Ŀ ŀ ŉ ſ), Latin-1 signs
// such as § £ « », en and em dashes, curly quotes and the euro sign. None of them is invisible, a homoglyph
// or a digit, and NFKC maps each to itself; so German, French, Spanish,
// Italian, Dutch and Nordic prose takes the plain path.
std::size_t UnchangedByNormalize(std::string_view t, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(t[i]);
  if (b0 == 0xC2 && i + 1 < t.size()) {
    // Latin-1 signs without a compatibility form: ¡ ¢ £ ¥ ¦ § © « ¬ ® ° ± ¶ · » ¿
    // (not the no-break space, soft hyphen, superscripts, fractions, ª º µ).
    switch (static_cast<unsigned char>(t[i + 1])) {
      case 0xA1: case 0xA2: case 0xA3: case 0xA5: case 0xA6: case 0xA7: case 0xA9: case 0xAB:
      case 0xAC: case 0xAE: case 0xB0: case 0xB1: case 0xB6: case 0xB7: case 0xBB: case 0xBF:
        return 2;
      default:
        return 0;
    }
  }
  if (b0 >= 0xC3 && b0 <= 0xC5) {
    if (i + 1 >= t.size()) return 0;
    const auto b1 = static_cast<unsigned char>(t[i + 1]);
    if ((b1 & 0xC0) != 0x80) return 0;
    const unsigned cp = ((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu);
    if (cp == 0xD7 || cp == 0xF7 || cp == 0x13F || cp == 0x140 || cp == 0x149 || cp == 0x17F) {
      return 0;
    }
    return 2;
  }
  if (b0 == 0xE2 && i + 2 < t.size()) {
    const auto b1 = static_cast<unsigned char>(t[i + 1]);
    const auto b2 = static_cast<unsigned char>(t[i + 2]);
    if (b1 == 0x80 && (b2 == 0x93 || b2 == 0x94 || b2 == 0x98 || b2 == 0x99 || b2 == 0x9C ||
                       b2 == 0x9D)) {
      return 3;
    }
    if (b1 == 0x82 && b2 == 0xAC) return 3;
  }
  return 0;
}

}  // namespace

namespace {

// kWide: 16 bytes at a time where a block holds no escape-like or high byte
// (SSE2); otherwise, and for such blocks, byte by byte. Both give the same
// answer (EvasionSignalsProperty.WideEqualsByteByByte).
template <bool kWide>
unsigned Signals(std::string_view t) {
  constexpr unsigned kAll = kSignalNormalize | kSignalEncoded | kSignalSpaced;
  unsigned sig = 0;
  const std::size_t n = t.size();
  // The base64 run that ends at a non-alphabet byte starts after the last
  // such byte (run_from: one past it).
  std::size_t run_from = 0;
  auto run_ends_at = [&](std::size_t i) {
    if (i - run_from >= 16 && (sig & kSignalEncoded) == 0 &&
        internal::IsEncodedCandidate(t, run_from, i)) {
      sig |= kSignalEncoded;
    }
  };
  // A single alnum byte after a non-alnum one, followed by a separator.
  auto spaced_at = [&](std::size_t i) {
    std::size_t end = 0;
    if (SpacedRun(t, i, &end) >= kMinSpacedTokens) sig |= kSignalSpaced;
  };
  std::size_t i = 0;
  while (i < n) {
    std::size_t scalar_until = n;
#if defined(__SSE2__)
    if (kWide && i + 16 <= n) {
      const BlockMasks m = Masks16(t.data() + i);
      if (m.odd == 0) {
        // No escape and no high byte: only run ends and spaced tokens.
        const unsigned prev_alnum = (m.alnum << 1) | (i > 0 && IsAlnum(t[i - 1]) ? 1u : 0u);
        const unsigned next_sep =
            (m.sep >> 1) | (i + 16 < n && (Cls(t[i + 16]) & kSep) != 0 ? 0x8000u : 0u);
        for (unsigned c = m.alnum & ~prev_alnum & next_sep & 0xFFFFu;
             c != 0 && (sig & kSignalSpaced) == 0; c &= c - 1) {
          const std::size_t k = i + static_cast<unsigned>(__builtin_ctz(c));
          if (k + 2 < n) spaced_at(k);
        }
        for (unsigned nb = ~m.b64 & 0xFFFFu; nb != 0; nb &= nb - 1) {
          const std::size_t k = i + static_cast<unsigned>(__builtin_ctz(nb));
          run_ends_at(k);
          run_from = k + 1;
        }
        if (sig == kAll) return sig;
        i += 16;
        continue;
      }
      scalar_until = i + 16;
    }
#endif
    // Byte by byte: blocks with an escape-like or high byte, and the tail.
    for (; i < n && i < scalar_until; ++i) {
      const char c = t[i];
      const std::uint8_t cls = Cls(c);
      if ((cls & kB64) != 0) {
        if ((cls & kAlnum) != 0 && (i == 0 || !IsAlnum(t[i - 1])) && i + 2 < n &&
            (Cls(t[i + 1]) & kSep) != 0 && (sig & kSignalSpaced) == 0) {
          spaced_at(i);
        }
        continue;
      }
      run_ends_at(i);
      run_from = i + 1;
      if ((cls & (kSpecial | kHigh)) == 0) continue;
      if ((cls & kHigh) != 0) {
        if (const std::size_t len = UnchangedByNormalize(t, i); len != 0) {
          i += len - 1;
          run_from = i + 1;
          continue;
        }
        sig |= kSignalNormalize;
      } else if (c == '\\') {
        if (i + 1 < n && t[i + 1] == 'u') sig |= kSignalNormalize;
      } else if (c == '&') {
        if (i + 1 < n && (t[i + 1] == '#' || ((t[i + 1] | 0x20) >= 'a' && (t[i + 1] | 0x20) <= 'z'))) {
          sig |= kSignalNormalize;
        }
      } else if (c == '%') {
        if (i + 2 < n && IsHex(t[i + 1]) && IsHex(t[i + 2])) sig |= kSignalNormalize;
      } else if (internal::IsQpEscape(t, i)) {
        sig |= kSignalEncoded;
      }
      if (sig == kAll) return sig;
    }
  }
  run_ends_at(n);
  return sig;
}

}  // namespace

unsigned EvasionSignals(std::string_view t) { return Signals<true>(t); }

namespace internal {

unsigned EvasionSignalsByteByByte(std::string_view t) { return Signals<false>(t); }

std::size_t NextLongBase64Run(std::string_view t, std::size_t from, std::size_t* end) {
  const std::size_t n = t.size();
  std::size_t run_from = from;  // t[from - 1], if any, is no alphabet byte
  std::size_t i = from;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    for (unsigned nb = ~Masks16(t.data() + i).b64 & 0xFFFFu; nb != 0; nb &= nb - 1) {
      const std::size_t k = i + static_cast<unsigned>(__builtin_ctz(nb));
      if (k - run_from >= 16) {
        *end = k;
        return run_from;
      }
      run_from = k + 1;
    }
  }
#endif
  for (; i < n; ++i) {
    if (IsBase64Byte(static_cast<unsigned char>(t[i]))) continue;
    if (i - run_from >= 16) {
      *end = i;
      return run_from;
    }
    run_from = i + 1;
  }
  if (n - run_from >= 16) {
    *end = n;
    return run_from;
  }
  *end = n;
  return n;
}

}  // namespace internal

}  // namespace airlock::detect
