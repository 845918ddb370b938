#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  auto damaged = MappingFile::Open(path_, kKey);
  ASSERT_TRUE(damaged.ok());
  auto m = damaged->Read("s");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Status::Code::kCorruption);

  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes.substr(0, 30);
  EXPECT_FALSE(MappingFile::Open(path_, kKey).ok());
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << "hello";
  auto foreign = MappingFile::Open(path_, kKey);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("not a readable mapping file"), std::string::npos);
}

}  // namespace
}  // namespace airlock::transform
