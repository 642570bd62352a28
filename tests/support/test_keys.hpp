// Key material for tests of Binance's RSA / Ed25519 API keys, made with OpenSSL's EVP API in
// the test process (nothing is checked in): fresh key pairs as PEM (PKCS#8 private key and
// SubjectPublicKeyInfo public key), the wrong formats users paste (PKCS#1, encrypted PKCS#8),
// the RFC 8032 keys from their 32-byte seeds, and a signature check against a public key.
// Header-only; link OpenSSL::Crypto. Aborts the test program when OpenSSL fails (a broken
// test environment, not a condition under test).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace aitrader::testing {

struct TestKeyPair {
  std::string private_pem;  // "-----BEGIN PRIVATE KEY-----" (PKCS#8, unencrypted)
  std::string public_pem;   // "-----BEGIN PUBLIC KEY-----" (what Binance is given)
  std::shared_ptr<EVP_PKEY> key;
};

namespace test_keys_detail {

inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_keys: OpenSSL failed: %s\n", what);
    std::abort();
  }
}

template <class Write>
std::string ToPem(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(bio != nullptr, "BIO_new");
  Require(write(bio) == 1, "PEM write");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

inline TestKeyPair Wrap(EVP_PKEY* raw) {
  Require(raw != nullptr, "keygen");
  TestKeyPair k;
  k.key = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
  k.private_pem = ToPem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, raw, nullptr, nullptr, 0, nullptr, nullptr); });
  k.public_pem = ToPem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, raw); });
  return k;
}

}  // namespace test_keys_detail

inline TestKeyPair GenerateEd25519() { return test_keys_detail::Wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
inline TestKeyPair GenerateRsa(std::size_t bits) {
  return test_keys_detail::Wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}
inline TestKeyPair GenerateEcP256() { return test_keys_detail::Wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }
inline TestKeyPair GenerateX25519() { return test_keys_detail::Wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")); }

// The Ed25519 key whose 32-byte secret (RFC 8032's "SECRET KEY") is `seed`.
inline TestKeyPair Ed25519FromSeed(std::string_view seed) {
  return test_keys_detail::Wrap(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
}

// "-----BEGIN RSA PRIVATE KEY-----" (PKCS#1), optionally encrypted (Proc-Type header).
inline std::string Pkcs1Pem(const TestKeyPair& k, bool encrypted = false) {
  return test_keys_detail::ToPem([&](BIO* b) {
    static const char kPass[] = "password";
    return PEM_write_bio_PrivateKey_traditional(b, k.key.get(), encrypted ? EVP_aes_256_cbc() : nullptr,
                                                encrypted ? reinterpret_cast<const unsigned char*>(kPass) : nullptr,
                                                encrypted ? 8 : 0, nullptr, nullptr);
  });
}

// "-----BEGIN ENCRYPTED PRIVATE KEY-----" (PKCS#8 under a password).
inline std::string EncryptedPkcs8Pem(const TestKeyPair& k) {
  return test_keys_detail::ToPem([&](BIO* b) {
    static char kPass[] = "password";
    return PEM_write_bio_PKCS8PrivateKey(b, k.key.get(), EVP_aes_256_cbc(), kPass, 8, nullptr, nullptr);
  });
}

// Bytes from lower/upper-case hex (test vectors).
inline std::string FromHex(std::string_view hex) {
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(v(hex[i]) * 16 + v(hex[i + 1])));
  return out;
}

// Standard base64 decoding via OpenSSL's EVP decoder (line breaks not expected); false on a
// malformed input.
inline bool Base64Decode(std::string_view in, std::string* out) {
  out->assign(in.size(), '\0');
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int n = 0, m = 0;
  bool ok = EVP_DecodeUpdate(ctx, reinterpret_cast<unsigned char*>(out->data()), &n,
                             reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) >= 0;
  ok = ok && EVP_DecodeFinal(ctx, reinterpret_cast<unsigned char*>(out->data()) + n, &m) == 1;
  EVP_ENCODE_CTX_free(ctx);
  out->resize(ok ? static_cast<std::size_t>(n + m) : 0);
  return ok;
}

// True when `signature` (raw bytes) is the key's signature of `payload`: RSASSA-PKCS1-v1_5 with
// SHA-256 for RSA, Ed25519 for Ed25519 — checked with the public key only.
inline bool VerifyWithPublicKey(const std::string& public_pem, std::string_view payload, std::string_view signature) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pub == nullptr) return false;
  const bool rsa = EVP_PKEY_is_a(pub, "RSA");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, rsa ? EVP_sha256() : nullptr, nullptr, pub) == 1;
  if (ok && rsa) ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                              reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  return ok;
}

}  // namespace aitrader::testing
