#include <gtest/gtest.h>

#include <bitset>
#include <random>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/scan/scan.h"
#include "internal/analyzer_impl.h"
#include "internal/pattern_alphabet.h"

namespace airlock::detect {
namespace {

Result<Catalog> ParseYaml(const std::string& y) { return Catalog::Parse(y, "test.yaml", "."); }

TEST(Catalog, ParsesADetector) {
  auto c = ParseYaml(R"(
detectors:
  - id: iban_test
    entity_type: IBAN_CODE
    data_class: financial
    jurisdiction: EU
    patterns: ['\bDE\d{20}\b']
    score: 0.8
    context:
      words: {en: [IBAN], de: [Konto]}
      before: 32
      required: true
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->detectors().size(), 1u);
  const Detector& d = c->detectors()[0];
  EXPECT_EQ(d.id, "iban_test");
  EXPECT_EQ(d.data_class, DataClass::kFinancial);
  EXPECT_EQ(d.context.before, 32u);
  EXPECT_TRUE(d.context.required);
  ASSERT_EQ(d.context.words.size(), 2u);
  EXPECT_EQ(d.context.words[0].second, "iban");  // lower-cased
  EXPECT_EQ(d.source, "test.yaml:3");
}

struct BadCase {
  const char* yaml;
  const char* expect;  // substring of the error message
};

class CatalogErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(CatalogErrors, RejectsWithFileLineAndReason) {
  auto c = ParseYaml(GetParam().yaml);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(GetParam().expect), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().rfind("test.yaml:", 0), 0u) << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, CatalogErrors,
    ::testing::Values(
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: nonsense\n    "
                "patterns: [a]\n",
                "test.yaml:4: unknown data_class 'nonsense'"},
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n", "neither patterns"},
        BadCase{"detectors:\n  - entity_type: X\n    data_class: personal\n    patterns: [a]\n",
                "missing 'id'"},
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    "
                "patterns: [a]\n    colour: red\n",
                "test.yaml:6: unknown key 'colour'"},
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    "
                "patterns: [a]\n    score: 3\n",
                "score must be in [0, 1]"},
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    "
                "patterns: [a]\n  - id: x\n    entity_type: X\n    data_class: personal\n    "
                "patterns: [b]\n",
                "duplicate detector id 'x'"},
        BadCase{"detectors: [\n  {id: x,\n", "test.yaml:"},  // YAML syntax error
        BadCase{"detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    "
                "patterns: [a]\n    score: high\n",
                "test.yaml:6"},  // bad conversion
        BadCase{"something: else\n", "expected a mapping with a 'detectors' list"}),
    [](const auto& param_info) { return "case" + std::to_string(param_info.index); });

TEST(Catalog, UnknownValidatorIsRejectedAtBuild) {
  auto c = ParseYaml(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    patterns: [a]\n"
      "    validator: no_such_check\n");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("test.yaml:2: unknown validator 'no_such_check'"),
            std::string::npos)
      << a.status().message();
}

TEST(Catalog, BadPatternNamesTheDetector) {
  auto c = ParseYaml(
      "detectors:\n  - id: ok\n    entity_type: X\n    data_class: personal\n    patterns: [a]\n"
      "  - id: broken\n    entity_type: X\n    data_class: personal\n    patterns: ['(a']\n");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("test.yaml:6: detector 'broken'"), std::string::npos)
      << a.status().message();
}

TEST(Catalog, MissingDictionaryFileIsReported) {
  auto c = ParseYaml(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n"
      "    dictionary: does/not/exist.txt\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("test.yaml:5"), std::string::npos) << c.status().message();
}

TEST(Catalog, DisabledDetectorsAreSkipped) {
  auto c = ParseYaml(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    patterns: [a]\n"
      "    enabled: false\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->detectors().empty());
}

TEST(Catalog, MissingDirectoryIsNotFound) {
  auto c = Catalog::LoadDirectory("/nonexistent/airlock/detectors");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

// The built-in catalog must load and compile: a broken YAML file or pattern in
// data/detectors fails here, not in production.
TEST(BuiltinCatalog, LoadsAndCompiles) {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_GT(c->detectors().size(), 10u);
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GT((*a)->stats().pattern_count, 10u);
}

}  // namespace
}  // namespace airlock::detect

namespace airlock::detect {
namespace {

TEST(Catalog, UnknownLocatorIsRejectedAtBuild) {
  auto c = Catalog::Parse(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    patterns: [a+@b]\n"
      "    locator: no_such_walk\n",
      "test.yaml", ".");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("test.yaml:2: unknown locator 'no_such_walk'"),
            std::string::npos)
      << a.status().message();
}

TEST(Catalog, EmailLocatorFindsTheSameStartsAsStartOfMatch) {
  // The e-mail detector with its walk-back locator against the same pattern
  // located by vectorscan's start-of-match: the same spans.
  const std::string pattern =
      "'[A-Za-z0-9_.%+\\-]+@[A-Za-z0-9][A-Za-z0-9\\-]*(?:\\.[A-Za-z0-9][A-Za-z0-9\\-]*)*"
      "\\.[A-Za-z]{2,24}\\b'";
  auto build = [&](bool walk) {
    auto c = Catalog::Parse("detectors:\n  - id: e\n    entity_type: EMAIL\n    data_class: contact\n"
                            "    patterns: [" + pattern + "]\n" + (walk ? "    locator: email\n" : ""),
                            "test.yaml", ".");
    EXPECT_TRUE(c.ok()) << c.status().message();
    auto a = Analyzer::Create(std::move(*c), {});
    EXPECT_TRUE(a.ok()) << a.status().message();
    return *a;
  };
  const auto walk = build(true);
  const auto som = build(false);
  std::size_t total = 0;
  for (const std::string text :
       {"mail a.b+c@x-y.example.org, or @@x.com and j..d@e.fr.", "(q@w.io)q@w.io;.x@y.zz",
        "no address here @ all", "x@y.z is too short, tail@host.museum\nfoo_bar%1@a.b.c.de"}) {
    auto a = walk->Analyze(text);
    auto b = som->Analyze(text);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size()) << text;
    total += a->size();
    for (std::size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].span.begin, (*b)[i].span.begin) << text;
      EXPECT_EQ((*a)[i].span.end, (*b)[i].span.end) << text;
    }
  }
  EXPECT_GE(total, 6u);  // the texts hold addresses to find
}

TEST(Catalog, IbanLocatorFindsTheSameStartsAsStartOfMatch) {
  // The `iban` walk-back against vectorscan's start-of-match for each of the
  // IBAN detector's two patterns (caseless), at every end start-of-match
  // reports over random text built to make IBAN-like runs: letters, digits,
  // runs of separators, word bytes that break a boundary, and real IBANs.
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok());
  const Detector* iban = nullptr;
  for (const Detector& d : c->detectors())
    if (d.id == "iban") iban = &d;
  ASSERT_NE(iban, nullptr);
  ASSERT_EQ(iban->locator, "iban");
  const internal::LocatorFn walk = internal::FindLocator("iban");
  ASSERT_NE(walk, nullptr);
  const std::vector<std::string> pieces = {"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                                           "fr14-2004-1010-0505-0001-3m02-606", "NL91 ABNA 0417 1643 00",
                                           "DE 89", "de89", "x_", "_", "..", " . ", "--", "\n", ",", "IBAN: "};
  std::mt19937 rng(11);
  std::string text;
  for (int i = 0; i < 200000; ++i) {
    switch (rng() % 8) {
      case 0: case 1: text += static_cast<char>("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz"[rng() % 32]); break;
      case 2: case 3: case 4: text += static_cast<char>('0' + rng() % 10); break;
      case 5: text += static_cast<char>(" .-"[rng() % 3]); break;
      case 6: text += pieces[rng() % pieces.size()]; break;
      default: if (rng() % 4 == 0) text += static_cast<char>(rng() % 256); break;
    }
  }
  std::size_t checked = 0;
  for (unsigned p = 0; p < iban->patterns.size(); ++p) {
    auto db = scan::Database::Compile({scan::Pattern{iban->patterns[p], 0, scan::kCaseless}}, scan::Database::Mode::kBlock);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    scan::Scanner som(*db);
    const std::bitset<256> alphabet = internal::PatternAlphabet(iban->patterns[p], true, false);
    std::size_t mismatches = 0;
    Status s = som.Scan(text, [&](const scan::Match& m) {
      const std::uint64_t got = walk(text, m.to, p);
      if (got != m.from && ++mismatches <= 5) {
        ADD_FAILURE() << "pattern " << p << " end " << m.to << ": walk " << got << ", start-of-match " << m.from
                      << " in '" << text.substr(m.from > 8 ? m.from - 8 : 0, m.to - m.from + 8) << "'";
      }
      for (std::uint64_t k = m.from; k < m.to; ++k)
        EXPECT_TRUE(alphabet[static_cast<unsigned char>(text[k])]) << "pattern " << p << " byte " << int(text[k]);
      ++checked;
      return true;
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(mismatches, 0u) << "pattern " << p;
  }
  EXPECT_GT(checked, 2000u);
}

TEST(Catalog, IbanLocatorOnlyForItsPatterns) {
  auto c = Catalog::Parse(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: financial\n    caseless: true\n"
      "    patterns: ['\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,20}\\b']\n    locator: iban\n",
      "test.yaml", ".");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("test.yaml:2: detector 'x': locator 'iban' walks back exactly the patterns"),
            std::string::npos)
      << a.status().message();
}

TEST(Catalog, UnknownExpanderIsRejectedAtBuild) {
  auto c = Catalog::Parse(
      "detectors:\n  - id: x\n    entity_type: X\n    data_class: personal\n    patterns: [a]\n"
      "    expander: no_such_hook\n",
      "test.yaml", ".");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("test.yaml:2: unknown expander 'no_such_hook'"),
            std::string::npos)
      << a.status().message();
}

TEST(BuiltinCatalog, PhoneIsNotTheTailOfALongerNumber) {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto r = (*a)->Analyze("Ref 756.0704.9996.22 and 1234-030-901820-77");
  ASSERT_TRUE(r.ok());
  for (const auto& f : *r) EXPECT_NE(f.entity_type, "PHONE_NUMBER") << f.span.begin;
  auto ok = (*a)->Analyze("Ruf mich an: 030 901820");
  ASSERT_TRUE(ok.ok());
  bool phone = false;
  for (const auto& f : *ok) phone = phone || f.entity_type == "PHONE_NUMBER";
  EXPECT_TRUE(phone);
}

}  // namespace
}  // namespace airlock::detect
