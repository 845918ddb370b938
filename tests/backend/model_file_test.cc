#include "airlock/backend/local/model_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "airlock/backend/local/engine.h"
#include "airlock/core/crypto.h"
#include "test_models.h"

namespace airlock::backend::local {
namespace {

using ::testing::HasSubstr;

std::string Scratch(const std::string& name) { return (TestModels::Get().dir / name).string(); }

TEST(ModelFileTest, InspectReportsMetadata) {
  const auto& m = TestModels::Get();
  auto info = InspectModel(m.chat);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->architecture, "llama");
  EXPECT_EQ(info->name, "airlock-tiny-random");
  EXPECT_EQ(info->n_params, m.chat_params);
  EXPECT_EQ(info->quantization, "all F32");
  EXPECT_EQ(info->context_length, 512u);
  EXPECT_EQ(info->n_layer, 2u);
  EXPECT_EQ(info->n_embd, 64u);
  EXPECT_EQ(info->n_ff, 128u);
  EXPECT_EQ(info->n_vocab, 32000u);  // the llama SPM vocab
  EXPECT_EQ(info->pooling, "none");
  EXPECT_THAT(info->chat_template, HasSubstr("<|im_start|>"));
  EXPECT_EQ(info->file_bytes, ReadFile(m.chat).size());
  EXPECT_EQ(info->tensor_bytes, m.chat_params * 4);  // F32

  auto plain = InspectModel(m.no_template);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->chat_template.empty());
  auto embed = InspectModel(m.embedding);
  ASSERT_TRUE(embed.ok());
  EXPECT_EQ(embed->pooling, "mean");
}

TEST(ModelFileTest, MemoryEstimateCountsWeightsAndKvCache) {
  auto info = InspectModel(TestModels::Get().chat);
  ASSERT_TRUE(info.ok());
  auto one = EstimateMemory(*info, 256, 1, 64);
  auto four = EstimateMemory(*info, 256, 4, 64);
  EXPECT_EQ(one.weights, info->tensor_bytes);
  // 2 (K and V) x layers x cells x n_embd_kv x 2 bytes (F16)
  EXPECT_EQ(one.kv_cache, 2ull * 2 * 256 * 64 * 2);
  EXPECT_EQ(four.kv_cache, 4 * one.kv_cache);
  EXPECT_GT(one.compute, 0u);
  EXPECT_EQ(one.total(), one.weights + one.kv_cache + one.compute);
}

TEST(ModelFileTest, HashIsSha256OfTheBytes) {
  const auto& m = TestModels::Get();
  auto hex = HashModelFile(m.chat);
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(*hex, Sha256Hex(ReadFile(m.chat)));
  EXPECT_EQ(hex->size(), 64u);
  auto missing = HashModelFile(Scratch("nope.gguf"));
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST(ModelFileTest, MissingFileIsNotFound) {
  auto r = InspectModel(Scratch("missing.gguf"));
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("missing.gguf"));
}

TEST(ModelFileTest, TruncatedFileIsRefusedNamingTheFile) {
  const std::string bytes = ReadFile(TestModels::Get().chat);
  const std::string cut = Scratch("truncated.gguf");
  WriteFile(cut, bytes.substr(0, bytes.size() - 1000));
  auto r = InspectModel(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("truncated.gguf: truncated"));

  EngineConfig c;
  c.model_path = cut;
  auto e = Engine::Load(c);
  EXPECT_EQ(e.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(e.status().message(), HasSubstr("truncated"));

  // Cut inside the header: the metadata itself is incomplete.
  WriteFile(cut, bytes.substr(0, 1000));
  r = InspectModel(cut);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("truncated.gguf"));
}

TEST(ModelFileTest, CorruptedHeadersAreRefused) {
  const std::string bytes = ReadFile(TestModels::Get().chat);
  const std::string bad = Scratch("corrupt.gguf");

  WriteFile(bad, "");
  EXPECT_EQ(InspectModel(bad).status().code(), Status::Code::kCorruption);

  std::string wrong_magic = bytes;
  wrong_magic[0] = 'X';
  WriteFile(bad, wrong_magic);
  auto r = InspectModel(bad);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("not a GGUF model"));

  // Tensor count (bytes 8..15) absurdly large.
  std::string huge = bytes;
  for (int i = 8; i < 16; ++i) huge[static_cast<size_t>(i)] = '\x7f';
  WriteFile(bad, huge);
  r = InspectModel(bad);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("corrupt.gguf: malformed GGUF header"));

  // The first key's length (bytes 24..31) pointing past the end of the file.
  std::string key_len = bytes;
  for (int i = 24; i < 32; ++i) key_len[static_cast<size_t>(i)] = '\x7f';
  WriteFile(bad, key_len);
  EXPECT_EQ(InspectModel(bad).status().code(), Status::Code::kCorruption);

  // Random bytes throughout the header region: refused or inspected, never a crash.
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string noisy = bytes;
    for (int k = 0; k < 8; ++k) {
      noisy[4 + rng() % 4096] = static_cast<char>(rng());
    }
    WriteFile(bad, noisy);
    (void)InspectModel(bad);
  }
}

TEST(ModelFileTest, QuantizeThenLoad) {
  const auto& m = TestModels::Get();
  const std::string out = Scratch("q8.gguf");
  int calls = 0, last_total = 0;
  Status s = QuantizeModel(m.chat, out, "q8_0", 1, [&](const QuantizeProgress& p) {
    ++calls;
    last_total = p.total;
    EXPECT_LE(p.tensor, p.total);
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(calls, 0);
  auto in = InspectModel(m.chat);
  auto q = InspectModel(out);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(last_total, 2 + 9 * 2);  // every tensor reported (the output is tied)
  EXPECT_EQ(q->quantization, "Q8_0");
  EXPECT_EQ(q->n_params, in->n_params);
  EXPECT_LT(q->file_bytes, in->file_bytes / 3);  // 8.5 bits vs 32 per weight

  EngineConfig c;
  c.model_path = out;
  c.parallel = 1;
  c.threads = 1;
  c.context_length = 128;
  auto e = Engine::Load(c);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ChatRequest req;
  req.messages = {{"user", "hello"}};
  req.sampling.temperature = 0;
  req.sampling.max_tokens = 4;
  req.sampling.ignore_eos = true;
  auto done = (*e)->Chat(req);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->usage.completion_tokens, 4);
}

TEST(ModelFileTest, QuantizeErrors) {
  const auto& m = TestModels::Get();
  Status s = QuantizeModel(m.chat, Scratch("x.gguf"), "q9_9", 1, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("q9_9"));

  const std::string junk = Scratch("junk.gguf");
  WriteFile(junk, "this is not a model");
  s = QuantizeModel(junk, Scratch("y.gguf"), "q8_0", 1, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("junk.gguf"));

  s = QuantizeModel(m.chat, Scratch("no/such/dir/z.gguf"), "q8_0", 1, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("z.gguf"));
}

}  // namespace
}  // namespace airlock::backend::local
