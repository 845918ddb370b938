#include "airlock/server/keys.h"

#include <gtest/gtest.h>

#include <filesystem>


namespace airlock::server {
namespace {

std::shared_ptr<store::Database> TempDb(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("airlock_test_" + name + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto db = store::Database::Open((dir / "store.db").string());
  EXPECT_TRUE(db.ok()) << db.status().message();
  return *db;
}

TEST(KeyStoreTest, CreateAuthenticateRevokeExpire) {
  KeyStore ks(TempDb("keys"));
  policy::Principal p{"alice", "acme", {"sales", "hr"}, "DE"};
  KeyInfo info;
  auto key = ks.Create(p, /*expires_ms=*/2000, /*now_ms=*/1000, &info);
  ASSERT_TRUE(key.ok());
  auto who = ks.Authenticate(*key, 1500);
  ASSERT_TRUE(who.ok()) << who.status().message();
  EXPECT_EQ(who->roles, (std::vector<std::string>{"sales", "hr"}));
  EXPECT_EQ(who->jurisdiction, "DE");
  EXPECT_NE(ks.Authenticate(*key, 2500).status().message().find("expired"), std::string::npos);
  std::string wrong = *key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(ks.Authenticate(wrong, 1500).ok());
  EXPECT_EQ(ks.Authenticate("", 1500).status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(ks.Authenticate("alk_short", 1500).ok());
  ASSERT_TRUE(ks.Revoke(info.id, 1600).ok());
  EXPECT_NE(ks.Authenticate(*key, 1700).status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(ks.Revoke("0000000000000000", 1).code(), Status::Code::kNotFound);
  auto list = ks.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].revoked_ms, 1600);
}

// The lookup's statement is prepared once and reused: a key revoked through
// another connection to the same file (the CLI, while the server runs) is
// refused on the next lookup, and a cached statement starts unbound.
TEST(KeyStoreTest, RevokedThroughAnotherConnectionIsRefusedNext) {
  auto db = TempDb("keys_two");
  KeyStore server(db);
  policy::Principal p{"alice", "acme", {"sales"}, "DE"};
  KeyInfo info;
  auto key = server.Create(p, 0, 1000, &info);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(server.Authenticate(*key, 1100).ok());
  ASSERT_TRUE(server.Authenticate(*key, 1200).ok());
  auto other = store::Database::Open(db->path());
  ASSERT_TRUE(other.ok()) << other.status().message();
  KeyStore cli(*other);
  ASSERT_TRUE(cli.Revoke(info.id, 1300).ok());
  EXPECT_NE(server.Authenticate(*key, 1400).status().message().find("revoked"), std::string::npos);

  auto lock = db->Lock();
  auto a = db->Cached("SELECT ?1 IS NULL");
  ASSERT_TRUE(a.ok());
  (*a)->Bind(1, int64_t{5});
  ASSERT_EQ((*a)->Next(), store::Statement::Step::kRow);
  EXPECT_EQ((*a)->Int(0), 0);
  auto b = db->Cached("SELECT ?1 IS NULL");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  ASSERT_EQ((*b)->Next(), store::Statement::Step::kRow);
  EXPECT_EQ((*b)->Int(0), 1);  // bindings cleared
  (*b)->Reset();
}

// The CLI audits a key between drawing its id and storing it: the hook sees
// the id that is stored, and its error stores nothing.
TEST(KeyStoreTest, BeforeInsertSeesTheIdAndItsErrorStoresNothing) {
  KeyStore ks(TempDb("keys_hook"));
  policy::Principal p{"alice", "acme", {"sales"}, "DE"};
  KeyInfo seen;
  auto refused = ks.Create(p, 0, 1000, nullptr, [&](const KeyInfo& k) {
    seen = k;
    return Status::IoError("trail down");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "trail down");
  EXPECT_EQ(seen.id.size(), 16u);
  EXPECT_EQ(seen.principal.id, "alice");
  auto none = ks.List();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  KeyInfo info;
  std::string hook_id;
  auto key = ks.Create(p, 0, 1000, &info, [&](const KeyInfo& k) {
    hook_id = k.id;
    return Status::Ok();
  });
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(hook_id, info.id);
  EXPECT_EQ(key->substr(4, 16), info.id);
  EXPECT_TRUE(ks.Authenticate(*key, 1500).ok());
}

}  // namespace
}  // namespace airlock::server
