// The engine as a gateway backend: OpenAI-shaped requests in, OpenAI-shaped
// answers and chunks out, errors as the Status codes the gateway maps.
#include "airlock/backend/local/local_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>

#include <future>
#include <optional>

#include "test_models.h"

namespace airlock::backend::local {
namespace {

namespace net = boost::asio;
using api::Json;
using ::testing::HasSubstr;

std::shared_ptr<Engine> Load(int parallel = 2, int queue = 16, int ctx = 256) {
  EngineConfig c;
  c.model_path = TestModels::Get().chat;
  c.threads = 1;
  c.parallel = parallel;
  c.queue_limit = queue;
  c.context_length = ctx;
  auto e = Engine::Load(c);
  if (!e.ok()) throw std::runtime_error(e.status().message());
  return std::shared_ptr<Engine>(std::move(*e));
}

api::Request Req(api::Endpoint ep, Json body) {
  api::Request r;
  r.endpoint = ep;
  r.model = body.value("model", "wf");
  r.stream = body.value("stream", false);
  r.body = std::move(body);
  return r;
}

Json Chat(const std::string& text, int max_tokens) {
  return Json{{"model", "wf"},
              {"messages", Json::array({Json{{"role", "user"}, {"content", text}}})},
              {"temperature", 0},
              {"max_tokens", max_tokens}};
}

// Runs a coroutine to completion on a fresh io_context.
template <class T>
T Await(net::awaitable<T> a) {
  net::io_context ioc;
  std::optional<T> out;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        T r = co_await std::move(a);
        out.emplace(std::move(r));
      },
      net::detached);
  ioc.run();
  return std::move(*out);
}

Result<Reply> Complete(Backend& b, const api::Request& r) { return Await(b.Complete(r)); }

struct Streamed {
  Result<Reply> reply = Status::Internal("not run");
  std::vector<Json> chunks;
};
// `keep`: how many events the sink accepts before it says the client is gone.
Streamed Stream(Backend& b, const api::Request& r, std::size_t keep = 1u << 30) {
  Streamed s;
  EventSink sink = [&s, keep](std::string data) -> net::awaitable<bool> {
    s.chunks.push_back(Json::parse(data));
    co_return s.chunks.size() < keep;
  };
  s.reply = Await(b.Stream(r, sink));
  return s;
}

TEST(LocalBackendTest, ChatAnswersInOpenAIShapeWithUsage) {
  auto be = CreateLocalBackend("local", "", Load());
  auto r = Complete(*be, Req(api::Endpoint::kChat, Chat("hello there", 6)));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  const Json& b = r->body;
  EXPECT_EQ(b["object"], "chat.completion");
  EXPECT_EQ(b["model"], "wf");
  EXPECT_EQ(b["choices"][0]["message"]["role"], "assistant");
  EXPECT_FALSE(b["choices"][0]["message"]["content"].get<std::string>().empty());
  EXPECT_EQ(b["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(b["usage"]["completion_tokens"], 6);
  EXPECT_GT(b["usage"]["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(b["usage"]["total_tokens"], b["usage"]["prompt_tokens"].get<int>() + 6);
  // Greedy is deterministic.
  auto again = Complete(*be, Req(api::Endpoint::kChat, Chat("hello there", 6)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->body["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"]);
}

TEST(LocalBackendTest, StreamCarriesTheSameTextInChunks) {
  auto be = CreateLocalBackend("local", "tiny", Load());
  auto whole = Complete(*be, Req(api::Endpoint::kChat, Chat("stream me", 8)));
  ASSERT_TRUE(whole.ok());
  Json body = Chat("stream me", 8);
  body["stream"] = true;
  auto s = Stream(*be, Req(api::Endpoint::kChat, body));
  ASSERT_TRUE(s.reply.ok()) << s.reply.status().message();
  ASSERT_GE(s.chunks.size(), 2u);
  std::string text;
  for (const auto& c : s.chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["model"], "tiny");
    text += c["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(s.chunks.front()["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(s.chunks.back()["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(s.chunks.back()["usage"]["completion_tokens"], 8);
  EXPECT_EQ(text, whole->body["choices"][0]["message"]["content"]);

  body["stream_options"] = {{"include_usage", true}};
  auto u = Stream(*be, Req(api::Endpoint::kChat, body));
  ASSERT_TRUE(u.reply.ok());
  EXPECT_TRUE(u.chunks.back()["choices"].empty());
  EXPECT_EQ(u.chunks.back()["usage"]["completion_tokens"], 8);
}

TEST(LocalBackendTest, StopSequenceEndsTheTextBeforeIt) {
  auto be = CreateLocalBackend("local", "", Load());
  auto whole = Complete(*be, Req(api::Endpoint::kChat, Chat("find a stop", 12)));
  ASSERT_TRUE(whole.ok());
  const std::string text = whole->body["choices"][0]["message"]["content"];
  ASSERT_GE(text.size(), 4u);
  const std::string stop = text.substr(text.size() / 2, 2);
  Json body = Chat("find a stop", 12);
  body["stop"] = stop;
  auto cut = Complete(*be, Req(api::Endpoint::kChat, body));
  ASSERT_TRUE(cut.ok());
  const std::string got = cut->body["choices"][0]["message"]["content"];
  EXPECT_EQ(got, text.substr(0, text.find(stop)));
  EXPECT_EQ(cut->body["choices"][0]["finish_reason"], "stop");
}

TEST(LocalBackendTest, LegacyCompletionUsesThePromptAsIs) {
  auto be = CreateLocalBackend("local", "", Load());
  Json body = {{"model", "wf"}, {"prompt", "once upon a time"}, {"max_tokens", 4}, {"temperature", 0}};
  auto r = Complete(*be, Req(api::Endpoint::kCompletion, body));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body["object"], "text_completion");
  EXPECT_EQ(r->body["usage"]["completion_tokens"], 4);
  EXPECT_TRUE(r->body["choices"][0]["text"].is_string());
  body["stream"] = true;
  auto s = Stream(*be, Req(api::Endpoint::kCompletion, body));
  ASSERT_TRUE(s.reply.ok());
  std::string text;
  for (const auto& c : s.chunks) text += c["choices"][0].value("text", "");
  EXPECT_EQ(text, r->body["choices"][0]["text"]);
}

TEST(LocalBackendTest, EmbeddingsAsFloatsAndBase64) {
  auto be = CreateLocalBackend("local", "", Load());
  Json body = {{"model", "wf"}, {"input", Json::array({"first", "second text"})}};
  auto r = Complete(*be, Req(api::Endpoint::kEmbedding, body));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->body["data"].size(), 2u);
  const auto v = r->body["data"][0]["embedding"].get<std::vector<float>>();
  EXPECT_EQ(v.size(), 64u);
  EXPECT_GT(r->body["usage"]["prompt_tokens"].get<int>(), 0);
  body["encoding_format"] = "base64";
  auto b = Complete(*be, Req(api::Endpoint::kEmbedding, body));
  ASSERT_TRUE(b.ok());
  const std::string b64 = b->body["data"][0]["embedding"];
  EXPECT_EQ(b64.size(), 4 * ((64 * 4 + 2) / 3));
  body["input"] = Json::array({1, 2, 3});
  EXPECT_EQ(Complete(*be, Req(api::Endpoint::kEmbedding, body)).status().code(), Status::Code::kInvalidArgument);
}

TEST(LocalBackendTest, RefusalsCarryTheirCodes) {
  auto be = CreateLocalBackend("local", "", Load(1, 16, 64));
  Json hot = Chat("hi", 2);
  hot["temperature"] = 7;
  auto t = Complete(*be, Req(api::Endpoint::kChat, hot));
  EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("temperature"));

  std::string lots;
  for (int i = 0; i < 100; ++i) lots += " secretword";
  auto o = Complete(*be, Req(api::Endpoint::kChat, Chat(lots, 2)));
  EXPECT_EQ(o.status().code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(o.status().message(), HasSubstr("context holds 64"));
  EXPECT_THAT(o.status().message(), ::testing::Not(HasSubstr("secretword")));

  Json tools = Chat("hi", 2);
  tools["tools"] = Json::array({{{"type", "function"}, {"function", {{"name", "f"}}}}});
  EXPECT_EQ(Complete(*be, Req(api::Endpoint::kChat, tools)).status().code(), Status::Code::kInvalidArgument);
}

TEST(LocalBackendTest, FullQueueIsBusy) {
  auto engine = Load(1, 0);
  auto be = CreateLocalBackend("local", "", engine);
  std::stop_source hold;
  std::promise<void> done;
  ChatRequest busy;
  busy.messages = {{"user", "occupy"}};
  busy.sampling.ignore_eos = true;
  ASSERT_TRUE(engine->Submit(busy, nullptr, [&](Result<Completion>) { done.set_value(); }, hold.get_token()).ok());
  auto r = Complete(*be, Req(api::Endpoint::kChat, Chat("hi", 2)));
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("busy"));
  hold.request_stop();
  done.get_future().wait();
}

TEST(LocalBackendTest, ClientGoneCancelsTheSequence) {
  auto engine = Load(1, 4, 512);
  auto be = CreateLocalBackend("local", "", engine);
  Json body = Chat("a long answer please", 400);
  // Left alone, this request generates all 400 tokens (greedy: always the same).
  auto full = Complete(*be, Req(api::Endpoint::kChat, body));
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->body["usage"]["completion_tokens"], 400);
  const uint64_t before = engine->stats().completion_tokens;
  body["stream"] = true;
  auto s = Stream(*be, Req(api::Endpoint::kChat, body), /*keep=*/1);
  ASSERT_TRUE(s.reply.ok());
  EXPECT_EQ(s.chunks.size(), 1u);
  // The next request waits for the only slot; by then the first has stopped.
  ChatRequest next;
  next.messages = {{"user", "next"}};
  next.sampling.temperature = 0;
  next.sampling.max_tokens = 1;
  ASSERT_TRUE(engine->Chat(next).ok());
  EXPECT_LT(engine->stats().completion_tokens - before - 1, 400u);
}

TEST(LocalBackendTest, ModellessBackendSaysWhy) {
  auto be = CreateModellessBackend("local", "put a model under ./models/");
  EXPECT_EQ(be->Unavailable(), "put a model under ./models/");
  EXPECT_EQ(Complete(*be, Req(api::Endpoint::kChat, Chat("hi", 1))).status().code(), Status::Code::kUnavailable);
}

}  // namespace
}  // namespace airlock::backend::local
