// airlock-mkmodel: writes a random-weight llama GGUF for tests and benchmarks.
//   airlock-mkmodel OUT.gguf [--embd N] [--layers N] [--heads N] [--ff N] [--ctx N]
//                   [--f16] [--seed N] [--template TEXT] [--pooling N] [--vocab FILE]
#include <CLI/CLI.hpp>

#include <iostream>

#include "tiny_model.h"

int main(int argc, char** argv) {
  airlock::testing::TinyModelSpec spec;
  std::string out;
  CLI::App app{"Writes a random-weight llama-architecture GGUF model"};
  app.add_option("out", out, "output file")->required();
  app.add_option("--vocab", spec.vocab_path, "llama.cpp vocab GGUF (tokenizer source)");
  app.add_option("--embd", spec.n_embd, "embedding width (multiple of 32)");
  app.add_option("--layers", spec.n_layer, "number of layers");
  app.add_option("--heads", spec.n_head, "attention heads");
  app.add_option("--kv-heads", spec.n_head_kv, "key/value heads (default: --heads)");
  app.add_option("--ff", spec.n_ff, "feed-forward width (multiple of 32)");
  app.add_option("--ctx", spec.context_length, "trained context length");
  app.add_flag("--f16", spec.f16, "store matrices as F16");
  app.add_flag(
      "--untied", [&](int64_t) { spec.tied_output = false; }, "separate output.weight");
  app.add_option("--seed", spec.seed, "weights seed");
  app.add_option("--template", spec.chat_template, "tokenizer.chat_template");
  app.add_option("--pooling", spec.pooling, "llama.pooling_type (1 mean, 2 cls, 3 last)");
  CLI11_PARSE(app, argc, argv);
  if (app.count("--kv-heads") == 0) spec.n_head_kv = spec.n_head;
  auto n = airlock::testing::WriteTinyModel(spec, out);
  if (!n.ok()) {
    std::cerr << "airlock-mkmodel: " << n.status().message() << "\n";
    return 2;
  }
  std::cout << out << ": " << *n << " parameters\n";
  return 0;
}
