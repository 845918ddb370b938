// GGUF model files: metadata, memory estimate, SHA-256 pin, quantisation.
//
// Nothing here loads weights: InspectModel reads the GGUF header only and
// checks that every tensor's data lies inside the file, so a truncated or
// malformed file is reported (naming the file and the problem) before
// llama.cpp maps it.
//
// Thread-safety: every function is safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "airlock/core/status.h"

namespace airlock::backend::local {

struct ModelInfo {
  std::string path;
  std::string name;          // general.name, may be empty
  std::string architecture;  // general.architecture ("llama", "qwen2", ...)
  std::string quantization;  // the file type ("Q8_0", "Q4_K - Medium", "all F32", ...)
  uint64_t n_params = 0;     // sum of all tensor elements
  uint64_t file_bytes = 0;
  uint64_t tensor_bytes = 0;    // weights as stored (what the mapping touches)
  uint32_t context_length = 0;  // the trained context (<arch>.context_length)
  uint32_t n_layer = 0;
  uint32_t n_embd = 0;
  uint32_t n_ff = 0;
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t n_vocab = 0;
  std::string pooling;        // "none" (generative), "mean", "cls", "last", "rank"
  std::string chat_template;  // tokenizer.chat_template; empty when the model has none
};

// Memory one Engine needs for this model (bytes), by part.
struct MemoryEstimate {
  uint64_t weights = 0;   // the mapped tensor data
  uint64_t kv_cache = 0;  // F16 keys and values for every context slot
  uint64_t compute = 0;   // activations, logits and scratch for one batch (an estimate)
  uint64_t total() const { return weights + kv_cache + compute; }
};

// "N MiB", rounded up (memory estimates in messages).
std::string FormatMiB(uint64_t bytes);

// Reads metadata; errors: NotFound/IoError (cannot open), Corruption (not a
// GGUF file, malformed header, tensor data beyond the end of the file).
Result<ModelInfo> InspectModel(const std::string& path);

// What an engine with `context_length` tokens per sequence, `parallel`
// sequences and `batch` tokens per decode would need.
MemoryEstimate EstimateMemory(const ModelInfo& info, uint32_t context_length, uint32_t parallel,
                              uint32_t batch);

// Lower-case hex SHA-256 of the file's bytes (memory-mapped, streamed).
Result<std::string> HashModelFile(const std::string& path);

// Names accepted by QuantizeModel: "q8_0", "q4_k_m", "q4_0", "q5_k_m", "q6_k", "f16", ...
std::string_view QuantizationTypeNames();

struct QuantizeProgress {
  int tensor = 0;  // 1-based index of the tensor just written
  int total = 0;
};

// Quantises `in` to `out` with llama.cpp's quantiser. `threads` <= 0: all
// cores. `progress` (optional) runs on the calling thread after each tensor.
// Errors name the file: InvalidArgument (unknown type), Corruption (input
// not a model), IoError (output not writable).
Status QuantizeModel(const std::string& in, const std::string& out, std::string_view type,
                     int threads, const std::function<void(const QuantizeProgress&)>& progress);

}  // namespace airlock::backend::local
