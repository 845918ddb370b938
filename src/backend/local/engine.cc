#include "airlock/backend/local/engine.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <span>
#include <thread>

#include "airlock/backend/local/greedy.h"
#include "airlock/backend/local/stop_filter.h"
#include "internal/llama_support.h"

namespace airlock::backend::local {
namespace {

constexpr int kDefaultParallel = 4;
constexpr int kDefaultContext = 4096;
constexpr size_t kMaxStops = 4;


bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status ValidateSampling(const SamplingParams& s) {
  if (!(s.temperature >= 0.0f && s.temperature <= 2.0f)) {
    return Status::InvalidArgument("temperature must be between 0 and 2");
  }
  if (!(s.top_p > 0.0f && s.top_p <= 1.0f))
    return Status::InvalidArgument("top_p must be in (0, 1]");
  if (s.max_tokens < 0) return Status::InvalidArgument("max_tokens must not be negative");
  if (!(std::fabs(s.presence_penalty) <= 2.0f) || !(std::fabs(s.frequency_penalty) <= 2.0f)) {
    return Status::InvalidArgument(
        "presence_penalty and frequency_penalty must be between -2 and 2");
  }
  if (s.stop.size() > kMaxStops) return Status::InvalidArgument("at most 4 stop sequences");
  for (const auto& st : s.stop) {
    if (st.empty()) return Status::InvalidArgument("stop sequences must not be empty");
  }
  return Status::Ok();
}

// A request between Submit and its DoneCallback.
struct Request {
  std::vector<llama_token> prompt;
  SamplingParams sampling;
  TextCallback on_text;
  DoneCallback on_done;
  std::stop_token stop;
};

// One sequence of the shared context.
struct Slot {
  llama_seq_id seq = 0;
  std::unique_ptr<Request> req;  // null: free
  size_t prompt_done = 0;        // prompt tokens already in the batch/cache
  llama_pos n_past = 0;
  llama_token next = LLAMA_TOKEN_NULL;  // sampled, to be decoded next step
  int32_t output = -1;                  // row of this slot's logits in the batch
  internal::SamplerPtr sampler;         // null: greedy over the logits (Impl::Sample)
  StopFilter filter;
  Completion completion;
};

}  // namespace

class Engine::Impl {
 public:
  EngineConfig config;
  ModelInfo info;
  MemoryEstimate memory;
  int n_ctx_seq = 0;
  int parallel = 0;
  int threads = 0;
  internal::ModelPtr model;
  internal::ContextPtr ctx;
  const llama_vocab* vocab = nullptr;
  std::string template_text;            // the model's chat template or the fallback name
  std::vector<llama_token> eog_tokens;  // banned by ignore_eos; ascending
  int32_t n_vocab = 0;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Request>> queue;  // guarded by mu
  int in_flight = 0;                           // queued + running; guarded by mu
  bool shutdown = false;                       // guarded by mu
  std::vector<Slot> slots;                     // engine thread only
  std::thread thread;

  std::mutex embed_mu;
  internal::ContextPtr embed_ctx;  // guarded by embed_mu

  std::atomic<uint64_t> prompt_tokens{0}, completion_tokens{0}, decode_calls{0}, busy{0};

  ~Impl() {
    {
      std::lock_guard lk(mu);
      shutdown = true;
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
  }

  Result<std::vector<llama_token>> Tokenize(std::string_view text, bool add_special,
                                            bool parse_special) const {
    if (text.size() > static_cast<size_t>(INT32_MAX / 2)) {
      return Status::InvalidArgument("input too long to tokenize");
    }
    std::vector<llama_token> toks(text.size() + 2);
    int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), toks.data(),
                               static_cast<int32_t>(toks.size()), add_special, parse_special);
    if (n < 0) {
      toks.resize(static_cast<size_t>(-n));
      n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), toks.data(),
                         static_cast<int32_t>(toks.size()), add_special, parse_special);
    }
    if (n < 0) return Status::Internal("tokenization failed");
    toks.resize(static_cast<size_t>(n));
    return toks;
  }

  std::string Piece(llama_token t) const {
    char buf[256];
    int32_t n = llama_token_to_piece(vocab, t, buf, sizeof buf, 0, false);
    if (n < 0) {
      std::string big(static_cast<size_t>(-n), '\0');
      n = llama_token_to_piece(vocab, t, big.data(), static_cast<int32_t>(big.size()), 0, false);
      big.resize(static_cast<size_t>(std::max(0, n)));
      return big;
    }
    return std::string(buf, static_cast<size_t>(n));
  }

  // Null for temperature 0 without penalties: Sample then picks the token the
  // chain logit_bias(eog: -inf when ignore_eos) + greedy would pick, without
  // the chain's per-token array of every vocabulary entry.
  internal::SamplerPtr MakeSampler(const SamplingParams& s) const {
    if (s.temperature <= 0.0f && s.presence_penalty == 0.0f && s.frequency_penalty == 0.0f) {
      return nullptr;
    }
    llama_sampler_chain_params cp = llama_sampler_chain_default_params();
    cp.no_perf = true;
    internal::SamplerPtr chain(llama_sampler_chain_init(cp));
    if (s.ignore_eos) {
      std::vector<llama_logit_bias> bias;
      for (llama_token t : eog_tokens) bias.push_back({t, -INFINITY});
      llama_sampler_chain_add(
          chain.get(),
          llama_sampler_init_logit_bias(n_vocab, static_cast<int32_t>(bias.size()), bias.data()));
    }
    if (s.presence_penalty != 0.0f || s.frequency_penalty != 0.0f) {
      llama_sampler_chain_add(
          chain.get(), llama_sampler_init_penalties(n_vocab, n_ctx_seq, 1.0f, s.frequency_penalty,
                                                    s.presence_penalty));
    }
    if (s.temperature <= 0.0f) {
      llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    } else {
      if (s.top_p < 1.0f)
        llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(s.top_p, 1));
      llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(s.temperature));
      llama_sampler_chain_add(chain.get(),
                              llama_sampler_init_dist(s.seed.value_or(LLAMA_DEFAULT_SEED)));
    }
    return chain;
  }

  // The next token of `slot` from row `out` of the last decode;
  // LLAMA_TOKEN_NULL when llama.cpp has no logits for that row.
  llama_token Sample(Slot& slot, int32_t out) {
    if (slot.sampler) return llama_sampler_sample(slot.sampler.get(), ctx.get(), out);
    const float* logits = llama_get_logits_ith(ctx.get(), out);
    if (logits == nullptr) return LLAMA_TOKEN_NULL;
    std::span<const int32_t> banned;
    if (slot.req->sampling.ignore_eos) banned = eog_tokens;
    return GreedyToken({logits, static_cast<size_t>(n_vocab)}, banned);
  }

  void Emit(Slot& slot, const std::string& text) {
    if (text.empty()) return;
    slot.completion.text += text;
    if (slot.req->on_text) slot.req->on_text(text);
  }

  // Ends the slot's request with `result` and frees its sequence.
  void Finish(Slot& slot, Result<Completion> result) {
    llama_memory_seq_rm(llama_get_memory(ctx.get()), slot.seq, -1, -1);
    std::unique_ptr<Request> req = std::move(slot.req);
    slot.sampler.reset();
    {
      std::lock_guard lk(mu);
      --in_flight;
    }
    req->on_done(std::move(result));
  }

  void Start(Slot& slot, std::unique_ptr<Request> req) {
    slot.sampler = MakeSampler(req->sampling);
    slot.filter = StopFilter(req->sampling.stop);
    slot.completion = Completion{};
    slot.completion.usage.prompt_tokens = static_cast<int>(req->prompt.size());
    slot.prompt_done = 0;
    slot.n_past = 0;
    slot.output = -1;
    slot.req = std::move(req);
  }

  // After sampling `tok` for `slot`: stream it and decide whether the request ends.
  void Advance(Slot& slot, llama_token tok) {
    const SamplingParams& s = slot.req->sampling;
    if (llama_vocab_is_eog(vocab, tok)) {
      Emit(slot, slot.filter.Flush());
      slot.completion.finish_reason = "stop";
      return Finish(slot, std::move(slot.completion));
    }
    ++slot.completion.usage.completion_tokens;
    completion_tokens.fetch_add(1, std::memory_order_relaxed);
    bool stopped = false;
    Emit(slot, slot.filter.Push(Piece(tok), &stopped));
    if (stopped) {
      slot.completion.finish_reason = "stop";
      return Finish(slot, std::move(slot.completion));
    }
    const bool max_reached =
        s.max_tokens > 0 && slot.completion.usage.completion_tokens >= s.max_tokens;
    // `tok` itself needs no cache cell: prompt + completion <= n_ctx_seq.
    if (max_reached || slot.n_past + 1 >= n_ctx_seq) {
      Emit(slot, slot.filter.Flush());
      slot.completion.finish_reason = "length";
      return Finish(slot, std::move(slot.completion));
    }
    slot.next = tok;
  }

  void Run() {
    internal::Batch batch(config.batch_size);
    std::vector<std::unique_ptr<Request>> withdrawn;
    while (true) {
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] {
          return shutdown || !queue.empty() ||
                 std::any_of(slots.begin(), slots.end(),
                             [](const Slot& s) { return s.req != nullptr; });
        });
        if (shutdown) break;
        // Withdrawn requests leave the queue now, not when a slot frees up.
        for (auto it = queue.begin(); it != queue.end();) {
          if ((*it)->stop.stop_requested()) {
            withdrawn.push_back(std::move(*it));
            it = queue.erase(it);
            --in_flight;
          } else {
            ++it;
          }
        }
        for (auto& slot : slots) {
          if (slot.req == nullptr && !queue.empty()) {
            auto req = std::move(queue.front());
            queue.pop_front();
            lk.unlock();
            Start(slot, std::move(req));
            lk.lock();
          }
        }
      }
      for (auto& r : withdrawn) r->on_done(Status::Cancelled("request cancelled"));
      withdrawn.clear();
      for (auto& slot : slots) {
        if (slot.req && slot.req->stop.stop_requested()) {
          Finish(slot, Status::Cancelled("request cancelled"));
        }
      }
      // Generating sequences first (one token each), then prompt chunks in
      // the remaining room, so a long prompt never stalls the others.
      batch.Clear();
      for (auto& slot : slots) {
        if (slot.req && slot.prompt_done == slot.req->prompt.size() && !batch.Full()) {
          slot.output = batch.Add(slot.next, slot.n_past++, slot.seq, true);
        }
      }
      for (auto& slot : slots) {
        if (!slot.req) continue;
        const auto& prompt = slot.req->prompt;
        while (slot.prompt_done < prompt.size() && !batch.Full()) {
          const bool last = slot.prompt_done + 1 == prompt.size();
          const int32_t i = batch.Add(prompt[slot.prompt_done], slot.n_past++, slot.seq, last);
          ++slot.prompt_done;
          if (last) slot.output = i;
        }
      }
      if (batch.size() == 0) continue;
      const int32_t rc = llama_decode(ctx.get(), batch.get());
      decode_calls.fetch_add(1, std::memory_order_relaxed);
      if (rc != 0) {
        for (auto& slot : slots) {
          if (slot.req)
            Finish(slot, Status::Internal("llama_decode failed with code " + std::to_string(rc)));
          slot.output = -1;
        }
        continue;
      }
      for (auto& slot : slots) {
        if (!slot.req || slot.output < 0) continue;
        const int32_t out = slot.output;
        slot.output = -1;
        const llama_token tok = Sample(slot, out);
        if (tok == LLAMA_TOKEN_NULL) {
          Finish(slot, Status::Internal("llama.cpp returned no logits for the sequence"));
          continue;
        }
        Advance(slot, tok);
      }
    }
    // Shutting down: nothing queued or running survives.
    std::deque<std::unique_ptr<Request>> left;
    {
      std::lock_guard lk(mu);
      left.swap(queue);
    }
    for (auto& r : left) r->on_done(Status::Cancelled("engine shutting down"));
    for (auto& slot : slots) {
      if (slot.req) Finish(slot, Status::Cancelled("engine shutting down"));
    }
  }

  Result<std::string> Format(const std::vector<ChatMessage>& messages) const {
    if (template_text.empty()) {
      return Status::InvalidArgument(
          info.path + ": the model has no chat template and no fallback is configured");
    }
    if (messages.empty()) return Status::InvalidArgument("messages must not be empty");
    std::vector<llama_chat_message> msgs;
    size_t total = 0;
    for (const auto& m : messages) {
      if (m.role != "system" && m.role != "user" && m.role != "assistant") {
        return Status::InvalidArgument("unknown message role '" + m.role + "'");
      }
      msgs.push_back({m.role.c_str(), m.content.c_str()});
      total += m.content.size() + m.role.size();
    }
    std::string buf(2 * total + 1024, '\0');
    int32_t n = llama_chat_apply_template(template_text.c_str(), msgs.data(), msgs.size(), true,
                                          buf.data(), static_cast<int32_t>(buf.size()));
    if (n > static_cast<int32_t>(buf.size())) {
      buf.resize(static_cast<size_t>(n));
      n = llama_chat_apply_template(template_text.c_str(), msgs.data(), msgs.size(), true,
                                    buf.data(), n);
    }
    if (n < 0)
      return Status::InvalidArgument(info.path +
                                     ": the chat template is not supported by llama.cpp");
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  Status CreateEmbeddingContext() {
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(n_ctx_seq);
    cp.n_batch = cp.n_ubatch =
        static_cast<uint32_t>(n_ctx_seq);  // pooling needs the whole text in one ubatch
    cp.n_seq_max = 1;
    cp.n_threads = cp.n_threads_batch = threads;
    cp.embeddings = true;
    cp.pooling_type =
        info.pooling == "none" ? LLAMA_POOLING_TYPE_MEAN : LLAMA_POOLING_TYPE_UNSPECIFIED;
    cp.no_perf = true;
    internal::ClearLastError();
    embed_ctx.reset(llama_init_from_model(model.get(), cp));
    if (!embed_ctx)
      return Status::ResourceExhausted(info.path + ": cannot create the embedding context (" +
                                       internal::LastError() + ")");
    return Status::Ok();
  }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

namespace {

// What Load checks before llama.cpp maps the file, on the open descriptor
// `fd` of `config.model_path`: the pin, the GGUF structure and the memory
// estimate against the budget.
struct Preflight {
  ModelInfo info;
  int parallel = 0;
  int threads = 0;
  int n_ctx_seq = 0;
  int batch_size = 0;
  MemoryEstimate memory;
};

Status CheckSettings(const EngineConfig& config) {
  const std::string& path = config.model_path;
  if (path.empty()) return Status::InvalidArgument("no model file configured");
  if (!config.sha256.empty() && !IsHex64(config.sha256)) {
    return Status::InvalidArgument(path + ": the sha256 pin must be 64 lower-case hex digits");
  }
  if (config.batch_size < 1 || config.parallel < 0 || config.threads < 0 ||
      config.context_length < 0 || config.queue_limit < 0) {
    return Status::InvalidArgument(
        path + ": threads, context, batch, parallel and queue must not be negative");
  }
  return Status::Ok();
}

Result<int> OpenModel(const std::string& path) {
  const int raw = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  }
  return raw;
}

Result<Preflight> PreflightFd(int raw, const EngineConfig& config) {
  const std::string& path = config.model_path;
  struct stat st {};
  if (fstat(raw, &st) != 0 || !S_ISREG(st.st_mode))
    return Status::InvalidArgument(path + ": not a regular file");
  if (!config.sha256.empty()) {
    std::string error;
    const std::string actual =
        internal::HashFd(raw, static_cast<uint64_t>(st.st_size), path, &error);
    if (!error.empty()) return Status::IoError(error);
    if (actual != config.sha256) {
      return Status::Corruption(path + ": SHA-256 mismatch: the pin is " + config.sha256 +
                                " but the file hashes to " + actual);
    }
  }
  auto info = internal::InspectFd(raw, path);
  if (!info.ok()) return info.status();
  Preflight p;
  p.info = std::move(*info);
  p.parallel = config.parallel > 0 ? config.parallel : kDefaultParallel;
  p.threads = config.threads > 0
                  ? config.threads
                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int trained =
      p.info.context_length > 0 ? static_cast<int>(p.info.context_length) : kDefaultContext;
  p.n_ctx_seq = config.context_length > 0 ? config.context_length : std::min(trained, kDefaultContext);
  p.batch_size = std::max(config.batch_size, p.parallel);
  p.memory = EstimateMemory(p.info, static_cast<uint32_t>(p.n_ctx_seq),
                            static_cast<uint32_t>(p.parallel), static_cast<uint32_t>(p.batch_size));
  if (config.memory_budget_bytes > 0 && p.memory.total() > config.memory_budget_bytes) {
    const auto& m = p.memory;
    return Status::ResourceExhausted(path + ": needs about " + FormatMiB(m.total()) + " (weights " +
                                     FormatMiB(m.weights) + ", KV cache " + FormatMiB(m.kv_cache) +
                                     ", compute " + FormatMiB(m.compute) + ") but the memory budget is " +
                                     FormatMiB(config.memory_budget_bytes));
  }
  return p;
}

struct FdCloser {
  int fd;
  ~FdCloser() { close(fd); }
};

}  // namespace

Result<Engine::Checked> Engine::Check(const EngineConfig& config) {
  if (Status s = CheckSettings(config); !s.ok()) return s;
  auto raw = OpenModel(config.model_path);
  if (!raw.ok()) return raw.status();
  FdCloser closer{*raw};
  auto p = PreflightFd(*raw, config);
  if (!p.ok()) return p.status();
  return Checked{std::move(p->info), p->memory, p->n_ctx_seq, p->parallel};
}

Result<std::unique_ptr<Engine>> Engine::Load(const EngineConfig& config) {
  internal::InitLlama();
  const std::string& path = config.model_path;
  if (Status s = CheckSettings(config); !s.ok()) return s;
  // One descriptor for hashing, inspecting and loading (through
  // /proc/self/fd), so the file checked is the file loaded.
  auto raw = OpenModel(path);
  if (!raw.ok()) return raw.status();
  FdCloser closer{*raw};
  auto pre = PreflightFd(*raw, config);
  if (!pre.ok()) return pre.status();
  const std::string fd_path = "/proc/self/fd/" + std::to_string(*raw);

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->info = std::move(pre->info);
  impl->parallel = pre->parallel;
  impl->threads = pre->threads;
  impl->n_ctx_seq = pre->n_ctx_seq;
  impl->config.batch_size = pre->batch_size;
  impl->memory = pre->memory;

  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  mp.load_mode = LLAMA_LOAD_MODE_MMAP;
  internal::ClearLastError();
  impl->model.reset(llama_model_load_from_file(fd_path.c_str(), mp));
  if (!impl->model) {
    const std::string why = internal::LastError();
    return Status::Corruption(path + ": llama.cpp cannot load the model" +
                              (why.empty() ? "" : " (" + why + ")"));
  }
  impl->vocab = llama_model_get_vocab(impl->model.get());
  impl->n_vocab = llama_vocab_n_tokens(impl->vocab);
  for (llama_token t = 0; t < impl->n_vocab; ++t) {
    if (llama_vocab_is_eog(impl->vocab, t)) impl->eog_tokens.push_back(t);
  }

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(impl->n_ctx_seq * impl->parallel);
  cp.n_seq_max = static_cast<uint32_t>(impl->parallel);
  cp.n_batch = static_cast<uint32_t>(impl->config.batch_size);
  cp.n_ubatch = std::min<uint32_t>(cp.n_batch, 512);
  cp.n_threads = cp.n_threads_batch = impl->threads;
  cp.kv_unified = false;  // each sequence owns n_ctx_seq cells: the per-request limit
  cp.no_perf = true;
  internal::ClearLastError();
  impl->ctx.reset(llama_init_from_model(impl->model.get(), cp));
  if (!impl->ctx) {
    return Status::ResourceExhausted(path + ": cannot create the llama.cpp context (" +
                                     internal::LastError() + ")");
  }
  // llama.cpp may round the context up; the per-request limit stays as configured.
  impl->n_ctx_seq = std::min(impl->n_ctx_seq, static_cast<int>(llama_n_ctx_seq(impl->ctx.get())));

  if (!impl->info.chat_template.empty()) {
    impl->template_text = impl->info.chat_template;
  } else if (!config.fallback_template.empty()) {
    llama_chat_message probe{"user", "x"};
    char buf[256];
    if (llama_chat_apply_template(config.fallback_template.c_str(), &probe, 1, true, buf,
                                  sizeof buf) < 0) {
      return Status::InvalidArgument("unknown fallback chat template '" + config.fallback_template +
                                     "'");
    }
    impl->template_text = config.fallback_template;
  }

  impl->slots.resize(static_cast<size_t>(impl->parallel));
  for (int i = 0; i < impl->parallel; ++i) impl->slots[static_cast<size_t>(i)].seq = i;
  Impl* p = impl.get();
  impl->thread = std::thread([p] { p->Run(); });
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const ModelInfo& Engine::info() const { return impl_->info; }
MemoryEstimate Engine::memory() const { return impl_->memory; }
int Engine::context_length() const { return impl_->n_ctx_seq; }
int Engine::parallel() const { return impl_->parallel; }
int Engine::threads() const { return impl_->threads; }

Result<std::string> Engine::FormatPrompt(const std::vector<ChatMessage>& messages) const {
  return impl_->Format(messages);
}

Result<int> Engine::CountTokens(std::string_view text) const {
  auto toks = impl_->Tokenize(text, true, true);
  if (!toks.ok()) return toks.status();
  return static_cast<int>(toks->size());
}

Status Engine::Submit(ChatRequest request, TextCallback on_text, DoneCallback on_done,
                      std::stop_token stop) {
  if (!on_done) return Status::InvalidArgument("Submit needs a done callback");
  if (Status s = ValidateSampling(request.sampling); !s.ok()) return s;
  const bool raw = !request.prompt.empty();
  auto prompt = raw ? Result<std::string>(std::move(request.prompt)) : impl_->Format(request.messages);
  if (!prompt.ok()) return prompt.status();
  auto tokens = impl_->Tokenize(*prompt, true, !raw);
  if (!tokens.ok()) return tokens.status();
  if (tokens->empty()) return Status::InvalidArgument("the prompt is empty");
  const int n = static_cast<int>(tokens->size());
  if (n >= impl_->n_ctx_seq) {
    return Status::InvalidArgument(
        "the prompt has " + std::to_string(n) + " tokens but the context holds " +
        std::to_string(impl_->n_ctx_seq) + " per request (prompt and completion)");
  }
  auto req = std::make_unique<Request>();
  req->prompt = std::move(*tokens);
  req->sampling = std::move(request.sampling);
  req->on_text = std::move(on_text);
  req->on_done = std::move(on_done);
  req->stop = std::move(stop);
  {
    std::lock_guard lk(impl_->mu);
    if (impl_->shutdown) return Status::Unavailable("engine shutting down");
    if (impl_->in_flight >= impl_->parallel + impl_->config.queue_limit) {
      impl_->busy.fetch_add(1, std::memory_order_relaxed);
      return Status::Unavailable("busy: " + std::to_string(impl_->parallel) +
                                 " requests running and " +
                                 std::to_string(impl_->config.queue_limit) + " waiting");
    }
    ++impl_->in_flight;
    impl_->prompt_tokens.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    impl_->queue.push_back(std::move(req));
  }
  impl_->cv.notify_one();
  return Status::Ok();
}

Result<Completion> Engine::Chat(ChatRequest request, TextCallback on_text, std::stop_token stop) {
  std::promise<Result<Completion>> promise;
  auto future = promise.get_future();
  Status s = Submit(
      std::move(request), std::move(on_text),
      [&promise](Result<Completion> r) { promise.set_value(std::move(r)); }, std::move(stop));
  if (!s.ok()) return s;
  return future.get();
}

Result<std::vector<std::vector<float>>> Engine::Embed(const std::vector<std::string>& texts) {
  std::lock_guard lk(impl_->embed_mu);
  if (!impl_->embed_ctx) {
    if (Status s = impl_->CreateEmbeddingContext(); !s.ok()) return s;
  }
  llama_context* ectx = impl_->embed_ctx.get();
  const int n_embd = llama_model_n_embd_out(impl_->model.get());
  std::vector<std::vector<float>> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) return Status::InvalidArgument("input " + std::to_string(i) + " is empty");
    auto toks = impl_->Tokenize(texts[i], true, false);
    if (!toks.ok()) return toks.status();
    if (toks->empty()) return Status::InvalidArgument("input " + std::to_string(i) + " is empty");
    if (static_cast<int>(toks->size()) > impl_->n_ctx_seq) {
      return Status::InvalidArgument(
          "input " + std::to_string(i) + " has " + std::to_string(toks->size()) +
          " tokens but the context holds " + std::to_string(impl_->n_ctx_seq));
    }
    llama_memory_clear(llama_get_memory(ectx), true);
    internal::Batch batch(static_cast<int32_t>(toks->size()));
    for (size_t t = 0; t < toks->size(); ++t)
      batch.Add((*toks)[t], static_cast<llama_pos>(t), 0, true);
    const bool encoder_only =
        llama_model_has_encoder(impl_->model.get()) && !llama_model_has_decoder(impl_->model.get());
    const int32_t rc =
        encoder_only ? llama_encode(ectx, batch.get()) : llama_decode(ectx, batch.get());
    if (rc != 0) return Status::Internal("embedding failed with code " + std::to_string(rc));
    const float* e = llama_get_embeddings_seq(ectx, 0);
    if (e == nullptr)
      return Status::Internal(impl_->info.path + ": the model produced no pooled embedding");
    std::vector<float> v(e, e + n_embd);
    double norm = 0;
    for (float x : v) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    if (norm > 0) {
      for (float& x : v) x = static_cast<float>(x / norm);
    }
    out.push_back(std::move(v));
  }
  return out;
}

Engine::Stats Engine::stats() const {
  Stats s;
  s.prompt_tokens = impl_->prompt_tokens.load();
  s.completion_tokens = impl_->completion_tokens.load();
  s.decode_calls = impl_->decode_calls.load();
  s.busy_refusals = impl_->busy.load();
  std::lock_guard lk(impl_->mu);
  s.waiting = impl_->queue.size();
  return s;
}

}  // namespace airlock::backend::local
