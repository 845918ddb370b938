// JSON records inside free text: values that only their key gives away.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/detect/analyzer.h"
#include "airlock/detect/catalog.h"
#include "airlock/detect/embedded.h"

namespace airlock::detect {
namespace {

std::shared_ptr<const Analyzer> Build() {
  auto c = Catalog::LoadDirectory(std::string(AIRLOCK_SOURCE_DATA_DIR) + "/detectors");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto a = Analyzer::Create(std::move(*c), AnalyzerOptions{});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return *a;
}

const Analyzer& A() {
  static const std::shared_ptr<const Analyzer> a = Build();
  return *a;
}

// "TYPE=value" for each finding, in order.
std::vector<std::string> Show(std::string_view text, const std::vector<Finding>& found) {
  std::vector<std::string> out;
  for (const Finding& f : found) out.push_back(f.entity_type + "=" + std::string(text.substr(f.span.begin, f.span.size())));
  return out;
}

std::vector<std::string> Embedded(std::string_view text) {
  auto found = EmbeddedFieldFindings(A(), text);
  EXPECT_TRUE(found.ok());
  return found.ok() ? Show(text, *found) : std::vector<std::string>{};
}

TEST(EmbeddedRecords, FieldValuesOfARecordInAPrompt) {
  const std::string text =
      "Summarise this contact: {\"attributes\": {\"type\": \"Contact\"}, \"LastName\": \"Tamm\", "
      "\"MailingStreet\": \"Allika 46\", \"MailingCity\": \"Tallinn\", \"Description\": \"VIP\"} thanks";
  EXPECT_EQ(Embedded(text), (std::vector<std::string>{"PERSON=Tamm", "STREET_ADDRESS=Allika 46"}));
  // The plain analysis does not see them: the key is the only clue.
  auto plain = A().Analyze(text);
  ASSERT_TRUE(plain.ok());
  for (const std::string& s : Show(text, *plain)) {
    EXPECT_EQ(s.find("Tamm"), std::string::npos) << s;
    EXPECT_EQ(s.find("Allika"), std::string::npos) << s;
  }
}

TEST(EmbeddedRecords, ArraysNestingAndEscapes) {
  // A REST query result; the street carries an escape, so its value is
  // decoded and the span still covers its bytes in the text.
  const std::string text =
      "Records: {\"totalSize\": 2, \"records\": [{\"LastName\": \"Virtanen\", \"MailingStreet\": "
      "\"Koskikatu 25 \\u00c4 4\"}, {\"Name\": \"Acme\", \"BillingStreet\": \"Jahu 80\"}]}";
  EXPECT_EQ(Embedded(text), (std::vector<std::string>{"PERSON=Virtanen", "STREET_ADDRESS=Koskikatu 25 \\u00c4 4",
                                                      "STREET_ADDRESS=Jahu 80"}));
  // An array of values takes the key of the array.
  EXPECT_EQ(Embedded("[{\"Street\": [\"Pikk 12\", \"n/a\"]}]"), (std::vector<std::string>{"STREET_ADDRESS=Pikk 12"}));
}

TEST(EmbeddedRecords, NotJsonIsSkipped) {
  EXPECT_TRUE(Embedded("use {braces} and [1] in prose; {\"LastName\": \"Tamm\"").empty());  // never closes
  EXPECT_TRUE(Embedded("{\"LastName\": \"Tamm\",}").empty());                                // not JSON
  // A record after a broken one is still found.
  EXPECT_EQ(Embedded("{\"a\": } then {\"LastName\": \"Tamm\"}"), (std::vector<std::string>{"PERSON=Tamm"}));
  // Prose full of brackets: a bounded number of tries, no finding, no error.
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "{\"x\" ";
  EXPECT_TRUE(Embedded(many).empty());
  EXPECT_TRUE(Embedded(many + "{\"LastName\": \"Tamm\"}").empty());  // past kMaxEmbeddedAttempts
}

TEST(EmbeddedRecords, MergeKeepsTheLargerSpanAndNoOverlaps) {
  auto finding = [](std::string type, std::size_t b, std::size_t e) {
    Finding f;
    f.entity_type = std::move(type);
    f.span = {b, e};
    return f;
  };
  std::vector<Finding> found = {finding("A", 0, 5), finding("B", 10, 14), finding("C", 20, 30)};
  MergeFindings(&found, {finding("inside", 21, 25), finding("covers", 9, 15), finding("partial", 4, 8),
                         finding("free", 40, 44)});
  std::vector<std::string> got;
  for (const Finding& f : found) got.push_back(f.entity_type);
  EXPECT_EQ(got, (std::vector<std::string>{"A", "covers", "C", "free"}));
}

}  // namespace
}  // namespace airlock::detect
