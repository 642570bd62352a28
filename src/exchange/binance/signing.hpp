// Request signing for Binance's SIGNED (TRADE / USER_DATA) endpoints. The payload is the query
// and the body concatenated with no separator (query ‖ body); the signature goes last. Three
// kinds of API key (Binance's authentication docs):
//   HMAC     signature = hex(HMAC-SHA256(secret, payload))
//   RSA      signature = percent-encode(base64(RSASSA-PKCS1-v1_5 / SHA-256 (private key, payload)))
//   Ed25519  signature = percent-encode(base64(Ed25519(private key, payload)))
// For RSA and Ed25519 the secret is the unencrypted PKCS#8 private key in PEM
// ("-----BEGIN PRIVATE KEY-----"); any other text is an HMAC secret. Parameter values are
// percent-encoded before signing (non-ASCII symbols, JSON lists), and the exact bytes signed
// are the bytes sent.
// Thread safety: value types and pure functions; a Signer may sign from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace aitrader::exchange::binance {

// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, all others %XX.
std::string PercentEncode(std::string_view s);
// The inverse (also turns '+' into ' ', as form bodies use it). false on a malformed escape.
bool PercentDecode(std::string_view s, std::string* out);

// An ordered parameter list, encoded "k=v&k=v" in insertion order.
class Params {
 public:
  Params& Add(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  bool empty() const { return items_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Splits "a=1&b=2" into pairs (percent-decoded). false on a malformed escape.
bool DecodeParams(std::string_view text, std::vector<std::pair<std::string, std::string>>* out);

// A secret that never prints: ToString-like accessors are absent; Redacted() shows its length.
// Its bytes are overwritten (OPENSSL_cleanse) when it is destroyed, assigned over or moved from.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::string Redacted() const { return value_.empty() ? "(unset)" : "(" + std::to_string(value_.size()) + " chars)"; }

 private:
  void Wipe() noexcept;
  std::string value_;
};

// Overwrites a string's bytes (OPENSSL_cleanse), then empties it.
void WipeString(std::string& s) noexcept;

enum class KeyKind { kHmac, kEd25519, kRsa };

// True when the secret text is meant as a PEM key (it holds "-----BEGIN"): such text is never
// used as an HMAC secret, even when it is not a usable key.
bool LooksLikePem(std::string_view secret);

// Signs payloads with one API key. The key is parsed once, by Create; Sign never re-reads it.
// The key material lives in the Signer (OpenSSL's key object, or the HMAC secret) and is
// cleared when the Signer is destroyed. Movable, not copyable; Sign is const and may be called
// from several threads at once.
class Signer {
 public:
  // From the secret text: a PEM "-----BEGIN PRIVATE KEY-----" block (surrounding whitespace
  // allowed; a one-line form with literal "\n" escapes, as .env files hold it, is accepted)
  // is a PKCS#8 key, Ed25519 or RSA (2048..8192 bits); any text without "-----BEGIN" is an HMAC
  // secret. kInvalidArgument, saying what is wrong and which format is expected, for an empty
  // secret, an encrypted PEM, a PKCS#1 "BEGIN RSA PRIVATE KEY", a public key, another key type
  // (EC, X25519, RSA-PSS), a too short RSA key or a damaged block. Messages never contain any
  // part of the secret.
  static Result<Signer> Create(const Secret& secret);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;
  ~Signer();

  KeyKind kind() const;
  int bits() const;  // the RSA modulus size; 256 for Ed25519; 0 for HMAC
  // "hmac", "ed25519" or "rsa-<bits>" (e.g. "rsa-2048"): safe to print.
  std::string Describe() const;

  // The raw signature text: lower-case hex for HMAC, base64 (with padding, no line breaks)
  // for RSA and Ed25519. kInternal only if OpenSSL fails to sign.
  Result<std::string> Sign(std::string_view payload) const;
  // What follows "signature=" in the request: Sign() percent-encoded (hex needs none; base64's
  // '+', '/' and '=' become %2B, %2F, %3D).
  Result<std::string> SignatureParameter(std::string_view payload) const;

 private:
  struct Key;
  explicit Signer(std::unique_ptr<Key> key);
  static Result<Signer> FromPem(std::string_view text);
  std::unique_ptr<Key> key_;
};

std::string_view KeyKindName(KeyKind kind);  // "hmac", "ed25519", "rsa"

}  // namespace aitrader::exchange::binance
