#include "internal/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace airlock::alerts::internal {

Status AppendAlerts(const std::string& path, const std::vector<Alert>& alerts) {
  if (alerts.empty()) return Status::Ok();
  std::string text;
  for (const Alert& a : alerts) text += ToJson(a) + "\n";
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError(path + ": write failed: " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!synced) return Status::IoError(path + ": fsync failed: " + std::strerror(err));
  return Status::Ok();
}

}  // namespace airlock::alerts::internal
