// airlock-llama-raw: llama.cpp alone, measured the way llama-bench measures
// (pp: one llama_decode of N random tokens; tg: N single-token decodes of
// random tokens, no sampling), linked against the same static llama.cpp as
// the engine. The baseline when llama-bench itself is not built.
//   airlock-llama-raw MODEL THREADS PP TG REPS [AFTER]   -> JSON on stdout
// AFTER > 0 also times tg after an AFTER-token prompt, alternating with the
// plain tg in each repetition (same process, same context), to show what a
// longer context costs per generated token (tg_after_tokens_per_s).
#include <llama.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

void Quiet(ggml_log_level, const char*, void*) {}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: %s MODEL THREADS PP TG REPS [AFTER]\n", argv[0]);
    return 2;
  }
  const int threads = std::atoi(argv[2]), pp = std::atoi(argv[3]), tg = std::atoi(argv[4]),
            reps = std::atoi(argv[5]), after = argc == 7 ? std::atoi(argv[6]) : 0;
  llama_log_set(Quiet, nullptr);
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  llama_model* model = llama_model_load_from_file(argv[1], mp);
  if (model == nullptr) {
    std::fprintf(stderr, "cannot load %s\n", argv[1]);
    return 2;
  }
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(std::max(pp, after) + tg + 16);
  cp.n_batch = static_cast<uint32_t>(std::max(pp, 512));
  cp.n_ubatch = 512;
  cp.n_threads = cp.n_threads_batch = threads;
  cp.no_perf = true;
  llama_context* ctx = llama_init_from_model(model, cp);
  const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  std::mt19937 rng(1);
  std::vector<llama_token> tokens(static_cast<size_t>(pp));

  auto run_pp = [&] {
    llama_memory_clear(llama_get_memory(ctx), false);
    for (auto& t : tokens) t = static_cast<llama_token>(rng() % n_vocab);
    const auto start = std::chrono::steady_clock::now();
    llama_decode(ctx, llama_batch_get_one(tokens.data(), pp));
    llama_synchronize(ctx);
    return pp / Seconds(start);
  };
  std::vector<llama_token> prefix(static_cast<size_t>(after));
  auto run_tg = [&](bool after_prefix) {
    llama_memory_clear(llama_get_memory(ctx), false);
    if (after_prefix) {
      for (auto& t : prefix) t = static_cast<llama_token>(rng() % n_vocab);
      llama_decode(ctx, llama_batch_get_one(prefix.data(), after));
    }
    llama_token t = static_cast<llama_token>(rng() % n_vocab);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < tg; ++i) {
      llama_decode(ctx, llama_batch_get_one(&t, 1));
      llama_synchronize(ctx);
      t = static_cast<llama_token>(rng() % n_vocab);
    }
    return tg / Seconds(start);
  };
  run_tg(false);  // warm-up, as llama-bench does
  double pp_best = 0, tg_best = 0, tg_after_best = 0;
  for (int r = 0; r < reps; ++r) {
    pp_best = std::max(pp_best, run_pp());
    tg_best = std::max(tg_best, run_tg(false));
    if (after > 0) tg_after_best = std::max(tg_after_best, run_tg(true));
  }
  std::printf("{\"pp_tokens\": %d, \"pp_tokens_per_s\": %.3f, \"tg_tokens\": %d, \"tg_tokens_per_s\": %.3f", pp,
              pp_best, tg, tg_best);
  if (after > 0) std::printf(", \"tg_after\": %d, \"tg_after_tokens_per_s\": %.3f", after, tg_after_best);
  std::printf("}\n");
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
