#include "airlock/backend/local/model_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "internal/llama_support.h"

namespace airlock::backend::local {
namespace {

// RAII file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status OpenError(const std::string& path) {
  if (errno == ENOENT) return Status::NotFound(path + ": no such file");
  return Status::IoError(path + ": cannot open: " + std::strerror(errno));
}

std::string GetString(const gguf_context* g, const std::string& key) {
  const int64_t id = gguf_find_key(g, key.c_str());
  if (id < 0 || gguf_get_kv_type(g, id) != GGUF_TYPE_STRING) return {};
  return gguf_get_val_str(g, id);
}

// Unsigned integer metadata of any integer width; 0 when absent.
uint64_t GetUint(const gguf_context* g, const std::string& key) {
  const int64_t id = gguf_find_key(g, key.c_str());
  if (id < 0) return 0;
  switch (gguf_get_kv_type(g, id)) {
    case GGUF_TYPE_UINT8:
      return gguf_get_val_u8(g, id);
    case GGUF_TYPE_UINT16:
      return gguf_get_val_u16(g, id);
    case GGUF_TYPE_UINT32:
      return gguf_get_val_u32(g, id);
    case GGUF_TYPE_UINT64:
      return gguf_get_val_u64(g, id);
    case GGUF_TYPE_INT32:
      return static_cast<uint64_t>(std::max(0, gguf_get_val_i32(g, id)));
    case GGUF_TYPE_INT64:
      return static_cast<uint64_t>(std::max<int64_t>(0, gguf_get_val_i64(g, id)));
    default:
      return 0;
  }
}

const char* PoolingName(uint64_t p, bool declared) {
  if (!declared) return "none";
  switch (p) {
    case 1:
      return "mean";
    case 2:
      return "cls";
    case 3:
      return "last";
    case 4:
      return "rank";
    default:
      return "none";
  }
}

struct QuantType {
  const char* name;
  llama_ftype ftype;
};
constexpr QuantType kQuantTypes[] = {
    {"q8_0", LLAMA_FTYPE_MOSTLY_Q8_0},     {"q4_k_m", LLAMA_FTYPE_MOSTLY_Q4_K_M},
    {"q4_k_s", LLAMA_FTYPE_MOSTLY_Q4_K_S}, {"q5_k_m", LLAMA_FTYPE_MOSTLY_Q5_K_M},
    {"q5_k_s", LLAMA_FTYPE_MOSTLY_Q5_K_S}, {"q6_k", LLAMA_FTYPE_MOSTLY_Q6_K},
    {"q3_k_m", LLAMA_FTYPE_MOSTLY_Q3_K_M}, {"q2_k", LLAMA_FTYPE_MOSTLY_Q2_K},
    {"q4_0", LLAMA_FTYPE_MOSTLY_Q4_0},     {"q4_1", LLAMA_FTYPE_MOSTLY_Q4_1},
    {"q5_0", LLAMA_FTYPE_MOSTLY_Q5_0},     {"q5_1", LLAMA_FTYPE_MOSTLY_Q5_1},
    {"f16", LLAMA_FTYPE_MOSTLY_F16},       {"bf16", LLAMA_FTYPE_MOSTLY_BF16},
    {"f32", LLAMA_FTYPE_ALL_F32},
};

}  // namespace

Result<ModelInfo> InspectModel(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return OpenError(path);
  return internal::InspectFd(fd.get(), path);
}

namespace internal {

Result<ModelInfo> InspectFd(int raw_fd, const std::string& path) {
  InitLlama();
  struct Borrowed {
    int fd;
    int get() const { return fd; }
  } fd{raw_fd};
  struct stat st {};
  if (fstat(fd.get(), &st) != 0)
    return Status::IoError(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  if (st.st_size < 4) return Status::Corruption(path + ": not a GGUF model (file too short)");
  char magic[4] = {};
  if (pread(fd.get(), magic, 4, 0) != 4 || std::memcmp(magic, "GGUF", 4) != 0) {
    return Status::Corruption(path + ": not a GGUF model (bad magic)");
  }

  ClearLastError();
  FILE* f = fdopen(dup(fd.get()), "rb");
  if (f == nullptr) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  gguf_init_params params{/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufPtr g(gguf_init_from_file_ptr(f, params));
  std::fclose(f);
  if (!g) {
    std::string why = LastError();
    return Status::Corruption(path + ": malformed GGUF header" +
                              (why.empty() ? "" : " (" + why + ")"));
  }

  ModelInfo info;
  info.path = path;
  info.file_bytes = static_cast<uint64_t>(st.st_size);
  info.architecture = GetString(g.get(), "general.architecture");
  if (info.architecture.empty()) return Status::Corruption(path + ": no general.architecture key");
  info.name = GetString(g.get(), "general.name");
  const std::string a = info.architecture + ".";
  info.context_length = static_cast<uint32_t>(GetUint(g.get(), a + "context_length"));
  info.n_layer = static_cast<uint32_t>(GetUint(g.get(), a + "block_count"));
  info.n_embd = static_cast<uint32_t>(GetUint(g.get(), a + "embedding_length"));
  info.n_ff = static_cast<uint32_t>(GetUint(g.get(), a + "feed_forward_length"));
  info.n_head = static_cast<uint32_t>(GetUint(g.get(), a + "attention.head_count"));
  info.n_head_kv = static_cast<uint32_t>(GetUint(g.get(), a + "attention.head_count_kv"));
  if (info.n_head_kv == 0) info.n_head_kv = info.n_head;
  const int64_t tok = gguf_find_key(g.get(), "tokenizer.ggml.tokens");
  info.n_vocab = tok >= 0 ? static_cast<uint32_t>(gguf_get_arr_n(g.get(), tok)) : 0;
  const bool pooling_declared = gguf_find_key(g.get(), (a + "pooling_type").c_str()) >= 0;
  info.pooling = PoolingName(GetUint(g.get(), a + "pooling_type"), pooling_declared);
  info.chat_template = GetString(g.get(), "tokenizer.chat_template");

  // Every tensor's bytes must lie inside the file: a truncated download is
  // caught here, before llama.cpp maps it.
  const uint64_t data_offset = gguf_get_data_offset(g.get());
  std::map<ggml_type, uint64_t> bytes_by_type;
  const int64_t n_tensors = gguf_get_n_tensors(g.get());
  for (int64_t i = 0; i < n_tensors; ++i) {
    const uint64_t off = gguf_get_tensor_offset(g.get(), i);
    const uint64_t size = gguf_get_tensor_size(g.get(), i);
    if (data_offset + off + size > info.file_bytes) {
      return Status::Corruption(path + ": truncated: tensor '" + gguf_get_tensor_name(g.get(), i) +
                                "' ends at byte " + std::to_string(data_offset + off + size) +
                                " but the file has " + std::to_string(info.file_bytes) + " bytes");
    }
    const int64_t* ne = gguf_get_tensor_ne(g.get(), i);
    uint64_t n = 1;
    for (int d = 0; d < GGML_MAX_DIMS; ++d) n *= static_cast<uint64_t>(ne[d]);
    info.n_params += n;
    info.tensor_bytes += size;
    if (ne[1] > 1) bytes_by_type[gguf_get_tensor_type(g.get(), i)] += size;
  }
  if (n_tensors == 0) return Status::Corruption(path + ": the file holds no tensors");

  const int64_t ft = gguf_find_key(g.get(), "general.file_type");
  if (ft >= 0) {
    info.quantization =
        llama_ftype_name(static_cast<llama_ftype>(GetUint(g.get(), "general.file_type")));
  } else {
    // No declared file type: name the type holding most of the matrix bytes.
    ggml_type best = GGML_TYPE_F32;
    uint64_t most = 0;
    for (const auto& [t, b] : bytes_by_type) {
      if (b > most) best = t, most = b;
    }
    info.quantization = std::string("mostly ") + ggml_type_name(best);
  }
  return info;
}

}  // namespace internal

MemoryEstimate EstimateMemory(const ModelInfo& info, uint32_t context_length, uint32_t parallel,
                              uint32_t batch) {
  MemoryEstimate m;
  m.weights = info.tensor_bytes;
  const uint64_t head_dim = info.n_head ? info.n_embd / info.n_head : info.n_embd;
  const uint64_t n_embd_kv = head_dim * info.n_head_kv;
  const uint64_t cells = static_cast<uint64_t>(context_length) * parallel;
  m.kv_cache = 2ull * info.n_layer * cells * n_embd_kv * 2 /* F16 */;
  // Activations of one batch (hidden state, attention, feed-forward), the
  // attention scores of one head block, and the logits of every output.
  const uint64_t act = static_cast<uint64_t>(batch) * (6ull * info.n_embd + 3ull * info.n_ff) * 4;
  const uint64_t scores = static_cast<uint64_t>(batch) * context_length * 4;
  const uint64_t logits = static_cast<uint64_t>(std::max(batch, parallel)) * info.n_vocab * 4;
  m.compute = act + scores + logits;
  return m;
}

Result<std::string> HashModelFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return OpenError(path);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0)
    return Status::IoError(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  std::string error;
  std::string hex = internal::HashFd(fd.get(), static_cast<uint64_t>(st.st_size), path, &error);
  if (!error.empty()) return Status::IoError(error);
  return hex;
}

std::string_view QuantizationTypeNames() {
  return "q8_0, q4_k_m, q4_k_s, q5_k_m, q5_k_s, q6_k, q3_k_m, q2_k, q4_0, q4_1, q5_0, q5_1, f16, "
         "bf16, f32";
}

Status QuantizeModel(const std::string& in, const std::string& out, std::string_view type,
                     int threads, const std::function<void(const QuantizeProgress&)>& progress) {
  const QuantType* qt = nullptr;
  for (const auto& t : kQuantTypes) {
    if (type == t.name) qt = &t;
  }
  if (qt == nullptr) {
    return Status::InvalidArgument("unknown quantisation type '" + std::string(type) +
                                   "' (known: " + std::string(QuantizationTypeNames()) + ")");
  }
  auto info = InspectModel(in);
  if (!info.ok()) return info.status();
  if (in == out) return Status::InvalidArgument(out + ": output must differ from the input");
  {
    FILE* probe = std::fopen(out.c_str(), "wb");
    if (probe == nullptr) return Status::IoError(out + ": cannot write: " + std::strerror(errno));
    std::fclose(probe);
  }
  llama_model_quantize_params p = llama_model_quantize_default_params();
  p.ftype = qt->ftype;
  p.nthread = threads;
  p.allow_requantize = true;
  internal::ClearLastError();
  uint32_t rc;
  {
    // llama.cpp reports each tensor as "[   3/  12] name ..."; that line is the progress.
    internal::ScopedLogSink sink([&](std::string_view line) {
      int done = 0, total = 0;
      if (progress && line.size() > 2 && line[0] == '[' &&
          std::sscanf(std::string(line.substr(0, 16)).c_str(), "[%d/%d]", &done, &total) == 2) {
        progress({done, total});
      }
    });
    rc = llama_model_quantize(in.c_str(), out.c_str(), &p);
  }
  if (rc != 0) {
    std::remove(out.c_str());
    std::string why = internal::LastError();
    return Status::Internal(in + ": quantisation failed" + (why.empty() ? "" : " (" + why + ")"));
  }
  return Status::Ok();
}

std::string FormatMiB(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

}  // namespace airlock::backend::local
