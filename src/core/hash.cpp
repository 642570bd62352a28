#include "core/hash.hpp"

#include <openssl/evp.h>

#include "core/status.hpp"

namespace aitrader {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const int ok = EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  AITRADER_CHECK(ok == 1 && len == 32, "SHA-256 digest");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace aitrader
