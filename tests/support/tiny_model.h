// Writes small llama-architecture GGUF models with random weights, for tests
// and benchmarks (no real model can be downloaded here).
//
// The tokenizer (every tokenizer.ggml.* key) is copied from a llama.cpp vocab
// file (models/ggml-vocab-*.gguf); its general.* and llama.* keys describe a
// 7B model and are dropped. All matrix dimensions are multiples of 32 so that
// the result can be quantised.
//
// Thread-safety: WriteTinyModel is reentrant.
#pragma once

#include <cstdint>
#include <string>

#include "airlock/core/status.h"

namespace airlock::testing {

struct TinyModelSpec {
  std::string vocab_path;  // a llama.cpp vocab GGUF; empty: DefaultVocabPath()
  int n_embd = 64;         // multiple of 32
  int n_layer = 2;
  int n_head = 4;
  int n_head_kv = 4;
  int n_ff = 128;             // multiple of 32
  int context_length = 512;   // the model's trained context
  bool f16 = false;           // F16 matrices instead of F32
  bool tied_output = true;    // no output.weight: the token embedding is reused
  uint32_t seed = 1;          // weights are a function of the seed
  std::string chat_template;  // tokenizer.chat_template; empty: none
  int pooling = -1;           // llama.pooling_type (1 mean, 2 cls, 3 last); -1: none
  std::string name = "airlock-tiny-random";
};

// The vocab file the build found (the llama.cpp prefix's share/llama-vocab).
std::string DefaultVocabPath();

// Writes the model to `path`. Returns the number of parameters.
Result<uint64_t> WriteTinyModel(const TinyModelSpec& spec, const std::string& path);

}  // namespace airlock::testing
