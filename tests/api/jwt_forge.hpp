// Hand-made JWTs for tests: any header, any payload, signed with HMAC-SHA256/512 (OpenSSL)
// or not at all — to prove the server refuses every token it did not issue itself.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace aitrader::testing {

inline std::string B64Url(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// alg: "HS256" or "HS512" signs with `secret`; anything else ("none") leaves the signature empty.
inline std::string ForgeJwt(const std::string& header_json, const std::string& payload_json, const std::string& secret,
                            const std::string& alg) {
  std::string signing = B64Url(header_json) + "." + B64Url(payload_json);
  if (alg != "HS256" && alg != "HS512") return signing + ".";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(alg == "HS256" ? EVP_sha256() : EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing.data()), signing.size(), mac, &len);
  return signing + "." + B64Url(std::string(reinterpret_cast<char*>(mac), len));
}

}  // namespace aitrader::testing
