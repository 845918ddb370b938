#include "airlock/detect/decoders.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <limits>

namespace airlock::detect {

namespace {

constexpr std::size_t kMinRun = 16;
constexpr std::size_t kMinWrappedLine = 40;  // a MIME line before a break
constexpr std::size_t kMinDecoded = 8;
constexpr std::size_t kProbe = 64;           // base64 bytes decoded before the full run

using internal::IsBase64Byte;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<std::int8_t, 256> MakeBase64Values() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t[static_cast<std::size_t>('A' + i)] = static_cast<std::int8_t>(i);
    t[static_cast<std::size_t>('a' + i)] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t[static_cast<std::size_t>('0' + i)] = static_cast<std::int8_t>(52 + i);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}
constexpr std::array<std::int8_t, 256> kBase64 = MakeBase64Values();

// A run of encoded bytes, possibly across MIME line breaks: `chars` holds the
// offsets (in the text) of its alphabet bytes, breaks left out.
struct Run {
  std::size_t begin = 0, end = 0;  // in the text, padding included
  std::vector<std::uint32_t> chars;
};

// Decodes base64 chars[from, to) (to - from a multiple of 4, or the tail);
// appends bytes and their sources to out/map.
void DecodeBase64(std::string_view text, const std::vector<std::uint32_t>& chars,
                  std::size_t from, std::size_t to, std::string* out, OffsetMap* map) {
  for (std::size_t g = from; g < to; g += 4) {
    const std::size_t k = std::min<std::size_t>(4, to - g);
    std::uint32_t acc = 0;
    for (std::size_t q = 0; q < 4; ++q) {
      const int v = q < k ? kBase64[static_cast<unsigned char>(text[chars[g + q]])] : 0;
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
    }
    const std::size_t nbytes = k == 4 ? 3 : k - 1;  // k == 1 never reaches here
    const SourceRange src{chars[g], chars[g + k - 1] + 1};
    for (std::size_t b = 0; b < nbytes; ++b) {
      out->push_back(static_cast<char>((acc >> (16 - 8 * b)) & 0xFF));
      map->push_back(src);
    }
  }
}

bool TryHex(std::string_view text, const Run& run, EncodedSegment* seg) {
  std::size_t from = 0;
  const auto& ch = run.chars;
  if (ch.size() >= 2 && text[ch[0]] == '0' && (text[ch[1]] == 'x' || text[ch[1]] == 'X')) from = 2;
  const std::size_t n = ch.size() - from;
  if (n < kMinRun || n % 2 != 0) return false;
  for (std::size_t k = from; k < ch.size(); ++k) {
    if (HexValue(text[ch[k]]) < 0) return false;
  }
  seg->decoded.reserve(n / 2);
  for (std::size_t k = from; k < ch.size(); k += 2) {
    seg->decoded.push_back(
        static_cast<char>(HexValue(text[ch[k]]) * 16 + HexValue(text[ch[k + 1]])));
    seg->map.push_back({ch[k], ch[k + 1] + 1});
  }
  seg->encoding = "hex";
  return LooksLikeText(seg->decoded);
}

bool TryBase64(std::string_view text, const Run& run, EncodedSegment* seg) {
  bool std_alpha = false, url_alpha = false;
  for (std::uint32_t at : run.chars) {
    const char c = text[at];
    std_alpha |= c == '+' || c == '/';
    url_alpha |= c == '-' || c == '_';
  }
  if (std_alpha && url_alpha) return false;
  const std::size_t n = run.chars.size();
  if (n % 4 == 1) return false;
  // Probe the head first: most binary payloads fail on it.
  const std::size_t probe = std::min(n, kProbe);
  DecodeBase64(text, run.chars, 0, probe, &seg->decoded, &seg->map);
  if (probe < n) {
    // The probe may end inside a UTF-8 sequence; drop up to 3 bytes.
    std::string_view head = seg->decoded;
    bool ok = false;
    for (std::size_t cut = 0; cut < 4 && cut < head.size() && !ok; ++cut) {
      ok = LooksLikeText(head.substr(0, head.size() - cut));
    }
    if (!ok) return false;
    DecodeBase64(text, run.chars, probe, n, &seg->decoded, &seg->map);
  }
  seg->encoding = url_alpha ? "base64url" : "base64";
  return LooksLikeText(seg->decoded);
}

// A MIME body line: alphabet bytes, optional padding, then the line's end.
bool IsWholeLine(std::string_view t, std::size_t b) {
  std::size_t k = b;
  while (k < t.size() && IsBase64Byte(static_cast<unsigned char>(t[k]))) ++k;
  if (k == b) return false;
  while (k < t.size() && t[k] == '=') ++k;
  return k == t.size() || t[k] == '\r' || t[k] == '\n';
}

// The run of encoded-alphabet bytes starting at `b`, following MIME line
// breaks after long lines; padding '=' included in `end`.
Run ReadRun(std::string_view t, std::size_t b) {
  Run run;
  run.begin = b;
  std::size_t i = b;
  std::size_t line_start = b;
  while (true) {
    while (i < t.size() && IsBase64Byte(static_cast<unsigned char>(t[i]))) {
      run.chars.push_back(static_cast<std::uint32_t>(i));
      ++i;
    }
    const std::size_t brk = i < t.size() && t[i] == '\r' ? i + 1 : i;
    if (i - line_start >= kMinWrappedLine && (i - line_start) % 4 == 0 && brk < t.size() &&
        t[brk] == '\n' && IsWholeLine(t, brk + 1)) {
      i = brk + 1;
      line_start = i;
      continue;
    }
    break;
  }
  std::size_t end = i;
  for (int pad = 0; pad < 2 && end < t.size() && t[end] == '='; ++pad) ++end;
  // "key=value": an '=' followed by more of the alphabet is no padding.
  if (end < t.size() && end > i && IsBase64Byte(static_cast<unsigned char>(t[end]))) end = i;
  run.end = end;
  return run;
}

void FindRuns(std::string_view t, std::size_t* budget, std::vector<EncodedSegment>* out) {
  for (std::size_t i = 0; i < t.size();) {
    // Runs shorter than 16 bytes are no candidates (IsEncodedCandidate):
    // skip to the next longer one. `i` is 0 or follows a non-alphabet byte.
    std::size_t first_piece = 0;
    i = internal::NextLongBase64Run(t, i, &first_piece);
    if (i >= t.size()) break;
    // The fast path judges each line alone; a joined run's first line has
    // 40 or more bytes and so counts by itself.
    if (!internal::IsEncodedCandidate(t, i, first_piece)) {
      // Most words of a text end here, before their bytes are collected. A
      // rejected piece is shorter than a wrapped line, so its run would
      // have ended at the piece or its padding, which is no alphabet byte.
      i = first_piece;
      continue;
    }
    Run run = ReadRun(t, i);
    i = std::max(run.end, first_piece);
    const std::size_t cost = run.chars.size();  // decoded size is at most this
    if (cost > *budget) return;
    EncodedSegment seg;
    seg.span = {run.begin, run.end};
    if (!TryHex(t, run, &seg)) {
      seg.decoded.clear();
      seg.map.clear();
      if (!TryBase64(t, run, &seg)) continue;
    }
    *budget -= seg.decoded.size();
    out->push_back(std::move(seg));
  }
}

// A quoted-printable escape at t[k] on the line starting at `line`. An '='
// at a line's end that pads a base64 token (16 or more alphabet bytes, the
// padding making a multiple of 4: MIME bodies, "data: ...=") is no soft
// line break.
bool QpEscapeAt(std::string_view t, std::size_t k, std::size_t line) {
  if (!internal::IsQpEscape(t, k)) return false;
  if (t[k + 1] != '\n' && t[k + 1] != '\r') return true;
  std::size_t j = k;
  std::size_t pad = 1;
  if (j > line && t[j - 1] == '=') {
    --j;
    ++pad;
  }
  std::size_t run = 0;
  while (j > line && IsBase64Byte(static_cast<unsigned char>(t[j - 1]))) {
    --j;
    ++run;
  }
  return run < kMinRun || (run + pad) % 4 != 0;
}

bool LineHasQp(std::string_view t, std::size_t b, std::size_t e) {
  for (std::size_t k = b; k < e; ++k) {
    if (t[k] == '=' && QpEscapeAt(t, k, b)) return true;
  }
  return false;
}

void FindQuotedPrintable(std::string_view t, std::size_t* budget,
                         std::vector<EncodedSegment>* out) {
  std::size_t i = 0;
  // The start of the line holding `seen` (bytes before `seen` have been
  // searched for line breaks). Kept as the '=' signs are met, in order:
  // searching back from each '=' to its line start made a long line with
  // many '=' quadratic (a 1 MB "k=v k=v ..." took 90 s).
  std::size_t line_start = 0, seen = 0;
  while (i < t.size()) {
    const std::size_t eq = t.find('=', i);
    if (eq == std::string_view::npos) return;
    if (eq > seen) {
      const std::size_t nl = t.substr(seen, eq - seen).rfind('\n');
      if (nl != std::string_view::npos) line_start = seen + nl + 1;
      seen = eq;
    }
    // The block: this line and the following ones while each has an escape.
    const std::size_t b = line_start;
    if (!QpEscapeAt(t, eq, b)) {
      i = eq + 1;
      continue;
    }
    std::size_t e = eq;
    while (true) {
      std::size_t nl = t.find('\n', e);
      const std::size_t line_end = nl == std::string_view::npos ? t.size() : nl + 1;
      e = line_end;
      if (e >= t.size()) break;
      std::size_t next_end = t.find('\n', e);
      next_end = next_end == std::string_view::npos ? t.size() : next_end + 1;
      if (!LineHasQp(t, e, next_end)) break;
    }
    i = e;
    if (e - b > *budget) return;
    EncodedSegment seg;
    seg.span = {b, e};
    seg.encoding = "qp";
    std::size_t hex_escapes = 0, escapes = 0;
    std::size_t line = b;
    for (std::size_t k = b; k < e;) {
      if (t[k] == '=' && QpEscapeAt(t, k, line)) {
        ++escapes;
        if (t[k + 1] == '\n') {
          k += 2;
          line = k;
        } else if (t[k + 1] == '\r') {
          k += 3;
          line = k;
        } else {
          ++hex_escapes;
          seg.decoded.push_back(static_cast<char>(HexValue(t[k + 1]) * 16 + HexValue(t[k + 2])));
          seg.map.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 3)});
          k += 3;
        }
        continue;
      }
      seg.decoded.push_back(t[k]);
      seg.map.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k + 1)});
      if (t[k] == '\n') line = k + 1;
      ++k;
    }
    if (escapes < 2 || hex_escapes == 0 || !LooksLikeText(seg.decoded)) continue;
    *budget -= seg.decoded.size();
    out->push_back(std::move(seg));
  }
}

}  // namespace

bool LooksLikeText(std::string_view bytes) {
  if (bytes.size() < kMinDecoded) return false;
  const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto n = static_cast<std::int32_t>(bytes.size());
  std::size_t chars = 0, unprintable = 0;
  for (std::int32_t i = 0; i < n;) {
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) return false;
    ++chars;
    const bool printable = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7F) ||
                           c >= 0xA0;
    if (!printable) ++unprintable;
  }
  return unprintable * 10 <= chars;
}

std::vector<EncodedSegment> FindEncodedSegments(std::string_view text, std::size_t* budget) {
  std::vector<EncodedSegment> out;
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) return out;
  FindRuns(text, budget, &out);
  FindQuotedPrintable(text, budget, &out);
  std::stable_sort(out.begin(), out.end(), [](const EncodedSegment& a, const EncodedSegment& b) {
    return a.span.begin < b.span.begin;
  });
  return out;
}

}  // namespace airlock::detect
