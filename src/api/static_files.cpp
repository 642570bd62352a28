#include "api/static_files.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/strings.hpp"

namespace aitrader::api {
namespace fs = std::filesystem;

Result<StaticFiles> StaticFiles::Open(const std::string& root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical, ec)) return NotFound("--web " + root + ": not a directory");
  return StaticFiles(canonical.string());
}

std::string_view StaticFiles::ContentType(std::string_view path) {
  auto ext = path.substr(std::min(path.size(), path.rfind('.') == std::string_view::npos ? path.size() : path.rfind('.')));
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

// "assets/index-4f3a9c1b.js": a Vite build asset whose name carries a content hash.
bool StaticFiles::IsHashedAsset(std::string_view path) {
  if (!StartsWith(path, "assets/")) return false;
  auto name = path.substr(path.rfind('/') + 1);
  auto dot = name.find('.');
  auto dash = name.rfind('-', dot);
  if (dot == std::string_view::npos || dash == std::string_view::npos || dot - dash - 1 < 8) return false;
  for (char c : name.substr(dash + 1, dot - dash - 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::optional<ApiResponse> StaticFiles::File(const std::string& full, std::string_view rel) const {
  std::ifstream in(full, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  ApiResponse r;
  r.status = 200;
  r.body = ss.str();
  r.content_type = std::string(ContentType(rel));
  r.headers.emplace_back("Cache-Control", IsHashedAsset(rel) ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

std::optional<ApiResponse> StaticFiles::Serve(std::string_view decoded_path) const {
  std::string_view rel = decoded_path;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos) return std::nullopt;
  bool has_extension = false;
  if (!rel.empty()) {
    for (auto seg : Split(rel, '/')) {
      if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
    }
    auto last = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
    has_extension = last.find('.') != std::string_view::npos;
  }
  std::error_code ec;
  if (!rel.empty()) {
    fs::path candidate = fs::path(root_) / fs::path(std::string(rel));
    fs::path canonical = fs::canonical(candidate, ec);
    if (!ec) {
      const std::string c = canonical.string();
      if (c.size() <= root_.size() || c.compare(0, root_.size(), root_) != 0 || c[root_.size()] != '/') {
        return std::nullopt;  // a symlink pointing out of the folder
      }
      if (fs::is_regular_file(canonical, ec)) return File(c, rel);
    }
    if (has_extension) return std::nullopt;
  }
  auto index = File(root_ + "/index.html", "index.html");
  return index;
}

}  // namespace aitrader::api
