// StaticFiles: serves the dashboard's build folder (--web). A request path is resolved inside
// the folder or refused: percent-decoded first, then any "..", "." or empty segment, a
// backslash or a NUL is refused, and the canonical result (symlinks followed) must still lie
// inside the folder's canonical root — no path leaves it. A missing path without a file
// extension gets index.html (single-page-app routing); a missing file with one is a 404.
// Hashed build assets (assets/name-HASH.ext) are cached for a year (immutable); index.html is
// revalidated on every load.
// Thread safety: immutable after construction; Serve() may run on any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "core/status.hpp"

namespace aitrader::api {

class StaticFiles {
 public:
  // Errors: NotFound when the folder does not exist or is not a directory.
  static Result<StaticFiles> Open(const std::string& root);

  // The response for GET `decoded_path` (already percent-decoded), or nullopt for "not a
  // static file" (the caller answers 404 in the JSON envelope). max_bytes bounds a file.
  std::optional<ApiResponse> Serve(std::string_view decoded_path) const;

  static std::string_view ContentType(std::string_view path);
  static bool IsHashedAsset(std::string_view path);

 private:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  std::optional<ApiResponse> File(const std::string& full, std::string_view rel) const;
  std::string root_;  // canonical, no trailing slash
};

}  // namespace aitrader::api
