// Atomic whole-file writes (atomic_file.h).
#include "sim/model/atomic_file.h"

#include "sim/model/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace llamaf {

namespace {


void fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_all(int fd, const std::string& data, const std::string& what) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_error("{}: write failed: {}", what, std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                                    std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_error("{}: cannot create: {}", tmp.string(), std::strerror(errno));
  try {
    write_all(fd, content, tmp.string());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw_error("{}: fsync/close failed: {}", tmp.string(), std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw_error("{}: rename failed: {}", path.string(), std::strerror(errno));
  }
  fsync_dir(path.parent_path());
}

}  // namespace llamaf
