#include <gtest/gtest.h>

#include <fstream>

#include "airlock/detect/doc_fingerprint.h"

namespace airlock::detect {
namespace {

// Public-domain text (US Declaration of Independence, 1776).
const char* kDoc =
    "When in the Course of human events, it becomes necessary for one people to dissolve the "
    "political bands which have connected them with another, and to assume among the powers of "
    "the earth, the separate and equal station to which the Laws of Nature and of Nature's God "
    "entitle them, a decent respect to the opinions of mankind requires that they should declare "
    "the causes which impel them to the separation.\n\n"
    "We hold these truths to be self-evident, that all men are created equal, that they are "
    "endowed by their Creator with certain unalienable Rights, that among these are Life, Liberty "
    "and the pursuit of Happiness. That to secure these rights, Governments are instituted among "
    "Men, deriving their just powers from the consent of the governed.\n";

std::unique_ptr<DocumentIndex> Build() {
  auto idx = DocumentIndex::Create();
  idx->AddDocument("declaration.txt", kDoc);
  idx->AddDocument("other.txt",
                   "Minutes of the quarterly planning meeting. Attendees discussed the roadmap, "
                   "the hiring plan and the budget for the next two quarters in detail.");
  idx->Finish();
  return idx;
}

TEST(DocFingerprintTest, CopiedParagraphFoundDespiteCaseAndWhitespace) {
  auto idx = Build();
  const std::string prompt =
      "Please summarise this for me:\n\nWE HOLD these truths to be self-evident,   that all men "
      "are created\nequal, that they are endowed by their Creator with certain unalienable "
      "Rights, that among these are Life, Liberty and the pursuit of Happiness.\nThanks!";
  const auto f = idx->Scan(prompt);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].entity_type, "PROTECTED_DOCUMENT");
  EXPECT_EQ(f[0].data_class, DataClass::kConfidential);
  EXPECT_NE(f[0].detail.find("document=declaration.txt share=0."), std::string::npos);
  EXPECT_GE(f[0].span.begin, prompt.find("WE HOLD"));
  EXPECT_LE(f[0].span.end, prompt.find("Thanks"));
}

TEST(DocFingerprintTest, ReorderedParagraphsWithEditsStillMatch) {
  auto idx = Build();
  const std::string prompt =
      "That to secure these rights, Governments are instituted among Men, deriving their just "
      "powers from the consent of the governed. "
      "When in the course of human events, it becomes necessary for a people to dissolve the "
      "political bands which have connected them with another";
  const auto f = idx->Scan(prompt);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].detail.find("declaration.txt"), std::string::npos);
}

TEST(DocFingerprintTest, UnrelatedAndShortOverlapsDoNotFire) {
  auto idx = Build();
  EXPECT_TRUE(idx->Scan("The quarterly report shows strong growth in all regions of the "
                        "business, and the board approved the plan.")
                  .empty());
  // Eight shared words are a quotation, not a copy.
  EXPECT_TRUE(idx->Scan("As they say, all men are created equal, that they are endowed; fine.").empty());
}

TEST(DocFingerprintTest, WinnowingGuaranteeHolds) {
  // Any shared run of window + k - 1 words yields a shared fingerprint.
  auto idx = DocumentIndex::Create({5, 4, 1, 0});
  const std::string doc = kDoc;
  const auto doc_fps = idx->Winnow(doc);
  ASSERT_FALSE(doc_fps.empty());
  const std::string excerpt = "created equal, that they are endowed by their Creator";  // 9 words
  const auto ex_fps = idx->Winnow(excerpt);
  bool shared = false;
  for (const auto& a : ex_fps) {
    for (const auto& b : doc_fps) shared = shared || a.hash == b.hash;
  }
  EXPECT_TRUE(shared);
}

TEST(DocFingerprintTest, SaveLoadAndCorruption) {
  auto idx = Build();
  const std::string path = ::testing::TempDir() + "/docs-test.idx";
  ASSERT_TRUE(idx->Save(path).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), {});
  }
  EXPECT_EQ(bytes.find("unalienable"), std::string::npos);
  auto loaded = DocumentIndex::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->documents(), 2u);
  EXPECT_EQ((*loaded)->Scan(std::string("x ") + kDoc).size(), 1u);
  bytes[40] ^= 0x10;
  std::ofstream(path, std::ios::binary) << bytes;
  auto bad = DocumentIndex::Load(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("checksum mismatch"), std::string::npos);
}

TEST(DocFingerprintTest, ExtractsDocxText) {
  // A minimal DOCX written with the zip tool is not available here; a
  // non-zip .docx must be refused with the reason.
  const std::string path = ::testing::TempDir() + "/fake.docx";
  std::ofstream(path) << "not a zip";
  auto r = ExtractDocumentText(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a DOCX"), std::string::npos);
  const std::string pdf = ::testing::TempDir() + "/fake.pdf";
  std::ofstream(pdf) << "%PDF-1.4 broken";
  EXPECT_FALSE(ExtractDocumentText(pdf).ok());
}

TEST(DocFingerprintTest, ExtractsAttachmentBytesByWhatTheyAre) {
  auto text = ExtractDocumentBytes("Plain notes about the renewal.\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "Plain notes about the renewal.\n");
  // Neither PDF, DOCX nor UTF-8 text: refused, saying which kinds are read,
  // without quoting the content.
  for (std::string_view bad : {std::string_view("\x89PNG\r\n\x1a\nsecret", 14), std::string_view("a\0b", 3),
                               std::string_view("caf\xe9 secret")}) {
    auto r = ExtractDocumentBytes(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("neither PDF, DOCX nor UTF-8 text"), std::string::npos);
    EXPECT_EQ(r.status().message().find("secret"), std::string::npos);
  }
  auto pdf = ExtractDocumentBytes("%PDF-1.4 broken secret");
  ASSERT_FALSE(pdf.ok());
  EXPECT_NE(pdf.status().message().find("not a readable PDF"), std::string::npos);
  auto zip = ExtractDocumentBytes(std::string_view("PK\x03\x04 truncated secret", 22));
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace airlock::detect
