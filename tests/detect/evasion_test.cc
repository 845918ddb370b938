// Evasion resistance end to end: each disguise slips past the raw scan
// (AnalyzerOptions::normalize = false, what a naive scanner does) and is
// caught by the default analyzer, with the finding's span exactly on the
// disguised bytes of the input. Benign look-alikes must not add findings.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "airlock/detect/analyzer.h"
#include "airlock/core/bytes.h"

namespace airlock::detect {
namespace {

std::string Base64(std::string_view in, bool url) { return Base64Encode(in, url); }
std::string HexOf(std::string_view in) { return HexEncode(in); }

class EvasionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/";
    const std::string cache =
        (std::filesystem::temp_directory_path() / "airlock-evasion-test-cache").string();
    for (bool normalize : {true, false}) {
      auto catalog = Catalog::LoadFile(dir + "financial.yaml");
      ASSERT_TRUE(catalog.ok()) << catalog.status().message();
      auto contact = Catalog::LoadFile(dir + "contact.yaml");
      ASSERT_TRUE(contact.ok()) << contact.status().message();
      ASSERT_TRUE(catalog->Merge(std::move(*contact)).ok());
      AnalyzerOptions opts;
      opts.cache_dir = cache;
      opts.normalize = normalize;
      auto a = Analyzer::Create(std::move(*catalog), opts);
      ASSERT_TRUE(a.ok()) << a.status().message();
      (normalize ? airlock_ : naive_) = new std::shared_ptr<const Analyzer>(*a);
    }
  }
  static void TearDownTestSuite() {
    delete airlock_;
    delete naive_;
  }

  static std::vector<Finding> Run(const std::shared_ptr<const Analyzer>* a, std::string_view t) {
    auto r = (*a)->Analyze(t);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<Finding>{};
  }

  // `prefix + value + suffix`: the raw scan finds no `detector` finding; the
  // default analyzer finds one, at exactly `span` (default: the value).
  static Finding Caught(const std::string& prefix, const std::string& value,
                        const std::string& suffix, const std::string& detector,
                        ByteSpan span = {}) {
    const std::string text = prefix + value + suffix;
    if (span.end == 0) span = {prefix.size(), prefix.size() + value.size()};
    SCOPED_TRACE(text);
    for (const Finding& f : Run(naive_, text)) EXPECT_NE(f.detector, detector) << "raw scan";
    Finding hit;
    int n = 0;
    for (const Finding& f : Run(airlock_, text)) {
      if (f.detector != detector) continue;
      hit = f;
      ++n;
    }
    EXPECT_EQ(n, 1) << "findings of " << detector;
    EXPECT_EQ(hit.span, span);
    EXPECT_TRUE(hit.normalized);
    EXPECT_TRUE(hit.validated);
    return hit;
  }

  static std::shared_ptr<const Analyzer>* airlock_;
  static std::shared_ptr<const Analyzer>* naive_;
};

std::shared_ptr<const Analyzer>* EvasionTest::airlock_ = nullptr;
std::shared_ptr<const Analyzer>* EvasionTest::naive_ = nullptr;

// Where a value at decoded bytes [b, e) of a base64 payload lies in its
// encoding: whole 4-character groups, each encoding 3 bytes.
ByteSpan Base64Span(std::size_t at, std::size_t b, std::size_t e, std::size_t chars) {
  return {at + 4 * (b / 3), at + std::min(4 * ((e - 1) / 3 + 1), chars)};
}

// AnalyzeViews: every finding that Analyze makes in a view, plus view
// findings of values the raw bytes show too (which Analyze reports from the
// raw scan); nothing without evasion signals or normalisation.
TEST_F(EvasionTest, AnalyzeViewsHoldsWhatOnlyTheViewsShow) {
  const std::string text = "Mail max@example.com, pay " + Base64Encode("IBAN DE89 3704 0044 0532 0130 00") +
                           " or DE89\xEF\xBC\x93\xEF\xBC\x97 0400 4405 3201 3000 today.";
  auto views = (*airlock_)->AnalyzeViews(text);
  ASSERT_TRUE(views.ok()) << views.status().message();
  const std::vector<Finding> all = Run(airlock_, text);
  auto same = [](const Finding& a, const Finding& b) {
    return a.detector == b.detector && a.span == b.span && a.encoding == b.encoding;
  };
  int only_in_views = 0;
  for (const Finding& f : all) {
    if (!f.normalized) continue;
    ++only_in_views;
    EXPECT_TRUE(std::any_of(views->begin(), views->end(), [&](const Finding& v) { return same(f, v); }))
        << f.detector << " at " << f.span.begin;
  }
  EXPECT_EQ(only_in_views, 2);  // the base64 IBAN and the full-width one
  for (const Finding& v : *views) {
    EXPECT_TRUE(v.normalized);
    const bool in_analyze = std::any_of(all.begin(), all.end(), [&](const Finding& f) {
      return f.detector == v.detector && f.span == v.span;
    });
    EXPECT_TRUE(in_analyze) << v.detector << " at " << v.span.begin;  // the e-mail: raw in Analyze
  }
  auto plain = (*airlock_)->AnalyzeViews("Mail max@example.com, pay DE89 3704 0044 0532 0130 00 today.");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->empty());
  auto off = (*naive_)->AnalyzeViews(text);
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->empty());
}

TEST_F(EvasionTest, ZeroWidthCharacters) {
  Finding f = Caught("Card: ", "4111\u200B1111\u200C1111\u200D1111", " exp 12/27", "credit_card");
  EXPECT_EQ(f.matched_preview, "4111**********11");  // as matched: no separators
  EXPECT_NE(f.explanation.find("normalised (invisible)"), std::string::npos) << f.explanation;
  EXPECT_TRUE(f.encoding.empty());
}

TEST_F(EvasionTest, SoftHyphensAndBidiControls) {
  Caught("IBAN ", "DE89\u00AD3704\u202E0044\u202C0532\u20660130\u206900", ".", "iban");
}

TEST_F(EvasionTest, FullWidthDigits) {
  Caught("card no ", "\uFF14\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 "
         "\uFF11\uFF11\uFF11\uFF11", "", "credit_card");
}

TEST_F(EvasionTest, OtherUnicodeDigits) {
  // Arabic-Indic and Devanagari digits.
  Caught("card ", "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0967\u0967\u0967\u0967"
         "\u0967\u0967\u0967\u0967", " ok", "credit_card");
}

TEST_F(EvasionTest, CyrillicAndGreekHomoglyphs) {
  // Cyrillic Е for E; Greek Ο (capital omicron) in the e-mail's domain.
  Caught("IBAN: ", "D\u041589 3704 0044 0532 0130 00", "", "iban");
  Caught("mail ", "jane.doe@ex\u0430mple.c\u043Em", " now", "email_address");
}

TEST_F(EvasionTest, UnicodeTagCharacters) {
  std::string tags;
  for (char c : std::string("jane@example.com")) {
    const std::uint32_t cp = 0xE0000 + static_cast<unsigned char>(c);
    tags += static_cast<char>(0xF0 | (cp >> 18));
    tags += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    tags += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    tags += static_cast<char>(0x80 | (cp & 0x3F));
  }
  Caught("write to ", tags, ".", "email_address");
}

TEST_F(EvasionTest, JsonUnicodeEscapes) {
  Caught(R"({"note": "mail )", R"(jane\u002Edoe\u0040example\u002Ecom)", R"("})",
         "email_address");
  // A surrogate pair: U+1D7D2 MATHEMATICAL BOLD DIGIT FOUR, NFKC '4'.
  Caught(R"({"card": ")", R"(\uD835\uDFD2111111111111111)", R"("})", "credit_card");
}

TEST_F(EvasionTest, HtmlEntities) {
  Caught("<p>Contact ", "jane&#46;doe&commat;example&#x2e;com", "</p>", "email_address");
}

TEST_F(EvasionTest, PercentEncoding) {
  Caught("GET /?to=", "jane.doe%40example.com", "&x=1", "email_address");
}

TEST_F(EvasionTest, SpacedOutCharacters) {
  Finding f = Caught("IBAN: ", "D E 8 9 3 7 0 4 0 0 4 4 0 5 3 2 0 1 3 0 0 0", " thanks", "iban");
  EXPECT_NE(f.explanation.find("spaced"), std::string::npos) << f.explanation;
  Caught("card ", "4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1", ".", "credit_card");
}

TEST_F(EvasionTest, SpacedViewIsOnlyForSpacedDetectors) {
  // e-mail has no `spaced: true`: a spaced-out address is not joined for it.
  for (const Finding& f : Run(airlock_, "mail j a n e @ e x a m p l e . c o m")) {
    EXPECT_NE(f.detector, "email_address");
  }
}

TEST_F(EvasionTest, Base64) {
  const std::string payload = "Card: 4111 1111 1111 1111, thanks";
  const std::string enc = Base64(payload, false);
  const std::string prefix = "attachment: ";
  Finding f = Caught(prefix, enc, "\n", "credit_card", Base64Span(prefix.size(), 6, 25, enc.size()));
  EXPECT_EQ(f.encoding, "base64");
  EXPECT_EQ(f.encoded_span, (ByteSpan{prefix.size(), prefix.size() + enc.size()}));
  EXPECT_EQ(f.matched_preview, "4111 **** **** **11");
  EXPECT_NE(f.explanation.find("decoded (base64)"), std::string::npos);
}

TEST_F(EvasionTest, Base64UrlSafe) {
  const std::string payload = "IBAN DE89370400440532013000 ~~~~~";
  const std::string enc = Base64(payload, true);
  ASSERT_NE(enc.find_first_of("-_"), std::string::npos);
  Finding f = Caught("?d=", enc, "", "iban", Base64Span(3, 5, 27, enc.size()));
  EXPECT_EQ(f.encoding, "base64url");
}

TEST_F(EvasionTest, Hex) {
  const std::string payload = "mail jane.doe@example.com";
  const std::string prefix = "blob 0x";
  Finding f = Caught(prefix, HexOf(payload), " end", "email_address",
                     {prefix.size() + 2 * 5, prefix.size() + 2 * payload.size()});
  EXPECT_EQ(f.encoding, "hex");
  EXPECT_EQ(f.encoded_span, (ByteSpan{prefix.size() - 2, prefix.size() + 2 * payload.size()}));
}

TEST_F(EvasionTest, QuotedPrintable) {
  const std::string prefix = "Content-Transfer-Encoding: quoted-printable\n\nKarte: ";
  const std::string value = "4111=201111=20=\n1111=201111";
  Finding f = Caught(prefix, value, "\ngr=C3=BC=C3=9Fe\n", "credit_card");
  EXPECT_EQ(f.encoding, "qp");
}

TEST_F(EvasionTest, NestedEncodings) {
  // base64 of hex of an IBAN sentence.
  const std::string inner = HexOf("IBAN DE89370400440532013000");
  const std::string enc = Base64(inner, false);
  Finding f = Caught("x ", enc, " y", "iban", Base64Span(2, 10, 54, enc.size()));
  EXPECT_EQ(f.encoding, "base64>hex");
  EXPECT_EQ(f.encoded_span, (ByteSpan{2, 2 + enc.size()}));
  // Depth is bounded: with max_decode_depth 1 the hex inside stays unread.
  auto c = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/financial.yaml");
  ASSERT_TRUE(c.ok());
  AnalyzerOptions opts;
  opts.max_decode_depth = 1;
  opts.cache_dir = (std::filesystem::temp_directory_path() / "airlock-evasion-test-cache").string();
  auto shallow = Analyzer::Create(std::move(*c), opts);
  ASSERT_TRUE(shallow.ok());
  auto r = (*shallow)->Analyze("x " + enc + " y");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(EvasionTest, FieldContextVariantNormalisesToo) {
  const std::string text = "\uFF14\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11"
                           "\uFF11 \uFF11\uFF11\uFF11\uFF11";
  FieldContext fc = (*airlock_)->PrepareField("Notes");
  auto r = (*airlock_)->Analyze(text, &fc);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].span, (ByteSpan{0, text.size()}));
}

TEST_F(EvasionTest, FindingsBothViewsMakeAreReportedOnce) {
  // Non-ASCII text makes the normalised view; the plain IBAN is in both.
  const std::string text = "Gr\u00FC\u00DFe, IBAN DE89 3704 0044 0532 0130 00, caf\u00E9.";
  auto raw = Run(naive_, text);
  auto all = Run(airlock_, text);
  ASSERT_EQ(raw.size(), 1u);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].span, raw[0].span);
  EXPECT_FALSE(all[0].normalized);
  EXPECT_EQ(all[0].explanation, raw[0].explanation);
}

TEST_F(EvasionTest, LongTextsAreWindowedWithTheSameFindings) {
  // 4 KiB windows (overlap 1 KiB) over ~60 KiB of disguised values find what
  // one window over the whole text finds.
  std::string text;
  std::mt19937 rng(5);
  const std::string card = "4111\u200B1111\u200B1111\u200B1111";
  const std::string iban = "D\u041589 3704 0044 0532 0130 00";
  const std::string mail = Base64("mail jane.doe@example.com now", false);
  while (text.size() < 60000) {
    text += std::string(rng() % 300, 'x');
    text += rng() % 3 == 0 ? "\n" : " ";
    switch (rng() % 3) {
      case 0: text += "Card " + card; break;
      case 1: text += "IBAN " + iban; break;
      default: text += "blob " + mail; break;
    }
    text += rng() % 2 == 0 ? "\n" : " ok ";
  }
  auto c = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/financial.yaml");
  ASSERT_TRUE(c.ok());
  auto c2 = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/contact.yaml");
  ASSERT_TRUE(c2.ok());
  ASSERT_TRUE(c->Merge(std::move(*c2)).ok());
  AnalyzerOptions opts;
  opts.cache_dir = (std::filesystem::temp_directory_path() / "airlock-evasion-test-cache").string();
  opts.evasion_window_bytes = 4096;
  auto windowed = Analyzer::Create(std::move(*c), opts);
  ASSERT_TRUE(windowed.ok());
  auto whole = Run(airlock_, text);
  auto parts = (*windowed)->Analyze(text);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), whole.size());
  std::size_t derived = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ((*parts)[i].detector, whole[i].detector) << i;
    EXPECT_EQ((*parts)[i].span, whole[i].span) << i;
    EXPECT_EQ((*parts)[i].encoding, whole[i].encoding) << i;
    EXPECT_EQ((*parts)[i].encoded_span, whole[i].encoded_span) << i;
    derived += whole[i].normalized ? 1 : 0;
  }
  EXPECT_GT(derived, 100u);
}

TEST_F(EvasionTest, BenignLookAlikesAddNothing) {
  std::mt19937 rng(11);
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", 21);
  for (int i = 0; i < 600; ++i) png += static_cast<char>(rng() & 0xFF);
  const std::vector<std::string> texts = {
      "<img alt=\"logo\" src=\"data:image/png;base64," + Base64(png, false) + "\">",
      "request 550e8400-e29b-41d4-a716-446655440000 failed; retry 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b (parent a94a8fe5ccb19ba61c4c0873d391e987982fbbd3)",
      "body { color: #ff8800; background: #FFFFFF; border: 1px solid #0a0b0c; }",
      "see https://example.com/docs/getting%20started%20guide.pdf?lang=en&page=2 and %7Euser",
      "<p>Terms &amp; conditions &lt;2024&gt; &copy; ACME &mdash; &quot;fine&quot;</p>",
      "Mit freundlichen Gr\u00FC\u00DFen, \u041F\u0440\u0438\u0432\u0435\u0442 \u03BA\u03B1\u03BB\u03B7\u03BC\u03AD\u03C1\u03B1",
      "a b c d e f g h i j k l m n o p",
  };
  for (const std::string& t : texts) {
    SCOPED_TRACE(t);
    auto raw = Run(naive_, t);
    auto all = Run(airlock_, t);
    ASSERT_EQ(all.size(), raw.size());
    for (const Finding& f : all) EXPECT_FALSE(f.normalized) << f.detector;
  }
}

}  // namespace
}  // namespace airlock::detect

namespace airlock::detect {
namespace {

// A one-detector catalog; `extra` lines follow `patterns` (line 7 onwards).
std::string CardYaml(const std::string& extra) {
  return "\ndetectors:\n  - id: card\n    entity_type: CREDIT_CARD\n    data_class: financial\n"
         "    patterns: ['\\b[0-9]{16}\\b']\n" + extra;
}

TEST(CatalogSpaced, ParsedAndValidated) {
  auto c = Catalog::Parse(CardYaml("    validator: credit_card\n    spaced: true\n"), "t.yaml", ".");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->detectors()[0].spaced);

  auto bad = Catalog::Parse(CardYaml("    spaced: true\n"), "t.yaml", ".");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("t.yaml:7"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("spaced: true needs a validator"), std::string::npos);

  auto bad2 = Catalog::Parse(CardYaml("    validator: credit_card\n    spaced: sometimes\n"),
                             "t.yaml", ".");
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.status().message().find("t.yaml:8"), std::string::npos) << bad2.status().message();
}

TEST(CatalogSpaced, BuiltInIdentifiersAllowIt) {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::set<std::string> spaced;
  for (const auto& d : c->detectors()) {
    if (d.spaced) spaced.insert(d.id);
  }
  for (const char* id : {"credit_card", "iban", "phone_number", "de_tax_id", "us_ssn", "uk_nino"}) {
    EXPECT_EQ(spaced.count(id), 1u) << id;
  }
  EXPECT_EQ(spaced.count("email_address"), 0u);
  EXPECT_EQ(spaced.count("person_name"), 0u);
}

}  // namespace
}  // namespace airlock::detect
