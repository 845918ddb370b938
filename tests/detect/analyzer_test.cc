#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <tuple>

#include "airlock/detect/analyzer.h"
#include "internal/analyzer_impl.h"

namespace airlock::detect {
namespace {

std::shared_ptr<const Analyzer> Build(const std::string& yaml, AnalyzerOptions opts = {}) {
  auto c = Catalog::Parse(yaml, "t.yaml", ".");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto a = Analyzer::Create(std::move(*c), opts);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return *a;
}

const char* kSsnYaml = R"(
detectors:
  - id: ssn
    entity_type: US_SSN
    data_class: government_id
    jurisdiction: US
    patterns: ['\b\d{3}-\d{2}-\d{4}\b']
    score: 0.6
    context: {words: {en: [ssn, social security]}, before: 24, after: 8, required: true, without_context: 0.3, boost: 0.3}
)";

TEST(Analyzer, RequiredContextControlsTheScore) {
  auto a = Build(kSsnYaml);
  auto with = a->Analyze("Her SSN is 219-09-9999.");
  ASSERT_TRUE(with.ok());
  ASSERT_EQ(with->size(), 1u);
  EXPECT_DOUBLE_EQ((*with)[0].score, 0.9);
  EXPECT_EQ((*with)[0].span, (ByteSpan{11, 22}));
  EXPECT_NE((*with)[0].explanation.find("context: ssn"), std::string::npos);

  // Same shape, no context word: 0.3 < default min_score 0.5, not reported.
  auto without = a->Analyze("Order 219-09-9999 shipped.");
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->empty());

  AnalyzerOptions low;
  low.min_score = 0.2;
  auto a2 = Build(kSsnYaml, low);
  auto all = a2->Analyze("Order 219-09-9999 shipped.");
  ASSERT_EQ(all->size(), 1u);
  EXPECT_DOUBLE_EQ((*all)[0].score, 0.3);
}

TEST(Analyzer, CancelScopeStopsAnalysisOnItsThreadOnly) {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  ASSERT_TRUE(c.ok());
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::string text = "Max Mustermann, IBAN DE89 3704 0044 0532 0130 00, max@example.com";
  auto full = (*a)->Analyze(text);
  ASSERT_TRUE(full.ok());
  ASSERT_GE(full->size(), 2u);
  std::atomic<bool> stop{false};
  {
    CancelScope scope(&stop);
    auto same = (*a)->Analyze(text);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->size(), full->size());
    stop = true;
    auto cut = (*a)->Analyze(text);
    EXPECT_EQ(cut.status().code(), Status::Code::kCancelled);
    {
      CancelScope inner(nullptr);  // a null flag never cancels
      EXPECT_TRUE((*a)->Analyze(text).ok());
    }
    EXPECT_EQ((*a)->Analyze(text).status().code(), Status::Code::kCancelled);  // the outer scope again
    // Another thread has no scope.
    std::thread other([&] { EXPECT_TRUE((*a)->Analyze(text).ok()); });
    other.join();
  }
  EXPECT_TRUE((*a)->Analyze(text).ok());  // the scope has ended
}

TEST(Analyzer, ContextOutsideTheWindowDoesNotCount) {
  auto a = Build(kSsnYaml);
  auto r = a->Analyze("SSN ...................................... 219-09-9999");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Analyzer, ValidatorRejectsCandidates) {
  auto a = Build(R"(
detectors:
  - id: card
    entity_type: CREDIT_CARD
    data_class: financial
    patterns: ['\b\d{16}\b']
    validator: credit_card
    score: 0.9
)");
  auto r = a->Analyze("good 4111111111111111 bad 4111111111111112");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].span.begin, 5u);
  EXPECT_TRUE((*r)[0].validated);
}

TEST(Analyzer, OverlapsResolvedDeterministically) {
  // "long" covers "short"; the longer span wins, whichever order they are declared in.
  const char* yaml_a = R"(
detectors:
  - id: short
    entity_type: A
    data_class: personal
    patterns: ['\b\d{4}\b']
    score: 0.9
  - id: long
    entity_type: B
    data_class: personal
    patterns: ['\b\d{4} \d{4}\b']
    score: 0.6
)";
  auto a = Build(yaml_a);
  auto r = a->Analyze("x 1234 5678 y");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].detector, "long");
  // Equal spans: higher score wins, then detector id.
  auto b = Build(R"(
detectors:
  - id: zeta
    entity_type: Z
    data_class: personal
    patterns: ['\bab\b']
    score: 0.7
  - id: alpha
    entity_type: A
    data_class: personal
    patterns: ['\bab\b']
    score: 0.7
)");
  auto r2 = b->Analyze("ab");
  ASSERT_EQ(r2->size(), 1u);
  EXPECT_EQ((*r2)[0].detector, "alpha");
}

TEST(Analyzer, DictionaryLiteralsRespectWordBoundaries) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "airlock_dict_test";
  fs::create_directories(dir);
  {
    std::FILE* f = std::fopen((dir / "words.txt").c_str(), "w");
    std::fputs("# comment\nProject Falcon\nJosé\n", f);
    std::fclose(f);
  }
  auto c = Catalog::Parse(R"(
detectors:
  - id: codename
    entity_type: CODE_NAME
    data_class: confidential
    dictionary: words.txt
    score: 0.9
)", "t.yaml", dir.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto r = (*a)->Analyze("About Project Falcon and José, not Josédine or Project Falconry.");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].span, (ByteSpan{6, 20}));
  EXPECT_EQ((*r)[1].span, (ByteSpan{25, 30}));
}

TEST(Analyzer, EmptyCatalogIsAnError) {
  EXPECT_FALSE(Analyzer::Create(Catalog{}, {}).ok());
}

TEST(Analyzer, CompiledDatabaseCacheIsUsedAndSurvivesDamage) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("airlock_cache_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto load = [&] {
    auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
    EXPECT_TRUE(c.ok());
    AnalyzerOptions o;
    o.cache_dir = dir.string();
    auto a = Analyzer::Create(std::move(*c), o);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  };
  auto first = load();
  if (first->stats().compile_ms <= 100) GTEST_SKIP() << "compiles fast enough; cache unused";
  EXPECT_FALSE(first->stats().from_cache);
  auto second = load();
  EXPECT_TRUE(second->stats().from_cache);
  // Damage every cache file: the analyzer recompiles instead of failing.
  for (const auto& e : fs::directory_iterator(dir)) {
    std::FILE* f = std::fopen(e.path().c_str(), "r+b");
    std::fputs("garbage", f);
    std::fclose(f);
  }
  auto third = load();
  EXPECT_FALSE(third->stats().from_cache);
  fs::remove_all(dir);
}

// A cache entry is named by the exact patterns compiled, not only by the
// catalog: patterns that code derives (the stream's prefix markers) may
// change between versions for the same catalog, and a database built from
// other patterns would report their ids as this version's.
TEST(Analyzer, CacheEntryIsNamedByTheExactPatterns) {
  using internal::DatabaseCacheKey;
  const std::vector<scan::Pattern> pats = {{"ab+c", 1, scan::kNone}, {"x[0-9]", 7, scan::kCaseless}};
  const std::string key = DatabaseCacheKey("fp", "prefilter", false, pats);
  EXPECT_EQ(key, DatabaseCacheKey("fp", "prefilter", false, pats));
  auto changed = [&](auto edit) {
    auto other = pats;
    edit(other);
    return DatabaseCacheKey("fp", "prefilter", false, other) != key;
  };
  EXPECT_TRUE(changed([](auto& p) { p[1].expression = "x[0-8]"; }));
  EXPECT_TRUE(changed([](auto& p) { p[1].id = 8; }));
  EXPECT_TRUE(changed([](auto& p) { p[0].flags = scan::kCaseless; }));
  EXPECT_TRUE(changed([](auto& p) { p.push_back({"marker", 1u << 30, scan::kNone}); }));
  EXPECT_TRUE(changed([](auto& p) { std::swap(p[0], p[1]); }));
  // Expressions that run into each other when joined are told apart.
  EXPECT_NE(DatabaseCacheKey("fp", "l", false, {{"a:1", 1, scan::kNone}}),
            DatabaseCacheKey("fp", "l", false, {{"a", 1, scan::kNone}, {"1", 1, scan::kNone}}));
  EXPECT_NE(key, DatabaseCacheKey("fp2", "prefilter", false, pats));
  EXPECT_NE(key, DatabaseCacheKey("fp", "prefilter-stream-markers", false, pats));
  EXPECT_NE(key, DatabaseCacheKey("fp", "prefilter", true, pats));
}

TEST(Analyzer, CacheIsPrunedLeastRecentlyUsedFirst) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("airlock_cache_prune_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Three entries of other catalogs, 1 MiB each, used an hour, two hours
  // and three hours ago, and a file that is not an entry.
  const auto now = fs::file_time_type::clock::now();
  for (int i = 1; i <= 3; ++i) {
    const fs::path p = dir / ("old" + std::to_string(i) + ".hsdb");
    std::FILE* f = std::fopen(p.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string mib(1 << 20, 'x');
    std::fwrite(mib.data(), 1, mib.size(), f);
    std::fclose(f);
    fs::last_write_time(p, now - std::chrono::hours(i));
  }
  {
    std::FILE* f = std::fopen((dir / "notes.txt").c_str(), "wb");
    std::fclose(f);
  }
  auto build = [&](std::uintmax_t cap) {
    auto c = Catalog::Parse(
        "detectors:\n  - id: d\n    entity_type: X\n    data_class: personal\n"
        "    patterns: ['\\bab+c\\b']\n",
        "test.yaml", ".");
    EXPECT_TRUE(c.ok());
    AnalyzerOptions o;
    o.cache_dir = dir.string();
    o.cache_max_bytes = cap;
    auto a = Analyzer::Create(std::move(*c), o);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  };
  // A compile with a cap of 1.5 MiB removes the two least recently used
  // entries; the catalog's own entries and other files stay.
  auto first = build((std::uintmax_t{3} << 20) / 2);
  EXPECT_FALSE(first->stats().from_cache);
  EXPECT_FALSE(fs::exists(dir / "old3.hsdb"));
  EXPECT_FALSE(fs::exists(dir / "old2.hsdb"));
  EXPECT_TRUE(fs::exists(dir / "old1.hsdb"));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  // The catalog's entries were kept: the next build loads them.
  auto second = build((std::uintmax_t{3} << 20) / 2);
  EXPECT_TRUE(second->stats().from_cache);
  // A load prunes nothing; with no bound a compile prunes nothing either.
  EXPECT_TRUE(fs::exists(dir / "old1.hsdb"));
  fs::remove_all(dir);
}

TEST(Preview, MasksValues) {
  EXPECT_EQ(MaskedPreview("DE89 3704 0044 0532 0130 00", "IBAN_CODE"),
            "DE89 **** **** **** **** 00");
  EXPECT_EQ(MaskedPreview("John Smith", "PERSON"), "J*** S****");
  EXPECT_EQ(MaskedPreview("123-45-6789", "US_SSN"), "1**-**-***9");
}

}  // namespace
}  // namespace airlock::detect

namespace airlock::detect {
namespace {

// The second (start-of-match) pass runs over windows; these cases pin spans
// that a window edge could get wrong.
TEST(AnalyzerTwoPass, VariableWidthSpansAreExact) {
  auto a = Build(R"(
detectors:
  - id: grouped
    entity_type: GROUPED
    data_class: financial
    patterns: ['\b[A-Z]{2}\d{2}(?: ?\d{4}){2,7}\b']
    score: 0.9
  - id: mail
    entity_type: EMAIL_ADDRESS
    data_class: contact
    patterns: ['\b[a-z0-9.]+@[a-z0-9]+\.[a-z]{2,6}\b']
    score: 0.9
  - id: word
    entity_type: WORD
    data_class: personal
    patterns: ['\bxyz\b']
    score: 0.9
)");
  std::string text = std::string(300, ' ') + "DE12 3456 7890 1234 5678" + std::string(10, ' ') +
                     "AB12 3456 7890" + " xyz " + std::string(200, 'q') + " " +
                     std::string(300, 'a') + "@example.org 12DE12 3456 7890";
  auto r = a->Analyze(text);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].span, (ByteSpan{300, 324}));
  EXPECT_EQ((*r)[1].span, (ByteSpan{334, 348}));
  EXPECT_EQ((*r)[2].detector, "word");
  EXPECT_EQ((*r)[2].span, (ByteSpan{349, 352}));
  const std::size_t mail_start = 353 + 201;
  EXPECT_EQ((*r)[3].span, (ByteSpan{mail_start, mail_start + 300 + 12}));
  // "12DE12 3456 7890": no word boundary before DE, so no match there.
}

TEST(AnalyzerTwoPass, SameResultsForEveryChunking) {
  // A text scanned whole and the same text scanned from different offsets
  // give the same spans (relative to where the scan began).
  auto a = Build(R"(
detectors:
  - id: grouped
    entity_type: GROUPED
    data_class: financial
    patterns: ['\b\d{3}(?:[ -]?\d{3}){1,3}\b']
    score: 0.9
)");
  std::string text;
  for (int i = 0; i < 200; ++i) text += (i % 3 == 0 ? "123 456 789 " : "12-345 x ");
  auto whole = a->Analyze(text);
  ASSERT_TRUE(whole.ok());
  ASSERT_FALSE(whole->empty());
  for (std::size_t off : {1u, 7u, 13u}) {
    auto part = a->Analyze(std::string_view(text).substr(off));
    ASSERT_TRUE(part.ok());
    std::vector<ByteSpan> expect;
    for (const auto& f : *whole) {
      if (f.span.begin >= off + 4) expect.push_back({f.span.begin - off, f.span.end - off});
    }
    std::vector<ByteSpan> got;
    for (const auto& f : *part) {
      if (f.span.begin >= 4) got.push_back(f.span);
    }
    EXPECT_EQ(got, expect) << "offset " << off;
  }
}

}  // namespace
}  // namespace airlock::detect

namespace airlock::detect {
namespace {

TEST(FieldName, Normalises) {
  EXPECT_EQ(NormaliseFieldName("MailingPostalCode"), "mailing postal code");
  EXPECT_EQ(NormaliseFieldName("mailing_postal_code"), "mailing postal code");
  EXPECT_EQ(NormaliseFieldName("  Last-Name "), "last name");
  EXPECT_EQ(NormaliseFieldName("SSNNumber"), "ssn number");
  EXPECT_EQ(NormaliseFieldName("IBAN"), "iban");
  EXPECT_EQ(NormaliseFieldName("Contact__c.Phone2"), "contact c phone");
  EXPECT_EQ(NormaliseFieldName("Prénom"), "prénom");
}

TEST(FieldContext, FieldNamesAreContextAndFieldDetectorsTakeTheValue) {
  auto a = Build(R"(
detectors:
  - id: ssn
    entity_type: US_SSN
    data_class: government_id
    patterns: ['\b\d{3}-\d{2}-\d{4}\b']
    score: 0.6
    context: {words: {en: [ssn, social security]}, required: true, without_context: 0.3, boost: 0.3}
  - id: surname_field
    entity_type: PERSON
    data_class: personal
    fields: [last name, surname]
    validator: person_name
    score: 0.8
)");
  // Without a field name the SSN lacks context and is not reported.
  auto plain = a->Analyze("219-09-9999");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->empty());
  FieldContext ssn_field = a->PrepareField("Employee_SSN");
  auto with = a->Analyze("219-09-9999", &ssn_field);
  ASSERT_TRUE(with.ok());
  ASSERT_EQ(with->size(), 1u);
  EXPECT_NE((*with)[0].explanation.find("ssn (field name)"), std::string::npos);

  FieldContext last = a->PrepareField("LastName");
  ASSERT_EQ(last.detectors.size(), 1u);
  auto name = a->Analyze("  van der Berg ", &last);
  ASSERT_TRUE(name.ok());
  ASSERT_EQ(name->size(), 1u);
  EXPECT_EQ((*name)[0].entity_type, "PERSON");
  EXPECT_EQ((*name)[0].span, (ByteSpan{2, 14}));
  // The validator still decides: digits are no name.
  auto bad = a->Analyze("12345", &last);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->empty());
  // "Account Name" is not a person field.
  EXPECT_TRUE(a->PrepareField("AccountName").detectors.empty());
}

}  // namespace
}  // namespace airlock::detect

namespace airlock::detect {
namespace {

// Thousands of entries (custom dictionaries: code names, client matters) go
// into a literal database of their own; every entry stays findable.
TEST(Dictionary, ManyEntriesCaselessAndBoundaries) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "airlock_dict_many";
  fs::create_directories(dir);
  {
    std::FILE* f = std::fopen((dir / "matters.txt").c_str(), "w");
    for (int i = 0; i < 5000; ++i) std::fprintf(f, "Matter %04d Omega\n", i);
    std::fclose(f);
  }
  auto c = Catalog::Parse(R"(
detectors:
  - id: client_matter
    entity_type: CLIENT_MATTER
    data_class: confidential
    dictionary: matters.txt
    caseless: true
    score: 0.9
)", "t.yaml", dir.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto r = (*a)->Analyze("Re: MATTER 4711 omega and matter 0001 Omega; not Matter 0002 Omegas.");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].span, (ByteSpan{4, 21}));
  EXPECT_EQ((*r)[1].span, (ByteSpan{26, 43}));
  fs::remove_all(dir);
}

// The catalog's analyzer with `options` (cache under `dir`).
std::shared_ptr<const Analyzer> CatalogAnalyzer(const std::filesystem::path& dir, AnalyzerOptions o) {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  EXPECT_TRUE(c.ok());
  o.cache_dir = dir.string();
  auto a = Analyzer::Create(std::move(*c), o);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return *a;
}

// Both analyzers find the same in `text`; returns whether there was any.
bool ExpectSameFindings(const Analyzer& x, const Analyzer& y, const std::string& text, const FieldContext* field,
                        int round) {
  auto a = x.Analyze(text, field);
  auto b = y.Analyze(text, field);
  EXPECT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), b->size()) << "round " << round;
  for (std::size_t k = 0; k < std::min(a->size(), b->size()); ++k) {
    const Finding& f = (*a)[k];
    const Finding& g = (*b)[k];
    EXPECT_TRUE(f.detector == g.detector && f.span == g.span && f.score == g.score &&
                f.explanation == g.explanation && f.detail == g.detail)
        << "round " << round << " finding " << k << ": " << f.detector << " vs " << g.detector;
  }
  return !a->empty();
}

// The context gate drops candidates that could only score below min_score
// before locating and validating them: the findings must be exactly those
// of evaluating every candidate. Random texts of digit groups, separators,
// identifiers and the catalog's own context words at random distances, in
// several views (plain, escaped, spaced) and with a field name.
TEST(ContextGate, SameFindingsAsEvaluatingEveryCandidate) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airlock_gate_test_" + std::to_string(::getpid()));
  AnalyzerOptions no_gate;
  no_gate.context_gate = false;
  const auto gated = CatalogAnalyzer(dir, {});
  const auto every = CatalogAnalyzer(dir, no_gate);
  std::vector<std::string> words;
  for (const Detector& d : gated->catalog().detectors()) {
    if (!d.context.required) continue;
    for (const auto& [lang, w] : d.context.words) words.push_back(w);
  }
  ASSERT_GT(words.size(), 20u);
  const std::vector<std::string> pieces = {
      "DE89 3704 0044 0532 0130 00", "+49 30 12345678", "030 1234567", "10115 Berlin", "D-80331",
      "219-09-9999", "123-45-6789", "4111 1111 1111 1111", "12.03.1985", "1985-03-12", "SW1A 1AA",
      "1234 AB", "AB 12 34 56 C", "943 476 5919", "DEUTDEFF", "Max Mustermann", "max@example.com",
      "the", "and", "invoice", "\\u0040", "%40", " ", "  ", ", ", ". ", "\n", "-", "/", "(", ")"};
  std::mt19937 rng(11);
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  const FieldContext phone_field = gated->PrepareField("Phone");
  const FieldContext other_field = gated->PrepareField("Notes");
  const std::vector<const FieldContext*> fields = {nullptr, &phone_field, &other_field};
  int with_findings = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const int parts = 5 + static_cast<int>(rng() % 25);
    for (int i = 0; i < parts; ++i) {
      switch (rng() % 5) {
        case 0: text += words[rng() % words.size()]; break;
        case 1: text += digits(1 + static_cast<int>(rng() % 12)); break;
        case 2: text += std::string(rng() % 40, "ab x"[rng() % 4]); break;
        default: text += pieces[rng() % pieces.size()]; break;
      }
      text += pieces[pieces.size() - 1 - rng() % 9];  // a separator
    }
    for (const FieldContext* field : fields) with_findings += ExpectSameFindings(*gated, *every, text, field, round);
  }
  EXPECT_GT(with_findings, 600);  // the texts do make findings
  fs::remove_all(dir);
}

// Ends inside a validated finding that they cannot outrank are not located
// or evaluated (AnalyzerOptions::defer_dominated); where the dominating
// finding loses overlap resolution after all, they are evaluated then. The
// findings must be those of evaluating every end: random texts dense with
// identifiers that contain other identifiers' shapes, and identifiers glued
// into longer tokens (an IBAN inside an e-mail address loses to it).
TEST(DominatedEnds, SameFindingsAsEvaluatingEveryEnd) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airlock_dominated_test_" + std::to_string(::getpid()));
  AnalyzerOptions no_defer;
  no_defer.defer_dominated = false;
  const auto deferring = CatalogAnalyzer(dir, {});
  const auto every = CatalogAnalyzer(dir, no_defer);
  const std::vector<std::string> pieces = {
      "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "NL91ABNA0417164300",
      "+49 30 12345678", "0044 20 7946 0958", "030 1234567", "4111 1111 1111 1111", "4111111111111111",
      "DE123456789", "DEUTDEFF500", "219-09-9999", "12.03.1985", "Max Mustermann", "max@example.com", "@example.com",
      "IBAN", "Tel.", "phone", "card", "VAT", "the", "and", "\\u0040", " ", "  ", ", ", ". ", "\n", "-", "/", "(", ")"};
  std::mt19937 rng(23);
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  const FieldContext iban_field = deferring->PrepareField("IBAN");
  const std::vector<const FieldContext*> fields = {nullptr, &iban_field};
  const std::uint64_t repairs_before = internal::DeferralRepairs();
  int with_findings = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const int parts = 5 + static_cast<int>(rng() % 40);
    for (int i = 0; i < parts; ++i) {
      switch (rng() % 6) {
        case 0: text += digits(1 + static_cast<int>(rng() % 14)); break;
        case 1: text += static_cast<char>('A' + rng() % 26); break;
        default: text += pieces[rng() % pieces.size()]; break;
      }
      if (rng() % 3 != 0) text += pieces[pieces.size() - 1 - rng() % 8];  // a separator, or none
    }
    for (const FieldContext* field : fields) with_findings += ExpectSameFindings(*deferring, *every, text, field, round);
  }
  EXPECT_GT(with_findings, 600);
  // Some dominators lost overlap resolution, so the repair path ran too.
  EXPECT_GT(internal::DeferralRepairs(), repairs_before);
  fs::remove_all(dir);
}

// The group-sharing guard: a deferred end whose possible starts hold the
// start of a candidate evaluated in the same round is evaluated in that
// round, so that its (detector, start) group is not split. Built so that
// splitting shows, in "Ref 10.20.30.9x@ab.comabcde.de end":
//   g_ip   "10.20.30.9"  [4,14)   validated, 10 bytes
//   f_mail "9x@ab.co"    [13,21)  validated, loses to g_ip (shorter)
//   p_mail "x@ab.co"     [14,21)  inside f_mail, after the '9' that p_mail
//                                 cannot match: dominated (deferred)
//   p_mail "x@ab.com"    [14,22)  same start, not inside f_mail: evaluated
//   h_dom  "mabcde.de"   [21,30)  validated, outranks "x@ab.com"
// Evaluating every end, p_mail's group {[14,22), [14,21)} gives "x@ab.com"
// (the longest valid end), which loses to h_dom: no p_mail finding. Were
// the group split, the repair after f_mail lost would evaluate "x@ab.co"
// alone, which overlaps nothing kept (a mutant without the guard reports
// p_mail [14,21) here). The wide second patterns only set the order in
// which detectors are taken: f_mail, then p_mail, then the others.
TEST(DominatedEnds, DeferredEndSharingAGroupIsEvaluatedWithIt) {
  const std::string yaml = R"(detectors:
  - {id: f_mail, entity_type: EMAIL_ADDRESS, data_class: contact, jurisdiction: INTL, validator: email,
     score: 0.8, patterns: ['[0-9]{1,3}[a-z]@[a-z]{2}\.co', '[0-9]{30}qq']}
  - {id: p_mail, entity_type: EMAIL_ADDRESS, data_class: contact, jurisdiction: INTL, validator: email,
     score: 0.8, patterns: ['[a-z]@[a-z]{2}\.[a-z]{2,3}', '[a-z]{20}@zz\.zz']}
  - {id: g_ip, entity_type: IP_ADDRESS, data_class: technical, jurisdiction: INTL, validator: ipv4,
     score: 0.8, patterns: ['[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]']}
  - {id: h_dom, entity_type: DOMAIN_NAME, data_class: technical, jurisdiction: INTL, validator: domain,
     score: 0.8, patterns: ['m[a-z]{5}\.de']}
)";
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("airlock_group_guard_test_" + std::to_string(::getpid()));
  auto make = [&](bool defer) {
    auto c = Catalog::Parse(yaml, "guard.yaml", dir.string());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    AnalyzerOptions o;
    o.cache_dir = dir.string();
    o.defer_dominated = defer;
    auto a = Analyzer::Create(std::move(*c), o);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  };
  const auto deferring = make(true);
  const auto every = make(false);
  const std::string text = "Ref 10.20.30.9x@ab.comabcde.de end";
  ExpectSameFindings(*deferring, *every, text, nullptr, 0);
  auto found = deferring->Analyze(text);
  ASSERT_TRUE(found.ok());
  using Span = std::tuple<std::string, std::uint64_t, std::uint64_t>;
  std::vector<Span> got;
  for (const Finding& f : *found) got.emplace_back(f.detector, f.span.begin, f.span.end);
  const std::vector<Span> want = {{"g_ip", 4, 14}, {"h_dom", 21, 30}};
  EXPECT_EQ(got, want);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace airlock::detect
