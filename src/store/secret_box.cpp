#include "store/secret_box.hpp"

#include <sodium.h>

#include <cstdlib>
#include <vector>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "store/base64.hpp"

namespace aitrader::store {
namespace {

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string ToBase64(const unsigned char* data, std::size_t n) {
  return store::ToBase64(std::string_view(reinterpret_cast<const char*>(data), n));
}

bool FromBase64(std::string_view text, std::vector<unsigned char>& out) {
  auto bytes = store::FromBase64(text);
  if (!bytes) return false;
  out.assign(bytes->begin(), bytes->end());
  return true;
}

}  // namespace

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

Result<SecretBox> SecretBox::FromKeyBase64(std::string_view key_base64) {
  if (!InitSodium()) return Internal("libsodium failed to initialise");
  std::vector<unsigned char> bytes;
  if (!FromBase64(Trim(key_base64), bytes) || bytes.size() != kKeyBytes) {
    return InvalidArgument("master key must be 32 bytes in base64 (generate one with `aitrader keygen`)");
  }
  SecretBox box;
  std::copy(bytes.begin(), bytes.end(), box.key_.begin());
  sodium_memzero(bytes.data(), bytes.size());
  return box;
}

Result<SecretBox> SecretBox::FromEnvironment() {
  if (const char* k = std::getenv("AITRADER_MASTER_KEY"); k != nullptr && *k != '\0') return FromKeyBase64(k);
  if (const char* f = std::getenv("AITRADER_MASTER_KEY_FILE"); f != nullptr && *f != '\0') {
    auto text = ReadFile(f);
    if (!text.ok()) return text.status().WithContext("AITRADER_MASTER_KEY_FILE");
    return FromKeyBase64(*text);
  }
  return FailedPrecondition("no master key: set AITRADER_MASTER_KEY or AITRADER_MASTER_KEY_FILE");
}

std::string SecretBox::GenerateKeyBase64() {
  InitSodium();
  unsigned char key[kKeyBytes];
  crypto_secretbox_keygen(key);
  std::string out = ToBase64(key, sizeof key);
  sodium_memzero(key, sizeof key);
  return out;
}

Result<std::string> SecretBox::Seal(std::string_view plaintext) const {
  if (!InitSodium()) return Internal("libsodium failed to initialise");
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  unsigned char* nonce = buf.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nonce,
                        key_.data());
  return "v1:" + ToBase64(buf.data(), buf.size());
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!InitSodium()) return Internal("libsodium failed to initialise");
  if (!StartsWith(sealed, "v1:")) return InvalidArgument("sealed secret has an unknown format");
  std::vector<unsigned char> buf;
  if (!FromBase64(sealed.substr(3), buf) || buf.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return InvalidArgument("sealed secret is not valid base64 or too short");
  }
  std::string out(buf.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 buf.data() + crypto_secretbox_NONCEBYTES, buf.size() - crypto_secretbox_NONCEBYTES,
                                 buf.data(), key_.data()) != 0) {
    return Status(StatusCode::kPermissionDenied, "sealed secret does not open with this master key (wrong key or altered)");
  }
  return out;
}

}  // namespace aitrader::store
