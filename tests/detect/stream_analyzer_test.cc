// StreamAnalyzer against block mode: the same findings however the text is
// cut, SafeOffset's promises, and the hold-back bound.
#include "airlock/detect/stream_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <cstring>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "airlock/detect/analyzer.h"

namespace airlock::detect {
namespace {

namespace fs = std::filesystem;

std::string Describe(const std::vector<Finding>& fs) {
  std::ostringstream o;
  for (const Finding& f : fs) {
    o << f.detector << "[" << f.span.begin << "," << f.span.end << ") " << f.score << " "
      << f.explanation << " {" << f.detail << "}\n";
  }
  return o.str();
}

bool Same(const Finding& a, const Finding& b) {
  return a.detector == b.detector && a.span == b.span && a.score == b.score &&
         a.validated == b.validated && a.explanation == b.explanation && a.detail == b.detail &&
         a.entity_type == b.entity_type && a.data_class == b.data_class;
}

bool SameAll(const std::vector<Finding>& a, const std::vector<Finding>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!Same(a[i], b[i])) return false;
  }
  return true;
}

// Streams `text` cut at `cuts` (ascending offsets) and checks SafeOffset's
// promises after every write. Returns every finding in order.
std::vector<Finding> Stream(const std::shared_ptr<const Analyzer>& a, std::string_view text,
                            const std::vector<std::size_t>& cuts, bool check_hold_back = true) {
  auto s = StreamAnalyzer::Create(a);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return {};
  StreamAnalyzer& st = **s;
  std::vector<Finding> all;
  std::uint64_t last_safe = 0;
  std::size_t prev = 0;
  auto check = [&](std::size_t upto) {
    const std::uint64_t safe = st.SafeOffset();
    EXPECT_GE(safe, last_safe) << "SafeOffset went back";
    EXPECT_LE(safe, st.bytes_written());
    EXPECT_EQ(st.bytes_written(), upto);
    if (check_hold_back) {
      EXPECT_LE(st.bytes_written() - safe, st.MaxHoldBack())
          << "hold-back over the bound at " << upto;
    }
    last_safe = safe;
    return safe;
  };
  for (std::size_t c = 0; c <= cuts.size(); ++c) {
    const std::size_t end = c < cuts.size() ? cuts[c] : text.size();
    std::vector<Finding> got;
    Status w = st.Write(text.substr(prev, end - prev), &got);
    EXPECT_TRUE(w.ok()) << w.ToString();
    for (Finding& f : got) {
      if (!all.empty()) {
        EXPECT_GE(f.span.begin, all.back().span.begin) << "out of order";
      }
      // Reported before SafeOffset passed its start.
      EXPECT_GE(f.span.begin, last_safe) << "reported after release";
      all.push_back(std::move(f));
    }
    check(end);
    prev = end;
  }
  std::vector<Finding> rest;
  EXPECT_TRUE(st.Finish(&rest).ok());
  for (Finding& f : rest) {
    EXPECT_GE(f.span.begin, last_safe) << "reported after release";
    all.push_back(std::move(f));
  }
  EXPECT_EQ(st.SafeOffset(), text.size());
  std::vector<Finding> after;
  EXPECT_FALSE(st.Write("x", &after).ok());
  return all;
}

// A cut every `step` bytes of a text of `size` bytes.
std::vector<std::size_t> EveryStep(std::size_t size, std::size_t step) {
  std::vector<std::size_t> cuts;
  for (std::size_t p = step; p < size; p += step) cuts.push_back(p);
  return cuts;
}

// Streaming `text` cut every `step` bytes, for each step, finds `block`.
void ExpectStreamedAsBlock(const std::shared_ptr<const Analyzer>& a, const std::string& text,
                           const std::vector<Finding>& block, std::initializer_list<std::size_t> steps) {
  for (std::size_t step : steps) {
    EXPECT_TRUE(SameAll(block, Stream(a, text, EveryStep(text.size(), step)))) << "step " << step;
  }
}

// bytes_written() - SafeOffset() once `text` has been written 16 bytes at a
// time (not finished).
std::uint64_t TrailAfter(const std::shared_ptr<const Analyzer>& a, std::string_view text) {
  auto s = StreamAnalyzer::Create(a);
  EXPECT_TRUE(s.ok());
  if (!s.ok()) return ~std::uint64_t{0};
  std::vector<Finding> got;
  for (std::size_t p = 0; p < text.size(); p += 16) EXPECT_TRUE((*s)->Write(text.substr(p, 16), &got).ok());
  return (*s)->bytes_written() - (*s)->SafeOffset();
}

std::vector<std::size_t> RandomCuts(std::size_t size, std::uint32_t seed, std::size_t max_chunk) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, max_chunk);
  std::vector<std::size_t> cuts;
  for (std::size_t p = len(rng); p < size; p += len(rng)) cuts.push_back(p);
  return cuts;
}

class StreamAnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    AnalyzerOptions o;
    cache_ = new fs::path(fs::temp_directory_path() / "airlock_stream_test_cache");
    o.cache_dir = cache_->string();
    auto a = Analyzer::Create(std::move(*c), o);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = new std::shared_ptr<const Analyzer>(*a);
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
    delete cache_;
    cache_ = nullptr;
  }
  static const std::shared_ptr<const Analyzer>& A() { return *analyzer_; }
  static std::vector<Finding> Block(std::string_view text) {
    auto r = A()->Analyze(text);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Finding>{};
  }
  static void ExpectSameAsBlock(std::string_view text, const std::vector<std::size_t>& cuts,
                                const std::string& what) {
    const auto block = Block(text);
    const auto streamed = Stream(A(), text, cuts);
    EXPECT_TRUE(SameAll(block, streamed)) << what << "\nblock:\n"
                                          << Describe(block) << "stream:\n"
                                          << Describe(streamed);
  }

  static std::shared_ptr<const Analyzer>* analyzer_;
  static fs::path* cache_;
};
std::shared_ptr<const Analyzer>* StreamAnalyzerTest::analyzer_ = nullptr;
fs::path* StreamAnalyzerTest::cache_ = nullptr;

std::string DatasetPath(const std::string& rel) {
  return std::string(AIRLOCK_DATASETS_DIR) + "/" + rel;
}

std::vector<std::string> JsonlTexts(const std::string& rel, const char* field) {
  std::vector<std::string> out;
  std::ifstream in(DatasetPath(rel));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains(field) && j[field].is_string()) out.push_back(j[field]);
  }
  return out;
}

std::vector<std::string> SynthTexts() {
  std::vector<std::string> out;
  std::ifstream in(DatasetPath("presidio-synth-v2/synth_dataset_v2.json"));
  if (!in) return out;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& r : j) out.push_back(r.value("full_text", ""));
  return out;
}

// Positive examples for detectors the data sets do not exercise.
const std::vector<std::string>& HandExamples() {
  static const std::vector<std::string> v = {
      "Her SSN is 536-22-8726 and her card 4111 1111 1111 1111.",
      "IBAN: DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX",
      "Call +49 30 901820 or mail jane.doe@example.com from 192.168.10.4.",
      "PRIVILEGED & CONFIDENTIAL - attorney-client privileged communication",
      "Streng vertraulich: nur für den internen Gebrauch bestimmt.",
      "Dear Mr. Brown, my name is lena fischer and I met Ken N. Fukuda.",
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\npassword=Xk9#mQ2$vL7pR4tZ",
      "Record 0015000000XyZ12AAA and session 00D5e000000abcd!AQ4AQFqX1vNn",
      "Here is the code:\n\ndef load(path):\n    with open(path) as f:\n        return "
      "json.load(f)\n\nThanks.",
      "SELECT id, name FROM accounts WHERE owner_id = 42;\nUPDATE accounts SET x = 1 WHERE id = "
      "2;\nDELETE FROM t WHERE id = 3;",
      "Send it to my Eircode postcode D02 X285 in Dublin.",
      "Sozialversicherungsnummer (SVNR): 1237 010180",
      "O meu NIF (contribuinte) é 501 964 843.",
      "Salesforce record Id k7Zk40R9mX2vLp3 in the org.",
      "token ya29.Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9",
      "AccountName=acme;AccountKey=Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1Jd5Ks0"
      "Pz7Cx4Bv2Nm9Lq6Wt3Y==;",
      "sk-ant-api03-Zk4qR9mX2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1Jd5Ks0Pz7Cx4Bv2Nm9Lq6"
      "Wt3Yh8Gf5JdAA",
      "sid=00D5g000004XyZa!AQ4AQFz7Kx9mT2vLp7TnB8wYc3HfJ6gUaE1oKs5Dd0Qe7Xr2Vb9Nm4Lq8Wt6Yh3Gf1Jd5Ks0Pz7"
      "Cx4Bv2Nm9Lq6Wt3Yh8.Gf5Jd1Kr",
      "The grant returned 5Aep861TSESvWeHbJyS9KsvoXtzaW_DdVhWQJi.TaZ.FczmKfkAS8wRXqLvAN3M8dzV5KGSS5"
      "Xe_cHTU3A3Pz. yesterday",
  };
  return v;
}

// The string literals of the other detector tests (their positive and
// negative examples), so that every detector they cover has an example here.
std::vector<std::string> TestLiterals() {
  std::vector<std::string> out;
  const fs::path dir = fs::path(AIRLOCK_SOURCE_DATA_DIR) / ".." / "tests" / "detect";
  for (const char* name : {"secrets_test.cc", "confidential_test.cc", "names_test.cc",
                           "checksum_validators_test.cc", "contact_validators_test.cc",
                           "analyzer_test.cc"}) {
    std::ifstream in(dir / name);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string src = ss.str();
    for (std::size_t p = 0; p < src.size(); ++p) {
      if (src[p] != '"' || (p > 0 && (src[p - 1] == '\\' || src[p - 1] == '\''))) continue;
      if (p > 0 && src[p - 1] == 'R') continue;  // raw strings are skipped
      std::string lit;
      std::size_t q = p + 1;
      for (; q < src.size() && src[q] != '"' && src[q] != '\n'; ++q) {
        if (src[q] == '\\' && q + 1 < src.size()) {
          const char e = src[++q];
          lit.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        } else {
          lit.push_back(src[q]);
        }
      }
      if (lit.size() >= 4) out.push_back(lit);
      p = q;
    }
  }
  return out;
}

// Valid identifiers from stdnum-vectors, a few per scheme.
std::vector<std::string> StdnumValues() {
  std::vector<std::string> out;
  std::map<std::string, int> per_scheme;
  std::ifstream in(DatasetPath("stdnum-vectors/vectors.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.value("valid", false) || j.contains("derived")) continue;
    if (per_scheme[j.value("scheme", "")]++ < 3) out.push_back(j.value("value", ""));
  }
  return out;
}

TEST_F(StreamAnalyzerTest, EveryDetectorExampleSplitAtEveryBoundary) {
  // One short example per detector, taken from the data sets (the shortest
  // text where block mode reports it), the other detector tests' literals
  // and HandExamples().
  std::vector<std::string> texts = HandExamples();
  for (auto& t : TestLiterals()) texts.push_back(t);
  for (auto& t : JsonlTexts("presidio-recognizer-vectors/vectors.jsonl", "text")) texts.push_back(t);
  for (auto& t : JsonlTexts("gitleaks-examples/examples.jsonl", "text")) texts.push_back(t);
  auto synth = SynthTexts();
  for (std::size_t i = 0; i < synth.size(); i += 3) texts.push_back(synth[i]);
  ASSERT_GT(texts.size(), 1000u) << "data sets missing under " << AIRLOCK_DATASETS_DIR;
  std::map<std::string, std::string> example;
  for (const std::string& t : texts) {
    if (t.size() > 1500) continue;
    for (const Finding& f : Block(t)) {
      auto it = example.find(f.detector);
      if (it == example.end() || t.size() < it->second.size()) example[f.detector] = t;
    }
  }
  // Identifiers behind one of their detector's context words.
  const auto values = StdnumValues();
  for (const Detector& d : A()->catalog().detectors()) {
    if (example.count(d.id) || d.context.words.empty()) continue;
    const std::string& word = d.context.words.front().second;
    for (const std::string& v : values) {
      const std::string t = word + ": " + v + ".";
      bool hit = false;
      for (const Finding& f : Block(t)) hit = hit || f.detector == d.id;
      if (hit) {
        example[d.id] = t;
        break;
      }
    }
  }
  std::vector<std::string> missing;
  for (const Detector& d : A()->catalog().detectors()) {
    // Field-only detectors apply to structured input, which is block mode only.
    if (!example.count(d.id) && !d.patterns.empty()) missing.push_back(d.id);
  }
  // Every detector with patterns has an example (a dictionary-only or
  // field-only detector may have none).
  std::ostringstream m;
  for (const auto& id : missing) m << id << " ";
  RecordProperty("detectors_without_example", m.str());
  EXPECT_TRUE(missing.empty()) << "no example: " << m.str();
  for (const auto& [id, text] : example) {
    const auto block = Block(text);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      const auto streamed = Stream(A(), text, {cut});
      if (!SameAll(block, streamed)) {
        ADD_FAILURE() << id << " split at " << cut << " text [" << text << "]\nblock:\n"
                      << Describe(block) << "stream:\n"
                      << Describe(streamed);
        break;
      }
    }
    // And one byte at a time.
    std::vector<std::size_t> bytes;
    for (std::size_t p = 1; p < text.size(); ++p) bytes.push_back(p);
    EXPECT_TRUE(SameAll(block, Stream(A(), text, bytes))) << id << " byte by byte";
  }
}

TEST_F(StreamAnalyzerTest, RandomChunkingsOfTheDataSetsMatchBlockMode) {
  struct Set {
    std::string name;
    std::vector<std::string> texts;
    std::size_t stride;
  };
  std::vector<Set> sets = {
      {"synth", SynthTexts(), 2},
      {"recognizer", JsonlTexts("presidio-recognizer-vectors/vectors.jsonl", "text"), 1},
      {"gitleaks", JsonlTexts("gitleaks-examples/examples.jsonl", "text"), 1},
  };
  for (const Set& set : sets) {
    ASSERT_FALSE(set.texts.empty()) << set.name << " missing under " << AIRLOCK_DATASETS_DIR;
    // A bounded sample, joined into one long stream so that the buffer
    // slides and findings arrive throughout.
    std::string joined;
    for (std::size_t i = 0; i < set.texts.size(); i += set.stride) {
      joined += set.texts[i];
      joined += (i % 2 == 0) ? "\n\n" : " ";
    }
    // Not a vacuous comparison: the sample has plenty of findings.
    EXPECT_GT(Block(joined).size(), 100u) << set.name;
    for (std::uint32_t seed : {1u, 2u, 3u}) {
      ExpectSameAsBlock(joined, RandomCuts(joined.size(), seed, 64),
                        set.name + " seed " + std::to_string(seed));
    }
    ExpectSameAsBlock(joined, RandomCuts(joined.size(), 4, 7), set.name + " short chunks");
  }
}

TEST_F(StreamAnalyzerTest, LongStreamKeepsOnlyASlidingBuffer) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "Meeting notes " + std::to_string(i) + ": nothing sensitive here, just prose. ";
  }
  text += "Her SSN is 536-22-8726.";
  auto s = StreamAnalyzer::Create(A());
  ASSERT_TRUE(s.ok());
  std::vector<Finding> got;
  std::size_t max_buffered = 0;
  for (std::size_t p = 0; p < text.size(); p += 64) {
    ASSERT_TRUE((*s)->Write(std::string_view(text).substr(p, 64), &got).ok());
    max_buffered = std::max(max_buffered, (*s)->buffered_bytes());
  }
  ASSERT_TRUE((*s)->Finish(&got).ok());
  EXPECT_TRUE(SameAll(Block(text), got)) << Describe(got);
  EXPECT_FALSE(got.empty());
  EXPECT_LT(max_buffered, 4 * (*s)->MaxHoldBack() + 8192) << "text size " << text.size();
}

TEST_F(StreamAnalyzerTest, ContextAfterTheMatchIsWaitedFor) {
  // The context word comes after the number, in a later chunk: the finding
  // is only reported with the context score, and SafeOffset does not pass
  // it before the context window has arrived.
  const std::string text = "The number 536-22-8726 is her SSN, noted.";
  auto block = Block(text);
  ASSERT_EQ(block.size(), 1u) << Describe(block);
  EXPECT_NE(block[0].explanation.find("context: ssn"), std::string::npos);
  auto s = StreamAnalyzer::Create(A());
  ASSERT_TRUE(s.ok());
  std::vector<Finding> got;
  // Everything up to "her " (the context word not yet there).
  ASSERT_TRUE((*s)->Write(text.substr(0, 30), &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_LE((*s)->SafeOffset(), 11u);
  ASSERT_TRUE((*s)->Write(text.substr(30), &got).ok());
  ASSERT_TRUE((*s)->Finish(&got).ok());
  EXPECT_TRUE(SameAll(block, got)) << Describe(block) << "--\n" << Describe(got);
}

// The context gate in streaming: an end of a detector that needs a context
// word waits until the word's whole window has been scanned. A context word
// after a phone number, at every distance up to past the `after` window,
// with the first write ending at every byte around the word: the same
// findings as block mode (the first write is long enough to be scanned at
// once, so the gate sees exactly the bytes up to the cut).
TEST_F(StreamAnalyzerTest, GatedEndWaitsForTheWholeContextWindow) {
  const std::string prefix(300, '.');
  int with_finding = 0;
  for (std::size_t d = 0; d <= 30; ++d) {
    const std::string text = prefix + " 30 12345678" + std::string(d, ' ') + "telephone, noted. " + std::string(40, '.');
    const auto block = Block(text);
    with_finding += !block.empty();
    const std::size_t number_end = prefix.size() + 12;
    for (std::size_t cut = number_end; cut <= number_end + d + 12 && cut < text.size(); ++cut) {
      auto got = Stream(A(), text, {cut});
      ASSERT_TRUE(SameAll(block, got)) << "distance " << d << " cut " << cut << "\n"
                                       << Describe(block) << "--\n" << Describe(got);
    }
  }
  EXPECT_GT(with_finding, 5);   // near enough, the word makes a finding
  EXPECT_LT(with_finding, 31);  // and far enough it does not
}

TEST_F(StreamAnalyzerTest, SafeOffsetAdvancesOnPlainProse) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "the weather is fine and nothing happens today. ";
  auto s = StreamAnalyzer::Create(A());
  ASSERT_TRUE(s.ok());
  std::vector<Finding> got;
  for (std::size_t p = 0; p < text.size(); p += 16) {
    ASSERT_TRUE((*s)->Write(std::string_view(text).substr(p, 16), &got).ok());
  }
  EXPECT_TRUE(got.empty());
  EXPECT_GE((*s)->SafeOffset() + (*s)->MaxHoldBack(), text.size());
  EXPECT_GT((*s)->SafeOffset(), 0u);
  ASSERT_TRUE((*s)->Finish(&got).ok());
  EXPECT_EQ((*s)->SafeOffset(), text.size());
}

// The frontier: a match still to come cannot start at or before a byte its
// pattern cannot match. A token pattern that may reach back 1 KiB but never
// holds a space keeps the safe offset near the last space; one that can
// match every byte keeps it its reach behind. Either way the findings are
// block mode's and SafeOffset keeps its promises (Stream checks them).
// An analyzer of one detector with one pattern (null on failure).
std::shared_ptr<const Analyzer> OnePattern(const std::string& pattern) {
  auto c = Catalog::Parse(R"(
detectors:
  - id: token
    entity_type: TEST_TOKEN
    data_class: credential
    jurisdiction: INTL
    patterns: [')" + pattern + R"(']
    score: 0.9
)",
                          "t.yaml", ".");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  auto a = Analyzer::Create(std::move(*c), {});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : nullptr;
}

TEST(StreamFrontier, AWidePatternHoldsBackOnlyToTheLastByteItCannotMatch) {
  auto trail = [](const char* pattern, std::uint64_t* out) {
    auto a = OnePattern(pattern);
    ASSERT_NE(a, nullptr);
    std::string prose;
    for (int i = 0; i < 100; ++i) prose += "the weather is fine and nothing happens today. ";
    const std::string text = prose + "TOK-abcd1234 and TOK-" + std::string(600, 'x') + " then " + prose;
    auto s = StreamAnalyzer::Create(a);
    ASSERT_TRUE(s.ok());
    std::vector<Finding> got;
    for (std::size_t p = 0; p < prose.size(); p += 16) {
      ASSERT_TRUE((*s)->Write(std::string_view(prose).substr(p, 16), &got).ok());
    }
    *out = (*s)->bytes_written() - (*s)->SafeOffset();
    std::vector<std::size_t> cuts;
    for (std::size_t p = 16; p < text.size(); p += 16) cuts.push_back(p);
    auto block = a->Analyze(text);
    ASSERT_TRUE(block.ok());
    ASSERT_FALSE(block->empty());
    EXPECT_TRUE(SameAll(*block, Stream(a, text, cuts))) << Describe(*block);
  };
  std::uint64_t token = 0, any = 0, unmarked = 0;
  trail("\\bTOK-[A-Za-z0-9]{4,1000}\\b", &token);
  // Every byte, but every match starts with the prefix "TOK-": the stream
  // marks where a prefix ended (internal::BoundedPrefix), and on text
  // without one nothing can be in progress more than 4 bytes back.
  trail("TOK-.{4,}", &any);
  // Every byte and no bounded prefix: the pattern's reach.
  trail("(?s).{4,}TOK-a", &unmarked);
  EXPECT_LT(token, 600u);  // the batching of writes and evaluation, not the reach
  EXPECT_LT(any, 600u);
  EXPECT_GE(unmarked, 1000u);
}

// The catalog's widest patterns that can match every byte: a secret
// assignment (bounded by its prefix marker, "api_key = ") and a block of
// source code (bounded by the run of code-shaped lines it begins). Streamed
// a few bytes at a time, each is found whole, as in block mode, and
// SafeOffset never passes its start while it is in progress (Stream checks
// that); on the prose before them the hold-back is not the 1 KiB reach.
TEST_F(StreamAnalyzerTest, WidePatternsInProgressHoldTheirStart) {
  std::string prose;
  for (int i = 0; i < 100; ++i) {
    prose += "the customer called about the renewal and nothing else changed.";
    prose += i % 4 == 3 ? "\n" : " ";
  }
  std::string value;
  std::mt19937 rng(3);
  const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 700; ++i) value += alnum[rng() % alnum.size()];
  const std::string secret = "config: api_key = \"" + value + "\"\n";
  const std::string code =
      "def load_config(path):\n    with open(path) as f:\n        data = json.load(f)\n"
      "    if not data:\n        return None\n    return data['settings']\n";
  const std::string text = prose + secret + prose + code + prose;
  auto block = A()->Analyze(text);
  ASSERT_TRUE(block.ok());
  auto has = [&](const char* detector, std::size_t begin_at_or_after) {
    return std::any_of(block->begin(), block->end(), [&](const Finding& f) {
      return f.detector == detector && f.span.begin >= begin_at_or_after;
    });
  };
  ASSERT_TRUE(has("secret_assignment", prose.size())) << Describe(*block);
  ASSERT_TRUE(has("source_code", 2 * prose.size() + secret.size())) << Describe(*block);
  ExpectStreamedAsBlock(A(), text, *block, {3u, 16u, 61u});
  // After the first prose alone, nothing holds the stream back 1 KiB.
  EXPECT_LT(TrailAfter(A(), prose), 900u);
}

// The two bounds for prose-wide patterns, each alone (no other detector's
// window or line can hold the stream back for them): while a match is in
// progress, SafeOffset stays at its start (Stream checks every write).
TEST(StreamFrontier, AMarkerHoldsTheStartOfAMatchInProgress) {
  auto a = OnePattern("TOK-[a-z ]{4,}!");
  ASSERT_NE(a, nullptr);
  std::string prose;
  for (int i = 0; i < 40; ++i) prose += "the weather is fine and nothing happens today. ";
  std::string body;
  while (body.size() < 900) body += "abc def ";
  const std::string text = prose + "TOK-" + body + "!" + prose;
  auto block = a->Analyze(text);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ(block->size(), 1u);
  EXPECT_EQ(block->front().span.begin, prose.size());
  std::vector<std::size_t> cuts;
  for (std::size_t p = 8; p < text.size(); p += 8) cuts.push_back(p);
  EXPECT_TRUE(SameAll(*block, Stream(a, text, cuts))) << Describe(*block);
}

// A window stays open until no later end can join it, so its matches are
// located after the text has moved on; meanwhile it holds the stream at the
// start of the run of its alphabet's bytes before each end. Here the match
// [1954, 1998) ends 50 bytes before the scan at 2,048 bytes (4-byte writes
// are gathered into 256-byte scans): its window is still open there and
// the 56-byte reach of the pattern no longer covers the match's start.
TEST(StreamFrontier, AnOpenWindowHoldsTheRunItsEndsCloseOver) {
  auto a = OnePattern("TOK-[a-z]{4,50}");
  ASSERT_NE(a, nullptr);
  std::string prose;
  while (prose.size() < 4000) prose += "the weather is fine and nothing happens today. ";
  const std::string before = prose.substr(0, 1953) + " ";
  const std::string text = before + "TOK-" + std::string(40, 'q') + " " + prose;
  auto block = a->Analyze(text);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ(block->size(), 1u) << Describe(*block);
  EXPECT_EQ(block->front().span.begin, 1954u);
  EXPECT_EQ(block->front().span.end, 1998u);
  std::vector<std::size_t> cuts;
  for (std::size_t p = 4; p < text.size(); p += 4) cuts.push_back(p);
  EXPECT_TRUE(SameAll(*block, Stream(a, text, cuts))) << Describe(*block);
}

// A pattern whose matches are a run of bytes with no space in it and a
// short tail (a German street address: the street word, then the number)
// holds the stream back by that word and the tail, not by its 1 KiB reach
// (internal::HeadAndTail); an address in progress is never released.
TEST(StreamFrontier, AHeadRunHoldsBackItsWordAndTail) {
  auto a = OnePattern(R"(\b[A-Z][a-z\-]+(?:strasse|weg|gasse)\s[0-9]{1,4}\b)");
  ASSERT_NE(a, nullptr);
  std::string text;
  while (text.size() < 1500) text += "We drove from Berlin to Hamburg today, nothing happened. ";
  EXPECT_LT(TrailAfter(a, text), 100u);
  const std::string with = text + "Send it to Lindenweg 12 or Hauptstrasse 5 please. " + text;
  auto block = a->Analyze(with);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ(block->size(), 2u) << Describe(*block);
  ExpectStreamedAsBlock(a, with, *block, {1u, 3u, 7u, 16u});
  // Cut once at every byte of a long address alone: the first write is
  // scanned whole, so the stream decides its safe offset there (Stream
  // checks that the finding is not reported after its start was released).
  const std::string one = text + "Send it to Oberkurfuerstendammgartenstrasse 5 please. " + text;
  auto one_block = a->Analyze(one);
  ASSERT_TRUE(one_block.ok());
  ASSERT_EQ(one_block->size(), 1u) << Describe(*one_block);
  const std::size_t at = one.find("Oberkurf");
  for (std::size_t cut = at; cut < at + 36; ++cut) {
    EXPECT_TRUE(SameAll(*one_block, Stream(a, one, {cut}))) << "cut at " << cut - at;
  }
}

// Forty short sentences, a line break after every fourth.
std::string LinedProse() {
  std::string prose;
  for (int i = 0; i < 40; ++i) prose += i % 4 == 3 ? "nothing happens today.\n" : "the weather is fine. ";
  return prose;
}

// An analyzer of the source_code detector alone.
Result<std::shared_ptr<const Analyzer>> SourceCodeOnly() {
  auto c = Catalog::LoadFile(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors/source_code.yaml");
  if (!c.ok()) return c.status();
  return Analyzer::Create(std::move(*c), {});
}

TEST(StreamFrontier, ARunOfCodeLinesHoldsItsFirstLine) {
  auto a = SourceCodeOnly();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::string prose = LinedProse();
  // The first two lines are longer than a scan batch, so that the stream
  // decides about the block's start before its third line (its first
  // possible end) arrives.
  const std::string code =
      "def load_config(path, retries=3, timeout=30, verbose=False, cache=None, strict=True, "
      "fallback=None, encoding='utf-8', mode='r', buffering=-1, errors=None, newline=None, "
      "closefd=True, opener=None, schema=None, defaults=None, overrides=None, env_prefix='APP_', "
      "watch=False, reload_interval=60):\n"
      "    with open(path, mode=mode, buffering=buffering, encoding=encoding, errors=errors, "
      "newline=newline, closefd=closefd, opener=opener) as f, lock(path, timeout=timeout, "
      "retries=retries, verbose=verbose) as guard, audit(path, schema=schema, strict=strict) as "
      "trail:\n"
      "        data = json.load(f)\n    if not data:\n        return None\n"
      "    return data['settings']\n";
  const std::string text = prose + code + prose;
  auto block = (*a)->Analyze(text);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ(block->size(), 1u) << Describe(*block);
  EXPECT_EQ(block->front().span.begin, prose.size());
  ExpectStreamedAsBlock(*a, text, *block, {1u, 5u, 16u});
}

// A run of code lines is located once a line that cannot be code follows
// it, not when its window closes (a later end may still join the window for
// 1 KiB): the text after the block is not held back to the block's start.
TEST(StreamFrontier, AnEndedRunOfCodeLinesIsLocatedAtOnce) {
  auto a = SourceCodeOnly();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::string prose = LinedProse();
  const std::string code =
      "def load_config(path):\n"
      "    with open(path, encoding='utf-8') as f:\n"
      "        data = json.load(f)\n    if not data:\n        return None\n"
      "    return data['settings']\n";
  std::string after = "nothing happens today.\n";
  for (int i = 0; i < 30; ++i) after += "the weather is fine. ";
  const std::string text = prose + code + after;
  auto block = (*a)->Analyze(text);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ(block->size(), 1u) << Describe(*block);
  EXPECT_EQ(block->front().span.begin, prose.size());
  ExpectStreamedAsBlock(*a, text, *block, {1u, 7u, 64u});
  // The block (and the prose before it) is released well before the
  // window would close: only the text after the block is held.
  EXPECT_LT(TrailAfter(*a, text), after.size());
}

// A name's span can begin before its seed (initials, a particle and the
// name before it: "K. N. Fukuda" from the seed "Fukuda"), so a stream holds
// back a few words before every name seed still to be decided, and no more:
// on lowercase prose the 256-byte expander window is not held back.
TEST_F(StreamAnalyzerTest, ANameHoldsTheWordsItMayGainOnTheLeft) {
  const std::string prose = LinedProse();
  const std::string text = prose + "we met with K. N. Fukuda yesterday. " + prose;
  auto block = A()->Analyze(text);
  ASSERT_TRUE(block.ok());
  const std::size_t at = prose.size() + std::string("we met with ").size();
  ASSERT_TRUE(std::any_of(block->begin(), block->end(),
                          [&](const Finding& f) { return f.span.begin == at && f.entity_type == "PERSON"; }))
      << Describe(*block);
  ExpectStreamedAsBlock(A(), text, *block, {1u, 4u, 13u});
  EXPECT_LT(TrailAfter(A(), prose), 600u);
}

// A name is decided once the text its expander can read has arrived
// (internal::NameReadEnd: here up to "yesterday"), not 256 bytes later.
// (The line break ends the sentence's line: a line still in progress may
// yet begin a run of code lines, which holds the stream at its start.)
TEST_F(StreamAnalyzerTest, ANameIsDecidedOnceTheWordsAfterItHaveArrived) {
  const std::string head = LinedProse() + "we met with Anna Becker yesterday.\n";
  std::string text = head;
  while (text.size() < head.size() + 200) text += "and the weather is fine ";
  auto s = StreamAnalyzer::Create(A());
  ASSERT_TRUE(s.ok());
  std::vector<Finding> got;
  for (std::size_t p = 0; p < text.size(); p += 16) ASSERT_TRUE((*s)->Write(text.substr(p, 16), &got).ok());
  const std::size_t at = head.find("Anna");
  EXPECT_TRUE(std::any_of(got.begin(), got.end(), [&](const Finding& f) {
    return f.span.begin == at && f.span.end == at + 11 && f.entity_type == "PERSON";
  })) << Describe(got);
}

// Texts made of what the name expander reads (names, initials, particles,
// suffixes, list separators, firm words, runs of commas and spaces, line
// breaks, apostrophes, non-ASCII capitals) stream to the findings of block
// mode, however they are cut: a name is never decided before the bytes its
// expander reads have arrived.
TEST(StreamFrontier, NameChainsStreamAsInBlockMode) {
  // person_name alone: no other pattern (a run of code lines, a cue with a
  // reach of 64 bytes) holds the stream back, so names are decided as soon
  // as the stream lets them be.
  auto c = Catalog::Parse(R"(
detectors:
  - id: person_name
    entity_type: PERSON
    data_class: personal
    jurisdiction: INTL
    patterns: ['\b[A-Z](?:[a-z]|[\xC3-\xC5])', '[\xC3-\xC5][\x80-\xBF][a-z\xC3-\xC5]']
    expander: person_name
    score: 0.6
)",
                          "names.yaml", ".");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto a = Analyzer::Create(std::move(*c), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Chains that read far: a firm word after a run of commas, a list, a run
  // of initials and names, particles. Cut once at every byte of each (the
  // first write is scanned whole, so the stream decides there).
  const std::string lead(300, 'x');
  for (const char* chain : {"we met Hawkins, Richardson , , , , , , , , , , , , LLC today",
                            "with Anna Becker & Reed Group yesterday",
                            "Szabina J Gelencsér and Mohmad R. Vizirov met",
                            "Ludwig van Beethoven, Daan de Vries en Kónya, Becker und Vasquez",
                            "Ann B. Carl D. Ed F. Gus H. Ivo J. Kai came", "Janet Burns called",
                            "Kónya and Vanderbiltington-Smythe und Oppenheimerova were there",
                            "the founders: Kónya, Becker, Marrero, Murphy and Vasquez Partners"}) {
    const std::string text = lead + " " + chain + " and the weather is fine. " + lead;
    auto block = (*a)->Analyze(text);
    ASSERT_TRUE(block.ok());
    for (std::size_t cut = lead.size(); cut < lead.size() + std::strlen(chain) + 12; ++cut) {
      ASSERT_TRUE(SameAll(*block, Stream(*a, text, {cut}))) << chain << ", cut at " << cut - lead.size();
    }
  }
  // Words that may continue a name, and words and gaps that end one; long
  // runs of the first kind make chains longer than the frontier's own wait.
  static const char* kChain[] = {
      "Anna", "Becker", "Kónya", "Fukuda", "Ludwig", "van", "de", "Vries", "K.", "N", "Jr.", "III",
      "PhD", "and", "und", "et", "y", "e", "en", "LLC", "Group", "Street", "O'Brien", "Jean-Luc",
      "Ölund", "Åsa", "Ford", "Motor", "Company", "Reed", "Hawkins", "Richardson", "Émile", "Zoë",
      "Mx", "Mrs.", "Dear", "Don't", "Øster"};
  static const char* kOther[] = {"met", "the", "from", "12", "signed", "by", "yesterday", "(x)"};
  static const char* kGaps[] = {", ", " , , ", "  ", "\n", " & ", ". ", ",", "\t", " ,& "};
  std::mt19937 rng(20261207);
  auto pick = [&](auto& arr) { return std::string(arr[rng() % std::size(arr)]); };
  int named = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string text;
    const int n = 100 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      text += rng() % 8 == 0 ? pick(kOther) : pick(kChain);
      text += rng() % 6 == 0 ? pick(kGaps) : " ";
    }
    auto block = (*a)->Analyze(text);
    ASSERT_TRUE(block.ok());
    named += block->empty() ? 0 : 1;
    const auto cuts = RandomCuts(text.size(), static_cast<std::uint32_t>(round), 1 + round % 40);
    ASSERT_TRUE(SameAll(*block, Stream(*a, text, cuts))) << "round " << round << ": " << text;
  }
  EXPECT_GT(named, 800);  // the texts do hold names
}

TEST_F(StreamAnalyzerTest, EmptyStreamAndEmptyChunks) {
  auto s = StreamAnalyzer::Create(A());
  ASSERT_TRUE(s.ok());
  std::vector<Finding> got;
  EXPECT_TRUE((*s)->Write("", &got).ok());
  EXPECT_TRUE((*s)->Finish(&got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ((*s)->SafeOffset(), 0u);
  EXPECT_FALSE((*s)->Finish(&got).ok());
}

}  // namespace
}  // namespace airlock::detect
