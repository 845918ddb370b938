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
  auto g = MakeWindowGuard(a, &idx, config::OutputAction::kRedact, 64, &allowed, Fp, &f);
  const std::string text = std::string(100, 'x') + " " + std::string(kPassage) + " " + std::string(100, 'y');
  const std::string out = Stream(*g, text, 3);
  EXPECT_EQ(out, std::string(100, 'x') + " [REDACTED:PROTECTED_DOCUMENT] " + std::string(100, 'y'));
  EXPECT_EQ(f.counts["PROTECTED_DOCUMENT"], 1);
}

TEST_F(OutputGuardTest, StreamFindingThatBeganInReleasedTextRedactsTheHeldRestOnce) {
  // Held window (8 bytes) shorter than the passage: the index sees it only
  // through the released context; what is still held of it is redacted.
  auto g = MakeWindowGuard(a, &idx, config::OutputAction::kRedact, 8, &allowed, Fp, &f);
  const std::string text = "Start. " + std::string(kPassage) + " and then more text follows here, plenty of it.";
  const std::string out = Stream(*g, text, 3);
  EXPECT_NE(out.find("[REDACTED:PROTECTED_DOCUMENT]"), std::string::npos) << out;
  EXPECT_EQ(out.find("right here"), std::string::npos) << out;
  EXPECT_NE(out.find("plenty of it."), std::string::npos) << out;
  EXPECT_EQ(f.counts["PROTECTED_DOCUMENT"], 1);  // not once per release point
}

TEST_F(OutputGuardTest, StreamBlockStops) {
  auto g = MakeWindowGuard(a, &idx, config::OutputAction::kBlock, 64, &allowed, Fp, &f);
  std::string out;
  const std::string text = std::string(kPassage) + std::string(200, 'z');
  for (std::size_t i = 0; i < text.size() && !f.blocked; i += 5) {
    auto r = g->Feed(std::string_view(text).substr(i, 5));
    ASSERT_TRUE(r.ok());
    out += *r;
  }
  EXPECT_TRUE(f.blocked);
  EXPECT_EQ(out.find("protected"), std::string::npos);
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
