// File reading for data files: plain or gzip-compressed (".gz"), read whole.
// Thread safety: pure functions (each call opens its own file); safe to call concurrently,
// also on the same path.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.hpp"

namespace aitrader {

// The default bound on what ReadFile returns (after decompression): a small .gz can expand
// to gigabytes (a "zip bomb"); no data file aitrader reads is near this.
inline constexpr std::size_t kDefaultMaxReadBytes = std::size_t{1} << 30;  // 1 GiB

// Reads the whole file. A gzip file (detected by its magic bytes, whatever its name) is
// decompressed. Errors: NotFound when the path does not exist, OutOfRange when the (decompressed)
// content exceeds max_bytes ("<path>: more than N bytes (decompressed)"), IoError otherwise,
// with the path in the message.
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = kDefaultMaxReadBytes);
// Writes text to path (replacing it) atomically: writes a temporary file with a name unique to
// this call (path.tmp.<pid>.<counter>.<random>) in the same folder, then renames it over path.
// Concurrent writers of one path (two workers caching one key) never share a temporary file:
// the last rename wins and readers see one complete version. On failure the temporary is
// removed.
Status WriteFileAtomic(const std::string& path, const std::string& text);

}  // namespace aitrader
