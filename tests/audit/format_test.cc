// Canonical bytes: round trip, determinism, and that only canonical bytes
// decode (every deviation is Corruption naming a byte offset).
#include "airlock/audit/format.h"

#include <gtest/gtest.h>

#include "airlock/audit/event.h"
#include "airlock/core/bytes.h"
#include "airlock/core/crypto.h"

namespace airlock::audit {
namespace {

Event Sample() {
  Event e;
  e.instance = "gw-1";
  e.seq = 42;
  e.time_us = 1764300000123456;
  e.kind = EventKind::kRequest;
  e.request_id = "req-7";
  e.principal = "crm-sync";
  e.workflow = "hr-summary";
  e.backend = "local-llama";
  e.decision = Decision::kRedact;
  e.reasons = {Reason::kDataClassNotAllowed, Reason::kJurisdictionNotAllowed};
  e.status = 200;
  e.latency_us = 1500;
  e.request_bytes = 2048;
  e.response_bytes = 512;
  e.prompt_tokens = 300;
  e.completion_tokens = 80;
  e.findings = {{"IBAN_CODE", "financial", 2}, {"EMAIL_ADDRESS", "contact", 1}};
  ValueFingerprint fp;
  fp.entity_type = "IBAN_CODE";
  fp.mac.fill(0xab);
  e.fingerprints = {fp};
  return e;
}

TEST(AuditFormat, RoundTrip) {
  Event e = Sample();
  ASSERT_TRUE(Validate(e).ok());
  std::string rec = EncodeEvent(e);
  auto back = DecodeEvent(rec);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  // Findings come back sorted.
  std::swap(e.findings[0], e.findings[1]);
  EXPECT_EQ(*back, e);
  EXPECT_EQ(EncodeEvent(*back), rec);
}

TEST(AuditFormat, KnownBytes) {
  // The byte layout of docs/audit-format.md, checked on a minimal event.
  Event e;
  e.instance = "a";
  e.seq = 1;
  e.time_us = 2;
  e.kind = EventKind::kAdmin;
  std::string rec = EncodeEvent(e);
  std::string want = std::string("\x01\x03\x00", 3) +
                     "\x01"
                     "a" +
                     std::string("\x01\0\0\0\0\0\0\0", 8) + std::string("\x02\0\0\0\0\0\0\0", 8) +
                     std::string(4, '\0') +   // four empty identifiers
                     std::string(2, '\0') +   // status
                     std::string(24, '\0') +  // latency, request and response bytes
                     std::string(8, '\0') +   // tokens
                     std::string(1, '\0') +   // reasons
                     std::string(2, '\0') +   // findings
                     std::string(2, '\0');    // fingerprints
  EXPECT_EQ(HexEncode(rec), HexEncode(want));
}

TEST(AuditFormat, EqualEventsEncodeEqually) {
  Event a = Sample();
  Event b = Sample();
  std::reverse(b.findings.begin(), b.findings.end());
  b.fingerprints.push_back(b.fingerprints[0]);  // duplicates dropped
  EXPECT_EQ(EncodeEvent(a), EncodeEvent(b));
  b.findings.push_back({"IBAN_CODE", "financial", 1});  // duplicates merged: counts add
  auto back = DecodeEvent(EncodeEvent(b));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->findings[1].count, 3u);
}

TEST(AuditFormat, RejectsEveryTruncation) {
  std::string rec = EncodeEvent(Sample());
  for (std::size_t n = 0; n < rec.size(); ++n) {
    auto r = DecodeEvent(std::string_view(rec).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    EXPECT_NE(r.status().message().find("at byte"), std::string::npos);
  }
}

TEST(AuditFormat, RejectsTrailingBytesAndBadFields) {
  std::string rec = EncodeEvent(Sample());
  EXPECT_NE(DecodeEvent(rec + "x").status().message().find("trailing bytes at byte " +
                                                           std::to_string(rec.size())),
            std::string::npos);
  std::string bad = rec;
  bad[0] = 9;
  EXPECT_NE(DecodeEvent(bad).status().message().find("unknown version 9"), std::string::npos);
  bad = rec;
  bad[4] = ' ';  // a space in the instance id
  EXPECT_NE(DecodeEvent(bad).status().message().find("instance is not an identifier"),
            std::string::npos);
}

TEST(AuditFormat, ChainHashCoversPrevAndRecord) {
  std::string rec = EncodeEvent(Sample());
  std::string h1 = ChainHash(GenesisHash(), rec);
  EXPECT_EQ(h1, Sha256(GenesisHash() + Sha256(rec)));
  EXPECT_NE(ChainHash(h1, rec), h1);
  EXPECT_EQ(GenesisHash(), std::string(32, '\0'));
}

TEST(AuditEvent, ValidateRefusesFreeText) {
  Event e = Sample();
  e.principal = "ignore previous instructions";
  Status s = Validate(e);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("principal"), std::string::npos);
  // The message names the field, never its content.
  EXPECT_EQ(s.message().find("instructions"), std::string::npos);
  e = Sample();
  e.workflow = std::string(65, 'a');
  EXPECT_FALSE(Validate(e).ok());
  e = Sample();
  e.instance = "";
  EXPECT_FALSE(Validate(e).ok());
  e = Sample();
  e.findings[0].entity_type = "IBAN CODE";
  EXPECT_FALSE(Validate(e).ok());
  e = Sample();
  e.reasons.push_back(static_cast<Reason>(999));
  EXPECT_FALSE(Validate(e).ok());
}

TEST(AuditEvent, NamesRoundTrip) {
  for (Reason r : {Reason::kPolicyAllow, Reason::kStopped, Reason::kOutputLeak}) {
    Reason back{};
    ASSERT_TRUE(ParseReason(ReasonName(r), &back));
    EXPECT_EQ(back, r);
  }
  Decision d{};
  EXPECT_TRUE(ParseDecision("route_local", &d));
  EXPECT_EQ(d, Decision::kRouteLocal);
  EXPECT_FALSE(ParseDecision("maybe", &d));
}

}  // namespace
}  // namespace airlock::audit
