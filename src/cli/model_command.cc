// `airlock model inspect|hash|quantize|run|bench`: the local model engine
// from the command line (src/backend/local).
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "airlock/backend/local/engine.h"
#include "airlock/backend/local/model_file.h"
#include "commands.h"

namespace airlock::cli {
namespace {

namespace local = airlock::backend::local;
using Clock = std::chrono::steady_clock;

int Fail(const char* cmd, const Status& s) {
  std::cerr << "airlock model " << cmd << ": " << s.message() << "\n";
  return kExitError;
}

std::string Human(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / double(1ull << 30));
  else if (bytes >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / double(1ull << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  return buf;
}

// Engine settings shared by run and bench.
struct EngineOptions {
  std::string model;
  std::string sha256;
  int threads = 0;
  int ctx = 0;
  int batch = 512;
  int parallel = 1;
  std::string fallback_template = "chatml";
  double budget_mib = 0;
};

void AddEngineOptions(CLI::App* cmd, EngineOptions* o) {
  cmd->add_option("model,-m,--model", o->model,
                  "GGUF model file (any real GGUF, or airlock-mkmodel output)")
      ->required();
  cmd->add_option("--sha256", o->sha256,
                  "refuse the file unless it has this SHA-256 (from `model hash`)");
  cmd->add_option("-t,--threads", o->threads, "CPU threads (0: all)");
  cmd->add_option("-c,--ctx", o->ctx, "context tokens per request (0: min(trained, 4096))");
  cmd->add_option("-b,--batch", o->batch, "tokens per decode step");
  cmd->add_option("--template", o->fallback_template, "chat template when the model has none");
  cmd->add_option("--memory-budget-mib", o->budget_mib,
                  "refuse to load above this estimate (0: no limit)");
}

Result<std::unique_ptr<local::Engine>> LoadEngine(const EngineOptions& o) {
  local::EngineConfig c;
  c.model_path = o.model;
  c.sha256 = o.sha256;
  c.threads = o.threads;
  c.context_length = o.ctx;
  c.batch_size = o.batch;
  c.parallel = o.parallel;
  c.fallback_template = o.fallback_template;
  c.memory_budget_bytes = static_cast<uint64_t>(o.budget_mib * (1 << 20));
  return local::Engine::Load(c);
}

int RunInspect(const std::string& file, const std::string& format, int ctx, int parallel) {
  auto info = local::InspectModel(file);
  if (!info.ok()) return Fail("inspect", info.status());
  const uint32_t n_ctx =
      ctx > 0 ? static_cast<uint32_t>(ctx)
              : std::min<uint32_t>(info->context_length ? info->context_length : 4096, 4096);
  const auto mem = local::EstimateMemory(*info, n_ctx, static_cast<uint32_t>(parallel), 512);
  if (format == "json") {
    nlohmann::json j = {{"file", info->path},
                        {"name", info->name},
                        {"architecture", info->architecture},
                        {"parameters", info->n_params},
                        {"quantization", info->quantization},
                        {"file_bytes", info->file_bytes},
                        {"context_length", info->context_length},
                        {"layers", info->n_layer},
                        {"embedding_length", info->n_embd},
                        {"heads", info->n_head},
                        {"kv_heads", info->n_head_kv},
                        {"vocab_size", info->n_vocab},
                        {"pooling", info->pooling},
                        {"has_chat_template", !info->chat_template.empty()},
                        {"memory",
                         {{"context_per_request", n_ctx},
                          {"parallel", parallel},
                          {"weights_bytes", mem.weights},
                          {"kv_cache_bytes", mem.kv_cache},
                          {"compute_bytes", mem.compute},
                          {"total_bytes", mem.total()}}}};
    std::cout << j.dump(2) << "\n";
    return kExitClean;
  }
  if (format != "table")
    return Fail("inspect", Status::InvalidArgument("unknown --format '" + format + "'"));
  std::printf("file            %s (%s)\n", info->path.c_str(), Human(info->file_bytes).c_str());
  std::printf("name            %s\n", info->name.empty() ? "-" : info->name.c_str());
  std::printf("architecture    %s\n", info->architecture.c_str());
  std::printf("parameters      %llu (%.1f M)\n", static_cast<unsigned long long>(info->n_params),
              info->n_params / 1e6);
  std::printf("quantization    %s\n", info->quantization.c_str());
  std::printf("context length  %u (trained)\n", info->context_length);
  std::printf("layers/embd     %u / %u, heads %u (kv %u), vocab %u\n", info->n_layer, info->n_embd,
              info->n_head, info->n_head_kv, info->n_vocab);
  std::printf("pooling         %s\n", info->pooling.c_str());
  std::printf("chat template   %s\n",
              info->chat_template.empty() ? "none (the configured fallback is used)" : "yes");
  std::printf(
      "memory          %s for %u tokens x %d sequence(s): weights %s, KV cache %s, compute %s\n",
      Human(mem.total()).c_str(), n_ctx, parallel, Human(mem.weights).c_str(),
      Human(mem.kv_cache).c_str(), Human(mem.compute).c_str());
  return kExitClean;
}

int RunHash(const std::string& file) {
  auto hex = local::HashModelFile(file);
  if (!hex.ok()) return Fail("hash", hex.status());
  std::cout << "sha256: " << *hex << "\n";
  return kExitClean;
}

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int RunQuantize(const std::string& in, const std::string& out, const std::string& type,
                int threads) {
  const auto start = Clock::now();
  Status s = local::QuantizeModel(in, out, type, threads, [](const local::QuantizeProgress& p) {
    std::fprintf(stderr, "\rquantizing tensor %d/%d", p.tensor, p.total);
    if (p.tensor == p.total) std::fputc('\n', stderr);
  });
  if (!s.ok()) return Fail("quantize", s);
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const uint64_t before = FileSize(in), after = FileSize(out);
  std::printf("%s: %s -> %s: %s (%.1f%% of the input) in %.1f s\n", type.c_str(),
              Human(before).c_str(), out.c_str(), Human(after).c_str(),
              before ? 100.0 * after / before : 0.0, secs);
  return kExitClean;
}

struct RunOptions {
  EngineOptions engine;
  std::string prompt;
  std::string system;
  local::SamplingParams sampling;
};

int RunRun(RunOptions o) {
  if (o.prompt.empty())
    return Fail("run", Status::InvalidArgument("--prompt is required and must not be empty"));
  auto engine = LoadEngine(o.engine);
  if (!engine.ok()) return Fail("run", engine.status());
  local::ChatRequest req;
  if (!o.system.empty()) req.messages.push_back({"system", o.system});
  req.messages.push_back({"user", o.prompt});
  req.sampling = o.sampling;
  auto done = (*engine)->Chat(std::move(req), [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  });
  std::fputc('\n', stdout);
  if (!done.ok()) return Fail("run", done.status());
  std::fprintf(stderr, "finish_reason=%s prompt_tokens=%d completion_tokens=%d\n",
               done->finish_reason.c_str(), done->usage.prompt_tokens,
               done->usage.completion_tokens);
  return kExitClean;
}

uint64_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

struct BenchOptions {
  EngineOptions engine;
  int prompt_tokens = 128;
  int gen_tokens = 32;
  int repetitions = 3;
  std::string format = "table";
};

// Builds a one-message chat whose formatted prompt has about `n` tokens.
local::ChatRequest PromptOfTokens(local::Engine& e, int n) {
  local::ChatRequest r;
  r.messages.push_back({"user", ""});
  std::string& text = r.messages[0].content;
  int step = std::max(1, n / 2);
  while (step > 0) {
    std::string longer = text;
    for (int i = 0; i < step; ++i) longer += " word";
    auto formatted = e.FormatPrompt({{"user", longer}});
    auto count = formatted.ok() ? e.CountTokens(*formatted) : Result<int>(formatted.status());
    if (count.ok() && *count <= n)
      text = longer;
    else
      step /= 2;
  }
  r.sampling.temperature = 0;
  r.sampling.ignore_eos = true;
  return r;
}

struct Timed {
  double first_token_s = 0;  // submit to the first sampled token
  double total_s = 0;
  int completion_tokens = 0;
  int prompt_tokens = 0;
};

// Runs `parallel` copies of `req` at once; returns one timing per request.
Result<std::vector<Timed>> RunConcurrent(local::Engine& e, const local::ChatRequest& req,
                                         int parallel) {
  std::vector<Timed> out(static_cast<size_t>(parallel));
  std::vector<std::promise<Status>> done(static_cast<size_t>(parallel));
  const auto start = Clock::now();
  for (int i = 0; i < parallel; ++i) {
    auto* t = &out[static_cast<size_t>(i)];
    auto first = std::make_shared<bool>(true);
    Status s = e.Submit(
        req,
        [t, first, start](std::string_view) {
          if (*first)
            t->first_token_s = std::chrono::duration<double>(Clock::now() - start).count();
          *first = false;
        },
        [t, start, p = &done[static_cast<size_t>(i)]](Result<local::Completion> r) {
          t->total_s = std::chrono::duration<double>(Clock::now() - start).count();
          if (r.ok()) {
            t->completion_tokens = r->usage.completion_tokens;
            t->prompt_tokens = r->usage.prompt_tokens;
          }
          p->set_value(r.status());
        });
    if (!s.ok()) return s;
  }
  for (auto& d : done) {
    Status s = d.get_future().get();
    if (!s.ok()) return s;
  }
  return out;
}

int RunBench(BenchOptions o) {
  if (o.prompt_tokens < 2 || o.gen_tokens < 2 || o.repetitions < 1 || o.engine.parallel < 1) {
    return Fail(
        "bench",
        Status::InvalidArgument(
            "--prompt-tokens and --gen-tokens need >= 2, --repetitions and --parallel >= 1"));
  }
  o.engine.ctx = std::max(o.engine.ctx, o.prompt_tokens + o.gen_tokens + 16);
  auto loaded = LoadEngine(o.engine);
  if (!loaded.ok()) return Fail("bench", loaded.status());
  local::Engine& e = **loaded;

  // pp: a prompt of prompt_tokens, one token out. tg: gen_tokens out after a
  // raw one-word prompt (the BOS token and one more), so generation runs at
  // about the positions llama-bench's tg uses (it starts from an empty
  // context): attention costs grow with the position, and a chat-templated
  // prompt is about 28 tokens before any text. Generation speed is measured
  // from the first token to the last.
  local::ChatRequest pp = PromptOfTokens(e, o.prompt_tokens);
  pp.sampling.max_tokens = 1;
  local::ChatRequest tg;
  tg.prompt = "x";
  tg.sampling.temperature = 0;
  tg.sampling.ignore_eos = true;
  tg.sampling.max_tokens = o.gen_tokens;
  if (auto warm = RunConcurrent(e, tg, 1); !warm.ok()) return Fail("bench", warm.status());

  double pp_best = 0, tg_best = 0, agg_best = 0;
  int pp_n = 0, tg_prompt_n = 0;
  for (int r = 0; r < o.repetitions; ++r) {
    auto a = RunConcurrent(e, pp, 1);
    if (!a.ok()) return Fail("bench", a.status());
    pp_n = (*a)[0].prompt_tokens;
    pp_best = std::max(pp_best, pp_n / (*a)[0].total_s);
    auto b = RunConcurrent(e, tg, o.engine.parallel);
    if (!b.ok()) return Fail("bench", b.status());
    tg_prompt_n = (*b)[0].prompt_tokens;
    // Generation window: from the first sequence's first token to the last
    // sequence's end (all prompts are decoded together in the first steps).
    double per_seq = 0, first = 1e300, last = 0;
    int tokens = 0;
    for (const auto& t : *b) {
      per_seq += (t.completion_tokens - 1) / (t.total_s - t.first_token_s);
      tokens += t.completion_tokens - 1;
      first = std::min(first, t.first_token_s);
      last = std::max(last, t.total_s);
    }
    tg_best = std::max(tg_best, per_seq / o.engine.parallel);
    agg_best = std::max(agg_best, tokens / (last - first));
  }
  const uint64_t rss = RssBytes();
  const auto& info = e.info();
  if (o.format == "json") {
    nlohmann::json j = {{"model", info.path},
                        {"quantization", info.quantization},
                        {"parameters", info.n_params},
                        {"file_bytes", info.file_bytes},
                        {"threads", e.threads()},
                        {"parallel", o.engine.parallel},
                        {"pp_tokens", pp_n},
                        {"pp_tokens_per_s", pp_best},
                        {"tg_tokens", o.gen_tokens},
                        {"tg_prompt_tokens", tg_prompt_n},
                        {"tg_tokens_per_s_per_sequence", tg_best},
                        {"aggregate_tokens_per_s", agg_best},
                        {"rss_bytes", rss}};
    std::cout << j.dump(2) << "\n";
    return kExitClean;
  }
  std::printf("model %s (%s, %.1f M parameters, %s), %d threads\n", info.path.c_str(),
              info.quantization.c_str(), info.n_params / 1e6, Human(info.file_bytes).c_str(),
              e.threads());
  std::printf("pp%-5d %10.1f tokens/s\n", pp_n, pp_best);
  std::printf("tg%-5d %10.1f tokens/s per sequence, %d sequence(s), %.1f tokens/s aggregate\n",
              o.gen_tokens, tg_best, o.engine.parallel, agg_best);
  std::printf("rss     %s (model file %s)\n", Human(rss).c_str(), Human(info.file_bytes).c_str());
  return kExitClean;
}

}  // namespace

void RegisterModelCommands(CLI::App& app, Commands& out) {
  auto* model =
      app.add_subcommand("model", "Local GGUF models (llama.cpp): inspect, pin, quantise, run");
  model->require_subcommand(1);

  struct InspectOpts {
    std::string file, format = "table";
    int ctx = 0, parallel = 4;
  };
  auto io = std::make_shared<InspectOpts>();
  auto* inspect = model->add_subcommand("inspect", "Metadata and the memory an engine would need");
  inspect->add_option("model,-m,--model", io->file, "GGUF model file")->required();
  inspect->add_option("-f,--format", io->format, "table or json");
  inspect->add_option("-c,--ctx", io->ctx, "context tokens per request for the estimate");
  inspect->add_option("--parallel", io->parallel, "parallel sequences for the estimate");
  out.push_back(
      {inspect, [io] { return RunInspect(io->file, io->format, io->ctx, io->parallel); }});

  auto hash_file = std::make_shared<std::string>();
  auto* hash = model->add_subcommand("hash", "Print the SHA-256 pin line for the configuration");
  hash->add_option("model,-m,--model", *hash_file, "GGUF model file")->required();
  out.push_back({hash, [hash_file] { return RunHash(*hash_file); }});

  struct QuantOpts {
    std::string in, out, type;
    int threads = 0;
  };
  auto qo = std::make_shared<QuantOpts>();
  auto* quant = model->add_subcommand("quantize", "Quantise a model with llama.cpp");
  quant->add_option("input", qo->in, "GGUF model file (F32/F16 or already quantised)")->required();
  quant->add_option("output", qo->out, "output GGUF file")->required();
  quant
      ->add_option("--type", qo->type,
                   std::string("target type: ") + std::string(local::QuantizationTypeNames()))
      ->required();
  quant->add_option("-t,--threads", qo->threads, "threads (0: all)");
  out.push_back({quant, [qo] { return RunQuantize(qo->in, qo->out, qo->type, qo->threads); }});

  auto ro = std::make_shared<RunOptions>();
  ro->sampling.max_tokens = 128;
  auto* run =
      model->add_subcommand("run", "Generate a reply to one prompt, streamed to the terminal");
  AddEngineOptions(run, &ro->engine);
  run->add_option("-p,--prompt", ro->prompt, "the user message")->required();
  run->add_option("--system", ro->system, "a system message");
  run->add_option("-n,--max-tokens", ro->sampling.max_tokens,
                  "tokens to generate at most (0: until the context is full)");
  run->add_option("--temperature", ro->sampling.temperature, "0 for greedy");
  run->add_option("--top-p", ro->sampling.top_p, "nucleus sampling");
  run->add_option("--seed", ro->sampling.seed, "sampling seed");
  run->add_option("--stop", ro->sampling.stop, "stop sequence (repeatable)");
  run->add_option("--presence-penalty", ro->sampling.presence_penalty, "OpenAI presence penalty");
  run->add_option("--frequency-penalty", ro->sampling.frequency_penalty,
                  "OpenAI frequency penalty");
  run->add_flag("--ignore-eos", ro->sampling.ignore_eos, "generate past end-of-generation");
  out.push_back({run, [ro] { return RunRun(*ro); }});

  auto bo = std::make_shared<BenchOptions>();
  auto* bench = model->add_subcommand("bench", "Prompt processing and generation speed (tokens/s)");
  AddEngineOptions(bench, &bo->engine);
  bench->add_option("--prompt-tokens", bo->prompt_tokens, "prompt length for pp");
  bench->add_option("--gen-tokens", bo->gen_tokens, "tokens generated for tg");
  bench->add_option("--parallel", bo->engine.parallel, "concurrent sequences for tg");
  bench->add_option("-r,--repetitions", bo->repetitions, "runs; the best is reported");
  bench->add_option("-f,--format", bo->format, "table or json");
  out.push_back({bench, [bo] { return RunBench(*bo); }});
}

}  // namespace airlock::cli
