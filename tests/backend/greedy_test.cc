#include "airlock/backend/local/greedy.h"

#include <gtest/gtest.h>
#include <llama.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace airlock::backend::local {
namespace {

// What the engine's sampler chain picks: llama.cpp's logit_bias (-inf on
// `banned`) then greedy, over a token-data array built the way
// llama_sampler_sample builds it.
int32_t ChainToken(const std::vector<float>& logits, const std::vector<int32_t>& banned) {
  const auto n = static_cast<int32_t>(logits.size());
  llama_sampler* chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
  if (!banned.empty()) {
    std::vector<llama_logit_bias> bias;
    for (int32_t t : banned) bias.push_back({t, -INFINITY});
    llama_sampler_chain_add(chain, llama_sampler_init_logit_bias(
                                       n, static_cast<int32_t>(bias.size()), bias.data()));
  }
  llama_sampler_chain_add(chain, llama_sampler_init_greedy());
  std::vector<llama_token_data> cur;
  for (int32_t i = 0; i < n; ++i) cur.push_back({i, logits[static_cast<size_t>(i)], 0.0f});
  llama_token_data_array arr{cur.data(), cur.size(), -1, false};
  llama_sampler_apply(chain, &arr);
  const int32_t token = cur[static_cast<size_t>(arr.selected)].id;
  llama_sampler_free(chain);
  return token;
}

void ExpectSameAsChain(const std::vector<float>& logits, const std::vector<int32_t>& banned,
                       const char* what) {
  EXPECT_EQ(GreedyToken(logits, banned), ChainToken(logits, banned))
      << what << " (n=" << logits.size() << ", banned " << banned.size() << ")";
}

TEST(GreedyTest, MatchesLlamaGreedyOnRandomLogits) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (int32_t n : {1, 2, 255, 256, 257, 1000, 32000, 32003}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<float> logits(static_cast<size_t>(n));
      for (float& x : logits) x = normal(rng);
      ExpectSameAsChain(logits, {}, "normal");
      // Ties: coarse values, so the largest occurs many times; the first wins.
      for (float& x : logits) x = std::round(x);
      ExpectSameAsChain(logits, {}, "ties");
    }
  }
}

TEST(GreedyTest, BannedTokensAsTheLogitBiasSamplerBansThem) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(32000);
  for (float& x : logits) x = normal(rng);
  const int32_t top = GreedyToken(logits);
  ExpectSameAsChain(logits, {top}, "the top token banned");
  ExpectSameAsChain(logits, {0, 1, 2, top}, "banned from index 0");
  ExpectSameAsChain(logits, {2, 2, top, top}, "duplicates");
  ExpectSameAsChain(logits, {31999}, "the last token banned");
  logits[31999] = 1e30f;
  ExpectSameAsChain(logits, {31999}, "the banned token far above the rest");
  logits[5] = INFINITY;
  ExpectSameAsChain(logits, {5}, "+inf banned (becomes NaN)");
  // Ids outside the logits change nothing.
  EXPECT_EQ(GreedyToken(logits, std::vector<int32_t>{5, 40000}), ChainToken(logits, {5}));
}

TEST(GreedyTest, InfinitiesAndNaNsAsLlamaTreatsThem) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> logits(1000, -INFINITY);
  ExpectSameAsChain(logits, {}, "all -inf");
  ExpectSameAsChain(logits, {0}, "all -inf, index 0 banned");
  std::vector<float> all_banned(4, 1.0f);
  ExpectSameAsChain(all_banned, {0, 1, 2, 3}, "everything banned");
  logits[700] = -1e30f;
  ExpectSameAsChain(logits, {}, "one finite value");
  logits[300] = nan;
  logits[900] = nan;
  ExpectSameAsChain(logits, {}, "NaNs never win");
  logits[0] = nan;
  ExpectSameAsChain(logits, {}, "NaN at index 0 keeps index 0");
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::vector<float> mixed(5000);
  for (size_t i = 0; i < mixed.size(); ++i) {
    mixed[i] = i % 97 == 50 ? nan : i % 89 == 40 ? INFINITY : normal(rng);
  }
  ExpectSameAsChain(mixed, {}, "NaNs and +infs among normal values");
  ExpectSameAsChain(mixed, {40, 129}, "banned +infs");
}

TEST(GreedyTest, EmptyLogitsHaveNoToken) { EXPECT_EQ(GreedyToken({}), -1); }

}  // namespace
}  // namespace airlock::backend::local
