#include "corpus/evasion_corpus.h"

#include <unicode/utf8.h>

#include <cstdio>
#include <string_view>

#include "airlock/core/bytes.h"
#include "corpus/synthetic_values.h"

namespace airlock::bench {

namespace {

void AppendUtf8(std::uint32_t cp, std::string* out) {
  char buf[4];
  std::int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, cp);
  out->append(buf, static_cast<std::size_t>(n));
}

// Latin letters with a Cyrillic twin.
std::uint32_t Twin(char c) {
  switch (c) {
    case 'a': return 0x0430;
    case 'e': return 0x0435;
    case 'o': return 0x043E;
    case 'p': return 0x0440;
    case 'c': return 0x0441;
    case 'x': return 0x0445;
    case 'E': return 0x0415;
    case 'O': return 0x041E;
    default: return 0;
  }
}

void Disguise(std::string_view line, Rng& rng, std::string* out) {
  char buf[16];
  switch (rng.Below(12)) {
    case 0: case 1: case 2: case 3:  // unchanged
      out->append(line);
      return;
    case 4: case 5:  // Unicode: zero-width, homoglyphs, other digits
      for (char c : line) {
        if (rng.Chance(0.04)) AppendUtf8(0x200B, out);
        if (c >= '0' && c <= '9' && rng.Chance(0.5)) {
          AppendUtf8((rng.Chance(0.5) ? 0xFF10 : 0x0660) + static_cast<std::uint32_t>(c - '0'), out);
        } else if (std::uint32_t t = Twin(c); t != 0 && rng.Chance(0.2)) {
          AppendUtf8(t, out);
        } else {
          out->push_back(c);
        }
      }
      return;
    case 6:  // JSON \u escapes for non-ASCII and some punctuation
    case 7:  // HTML entities
      for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        const bool json = rng.Below(2) == 0;
        if (c >= 0x80 || c == '@' || c == '.' || (c >= '0' && c <= '9' && rng.Chance(0.3))) {
          if (c >= 0x80) {  // the whole UTF-8 sequence as one escape
            std::uint32_t cp = 0;
            std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            cp = c & (0xFF >> (n + 1));
            for (std::size_t k = 1; k < n && i + k < line.size(); ++k) {
              cp = (cp << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3F);
            }
            i += n - 1;
            std::snprintf(buf, sizeof(buf), json ? "\\u%04X" : "&#%u;", cp);
          } else {
            std::snprintf(buf, sizeof(buf), json ? "\\u%04X" : "&#x%X;", c);
          }
          out->append(buf);
        } else if (!json && c == '&') {
          out->append("&amp;");
        } else {
          out->push_back(static_cast<char>(c));
        }
      }
      return;
    case 8:  // percent-encoded
      for (unsigned char c : line) {
        if (c == ' ' || c == '@' || c >= 0x80 || c == ',') {
          std::snprintf(buf, sizeof(buf), "%%%02X", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
      }
      return;
    case 9: case 10:  // base64
      out->append("data: ");
      out->append(Base64Encode(line));
      return;
    default:  // hex or quoted-printable
      if (rng.Chance(0.5)) {
        for (unsigned char c : line) {
          std::snprintf(buf, sizeof(buf), "%02x", c);
          out->append(buf);
        }
      } else {
        for (unsigned char c : line) {
          if (c >= 0x80 || c == '=' || (c == ' ' && rng.Chance(0.3))) {
            std::snprintf(buf, sizeof(buf), "=%02X", c);
            out->append(buf);
          } else {
            out->push_back(static_cast<char>(c));
          }
        }
      }
      return;
  }
}

}  // namespace

std::string GenerateEvasionCorpus(std::size_t bytes, std::uint64_t seed) {
  const std::string prose = GenerateCorpus(Profile::kProseHeavy, bytes, seed).text;
  Rng rng(seed ^ 0xE7A5);
  std::string out;
  out.reserve(bytes + 4096);
  std::size_t at = 0;
  while (at < prose.size()) {
    std::size_t nl = prose.find('\n', at);
    if (nl == std::string::npos) nl = prose.size();
    const std::size_t before = out.size();
    Disguise(std::string_view(prose).substr(at, nl - at), rng, &out);
    out.push_back('\n');
    if (out.size() > bytes) {
      out.resize(before);
      break;
    }
    at = nl + 1;
  }
  return out;
}

}  // namespace airlock::bench
