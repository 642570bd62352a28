#include "api/key_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader::api {

Result<std::string> ReadOrCreateSecretFile(const std::string& path, const std::function<std::string()>& generate) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return IoError(path + ": " + std::strerror(errno));
    std::filesystem::path p(path);
    if (p.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(p.parent_path(), ec);
    }
    const std::string secret = generate();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno != EEXIST) return IoError(path + ": cannot create: " + std::strerror(errno));
    if (fd >= 0) {
      const std::string line = secret + "\n";
      const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
      ::fsync(fd);
      ::close(fd);
      if (!ok) return IoError(path + ": cannot write");
      return secret;
    }
    // Another process created it first: read theirs.
    if (::stat(path.c_str(), &st) != 0) return IoError(path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return FailedPrecondition(path + ": readable by group or others; make it private (chmod 600)");
  }
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string secret(Trim(*text));
  if (secret.empty()) return FailedPrecondition(path + ": is empty");
  return secret;
}

}  // namespace aitrader::api
