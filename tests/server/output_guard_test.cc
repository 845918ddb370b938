#include "output_guard.h"

#include <gtest/gtest.h>

#include "airlock/detect/catalog.h"

namespace airlock::server {
namespace {

std::shared_ptr<const detect::Analyzer> TokenAnalyzer() {
  auto c = detect::Catalog::Parse(R"(
detectors:
  - id: token
    entity_type: TEST_TOKEN
    data_class: credential
    jurisdiction: INTL
    patterns: ['\bTOK-\d{4}\b']
    score: 0.9
  - id: key
    entity_type: TEST_KEY
    data_class: credential
    jurisdiction: INTL
    patterns: ['-----BEGIN KEY-----[A-Za-z0-9+/=\n]{16,4000}-----END KEY-----']
    score: 0.95
)", "t.yaml", ".");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto a = detect::Analyzer::Create(std::move(*c), {});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return *a;
}

constexpr std::string_view kPassage = "the protected passage runs right here";

// Stands in for a document index: finds kPassage, whole.
std::vector<detect::IndexScanner> PassageIndex() {
  return {[](std::string_view text) {
    std::vector<detect::Finding> out;
    for (std::size_t at = text.find(kPassage); at != std::string_view::npos; at = text.find(kPassage, at + 1)) {
      detect::Finding f;
      f.detector = "document_fingerprint";
      f.entity_type = "PROTECTED_DOCUMENT";
      f.data_class = detect::DataClass::kConfidential;
      f.span = {at, at + kPassage.size()};
      out.push_back(f);
    }
    return out;
  }};
}

std::string Fp(std::string_view v) { return std::string(v); }

std::string Stream(OutputGuard& g, std::string_view text, std::size_t piece) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += piece) {
    auto r = g.Feed(text.substr(i, piece));
    EXPECT_TRUE(r.ok());
    out += *r;
  }
  auto r = g.Finish();
  EXPECT_TRUE(r.ok());
  return out + *r;
}

class OutputGuardTest : public ::testing::Test {
 protected:
  std::shared_ptr<const detect::Analyzer> a = TokenAnalyzer();
  std::vector<detect::IndexScanner> idx = PassageIndex();
  std::set<std::string> allowed;
  OutputFindings f;
};

TEST_F(OutputGuardTest, WholeTextIndexFindingTakesOverCatalogFindingsInside) {
  auto r = GuardWhole(*a, idx, config::OutputAction::kRedact,
                      "Intro: the protected passage runs right here. Key TOK-1234.", allowed, Fp, &f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Intro: [REDACTED:PROTECTED_DOCUMENT]. Key [REDACTED:TEST_TOKEN].");
  EXPECT_EQ(f.counts["PROTECTED_DOCUMENT"], 1);
  EXPECT_EQ(f.classes["PROTECTED_DOCUMENT"], "confidential");
  EXPECT_EQ(f.counts["TEST_TOKEN"], 1);
  EXPECT_FALSE(f.blocked);
}

TEST_F(OutputGuardTest, NoIndexesNoIndexFindings) {
  std::vector<detect::IndexScanner> none;
  auto r = GuardWhole(*a, none, config::OutputAction::kRedact, std::string(kPassage), allowed, Fp, &f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kPassage);
  EXPECT_TRUE(f.counts.empty());
}

TEST_F(OutputGuardTest, StreamHoldingMoreThanThePassageNeverReleasesIt) {
  auto g = MakeStreamGuard(a, &idx, config::OutputAction::kRedact, 64, &allowed, Fp, &f);
  const std::string text = std::string(100, 'x') + " " + std::string(kPassage) + " " + std::string(100, 'y');
  const std::string out = Stream(*g, text, 3);
  EXPECT_EQ(out, std::string(100, 'x') + " [REDACTED:PROTECTED_DOCUMENT] " + std::string(100, 'y'));
  EXPECT_EQ(f.counts["PROTECTED_DOCUMENT"], 1);
}

TEST_F(OutputGuardTest, StreamFindingThatBeganInReleasedTextRedactsTheHeldRestOnce) {
  // Held window (8 bytes) shorter than the passage: the index sees it only
  // through the released context; what is still held of it is redacted.
  auto g = MakeStreamGuard(a, &idx, config::OutputAction::kRedact, 8, &allowed, Fp, &f);
  const std::string text = "Start. " + std::string(kPassage) + " and then more text follows here, plenty of it.";
  const std::string out = Stream(*g, text, 3);
  EXPECT_NE(out.find("[REDACTED:PROTECTED_DOCUMENT]"), std::string::npos) << out;
  EXPECT_EQ(out.find("right here"), std::string::npos) << out;
  EXPECT_NE(out.find("plenty of it."), std::string::npos) << out;
  EXPECT_EQ(f.counts["PROTECTED_DOCUMENT"], 1);  // not once per release point
}

TEST_F(OutputGuardTest, StreamBlockStops) {
  auto g = MakeStreamGuard(a, &idx, config::OutputAction::kBlock, 64, &allowed, Fp, &f);
  std::string out;
  const std::string text = std::string(kPassage) + std::string(200, 'z');
  for (std::size_t i = 0; i < text.size() && !f.blocked; i += 5) {
    auto r = g->Feed(std::string_view(text).substr(i, 5));
    ASSERT_TRUE(r.ok());
    out += *r;
  }
  if (!f.blocked) {  // text is released (and the indexes run) as the safe offset moves
    auto r = g->Finish();
    ASSERT_TRUE(r.ok());
    out += *r;
  }
  EXPECT_TRUE(f.blocked);
  EXPECT_EQ(out.find("protected"), std::string::npos);
}

// A finding far longer than the bytes held for the indexes (a private key,
// a JWT) is seen whole before any of it is released: the stream releases
// only up to the StreamAnalyzer's safe offset. A fixed 256-byte window
// released most of such a key before its end arrived.
TEST_F(OutputGuardTest, StreamNeverReleasesPartOfALongFinding) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w" + std::to_string(i % 10) + "\n";
  const std::string text = "Here it is:\n-----BEGIN KEY-----\n" + body + "-----END KEY-----\nKeep it safe.";
  for (std::size_t piece : {1, 3, 64, 4096}) {
    OutputFindings found;
    auto g = MakeStreamGuard(a, &idx, config::OutputAction::kRedact, 8, &allowed, Fp, &found);
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += piece) {
      auto r = g->Feed(std::string_view(text).substr(i, piece));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->find("QUJD"), std::string::npos) << "piece " << piece << ": part of the key released";
      out += *r;
    }
    auto r = g->Finish();
    ASSERT_TRUE(r.ok());
    out += *r;
    EXPECT_EQ(out, "Here it is:\n[REDACTED:TEST_KEY]\nKeep it safe.") << "piece " << piece;
    EXPECT_EQ(found.counts["TEST_KEY"], 1);
  }
}

// Without indexes, the streamed text is exactly what the whole-text guard
// returns, however the text is cut.
TEST_F(OutputGuardTest, StreamReleasesWhatTheWholeTextGuardReturns) {
  std::vector<detect::IndexScanner> none;
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += "Line " + std::to_string(i) + ": TOK-" + std::to_string(1000 + i * 7) + " and TOK-12 (short)";
    if (i % 7 == 3) text += " -----BEGIN KEY-----\nQUJDREVGR0hJSktMTU5PUFFS\n-----END KEY-----";
    text += "\n";
  }
  OutputFindings whole_found;
  auto whole = GuardWhole(*a, none, config::OutputAction::kRedact, text, allowed, Fp, &whole_found);
  ASSERT_TRUE(whole.ok());
  ASSERT_NE(whole->find("[REDACTED:TEST_KEY]"), std::string::npos);
  for (std::size_t piece : {1, 2, 5, 17, 256, 100000}) {
    OutputFindings found;
    auto g = MakeStreamGuard(a, &none, config::OutputAction::kRedact, 0, &allowed, Fp, &found);
    EXPECT_EQ(Stream(*g, text, piece), *whole) << "piece " << piece;
    EXPECT_EQ(found.counts, whole_found.counts) << "piece " << piece;
  }
}

// The stream scans raw bytes; what only a decoded or normalised view shows
// is looked for in the held text at each release, as the whole-text guard
// does: a base64-encoded token and a full-width one are redacted, counted
// once each.
TEST_F(OutputGuardTest, StreamRedactsEncodedAndDisguisedValues) {
  std::vector<detect::IndexScanner> none;
  const std::string text = std::string(300, '.') + " The code is dG9rZW4gVE9LLTEyMzQgaGVyZQ== as agreed, and " +
                           "\xEF\xBC\xB4\xEF\xBC\xAF\xEF\xBC\xAB-5678 too. " + std::string(300, '.');
  OutputFindings whole_found;
  auto whole = GuardWhole(*a, none, config::OutputAction::kRedact, text, allowed, Fp, &whole_found);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->find("VE9LLTEyMzQ"), std::string::npos) << *whole;  // the part that encodes the token
  EXPECT_EQ(whole->find("5678"), std::string::npos) << *whole;
  for (std::size_t piece : {1, 3, 64, 100000}) {
    OutputFindings found;
    auto g = MakeStreamGuard(a, &none, config::OutputAction::kRedact, 0, &allowed, Fp, &found);
    EXPECT_EQ(Stream(*g, text, piece), *whole) << "piece " << piece;
    EXPECT_EQ(found.counts, whole_found.counts) << "piece " << piece;
  }
  EXPECT_EQ(whole_found.counts["TEST_TOKEN"], 2);
}

// A backend that goes on after the choice finished: the rest is scanned as
// a new text, never passed through.
TEST_F(OutputGuardTest, TextAfterFinishIsScannedToo) {
  std::vector<detect::IndexScanner> none;
  auto g = MakeStreamGuard(a, &none, config::OutputAction::kRedact, 0, &allowed, Fp, &f);
  EXPECT_EQ(Stream(*g, "first TOK-1111 ", 4), "first [REDACTED:TEST_TOKEN] ");
  EXPECT_EQ(Stream(*g, "then TOK-2222.", 4), "then [REDACTED:TEST_TOKEN].");
  EXPECT_EQ(f.counts["TEST_TOKEN"], 2);
}

TEST_F(OutputGuardTest, ValueTheRequestCarriedIsNotALeak) {
  allowed.insert(std::string(kPassage));
  auto r = GuardWhole(*a, idx, config::OutputAction::kRedact, std::string(kPassage), allowed, Fp, &f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kPassage);
  EXPECT_TRUE(f.counts.empty());
}

}  // namespace
}  // namespace airlock::server
