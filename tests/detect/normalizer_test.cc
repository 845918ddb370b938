#include "airlock/detect/normalizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "airlock/detect/decoders.h"

namespace airlock::detect {
namespace {

// The input bytes that produced normalised bytes [b, e).
std::string_view Source(std::string_view input, const NormalizedText& n, std::size_t b,
                        std::size_t e) {
  const ByteSpan s = MapSpan(n.map, {b, e});
  return input.substr(s.begin, s.size());
}

TEST(Normalize, PlainAsciiIsUntouched) {
  const std::string in = "Please call me tomorrow about the invoice, thanks!";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.steps, 0u);
  EXPECT_EQ(n.text, in);
  EXPECT_TRUE(n.map.empty());
}

TEST(Normalize, RemovesInvisibleCharacters) {
  // ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, LRM, RLO, PDF, LRI, PDI.
  const std::string in =
      "41\u200B11\u200C22\u200D33\u206044\uFEFF55\u00AD66\u200E77\u202E88\u202C99\u206600\u2069";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "41112233445566778899" "00");
  EXPECT_EQ(n.steps, unsigned{kStepInvisible});
  // "11" comes right after the ZWSP (3 bytes).
  EXPECT_EQ(MapSpan(n.map, {2, 4}), (ByteSpan{5, 7}));
  EXPECT_EQ(Source(in, n, 0, n.text.size()), std::string_view(in).substr(0, in.size() - 3));
}

TEST(Normalize, FullWidthAndOtherDigitsBecomeAscii) {
  const std::string in = "card \uFF14\uFF11\uFF11\uFF11 / \u0664\u0661\u0661\u0661 / \u096A\u0967";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "card 4111 / 4111 / 41");
  EXPECT_NE(n.steps & kStepNfkc, 0u);
  EXPECT_NE(n.steps & kStepDigits, 0u);
  // Each full-width digit is 3 bytes of input.
  EXPECT_EQ(MapSpan(n.map, {5, 9}), (ByteSpan{5, 17}));
  EXPECT_EQ(Source(in, n, 12, 16), "\u0664\u0661\u0661\u0661");
}

TEST(Normalize, NfkcCompatibilityForms) {
  NormalizedText n = Normalize("\uFB01le \U0001D400BC \u2460 x\u00A0y");  // ﬁ, 𝐀, ①, nbsp
  EXPECT_EQ(n.text, "file ABC 1 x y");
}

TEST(Normalize, FoldsHomoglyphs) {
  // Cyrillic Е, А and Greek Ο in "DEAO"; Cyrillic р and с.
  const std::string in = "D\u0415\u0410\u039F \u0440\u0441";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "DEAO pc");
  EXPECT_EQ(n.steps, unsigned{kStepHomoglyphs});
  EXPECT_EQ(Source(in, n, 1, 2), "\u0415");
  // Letters without a Latin twin stay.
  EXPECT_EQ(Normalize("\u0436\u043B").text, "\u0436\u043B");
}

TEST(Normalize, UnicodeTagsBecomeAscii) {
  std::string in = "a";
  for (char c : std::string("hi@x.io")) {
    in += std::string("\xF3\xA0") + static_cast<char>(0x80 | ((0xE0000 + c) >> 6 & 0x3F)) +
          static_cast<char>(0x80 | (c & 0x3F));
  }
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "ahi@x.io");
  EXPECT_NE(n.steps & kStepTags, 0u);
}

TEST(Normalize, JsonEscapesIncludingSurrogatePairs) {
  const std::string in = R"(x\u0034\u0031 \uD835\uDFD2 \uD800 y)";
  NormalizedText n = Normalize(in);
  // 𝟒 (U+1D7D2) is NFKC '4'; the lone surrogate stays as written.
  EXPECT_EQ(n.text, R"(x41 4 \uD800 y)");
  EXPECT_EQ(Source(in, n, 1, 2), R"(\u0034)");
  EXPECT_EQ(Source(in, n, 4, 5), R"(\uD835\uDFD2)");
}

TEST(Normalize, HtmlEntities) {
  const std::string in = "a&amp;b &#52;&#x31;&#49 &commat; &nosuch; &shy;c&ZeroWidthSpace;d";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "a&b 411 @ &nosuch; cd");
  EXPECT_EQ(Source(in, n, 4, 5), "&#52;");
  EXPECT_EQ(Source(in, n, 6, 7), "&#49");
}

TEST(Normalize, PercentEncodingIncludingUtf8) {
  const std::string in = "john%2Edoe%40example.com %D0%B0 100%";
  NormalizedText n = Normalize(in);
  // %D0%B0 is Cyrillic а, then folded to a.
  EXPECT_EQ(n.text, "john.doe@example.com a 100%");
  EXPECT_EQ(Source(in, n, 4, 5), "%2E");
  EXPECT_EQ(Source(in, n, 21, 22), "%D0%B0");
}

TEST(Normalize, InvalidUtf8PassesThrough) {
  const std::string in = "a\xFF\xFE b\u200Bc";
  NormalizedText n = Normalize(in);
  EXPECT_EQ(n.text, "a\xFF\xFE bc");
  EXPECT_EQ(Source(in, n, 1, 3), "\xFF\xFE");
}

TEST(CollapseSpaced, JoinsRunsOfSingleCharacters) {
  const std::string in = "IBAN: D E 8 9 3 7 0 4 0 0 4 4, card 4-1-1-1-1-1-1-1 end. a b c";
  NormalizedText out;
  ASSERT_TRUE(CollapseSpaced(in, &out));
  EXPECT_EQ(out.text, "IBAN: DE8937040044, card 41111111 end. a b c");
  EXPECT_EQ(MapSpan(out.map, {6, 18}), (ByteSpan{6, 29}));
  NormalizedText none;
  EXPECT_FALSE(CollapseSpaced("a b c d e f g and words", &none));
  EXPECT_FALSE(CollapseSpaced("ab c d e f g h i", &none));  // "ab" is no token: 7 tokens
}

TEST(EvasionSignals, NothingForPlainProse) {
  EXPECT_EQ(EvasionSignals("Dear team, the Q3 numbers (draft) are at 42% of plan; see you at 10am. "
                           "Internationalisation = hard. a & b."),
            0u);
  EXPECT_EQ(EvasionSignals(""), 0u);
  // Accented Latin letters, dashes, curly quotes and the euro sign are left
  // as they are by every normalisation step: prose in German or French
  // takes the plain path.
  const std::string latin = std::string("Stra\u00DFe, caf\u00E9, \u0141\u00F3d\u017A ") +
                            "\u2013 \u201Cquoted\u201D 12 \u20AC \u00A7 3 \u00A3 \u00ABoui\u00BB";
  EXPECT_EQ(EvasionSignals(latin), 0u);
}

TEST(EvasionSignals, EachKind) {
  // Code points that normalisation changes: a full-width digit, a Cyrillic
  // homoglyph, a zero-width space, a soft hyphen, the long s, a ligature.
  EXPECT_EQ(EvasionSignals("\uFF11"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("\u0430"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("a\u200Bb"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("a\u00ADb"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("\u017F"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("\uFB01"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("a\u00A0b"), unsigned{kSignalNormalize});  // no-break space
  EXPECT_EQ(EvasionSignals("x\u00B2"), unsigned{kSignalNormalize});   // superscript two
  EXPECT_EQ(EvasionSignals("caf\xC3"), unsigned{kSignalNormalize});  // cut sequence
  EXPECT_EQ(EvasionSignals(R"(x\u0041)"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("a &amp; b"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("a%20b"), unsigned{kSignalNormalize});
  EXPECT_EQ(EvasionSignals("token SGVsbG8gd29ybGQgaGVsbG8="), unsigned{kSignalEncoded});
  EXPECT_EQ(EvasionSignals("caf=C3=A9 x"), unsigned{kSignalEncoded});
  EXPECT_EQ(EvasionSignals("D E 8 9 3 7 0 4"), unsigned{kSignalSpaced});
  EXPECT_EQ(EvasionSignals("D E 8 9 3 7 0"), 0u);
}

// ---- property tests -----------------------------------------------------------

std::string Utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

std::string Hex2(unsigned v) {
  char buf[3];
  std::snprintf(buf, sizeof(buf), "%02X", v);
  return buf;
}

// Random plain text, and the same text disguised: each character written
// plainly or as an escape / full-width form / homoglyph, with invisible
// characters (themselves sometimes escaped) between them. Normalize must give
// back the plain text, and map every byte to exactly its disguised form.
TEST(NormalizeProperty, DisguisedTextMapsBackExactly) {
  std::mt19937 rng(20261128);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-@";
  const char* invisible[] = {"\u200B", "\u200D", "\u00AD", "\u202E", "\u2066", "\uFEFF",
                             "\\u200B", "&#8203;", "&zwj;", "%E2%80%8B"};
  const std::pair<char, std::uint32_t> homoglyphs[] = {{'a', 0x0430}, {'e', 0x0435}, {'o', 0x043E},
                                                       {'p', 0x0440}, {'E', 0x0415}, {'O', 0x039F}};
  for (int iter = 0; iter < 300; ++iter) {
    std::string plain, disguised;
    std::vector<ByteSpan> expect;
    const int len = 1 + static_cast<int>(rng() % 60);
    for (int k = 0; k < len; ++k) {
      const char c = alphabet[rng() % alphabet.size()];
      if (rng() % 4 == 0) disguised += invisible[rng() % std::size(invisible)];
      const std::size_t at = disguised.size();
      const unsigned how = rng() % 8;
      const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
      if (how == 1) {
        disguised += "\\u00" + Hex2(static_cast<unsigned char>(c));
      } else if (how == 2) {
        disguised += "&#" + std::to_string(static_cast<int>(c)) + ";";
      } else if (how == 3) {
        disguised += "%" + Hex2(static_cast<unsigned char>(c));
      } else if (how == 4 && alnum) {
        disguised += Utf8(0xFF00 + static_cast<unsigned char>(c) - 0x20);  // full-width
      } else if (how == 5 && std::isdigit(static_cast<unsigned char>(c))) {
        disguised += Utf8(0x0660 + static_cast<unsigned>(c - '0'));  // Arabic-Indic
      } else if (how == 6) {
        bool done = false;
        for (const auto& [latin, cp] : homoglyphs) {
          if (latin == c) {
            disguised += Utf8(cp);
            done = true;
            break;
          }
        }
        if (!done) disguised += c;
      } else if (how == 7 && alnum) {
        // Full-width, percent-encoded as UTF-8.
        for (unsigned char b : Utf8(0xFF00 + static_cast<unsigned char>(c) - 0x20)) {
          disguised += "%" + Hex2(b);
        }
      } else {
        disguised += c;
      }
      plain += c;
      expect.push_back({at, disguised.size()});
    }
    SCOPED_TRACE(disguised);
    NormalizedText n = Normalize(disguised);
    ASSERT_EQ(n.text, plain);
    if (n.steps == 0) {
      EXPECT_EQ(disguised, plain);
      continue;
    }
    ASSERT_EQ(n.map.size(), plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      EXPECT_EQ(MapSpan(n.map, {i, i + 1}), expect[i]) << "byte " << i;
    }
  }
}

// The fast path never skips work: for text EvasionSignals says nothing
// about, normalising, joining and decoding change nothing.
TEST(EvasionSignalsProperty, SilentMeansNothingToDo) {
  std::mt19937 rng(7);
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_/+=&%\\:;#\n";
  int silent = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string t;
    const int len = static_cast<int>(rng() % 80);
    for (int k = 0; k < len; ++k) t += alphabet[rng() % (k % 7 == 0 ? 64 : alphabet.size())];
    if (EvasionSignals(t) != 0) continue;
    ++silent;
    SCOPED_TRACE(t);
    EXPECT_EQ(Normalize(t).steps, 0u);
    NormalizedText j;
    EXPECT_FALSE(CollapseSpaced(t, &j));
    std::size_t budget = 1 << 20;
    EXPECT_TRUE(FindEncodedSegments(t, &budget).empty());
  }
  EXPECT_GT(silent, 300);
}


// EvasionSignals looks at 16 bytes at a time where a block holds no escape
// or high byte; the answer is the byte-by-byte loop's, for long runs,
// spaced tokens and escapes at every offset of a block.
TEST(EvasionSignalsProperty, WideEqualsByteByByte) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {
      "a ", "b-", "7.", "x_", "Z\t", "word ", "Token", "abcdefghij", "QUJDREVGR0hJSktM",
      "0123456789", "+/", "==", "=C3=A9", "&amp;", "%2F", "\\u0041", "\u00e9", "\uFF11",
      "\u200B", ". ", "\n", "@", "=\n", "Stra\u00DFe ", "\xC3"};
  int differing_signals = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string t;
    const int count = static_cast<int>(rng() % 60);
    for (int k = 0; k < count; ++k) t += pieces[rng() % pieces.size()];
    SCOPED_TRACE(t);
    const unsigned wide = EvasionSignals(t);
    ASSERT_EQ(wide, internal::EvasionSignalsByteByByte(t));
    if (wide != 0 && wide != (kSignalNormalize | kSignalEncoded | kSignalSpaced)) ++differing_signals;
  }
  EXPECT_GT(differing_signals, 100);  // the texts are not all alike
  // Each signal alone, at every offset across 16-byte blocks.
  for (std::size_t pad = 0; pad < 40; ++pad) {
    const std::string lead(pad, 'w');
    for (const std::string& body :
         {std::string(" D E 8 9 3 7 0 4 "), std::string(" SGVsbG8gd29ybGQgaGVsbG8 "),
          std::string(" caf=C3=A9 "), std::string(" a%20b "), std::string(" \uFF11 ")}) {
      const std::string t = lead + body + std::string(40 - pad, 'q');
      SCOPED_TRACE(t);
      EXPECT_NE(EvasionSignals(t), 0u);
      EXPECT_EQ(EvasionSignals(t), internal::EvasionSignalsByteByByte(t));
    }
  }
}

// NextLongBase64Run finds what a byte loop over the alphabet finds.
TEST(EvasionSignalsProperty, NextLongBase64RunMatchesAByteLoop) {
  std::mt19937 rng(5);
  const std::string alphabet = "abcXYZ019+/-_ .=\n\xC3\xA9";
  for (int iter = 0; iter < 3000; ++iter) {
    std::string t;
    const int len = static_cast<int>(rng() % 200);
    // Long stretches of alphabet bytes with the odd other byte.
    for (int k = 0; k < len; ++k) t += alphabet[rng() % (rng() % 4 == 0 ? alphabet.size() : 13)];
    SCOPED_TRACE(t);
    std::size_t from = 0;
    while (true) {
      // The byte loop's answer.
      std::size_t b = t.size(), e = t.size();
      for (std::size_t i = from, run = from; i <= t.size(); ++i) {
        if (i < t.size() && internal::IsBase64Byte(static_cast<unsigned char>(t[i]))) continue;
        if (i - run >= 16) {
          b = run;
          e = i;
          break;
        }
        run = i + 1;
      }
      std::size_t end = 0;
      const std::size_t got = internal::NextLongBase64Run(t, from, &end);
      ASSERT_EQ(got, b);
      if (got == t.size()) break;
      ASSERT_EQ(end, e);
      from = end;
    }
  }
}
}  // namespace
}  // namespace airlock::detect
