#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "airlock/detect/edm.h"

namespace airlock::detect {
namespace {

const char* kSchema = R"(name: contacts
entity_type: CRM_CONTACT
data_class: personal
region: DE
columns:
  - {name: FirstName, type: name}
  - {name: LastName, type: name}
  - {name: Birthdate, type: date}
  - {name: Email, type: email}
  - {name: Phone, type: phone}
  - {name: Account, type: id}
match:
  - [FirstName, LastName, Birthdate]
  - [LastName, Email]
  - [Account]
)";

const char* kCsv =
    "Id,FirstName,LastName,Birthdate,Email,Phone,Account,Notes\n"
    "1,Anna,Schmidt,1985-03-12,anna.schmidt@example.de,+49 30 901820,DE89 3704 0044 0532 0130 00,x\n"
    "2,Jean-Luc,Dubois,1979-11-02,jl@example.fr,+33 1 42 68 53 00,FR7630006000011234567890189,\"a, \"\"quoted\"\" note\"\n"
    "3,Anna,Meyer,1990-01-01,anna.meyer@example.de,030 1234567,ACC-000123,y\n";

std::unique_ptr<EdmIndex> Build() {
  auto schema = EdmSchema::Parse(kSchema, "s.yaml");
  EXPECT_TRUE(schema.ok()) << schema.status().message();
  EdmBuildStats stats;
  auto idx = EdmIndex::BuildFromCsv(*schema, kCsv, &stats);
  EXPECT_TRUE(idx.ok()) << idx.status().message();
  EXPECT_EQ(stats.rows, 3u);
  EXPECT_EQ(stats.skipped_rows, 0u);
  return std::move(*idx);
}

std::vector<std::string> Details(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.detail);
  return out;
}

TEST(EdmTest, CombinationOfOneRecordMatchesDespiteCaseSpacingAndDateFormat) {
  auto idx = Build();
  const std::string text = "Re: ANNA  schmidt (born 12.03.1985) asked about her payslip.";
  const auto f = idx->Scan(text);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].detail, "row=1 columns=FirstName,LastName,Birthdate");
  EXPECT_EQ(f[0].entity_type, "CRM_CONTACT");
  EXPECT_EQ(text.substr(f[0].span.begin, f[0].span.end - f[0].span.begin),
            "ANNA  schmidt (born 12.03.1985");
}

TEST(EdmTest, SingleCommonValuesDoNotFire) {
  auto idx = Build();
  EXPECT_TRUE(idx->Scan("Anna called. Schmidt is on leave. Dubois too.").empty());
  // Values of two different records together are not one record.
  EXPECT_TRUE(idx->Scan("Anna Dubois, born 1985-03-12").empty());
}

TEST(EdmTest, ValuesScatteredAcrossALongTextAreNotARecord) {
  auto idx = Build();
  const std::string filler(600, '.');
  EXPECT_TRUE(idx->Scan("Anna wrote. " + filler + " Schmidt replied. " + filler + " 1985-03-12").empty());
  EXPECT_EQ(idx->Scan("Anna wrote; Schmidt replied on 1985-03-12.").size(), 1u);
}

TEST(EdmTest, SingleColumnCombinationFiresAloneAcrossSeparators) {
  auto idx = Build();
  const auto f = idx->Scan("wire to de89370400440532013000 today; also acc 000123?");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].detail, "row=1 columns=Account");
  EXPECT_EQ(Details(idx->Scan("ref: ACC-000123")), std::vector<std::string>{"row=3 columns=Account"});
}

TEST(EdmTest, EmailAndPhoneCanonicalForms) {
  auto idx = Build();
  EXPECT_EQ(Details(idx->Scan("Dubois <JL@Example.FR>")),
            std::vector<std::string>{"row=2 columns=LastName,Email"});
  // Phone alone is not a listed combination: nothing.
  EXPECT_TRUE(idx->Scan("call +49 (30) 901820").empty());
}

TEST(EdmTest, HyphenatedAndUnicodeNamesFoldCase) {
  auto schema = EdmSchema::Parse(
      "columns: [{name: F, type: name}, {name: L, type: name}]\nmatch: [[F, L]]\n", "s");
  ASSERT_TRUE(schema.ok());
  auto idx = EdmIndex::BuildFromCsv(*schema, "F,L\nJean-Luc,Müller-Lüdenscheidt\n");
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ((*idx)->Scan("JEAN-LUC MÜLLER-LÜDENSCHEIDT").size(), 1u);
  EXPECT_TRUE((*idx)->Scan("Jean Luc Müller").empty());
}

TEST(EdmTest, SaveLoadRoundTripHoldsNoValues) {
  auto idx = Build();
  const std::string path = ::testing::TempDir() + "/edm-test.idx";
  ASSERT_TRUE(idx->Save(path).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::group_all,
            std::filesystem::perms::none);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (const char* value : {"Schmidt", "schmidt", "anna.schmidt", "1985", "901820", "3704"}) {
    EXPECT_EQ(bytes.find(value), std::string::npos) << value << " is in the index file";
  }
  auto loaded = EdmIndex::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->records(), 3u);
  EXPECT_EQ(Details((*loaded)->Scan("anna schmidt 1985-03-12")),
            std::vector<std::string>{"row=1 columns=FirstName,LastName,Birthdate"});
}

TEST(EdmTest, CorruptedTruncatedAndForeignFilesAreRejected) {
  auto idx = Build();
  const std::string path = ::testing::TempDir() + "/edm-corrupt.idx";
  ASSERT_TRUE(idx->Save(path).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), {});
  }
  auto write = [&](const std::string& b) { std::ofstream(path, std::ios::binary) << b; };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x01;
  write(flipped);
  auto r = EdmIndex::Load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos);
  write(bytes.substr(0, bytes.size() - 10));
  EXPECT_FALSE(EdmIndex::Load(path).ok());
  write("hello, world\n");
  r = EdmIndex::Load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("wrong magic"), std::string::npos);
  EXPECT_FALSE(EdmIndex::Load(path + ".missing").ok());
}

TEST(EdmTest, BadSchemasAndExportsNameTheProblem) {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  for (const Case& c : {Case{"columns: [{name: A, type: blob}]\nmatch: [[A]]\n", "unknown column type 'blob'"},
                        Case{"columns: [{name: A}]\nmatch: [[B]]\n", "names column 'B' not in columns"},
                        Case{"columns: [{name: A}]\n", "schema needs 'match'"},
                        Case{"colums: []\n", "unknown key 'colums'"}}) {
    auto s = EdmSchema::Parse(c.yaml, "s.yaml");
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_NE(s.status().message().find(c.expect), std::string::npos) << s.status().message();
    EXPECT_EQ(s.status().message().rfind("s.yaml:", 0), 0u);
  }
  auto schema = EdmSchema::Parse(kSchema, "s.yaml");
  auto r = EdmIndex::BuildFromCsv(*schema, "Id,FirstName\n1,Anna\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column 'LastName'"), std::string::npos);
  r = EdmIndex::BuildFromCsv(*schema, "");
  EXPECT_FALSE(r.ok());
  r = EdmIndex::BuildFromCsv(*schema, "FirstName,LastName,Birthdate,Email,Phone,Account\n\"unterminated,x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unterminated quoted field"), std::string::npos);
}

}  // namespace
}  // namespace airlock::detect
