#include "llama_support.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "airlock/core/crypto.h"

namespace airlock::backend::local::internal {
namespace {

thread_local std::string t_last_error;
thread_local std::function<void(std::string_view)> t_sink;
bool g_verbose = false;

void Route(ggml_log_level level, const char* text, void* /*user*/) {
  if (g_verbose) std::fputs(text, stderr);
  if (level == GGML_LOG_LEVEL_ERROR) t_last_error = text;
  if (t_sink) t_sink(text);
}

}  // namespace

void InitLlama() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = std::getenv("AIRLOCK_LLAMA_LOG");
    g_verbose = v != nullptr && std::strcmp(v, "1") == 0;
    llama_log_set(Route, nullptr);
    llama_backend_init();
  });
}

std::string LastError() {
  std::string e = t_last_error;
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e;
}

void ClearLastError() { t_last_error.clear(); }

ScopedLogSink::ScopedLogSink(std::function<void(std::string_view)> sink)
    : previous_(std::move(t_sink)) {
  t_sink = std::move(sink);
}

ScopedLogSink::~ScopedLogSink() { t_sink = std::move(previous_); }

std::string HashFd(int fd, uint64_t size, const std::string& path, std::string* error) {
  if (size == 0) return Sha256Hex({});
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    *error = path + ": cannot map the file to hash it: " + std::strerror(errno);
    return {};
  }
  madvise(p, size, MADV_SEQUENTIAL);
  std::string hex = Sha256Hex(std::string_view(static_cast<const char*>(p), size));
  munmap(p, size);
  return hex;
}

}  // namespace airlock::backend::local::internal
