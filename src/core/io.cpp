#include "core/io.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace aitrader {

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file");
  // gzopen reads both gzip and plain files (transparent mode).
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(f, 1 << 17);
  std::string out;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec) out.reserve(std::min<std::size_t>(static_cast<std::size_t>(size), max_bytes));
  char buf[1 << 16];
  while (true) {
    int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      gzclose(f);
      return IoError(path + ": read failed: " + msg);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      gzclose(f);
      return OutOfRange(path + ": more than " + std::to_string(max_bytes) + " bytes (decompressed); refusing to read it");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  gzclose(f);
  return out;
}

Status WriteFileAtomic(const std::string& path, const std::string& text) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t salt = std::random_device{}();
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) +
                          "." + std::to_string(salt);
  // "x": never reuse an existing file (a leftover or another writer's).
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (f == nullptr) return IoError(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(tmp, ec);
    return IoError(path + ": write failed");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return IoError(path + ": rename failed: " + ec.message());
  }
  return Status::Ok();
}

}  // namespace aitrader
