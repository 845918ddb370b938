#include "airlock/backend/local/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "test_models.h"

namespace airlock::backend::local {
namespace {

using ::testing::HasSubstr;

EngineConfig Config(const std::string& path, int parallel = 2, int ctx = 256) {
  EngineConfig c;
  c.model_path = path;
  c.parallel = parallel;
  c.context_length = ctx;
  c.threads = 1;  // OpenMP spin-waits badly on a shared 2-core machine
  c.batch_size = 128;
  return c;
}

std::unique_ptr<Engine> MustLoad(const EngineConfig& c) {
  auto e = Engine::Load(c);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

ChatRequest Greedy(const std::string& prompt, int max_tokens) {
  ChatRequest r;
  r.messages = {{"user", prompt}};
  r.sampling.temperature = 0;
  r.sampling.max_tokens = max_tokens;
  r.sampling.ignore_eos = true;
  return r;
}

TEST(EngineTest, LoadsAndReportsSettings) {
  auto e = MustLoad(Config(TestModels::Get().chat, 3, 200));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->info().architecture, "llama");
  EXPECT_EQ(e->parallel(), 3);
  EXPECT_EQ(e->context_length(), 200);
  EXPECT_EQ(e->threads(), 1);
  EXPECT_EQ(e->memory().kv_cache, 2ull * 2 * 200 * 3 * 64 * 2);
}

TEST(EngineTest, DefaultsFitTheModelAndMachine) {
  EngineConfig c;
  c.model_path = TestModels::Get().chat;
  auto e = MustLoad(c);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->context_length(), 512);  // the trained context (below the 4096 cap)
  EXPECT_EQ(e->parallel(), 4);
  EXPECT_EQ(e->threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(EngineTest, HashPinAcceptedAndRefused) {
  const auto& m = TestModels::Get();
  auto hex = HashModelFile(m.chat);
  ASSERT_TRUE(hex.ok());
  EngineConfig c = Config(m.chat);
  c.sha256 = *hex;
  EXPECT_TRUE(Engine::Load(c).ok());

  c.sha256 = std::string(64, '0');
  auto bad = Engine::Load(c);
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(bad.status().message(), HasSubstr(m.chat + ": SHA-256 mismatch"));
  EXPECT_THAT(bad.status().message(), HasSubstr(*hex));

  c.sha256 = "ABC";
  EXPECT_EQ(Engine::Load(c).status().code(), Status::Code::kInvalidArgument);

  // One flipped weight byte: the header is fine, only the pin notices.
  std::string bytes = ReadFile(m.chat);
  bytes[bytes.size() - 10] ^= 0x55;
  const std::string flipped = (m.dir / "flipped.gguf").string();
  WriteFile(flipped, bytes);
  c = Config(flipped);
  c.sha256 = *hex;
  auto r = Engine::Load(c);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("flipped.gguf: SHA-256 mismatch"));
}

TEST(EngineTest, MemoryBudgetRefusesLoad) {
  EngineConfig c = Config(TestModels::Get().chat);
  c.memory_budget_bytes = 1 << 20;
  auto r = Engine::Load(c);
  EXPECT_EQ(r.status().code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("memory budget is 1 MiB"));
  c.memory_budget_bytes = 1ull << 30;
  EXPECT_TRUE(Engine::Load(c).ok());
}

// Check (serve --check) refuses what Load refuses, with the same status,
// and reports what Load would set up.
TEST(EngineTest, CheckAgreesWithLoad) {
  const auto& m = TestModels::Get();
  auto hex = HashModelFile(m.chat);
  ASSERT_TRUE(hex.ok());
  EngineConfig good = Config(m.chat, 3, 200);
  good.sha256 = *hex;
  auto checked = Engine::Check(good);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  auto loaded = MustLoad(good);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(checked->info.architecture, loaded->info().architecture);
  EXPECT_EQ(checked->context_length, loaded->context_length());
  EXPECT_EQ(checked->parallel, loaded->parallel());
  EXPECT_EQ(checked->memory.total(), loaded->memory().total());

  std::string bytes = ReadFile(m.chat);
  const std::string truncated = (m.dir / "check-truncated.gguf").string();
  WriteFile(truncated, bytes.substr(0, 4096));
  std::vector<EngineConfig> refused;
  EngineConfig c = good;
  c.sha256 = std::string(64, '0');  // mismatch
  refused.push_back(c);
  c.sha256 = "ABC";  // malformed pin
  refused.push_back(c);
  c = Config(truncated);  // tensor data beyond the end
  refused.push_back(c);
  c = Config((m.dir / "absent.gguf").string());
  refused.push_back(c);
  c = Config(m.chat);
  c.memory_budget_bytes = 1 << 20;
  refused.push_back(c);
  c = Config(m.chat);
  c.parallel = -1;
  refused.push_back(c);
  for (const EngineConfig& r : refused) {
    auto want = Engine::Load(r);
    auto got = Engine::Check(r);
    ASSERT_FALSE(want.ok()) << r.model_path;
    ASSERT_FALSE(got.ok()) << r.model_path;
    EXPECT_EQ(got.status().code(), want.status().code()) << got.status().ToString();
    EXPECT_EQ(got.status().message(), want.status().message());
  }
}

TEST(EngineTest, ChatTemplateFromModelOrFallback) {
  const auto& m = TestModels::Get();
  auto e = MustLoad(Config(m.chat));
  auto p = e->FormatPrompt({{"system", "be brief"}, {"user", "hi"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p,
            "<|im_start|>system\nbe "
            "brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");

  EngineConfig c = Config(m.no_template);
  c.fallback_template = "llama3";
  auto f = MustLoad(c);
  p = f->FormatPrompt({{"user", "hi"}});
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, HasSubstr("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"));

  c.fallback_template = "";
  auto none = MustLoad(c);
  Status s = none->Submit(Greedy("hi", 1), nullptr, [](Result<Completion>) {});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("no chat template"));

  c.fallback_template = "no-such-template";
  EXPECT_EQ(Engine::Load(c).status().code(), Status::Code::kInvalidArgument);

  ChatRequest bad_role = Greedy("hi", 1);
  bad_role.messages[0].role = "tool";
  EXPECT_EQ(e->Chat(bad_role).status().code(), Status::Code::kInvalidArgument);
}

TEST(EngineTest, StreamsInOrderAndCountsUsage) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  std::vector<std::string> events;
  std::mutex mu;
  std::promise<void> finished;
  ChatRequest req = Greedy("tell me something", 12);
  Completion got;
  Status s = e->Submit(
      req,
      [&](std::string_view t) {
        std::lock_guard lk(mu);
        events.emplace_back(t);
      },
      [&](Result<Completion> r) {
        {
          std::lock_guard lk(mu);
          events.push_back("<done>");
          EXPECT_TRUE(r.ok()) << r.status().ToString();
          if (r.ok()) got = *r;
        }
        finished.set_value();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  finished.get_future().wait();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "<done>");
  std::string joined;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_FALSE(events[i].empty());
    joined += events[i];
  }
  EXPECT_EQ(joined, got.text);
  EXPECT_EQ(got.finish_reason, "length");
  EXPECT_EQ(got.usage.completion_tokens, 12);
  auto prompt = e->FormatPrompt(req.messages);
  EXPECT_EQ(got.usage.prompt_tokens, *e->CountTokens(*prompt));
  EXPECT_EQ(e->stats().completion_tokens, 12u);
}

TEST(EngineTest, MaxTokensAndGreedyDeterminism) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  auto a = e->Chat(Greedy("one two three", 7));
  auto b = e->Chat(Greedy("one two three", 7));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->usage.completion_tokens, 7);
  EXPECT_EQ(a->finish_reason, "length");
  EXPECT_EQ(a->text, b->text);
  auto c = e->Chat(Greedy("one two three", 3));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->usage.completion_tokens, 3);
  EXPECT_EQ(a->text.rfind(c->text, 0), 0u) << "a shorter greedy run is a prefix";
}

// Temperature 0 without penalties skips llama.cpp's sampler chain (greedy.h);
// at a temperature near 0 the chain (logit bias, temperature, seeded draw)
// puts all probability on the same largest logit.
TEST(EngineTest, GreedyFastPathPicksWhatTheSamplerChainPicks) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  ChatRequest fast = Greedy("the greedy path", 24);
  ChatRequest chain = fast;
  chain.sampling.temperature = 1e-6f;
  chain.sampling.seed = 5;
  auto a = e->Chat(fast);
  auto b = e->Chat(chain);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->usage.completion_tokens, 24);
  EXPECT_EQ(a->text, b->text);
  EXPECT_FALSE(a->text.empty());
}

TEST(EngineTest, SeedDeterminism) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  auto sampled = [&](uint32_t seed) {
    ChatRequest r = Greedy("write a story", 16);
    r.sampling.temperature = 1.0f;
    r.sampling.top_p = 0.95f;
    r.sampling.seed = seed;
    auto c = e->Chat(r);
    EXPECT_TRUE(c.ok());
    return c.ok() ? c->text : std::string();
  };
  const std::string a = sampled(42);
  EXPECT_EQ(a, sampled(42));
  EXPECT_NE(a, sampled(43));  // 16 tokens from a near-flat distribution over 32000
}

TEST(EngineTest, PenaltiesChangeTheOutput) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  auto plain = e->Chat(Greedy("repeat", 24));
  ChatRequest r = Greedy("repeat", 24);
  r.sampling.frequency_penalty = 2.0f;
  r.sampling.presence_penalty = 2.0f;
  auto penalised = e->Chat(r);
  ASSERT_TRUE(plain.ok() && penalised.ok());
  EXPECT_EQ(penalised->usage.completion_tokens, 24);
  EXPECT_NE(plain->text, penalised->text);
}

TEST(EngineTest, SamplingValuesAreValidated) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  ChatRequest r = Greedy("x", 1);
  r.sampling.temperature = 3;
  EXPECT_EQ(e->Chat(r).status().code(), Status::Code::kInvalidArgument);
  r = Greedy("x", 1);
  r.sampling.top_p = 0;
  EXPECT_EQ(e->Chat(r).status().code(), Status::Code::kInvalidArgument);
  r = Greedy("x", 1);
  r.sampling.stop = {"a", ""};
  EXPECT_EQ(e->Chat(r).status().code(), Status::Code::kInvalidArgument);
  r = Greedy("x", 1);
  r.sampling.stop = {"a", "b", "c", "d", "e"};
  EXPECT_EQ(e->Chat(r).status().code(), Status::Code::kInvalidArgument);
  r = Greedy("x", 1);
  r.messages.clear();
  EXPECT_EQ(e->Chat(r).status().code(), Status::Code::kInvalidArgument);
}

TEST(EngineTest, StopSequenceEndsWithoutEmittingIt) {
  auto e = MustLoad(Config(TestModels::Get().chat));
  std::vector<std::string> pieces;
  auto full = e->Chat(Greedy("the quick brown fox", 20),
                      [&](std::string_view t) { pieces.emplace_back(t); });
  ASSERT_TRUE(full.ok());
  // A stop sequence that straddles two streamed pieces (the filter must hold
  // the first half back), taken from the middle of the unconstrained output.
  std::string stop;
  size_t k = 2;
  for (; k + 1 < pieces.size(); ++k) {
    if (pieces[k].size() >= 2 && !pieces[k + 1].empty()) {
      stop = pieces[k].substr(pieces[k].size() - 2) + pieces[k + 1].substr(0, 1);
      break;
    }
  }
  ASSERT_FALSE(stop.empty()) << "no two adjacent pieces to build a stop sequence from";
  const size_t at = full->text.find(stop);
  ASSERT_NE(at, std::string::npos);

  ChatRequest r = Greedy("the quick brown fox", 20);
  r.sampling.stop = {"never-appears-xyz", stop};
  std::string streamed;
  auto cut = e->Chat(r, [&](std::string_view t) { streamed += t; });
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->finish_reason, "stop");
  EXPECT_EQ(cut->text, full->text.substr(0, at));
  EXPECT_EQ(streamed, cut->text);
  EXPECT_EQ(streamed.find(stop.substr(0, 1), at), std::string::npos) << "no partial stop text";
}

TEST(EngineTest, CancellationEndsARequestAndFreesItsSlot) {
  auto e = MustLoad(Config(TestModels::Get().chat, 1));
  std::stop_source source;
  int pieces = 0;
  auto r = e->Chat(
      Greedy("go on forever", 0),
      [&](std::string_view) {
        if (++pieces == 2) source.request_stop();
      },
      source.get_token());
  EXPECT_EQ(r.status().code(), Status::Code::kCancelled);
  EXPECT_LE(pieces, 3);  // stops within one decode step

  std::stop_source already;
  already.request_stop();
  EXPECT_EQ(e->Chat(Greedy("x", 5), nullptr, already.get_token()).status().code(),
            Status::Code::kCancelled);

  auto after = e->Chat(Greedy("still works", 3));  // the only slot is free again
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->usage.completion_tokens, 3);
}

TEST(EngineTest, FullQueueAnswersBusy) {
  EngineConfig c = Config(TestModels::Get().chat, 1);
  c.queue_limit = 1;
  auto e = MustLoad(c);
  // The first request holds the engine thread in its first callback until
  // the test has filled the queue, so timing cannot change the outcome.
  std::promise<void> started, release;
  auto release_f = release.get_future().share();
  std::atomic<bool> first{true};
  std::stop_source stop_all;
  std::vector<std::future<Result<Completion>>> done;
  auto submit = [&](bool blocking) {
    auto p = std::make_shared<std::promise<Result<Completion>>>();
    done.push_back(p->get_future());
    return e->Submit(
        Greedy("busy?", 0),
        [&, blocking](std::string_view) {
          if (blocking && first.exchange(false)) {
            started.set_value();
            release_f.wait();
          }
        },
        [p](Result<Completion> r) { p->set_value(std::move(r)); }, stop_all.get_token());
  };
  ASSERT_TRUE(submit(true).ok());
  started.get_future().wait();
  ASSERT_TRUE(submit(false).ok());  // waits in the queue
  Status busy = e->Submit(Greedy("busy?", 1), nullptr,
                          [](Result<Completion>) { ADD_FAILURE() << "refused request completed"; });
  EXPECT_EQ(busy.code(), Status::Code::kUnavailable);
  EXPECT_THAT(busy.message(), HasSubstr("busy"));
  EXPECT_EQ(e->stats().busy_refusals, 1u);
  stop_all.request_stop();
  release.set_value();
  for (auto& f : done) EXPECT_EQ(f.get().status().code(), Status::Code::kCancelled);
  EXPECT_TRUE(e->Chat(Greedy("free again", 2)).ok());
}

TEST(EngineTest, ContextOverflowIsAClearError) {
  auto e = MustLoad(Config(TestModels::Get().chat, 2, 64));
  std::string long_prompt;
  for (int i = 0; i < 100; ++i) long_prompt += " word";
  auto r = e->Chat(Greedy(long_prompt, 1));
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("but the context holds 64"));
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("word")));  // no prompt text

  // A prompt that fits generates until the context is full.
  auto fits = e->Chat(Greedy("short", 0));
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->finish_reason, "length");
  EXPECT_EQ(fits->usage.prompt_tokens + fits->usage.completion_tokens, 64);
}

TEST(EngineTest, ConcurrentRequestsMatchSoloRuns) {
  auto e = MustLoad(Config(TestModels::Get().chat, 4));
  const std::vector<std::string> prompts = {"alpha", "a somewhat longer second prompt",
                                            "gamma delta", "epsilon"};
  std::vector<std::string> solo;
  for (const auto& p : prompts) {
    auto r = e->Chat(Greedy(p, 10));
    ASSERT_TRUE(r.ok());
    solo.push_back(r->text);
  }
  const uint64_t calls_before = e->stats().decode_calls;
  std::vector<std::future<Result<Completion>>> futures;
  for (const auto& p : prompts) {
    futures.push_back(std::async(std::launch::async, [&e, p] { return e->Chat(Greedy(p, 10)); }));
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto r = futures[i].get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->text, solo[i]) << "prompt " << i;
  }
  // Batched: 4 x (prompt + 10 tokens) took far fewer decode calls than solo (4 x 10).
  EXPECT_LT(e->stats().decode_calls - calls_before, 4u * 10u);
}

TEST(EngineTest, ShutdownCancelsQueuedRequests) {
  auto e = MustLoad(Config(TestModels::Get().chat, 1));
  std::vector<std::future<Result<Completion>>> done;
  for (int i = 0; i < 3; ++i) {
    auto p = std::make_shared<std::promise<Result<Completion>>>();
    done.push_back(p->get_future());
    ASSERT_TRUE(e->Submit(Greedy("x", 0), nullptr, [p](Result<Completion> r) {
                   p->set_value(std::move(r));
                 }).ok());
  }
  e.reset();
  for (auto& f : done) {
    auto r = f.get();
    // The running one may have finished normally if the engine was quick.
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kCancelled);
    }
  }
}

TEST(EngineTest, EmbeddingsArePooledAndNormalised) {
  auto e = MustLoad(Config(TestModels::Get().embedding, 1, 128));
  auto v = e->Embed({"first text", "second, different text", "first text"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 3u);
  for (const auto& vec : *v) {
    ASSERT_EQ(vec.size(), 64u);
    double n = 0;
    for (float x : vec) n += x * x;
    EXPECT_NEAR(n, 1.0, 1e-4);
  }
  EXPECT_EQ((*v)[0], (*v)[2]);
  EXPECT_NE((*v)[0], (*v)[1]);
  EXPECT_EQ(e->Embed({""}).status().code(), Status::Code::kInvalidArgument);

  // A generative model embeds with mean pooling and still chats afterwards.
  auto g = MustLoad(Config(TestModels::Get().chat, 1, 128));
  auto gv = g->Embed({"hello"});
  ASSERT_TRUE(gv.ok()) << gv.status().ToString();
  EXPECT_EQ((*gv)[0].size(), 64u);
  EXPECT_TRUE(g->Chat(Greedy("hi", 2)).ok());
}

}  // namespace
}  // namespace airlock::backend::local
