// The verify report's JSON, built once (verify_json.h) for `airlock audit
// verify -f json` (ordered keys) and GET /admin/v1/chain (sorted keys). The
// expected texts are what each of them printed before the two builders were
// merged: the bytes must not change. Also: the CLI's reason codes.
#include "airlock/audit/verify_json.h"

#include <gtest/gtest.h>

#include "airlock/audit/event.h"
#include "airlock/audit/format.h"

namespace airlock::audit {
namespace {

VerifyReport Sample() {
  VerifyReport r;
  r.chains.push_back({"gw-a", 1, 5, 5, 3, 5, 0});
  r.chains.push_back({"gw-b", 1, 2, 2, 3, 2, 0});
  r.problems.push_back({ProblemKind::kModified, "gw-b", 3, "the principal column differs from the record"});
  return r;
}

TEST(VerifyJson, CliTextIsUnchanged) {
  const auto j = VerifyReportToJson<nlohmann::ordered_json>(Sample(), {}, "2b658a0975fcd90d");
  EXPECT_EQ(j.dump(2), R"({
  "ok": false,
  "events": 7,
  "key_id": "2b658a0975fcd90d",
  "chains": [
    {
      "instance": "gw-a",
      "first_seq": 1,
      "last_seq": 5,
      "events": 5,
      "checkpoints": 3,
      "last_checkpoint_seq": 5,
      "unsigned_tail": 0
    },
    {
      "instance": "gw-b",
      "first_seq": 1,
      "last_seq": 2,
      "events": 2,
      "checkpoints": 3,
      "last_checkpoint_seq": 2,
      "unsigned_tail": 0
    }
  ],
  "problems": [
    {
      "instance": "gw-b",
      "seq": 3,
      "kind": "modified",
      "detail": "the principal column differs from the record"
    }
  ]
})");
}

TEST(VerifyJson, AdminTextIsUnchanged) {
  const auto j = VerifyReportToJson<nlohmann::json>(Sample(), "airlock.chain");
  EXPECT_EQ(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            R"({"chains":[{"checkpoints":3,"events":5,"first_seq":1,"instance":"gw-a","last_checkpoint_seq":5,)"
            R"("last_seq":5,"unsigned_tail":0},{"checkpoints":3,"events":2,"first_seq":1,"instance":"gw-b",)"
            R"("last_checkpoint_seq":2,"last_seq":2,"unsigned_tail":0}],"events":7,"object":"airlock.chain",)"
            R"("ok":false,"problems":[{"detail":"the principal column differs from the record","instance":"gw-b",)"
            R"("kind":"modified","seq":3}]})");
}

TEST(VerifyJson, EmptyTrailAndOptionalKeys) {
  const auto j = VerifyReportToJson<nlohmann::ordered_json>(VerifyReport{});
  EXPECT_EQ(j.dump(), R"({"ok":true,"events":0,"chains":[],"problems":[]})");
}

TEST(AuditEvent, CliReasonCodesAreAppended) {
  // The numbers are the stored format (docs/audit-format.md): never renumbered.
  const std::pair<Reason, const char*> codes[] = {{Reason::kKeyCreated, "key_created"},
                                                  {Reason::kKeyRevoked, "key_revoked"},
                                                  {Reason::kReidentified, "reidentified"},
                                                  {Reason::kScopeForgotten, "scope_forgotten"},
                                                  {Reason::kSanitized, "sanitized"}};
  const unsigned numbers[] = {17, 18, 28, 29, 30};
  for (std::size_t i = 0; i < std::size(codes); ++i) {
    EXPECT_EQ(static_cast<unsigned>(codes[i].first), numbers[i]);
    EXPECT_EQ(ReasonName(codes[i].first), codes[i].second);
    Reason back{};
    ASSERT_TRUE(ParseReason(codes[i].second, &back));
    EXPECT_EQ(back, codes[i].first);
  }
  // And they survive the canonical bytes.
  Event e;
  e.instance = "cli-host";
  e.seq = 1;
  e.time_us = 1;
  e.kind = EventKind::kAdmin;
  e.reasons = {Reason::kReidentified, Reason::kScopeForgotten, Reason::kSanitized};
  auto back = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, e);
}

}  // namespace
}  // namespace airlock::audit
