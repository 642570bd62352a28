// SHA-256 (OpenSSL EVP) as lower-case hex: prompt hashes, cache keys.
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace aitrader {

std::string Sha256Hex(std::string_view data);

}  // namespace aitrader
