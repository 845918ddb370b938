// The local model engine: a GGUF model run in process by llama.cpp.
//
// One Engine owns one loaded model (memory-mapped) and one llama.cpp context
// with `parallel` sequence slots. A scheduler thread owned by the engine
// decodes every active request together in one llama_batch per step
// (continuous batching): a request joins as soon as a slot is free and
// leaves when it finishes, without waiting for the others.
//
//   auto engine = Engine::Load(config);          // hash pin, budget, load
//   engine->Submit(request, on_text, on_done);   // returns at once
//   auto done = engine->Chat(request);           // blocking convenience
//
// Thread-safety: every public member function may be called from any thread
// at any time. Submit() never waits for generation: it formats and tokenizes
// the prompt on the caller's thread, then queues it (or refuses). Callbacks
// run on the engine's scheduler thread; they must be quick and must not call
// back into the same Engine's blocking functions (Chat, Embed) - posting to
// an io_context or setting a promise is the intended use. Destroying the
// engine finishes every queued and running request with kCancelled and
// joins the thread; it must not be destroyed from inside a callback.
//
// Privacy: prompt and completion text reach only the callbacks and return
// values; no log line or error message carries them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/backend/local/model_file.h"
#include "airlock/core/status.h"

namespace airlock::backend::local {

struct EngineConfig {
  std::string model_path;
  // Lower-case hex SHA-256 the file must have (`airlock model hash` prints
  // it). Empty: not checked (command line use); the gateway requires a pin.
  std::string sha256;
  uint64_t memory_budget_bytes = 0;  // refuse when EstimateMemory exceeds it; 0: no limit
  int threads = 0;                   // 0: every hardware thread
  int context_length = 0;  // tokens per request (prompt + completion); 0: min(trained, 4096)
  int batch_size = 512;    // tokens per decode step, across all sequences
  int parallel = 0;        // requests decoded together; 0: 4
  int queue_limit = 16;    // requests waiting for a slot before Submit says busy
  // Chat template used when the model has none (a llama.cpp built-in name
  // such as "chatml", "llama3", "mistral-v7"); empty: such models are refused
  // for chat (embeddings still work).
  std::string fallback_template = "chatml";
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// OpenAI-style sampling. Validated by Submit (InvalidArgument when out of range).
struct SamplingParams {
  float temperature = 1.0f;        // [0, 2]; 0: greedy (argmax, deterministic)
  float top_p = 1.0f;              // (0, 1]
  int max_tokens = 0;              // >= 0; 0: until end-of-generation or the context is full
  std::vector<std::string> stop;   // up to 4 non-empty sequences; never part of the output
  std::optional<uint32_t> seed;    // same seed + same request: same output
  float presence_penalty = 0.0f;   // [-2, 2]
  float frequency_penalty = 0.0f;  // [-2, 2]
  bool ignore_eos = false;         // never end at end-of-generation (benchmarks, tests)
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  SamplingParams sampling;
  // Non-empty: the prompt as is (a legacy completion): no chat template,
  // special-token text not parsed; `messages` is ignored.
  std::string prompt;
};

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

struct Completion {
  std::string text;           // everything streamed, concatenated
  std::string finish_reason;  // "stop" (end-of-generation or a stop sequence) or "length"
  Usage usage;
};

// Receives generated text in order. Pieces are whole UTF-8 characters; text
// that could be the start of a stop sequence is held back until it is known
// not to be one, so a stop sequence is never emitted, not even in part.
using TextCallback = std::function<void(std::string_view text)>;
// Runs exactly once per accepted request: the Completion, or an error
// (kCancelled when the stop token fired or the engine shut down, kInternal
// when llama.cpp failed).
using DoneCallback = std::function<void(Result<Completion>)>;

class Engine {
 public:
  // Checks the pin (hash mismatch: kCorruption, naming the file and both
  // hashes), the file's structure (kCorruption), the memory estimate against
  // the budget (kResourceExhausted), then loads the model and starts the
  // scheduler. The pin is checked on the same open file that is loaded.
  static Result<std::unique_ptr<Engine>> Load(const EngineConfig& config);
  // What Load checks before it loads anything, with the same errors: the
  // settings, the pin, the file's structure and the memory budget. Reads
  // the file (to hash it) but maps no weights (`airlock serve --check`).
  struct Checked {
    ModelInfo info;
    MemoryEstimate memory;
    int context_length = 0;  // per request
    int parallel = 0;
  };
  static Result<Checked> Check(const EngineConfig& config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const ModelInfo& info() const;
  MemoryEstimate memory() const;
  int context_length() const;  // per request, as created
  int parallel() const;
  int threads() const;

  // Queues a chat completion. Returns OK when accepted (then on_done runs
  // exactly once); otherwise no callback runs and the status says why:
  // kInvalidArgument (bad sampling values, no usable chat template, the
  // prompt does not fit the per-request context - with both token counts),
  // kUnavailable (the queue is full: busy, try again later). When `stop` is
  // requested the request ends within one decode step with kCancelled.
  Status Submit(ChatRequest request, TextCallback on_text, DoneCallback on_done,
                std::stop_token stop = {});

  // Submit and wait. Same errors, as a Result.
  Result<Completion> Chat(ChatRequest request, TextCallback on_text = nullptr,
                          std::stop_token stop = {});

  // The prompt text the model's chat template (or the fallback) produces.
  // Contains the payload: for tests and debugging, never for logs.
  Result<std::string> FormatPrompt(const std::vector<ChatMessage>& messages) const;

  // Number of tokens `text` takes (with the model's BOS when it adds one).
  Result<int> CountTokens(std::string_view text) const;

  // One vector per input, pooled as the model declares (mean for models that
  // declare none), L2-normalised. Blocking; runs on a second context of its
  // own, so it does not wait for chat requests (but embedding calls run one
  // at a time). Each text must fit the per-request context.
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts);

  // Counters since Load (for benchmarks and metrics).
  struct Stats {
    uint64_t prompt_tokens = 0;
    uint64_t completion_tokens = 0;
    uint64_t decode_calls = 0;
    uint64_t busy_refusals = 0;
    uint64_t waiting = 0;  // requests queued for a free sequence right now
  };
  Stats stats() const;

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::backend::local
