#include "core/io.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace aitrader {

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file");
  // gzopen reads both gzip and plain files (transparent mode).
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(f, 1 << 17);
  std::string out;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec) out.reserve(static_cast<std::size_t>(size));
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
    out.append(buf, static_cast<std::size_t>(n));
  }
  gzclose(f);
  return out;
}

Status WriteFileAtomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return IoError(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return IoError(path + ": write failed");
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError(path + ": rename failed: " + ec.message());
  return Status::Ok();
}

}  // namespace aitrader
