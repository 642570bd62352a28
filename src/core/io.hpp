// File reading for data files: plain or gzip-compressed (".gz"), read whole.
// Thread safety: pure functions (each call opens its own file).
#pragma once

#include <string>

#include "core/status.hpp"

namespace aitrader {

// Reads the whole file. A gzip file (detected by its magic bytes, whatever its name) is
// decompressed. Errors: NotFound when the path does not exist, IoError otherwise, with the
// path in the message.
Result<std::string> ReadFile(const std::string& path);
// Writes text to path (replacing it) atomically: write to path.tmp, then rename.
Status WriteFileAtomic(const std::string& path, const std::string& text);

}  // namespace aitrader
