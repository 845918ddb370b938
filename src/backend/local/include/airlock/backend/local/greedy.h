// Greedy token choice without llama.cpp's sampler chain.
//
// GreedyToken(logits, banned) returns exactly the token that llama.cpp's
// chain logit_bias(banned: -inf) + greedy returns for the same logits (the
// engine's temperature-0 requests without penalties): the first index of the
// largest value, a later value winning only when strictly larger (so NaN never
// wins, and a NaN or -inf at index 0 keeps index 0). It skips the chain's
// token-data array (12 bytes per vocabulary entry, rebuilt for every token)
// and scans the logits in place, whole blocks at a time.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <span>

namespace airlock::backend::local {

// `banned`: token ids in ascending order (duplicates and ids outside the
// logits are ignored, as the logit-bias sampler ignores them). Returns -1 when
// `logits` is empty.
int32_t GreedyToken(std::span<const float> logits, std::span<const int32_t> banned = {});

}  // namespace airlock::backend::local
