#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "airlock/transform/transform.h"

namespace airlock::transform {
namespace {

const std::string kKey(64, 'a');    // hex
const std::string kOther(64, 'b');

class MappingFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mapfile-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "m.vault").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Bytes() {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& bytes) { std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes; }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(MappingFileTest, RoundTripAcrossOpensWithNothingInClear) {
  {
    auto f = MappingFile::Open(path_, kKey);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    auto m = f->Read("export-1");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->Surrogate("PERSON", "Erika Mustermann"), "<PERSON_1>");
    EXPECT_EQ(m->Surrogate("PERSON", "Jonas Weber"), "<PERSON_2>");
    ASSERT_TRUE(f->Put("export-1", *m).ok());
    ASSERT_TRUE(f->Save().ok());
  }
  const std::string bytes = Bytes();
  for (const char* clear : {"Erika", "Jonas", "PERSON", "export-1"})
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  EXPECT_EQ(std::filesystem::status(path_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto f = MappingFile::Open(path_, kKey);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Has("export-1"));
  EXPECT_FALSE(f->Has("export-2"));
  auto m = f->Read("export-1");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value_of.at("<PERSON_2>"), "Jonas Weber");
  EXPECT_EQ(m->Surrogate("PERSON", "Erika Mustermann"), "<PERSON_1>");  // stable
  EXPECT_EQ(m->Surrogate("PERSON", "Lena Vogel"), "<PERSON_3>");        // numbering continues
  auto other = f->Read("export-2");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->value_of.empty());
  EXPECT_TRUE(f->Forget("export-1"));
  ASSERT_TRUE(f->Save().ok());
  auto again = MappingFile::Open(path_, kKey);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->Has("export-1"));
}

TEST_F(MappingFileTest, WrongKeyAndDamageAreClearErrors) {
  {
    auto f = MappingFile::Open(path_, kKey);
    ASSERT_TRUE(f.ok());
    Mapping m;
    m.Surrogate("EMAIL_ADDRESS", "a@example.org");
    ASSERT_TRUE(f->Put("s", m).ok());
    ASSERT_TRUE(f->Save().ok());
  }
  auto wrong = MappingFile::Open(path_, kOther);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("does not open"), std::string::npos);
  EXPECT_FALSE(MappingFile::Open(path_, "short").ok());

  std::string bytes = Bytes();
  bytes[bytes.size() - 3] ^= 1;  // inside the entry's ciphertext / tag
  Write(bytes);
  auto damaged = MappingFile::Open(path_, kKey);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kCorruption);
  EXPECT_NE(damaged.status().message().find("do not match its manifest"), std::string::npos);

  Write(bytes.substr(0, 30));
  EXPECT_FALSE(MappingFile::Open(path_, kKey).ok());
  Write("hello");
  auto foreign = MappingFile::Open(path_, kKey);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("not a readable mapping file"), std::string::npos);
}

// The ledger as the CLI keeps it, in memory.
class MemoryLedger : public MappingGenerationLedger {
 public:
  Result<std::optional<Record>> Get(const std::string& path) override {
    auto it = records.find(path);
    if (it == records.end()) return std::optional<Record>();
    return std::optional<Record>(it->second);
  }
  Status Put(const std::string& path, const Record& r) override {
    records[path] = r;
    return Status::Ok();
  }
  std::map<std::string, Record> records;
};

Mapping OneValue(const char* value) {
  Mapping m;
  m.Surrogate("PERSON", value);
  return m;
}

// Opens `path` with `ledger`, keeps one value under `scope` and saves.
void SaveOne(const std::string& path, MemoryLedger* ledger, const char* scope) {
  auto f = MappingFile::Open(path, kKey, ledger);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(f->Put(scope, OneValue("Erika Mustermann")).ok());
  ASSERT_TRUE(f->Save().ok());
}

TEST_F(MappingFileTest, GenerationGrowsPerSaveAndTheLedgerFollows) {
  MemoryLedger ledger;
  for (unsigned i = 1; i <= 3; ++i) {
    auto f = MappingFile::Open(path_, kKey, &ledger);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->generation(), i - 1);
    ASSERT_TRUE(f->Put("scope-" + std::to_string(i), OneValue("Erika Mustermann")).ok());
    ASSERT_TRUE(f->Save().ok());
    EXPECT_EQ(f->generation(), i);
  }
  ASSERT_EQ(ledger.records.size(), 1u);
  EXPECT_EQ(ledger.records.begin()->second.generation, 3u);
  EXPECT_EQ(ledger.records.begin()->second.file_id.size(), 16u);
  EXPECT_TRUE(std::filesystem::path(ledger.records.begin()->first).is_absolute());
}

TEST_F(MappingFileTest, AnOlderCopyPutBackIsRefusedAndAForgottenScopeStaysForgotten) {
  MemoryLedger ledger;
  SaveOne(path_, &ledger, "hr-2026");
  const std::string before_forget = Bytes();
  {
    auto f = MappingFile::Open(path_, kKey, &ledger);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Forget("hr-2026"));
    ASSERT_TRUE(f->Save().ok());
  }
  // The copy from before Forget, put back whole: authentic, but old.
  Write(before_forget);
  auto rolled = MappingFile::Open(path_, kKey, &ledger);
  ASSERT_FALSE(rolled.ok());
  EXPECT_EQ(rolled.status().code(), Status::Code::kCorruption);
  EXPECT_NE(rolled.status().message().find("rolled back: it is generation 1, generation 2 was written"),
            std::string::npos)
      << rolled.status().message();
  // Without a ledger the same copy opens: the ledger is what catches it.
  auto unchecked = MappingFile::Open(path_, kKey);
  ASSERT_TRUE(unchecked.ok());
  EXPECT_TRUE(unchecked->Has("hr-2026"));
}

TEST_F(MappingFileTest, EntriesSplicedFromAnotherCopyFailTheManifest) {
  std::string two, one;
  {
    auto f = MappingFile::Open(path_, kKey);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Put("a", OneValue("Erika Mustermann")).ok());
    ASSERT_TRUE(f->Put("b", OneValue("Jonas Weber")).ok());
    ASSERT_TRUE(f->Save().ok());
    two = Bytes();
    ASSERT_TRUE(f->Forget("b"));
    ASSERT_TRUE(f->Save().ok());
    one = Bytes();
  }
  // The newer header with the older entries ("b" brought back), and the
  // newer file with its last entry cut off.
  ASSERT_LT(one.size(), two.size());
  const std::size_t header = one.size() - (two.size() - one.size());
  ASSERT_GT(header, 19u);
  for (const std::string& forged : {one.substr(0, header) + two.substr(header), one.substr(0, header)}) {
    Write(forged);
    auto f = MappingFile::Open(path_, kKey);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.status().message().find("do not match its manifest"), std::string::npos)
        << f.status().message();
  }
}

TEST_F(MappingFileTest, AMissingOrDifferentFileIsRefusedOnceTheLedgerKnowsIt) {
  MemoryLedger ledger;
  SaveOne(path_, &ledger, "s");
  const std::string mine = Bytes();
  std::filesystem::remove(path_);
  auto missing = MappingFile::Open(path_, kKey, &ledger);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing, but generation 1"), std::string::npos);
  // Another file (its own id) in its place, even at a higher generation.
  {
    MemoryLedger other_ledger;
    for (int i = 0; i < 3; ++i) {
      auto f = MappingFile::Open(path_, kKey, &other_ledger);
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE(f->Save().ok());
    }
  }
  auto other = MappingFile::Open(path_, kKey, &ledger);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not the mapping file that was last written here"),
            std::string::npos);
  Write(mine);
  EXPECT_TRUE(MappingFile::Open(path_, kKey, &ledger).ok());
}

TEST_F(MappingFileTest, FirstFormatFilesOpenOnlyWhileTheLedgerIsEmpty) {
  // magic, then (u32 length, bytes) fields: nonce and the sealed key check.
  auto field = [](std::string_view b) {
    const uint32_t n = static_cast<uint32_t>(b.size());
    return std::string(reinterpret_cast<const char*>(&n), sizeof n) + std::string(b);
  };
  const std::string raw_key(32, '\xaa');  // kKey is 64 x 'a' in hex
  const std::string nonce(12, '\x01');
  auto check = Seal(raw_key, nonce, "key-check", "airlock mapping file key check");
  ASSERT_TRUE(check.ok());
  Write("AIRLOCK-MAPPINGS-1\n" + field(nonce) + field(*check));
  MemoryLedger ledger;
  {
    auto f = MappingFile::Open(path_, kKey, &ledger);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->generation(), 0u);
  }
  const std::string v1 = Bytes();
  {
    auto f = MappingFile::Open(path_, kKey, &ledger);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Save().ok());  // rewritten in the second format
  }
  EXPECT_EQ(Bytes().rfind("AIRLOCK-MAPPINGS-2\n", 0), 0u);
  Write(v1);
  auto downgraded = MappingFile::Open(path_, kKey, &ledger);
  ASSERT_FALSE(downgraded.ok());
  EXPECT_NE(downgraded.status().message().find("not the mapping file that was last written here"),
            std::string::npos);
}

}  // namespace
}  // namespace airlock::transform
