// Internal: RAII for llama.cpp handles and routing of llama.cpp's log.
#pragma once

#include <gguf.h>
#include <llama.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "airlock/backend/local/model_file.h"

namespace airlock::backend::local::internal {

struct ModelFree {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextFree {
  void operator()(llama_context* c) const { llama_free(c); }
};
struct SamplerFree {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};
struct GgufFree {
  void operator()(gguf_context* g) const { gguf_free(g); }
};
using ModelPtr = std::unique_ptr<llama_model, ModelFree>;
using ContextPtr = std::unique_ptr<llama_context, ContextFree>;
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerFree>;
using GgufPtr = std::unique_ptr<gguf_context, GgufFree>;

class Batch {
 public:
  explicit Batch(int32_t capacity) : b_(llama_batch_init(capacity, 0, 1)), capacity_(capacity) {}
  ~Batch() { llama_batch_free(b_); }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  void Clear() { b_.n_tokens = 0; }
  bool Full() const { return b_.n_tokens >= capacity_; }
  // Appends one token of sequence `seq`; returns its index in the batch.
  int32_t Add(llama_token token, llama_pos pos, llama_seq_id seq, bool logits) {
    const int32_t i = b_.n_tokens++;
    b_.token[i] = token;
    b_.pos[i] = pos;
    b_.n_seq_id[i] = 1;
    b_.seq_id[i][0] = seq;
    b_.logits[i] = logits;
    return i;
  }
  int32_t size() const { return b_.n_tokens; }
  const llama_batch& get() const { return b_; }

 private:
  llama_batch b_;
  int32_t capacity_;
};

// Installs (once per process) the log router: llama.cpp and ggml messages go
// to stderr only when AIRLOCK_LLAMA_LOG=1; errors are kept per thread so a
// failed call can say why. llama.cpp logs describe files and tensors, never
// prompt text.
void InitLlama();

// The last error llama.cpp logged on this thread since ClearLastError().
std::string LastError();
void ClearLastError();

// While alive, llama.cpp log messages (each call, not always a whole line)
// on this thread also go to `sink`.
class ScopedLogSink {
 public:
  explicit ScopedLogSink(std::function<void(std::string_view)> sink);
  ~ScopedLogSink();
  ScopedLogSink(const ScopedLogSink&) = delete;
  ScopedLogSink& operator=(const ScopedLogSink&) = delete;

 private:
  std::function<void(std::string_view)> previous_;
};

// InspectModel on an open descriptor; messages name `path`.
Result<ModelInfo> InspectFd(int fd, const std::string& path);

// Hex SHA-256 of an open file of `size` bytes (memory-mapped).
std::string HashFd(int fd, uint64_t size, const std::string& path, std::string* error);

}  // namespace airlock::backend::local::internal
