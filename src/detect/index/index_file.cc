#include "index_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace airlock::detect::index_internal {

void PutU32(std::string* out, std::uint32_t v) { out->append(reinterpret_cast<char*>(&v), 4); }
void PutU64(std::string* out, std::uint64_t v) { out->append(reinterpret_cast<char*>(&v), 8); }

Status WriteFile0600(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot write index: " + std::strerror(errno));
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w <= 0) {
      ::close(fd);
      return Status::IoError(path + ": write failed: " + std::strerror(errno));
    }
    off += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IoError(path + ": cannot finish index: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace airlock::detect::index_internal
