#include "tiny_model.h"

#include <ggml.h>
#include <gguf.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

namespace airlock::testing {
namespace {

struct GgufFree {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
struct GgmlFree {
  void operator()(ggml_context* c) const { ggml_free(c); }
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::string DefaultVocabPath() { return AIRLOCK_LLAMA_VOCAB_DIR "/ggml-vocab-llama-spm.gguf"; }

Result<uint64_t> WriteTinyModel(const TinyModelSpec& spec, const std::string& path) {
  if (spec.n_embd % 32 != 0 || spec.n_ff % 32 != 0 || spec.n_head <= 0 ||
      spec.n_embd % spec.n_head != 0 || spec.n_head % spec.n_head_kv != 0) {
    return Status::InvalidArgument(
        "tiny model: dimensions must be multiples of 32 and divide evenly");
  }
  const std::string vocab_path = spec.vocab_path.empty() ? DefaultVocabPath() : spec.vocab_path;
  gguf_init_params vp{/*no_alloc=*/true, /*ctx=*/nullptr};
  std::unique_ptr<gguf_context, GgufFree> vocab(gguf_init_from_file(vocab_path.c_str(), vp));
  if (!vocab) return Status::NotFound(vocab_path + ": not a readable GGUF vocab file");

  std::unique_ptr<gguf_context, GgufFree> out(gguf_init_empty());
  gguf_set_kv(out.get(), vocab.get());
  // Drop the 7B model's description; keep only the tokenizer.
  for (int64_t i = gguf_get_n_kv(out.get()) - 1; i >= 0; --i) {
    std::string key = gguf_get_key(out.get(), i);
    if (!StartsWith(key, "tokenizer.")) gguf_remove_key(out.get(), key.c_str());
  }
  const int64_t kid = gguf_find_key(out.get(), "tokenizer.ggml.tokens");
  if (kid < 0) return Status::Corruption(vocab_path + ": no tokenizer.ggml.tokens");
  const int64_t n_vocab = static_cast<int64_t>(gguf_get_arr_n(out.get(), kid));
  gguf_remove_key(out.get(), "tokenizer.chat_template");

  gguf_set_val_str(out.get(), "general.architecture", "llama");
  gguf_set_val_str(out.get(), "general.name", spec.name.c_str());
  gguf_set_val_u32(out.get(), "general.file_type", spec.f16 ? 1 : 0);
  gguf_set_val_u32(out.get(), "llama.context_length", spec.context_length);
  gguf_set_val_u32(out.get(), "llama.embedding_length", spec.n_embd);
  gguf_set_val_u32(out.get(), "llama.block_count", spec.n_layer);
  gguf_set_val_u32(out.get(), "llama.feed_forward_length", spec.n_ff);
  gguf_set_val_u32(out.get(), "llama.attention.head_count", spec.n_head);
  gguf_set_val_u32(out.get(), "llama.attention.head_count_kv", spec.n_head_kv);
  gguf_set_val_u32(out.get(), "llama.rope.dimension_count", spec.n_embd / spec.n_head);
  gguf_set_val_f32(out.get(), "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  gguf_set_val_u32(out.get(), "llama.vocab_size", static_cast<uint32_t>(n_vocab));
  if (!spec.chat_template.empty()) {
    gguf_set_val_str(out.get(), "tokenizer.chat_template", spec.chat_template.c_str());
  }
  if (spec.pooling >= 0) gguf_set_val_u32(out.get(), "llama.pooling_type", spec.pooling);

  // Tensor structs only; the data lives in `buffers` until the file is written.
  const int kMaxTensors = 3 + 9 * spec.n_layer;
  ggml_init_params gp{static_cast<size_t>(kMaxTensors + 1) * ggml_tensor_overhead(), nullptr, true};
  std::unique_ptr<ggml_context, GgmlFree> gctx(ggml_init(gp));
  std::vector<std::vector<uint8_t>> buffers;
  std::mt19937 rng(spec.seed);
  uint64_t n_params = 0;

  auto add = [&](const std::string& name, int64_t ne0, int64_t ne1, bool norm) {
    const bool matrix = ne1 > 1;
    const ggml_type type = (matrix && spec.f16) ? GGML_TYPE_F16 : GGML_TYPE_F32;
    ggml_tensor* t = matrix ? ggml_new_tensor_2d(gctx.get(), type, ne0, ne1)
                            : ggml_new_tensor_1d(gctx.get(), type, ne0);
    ggml_set_name(t, name.c_str());
    const int64_t n = ne0 * ne1;
    std::vector<float> values(static_cast<size_t>(n));
    // Uniform weights scaled like a trained network's (std ~ 1/sqrt(fan_in)).
    const float scale = 1.0f / std::sqrt(static_cast<float>(ne0));
    std::uniform_real_distribution<float> dist(-scale * 1.7f, scale * 1.7f);
    for (auto& v : values) v = norm ? 1.0f : dist(rng);
    auto& buf = buffers.emplace_back(ggml_nbytes(t));
    if (type == GGML_TYPE_F16) {
      ggml_fp32_to_fp16_row(values.data(), reinterpret_cast<ggml_fp16_t*>(buf.data()), n);
    } else {
      std::memcpy(buf.data(), values.data(), buf.size());
    }
    t->data = buf.data();
    gguf_add_tensor(out.get(), t);
    n_params += static_cast<uint64_t>(n);
  };

  const int head_dim = spec.n_embd / spec.n_head;
  const int n_embd_kv = head_dim * spec.n_head_kv;
  add("token_embd.weight", spec.n_embd, n_vocab, false);
  add("output_norm.weight", spec.n_embd, 1, true);
  if (!spec.tied_output) add("output.weight", spec.n_embd, n_vocab, false);
  for (int i = 0; i < spec.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    add(b + "attn_norm.weight", spec.n_embd, 1, true);
    add(b + "attn_q.weight", spec.n_embd, spec.n_embd, false);
    add(b + "attn_k.weight", spec.n_embd, n_embd_kv, false);
    add(b + "attn_v.weight", spec.n_embd, n_embd_kv, false);
    add(b + "attn_output.weight", spec.n_embd, spec.n_embd, false);
    add(b + "ffn_norm.weight", spec.n_embd, 1, true);
    add(b + "ffn_gate.weight", spec.n_embd, spec.n_ff, false);
    add(b + "ffn_down.weight", spec.n_ff, spec.n_embd, false);
    add(b + "ffn_up.weight", spec.n_embd, spec.n_ff, false);
  }
  if (!gguf_write_to_file(out.get(), path.c_str(), /*only_meta=*/false)) {
    return Status::IoError(path + ": cannot write the model");
  }
  return n_params;
}

}  // namespace airlock::testing
