#include "internal/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace airlock::audit::internal {
namespace {

struct MdFree {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

const EVP_MD* Md() {
  static const std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md.get();
}

}  // namespace

std::string Sha256Of(std::string_view a, std::string_view b) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  std::string out(32, '\0');
  unsigned int len = 0;
  // These calls fail only on allocation failure or a missing default
  // provider; either leaves the process unable to do anything useful.
  if (Md() == nullptr || !ctx || EVP_DigestInit_ex(ctx.get(), Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace airlock::audit::internal
