#include "airlock/transform/transform.h"

#include <gtest/gtest.h>

#include <thread>

namespace airlock::transform {
namespace {

const std::string kKey(32, 'k');

TEST(TransformTest, SealOpenAndTamper) {
  auto ct = Seal(kKey, "123456789012", "aad", "secret mapping");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->find("secret"), std::string::npos);
  auto pt = Open(kKey, "123456789012", "aad", *ct);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(*pt, "secret mapping");
  std::string bad = *ct;
  bad[0] ^= 1;
  EXPECT_EQ(Open(kKey, "123456789012", "aad", bad).status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(Open(kKey, "123456789012", "other aad", *ct).ok());
}

TEST(TransformTest, VaultSurrogatesAreStablePerConversation) {
  auto v = Vault::Create(kKey, std::chrono::seconds(60));
  ASSERT_TRUE(v.ok());
  std::string a1, a2, b1, other;
  ASSERT_TRUE((*v)->Update("conv", [&](Mapping& m) {
    a1 = m.Surrogate("PERSON", "Max");
    b1 = m.Surrogate("PERSON", "Erika");
  }).ok());
  ASSERT_TRUE((*v)->Update("conv", [&](Mapping& m) { a2 = m.Surrogate("PERSON", "Max"); }).ok());
  ASSERT_TRUE((*v)->Update("conv2", [&](Mapping& m) { other = m.Surrogate("PERSON", "Erika"); }).ok());
  EXPECT_EQ(a1, "<PERSON_1>");
  EXPECT_EQ(b1, "<PERSON_2>");
  EXPECT_EQ(a2, a1);
  EXPECT_EQ(other, "<PERSON_1>");  // another conversation, its own numbering
  auto m = (*v)->Read("conv");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value_of.at("<PERSON_2>"), "Erika");
  // A new surrogate after reopening continues the numbering.
  std::string c3;
  ASSERT_TRUE((*v)->Update("conv", [&](Mapping& mm) { c3 = mm.Surrogate("PERSON", "Hans"); }).ok());
  EXPECT_EQ(c3, "<PERSON_3>");
}

TEST(TransformTest, VaultForgetsAfterTtl) {
  auto v = Vault::Create(std::string(64, 'a'), std::chrono::seconds(1));
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE((*v)->Update("c", [](Mapping& m) { m.Surrogate("IBAN_CODE", "DE89"); }).ok());
  EXPECT_EQ((*v)->size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE((*v)->Read("c")->value_of.empty());
  EXPECT_FALSE(Vault::Create("short", std::chrono::seconds(1)).ok());
}

TEST(TransformTest, RehydrateWholeAndJson) {
  Mapping m;
  const std::string s = m.Surrogate("PERSON", "Max \"Maxi\" M");
  EXPECT_EQ(Rehydrate("Hi " + s + ", <UNKNOWN_1> <", m, false), "Hi Max \"Maxi\" M, <UNKNOWN_1> <");
  EXPECT_EQ(Rehydrate("{\"n\":\"" + s + "\"}", m, true), "{\"n\":\"Max \\\"Maxi\\\" M\"}");
}

TEST(TransformTest, StreamRehydratorHandlesEverySplit) {
  Mapping m;
  const std::string s = m.Surrogate("IBAN_CODE", "DE89 3704");
  const std::string text = "pay <x> to " + s + " now <" ;
  const std::string want = "pay <x> to DE89 3704 now <";
  for (std::size_t a = 0; a <= text.size(); ++a) {
    for (std::size_t b = a; b <= text.size(); b += 3) {
      StreamRehydrator r(&m, false);
      std::string out = r.Feed(text.substr(0, a));
      out += r.Feed(text.substr(a, b - a));
      out += r.Feed(text.substr(b));
      out += r.Finish();
      ASSERT_EQ(out, want) << a << "," << b;
    }
  }
}

TEST(TransformTest, OperatorsAndReplacements) {
  EXPECT_EQ(ApplyReplacements("abcdef", {{{4, 5}, "E"}, {{0, 2}, "X"}}), "XcdEf");
  EXPECT_EQ(RedactMarker("IBAN_CODE"), "[REDACTED:IBAN_CODE]");
  const std::string h1 = Hash("DE89", "IBAN_CODE", "k1"), h2 = Hash("DE89", "IBAN_CODE", "k2");
  EXPECT_NE(h1, h2);
  EXPECT_EQ(h1, Hash("DE89", "IBAN_CODE", "k1"));
  EXPECT_EQ(Mask("DE89 3704 0044 0532 0130 00", "IBAN_CODE").find("3704"), std::string::npos);
}

TEST(TransformTest, MinimiseSalesforceRecords) {
  ObjectRules rules{{"Contact", {{"Name", "Email"}, {}}}, {"Account", {{}, {"AnnualRevenue"}}}};
  bool changed = false;
  const std::string out = MinimiseRecords(
      R"({"records":[{"attributes":{"type":"Contact"},"Name":"A","Email":"e","Phone":"p"},)"
      R"({"attributes":{"type":"Account"},"Name":"Acme","AnnualRevenue":5},{"attributes":{"type":"Lead"},"Phone":"q"}]})",
      rules, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(out.find("\"p\""), std::string::npos);
  EXPECT_EQ(out.find("AnnualRevenue"), std::string::npos);
  EXPECT_NE(out.find("\"q\""), std::string::npos);  // no rule for Lead
  EXPECT_NE(out.find("Acme"), std::string::npos);
  EXPECT_EQ(MinimiseRecords("not json {", rules, &changed), "not json {");
  EXPECT_FALSE(changed);
}

}  // namespace
}  // namespace airlock::transform
