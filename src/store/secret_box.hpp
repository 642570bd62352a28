// SecretBox: authenticated encryption of stored secrets (exchange API keys and secrets) with
// libsodium's crypto_secretbox (XSalsa20-Poly1305). The master key (32 bytes) comes from the
// environment variable AITRADER_MASTER_KEY (base64) or a key file; it is never logged, never
// stored in the database and never part of an error message.
//
// Sealed format: "v1:" + base64(nonce ‖ ciphertext‖tag). A fresh random nonce per Seal().
// Open() fails with kPermissionDenied when the text was not sealed with this key or was altered.
// Thread safety: a SecretBox is immutable after construction; Seal/Open may run concurrently.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace aitrader::store {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // From a base64 key (as printed by GenerateKeyBase64()).
  static Result<SecretBox> FromKeyBase64(std::string_view key_base64);
  // From $AITRADER_MASTER_KEY, else the file named by $AITRADER_MASTER_KEY_FILE.
  static Result<SecretBox> FromEnvironment();
  static std::string GenerateKeyBase64();

  Result<std::string> Seal(std::string_view plaintext) const;
  Result<std::string> Open(std::string_view sealed) const;

  ~SecretBox();
  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;

 private:
  SecretBox() = default;
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace aitrader::store
