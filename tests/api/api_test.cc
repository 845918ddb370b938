#include <gtest/gtest.h>

#include "airlock/api/openai.h"
#include "airlock/api/sse.h"

namespace airlock::api {
namespace {

TEST(ApiTest, SlotsCoverEveryContentPath) {
  auto r = ParseRequest(Endpoint::kChat, R"({"model":"m","messages":[
    {"role":"system","content":"a"},
    {"role":"user","name":"n","content":[{"type":"text","text":"b"},{"type":"text","text":"c"}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{\"x\":\"d\"}"}}]},
    {"role":"tool","tool_call_id":"1","content":"e"}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto slots = RequestTexts(Endpoint::kChat, r->body);
  std::vector<std::string> where;
  for (auto& s : slots) where.push_back(s.where);
  EXPECT_EQ(where, (std::vector<std::string>{"messages[0].content", "messages[1].name", "messages[1].content[0].text",
                                             "messages[1].content[1].text",
                                             "messages[2].tool_calls[0].function.arguments", "messages[3].content"}));
  EXPECT_TRUE(slots[4].json_encoded);
  *slots[0].text = "changed";
  EXPECT_EQ(r->body["messages"][0]["content"], "changed");
}

TEST(ApiTest, FilePartsAreListedWhereTheyAre) {
  auto r = ParseRequest(Endpoint::kChat,
                        R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"user","content":[)"
                        R"({"type":"text","text":"see"},{"type":"file","file":{"filename":"a.pdf","file_data":"Zg=="}}]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto parts = FileParts(r->body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].where, "messages[1].content[1]");
  EXPECT_EQ((*parts[0].part)["file"]["filename"], "a.pdf");
  // Not a text slot: only the gateway's attachment step turns it into one.
  for (const auto& slot : RequestTexts(Endpoint::kChat, r->body)) EXPECT_NE(*slot.text, "Zg==");
}

TEST(ApiTest, ErrorsSayWhere) {
  struct Case {
    const char* body;
    const char* want;
  } cases[] = {
      {R"({"model":"m","messages":[)", "at byte"},
      {R"([1])", "JSON object"},
      {R"({"messages":[]})", "model"},
      {R"({"model":"m","messages":[]})", "messages must be a non-empty array"},
      {R"({"model":"m","messages":[{"content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]})", "messages[0].content[0].type"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"file"}]}]})", "messages[0].content[0].file must"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]})",
       "a file_id names a file stored at the provider"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"Zg==","filename":3}}]}]})",
       "messages[0].content[0].file.filename"},
      {R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]})", "stream"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"arguments":{}}}]}]})",
       "messages[0].tool_calls[0].function.arguments"},
  };
  for (const auto& c : cases) {
    auto r = ParseRequest(Endpoint::kChat, c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(ParseRequest(Endpoint::kEmbedding, R"({"model":"m","input":[[1,2]]})").ok());
  EXPECT_TRUE(ParseRequest(Endpoint::kCompletion, R"({"model":"m","prompt":["a","b"]})").ok());
}

TEST(ApiTest, ErrorBodyHasOpenAIShape) {
  ApiError e;
  e.type = "permission_error";
  e.code = "policy_blocked";
  e.message = "no";
  auto j = Json::parse(ErrorBody(e));
  EXPECT_EQ(j["error"]["type"], "permission_error");
  EXPECT_EQ(j["error"]["code"], "policy_blocked");
  EXPECT_TRUE(j["error"]["param"].is_null());
}

TEST(SseTest, EventsSplitAnywhere) {
  const std::string stream = "data: {\"a\":1}\r\n\r\n: comment\nevent: x\ndata: l1\ndata: l2\n\ndata: [DONE]\n\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SseParser p;
    std::vector<std::string> got;
    std::string d;
    p.Feed(std::string_view(stream).substr(0, cut));
    while (p.Next(&d)) got.push_back(d);
    p.Feed(std::string_view(stream).substr(cut));
    while (p.Next(&d)) got.push_back(d);
    ASSERT_EQ(got, (std::vector<std::string>{"{\"a\":1}", "l1\nl2", "[DONE]"})) << "cut at " << cut;
  }
}

TEST(SseTest, FrameRoundTrips) {
  SseParser p;
  p.Feed(SseFrame("x\ny"));
  std::string d;
  ASSERT_TRUE(p.Next(&d));
  EXPECT_EQ(d, "x\ny");
}

}  // namespace
}  // namespace airlock::api
