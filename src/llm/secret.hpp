// SecretString: an API key that cannot leak by accident. Its only accessor is Reveal(), used
// where the key goes on the wire (an HTTP header); ToString() and streaming print a fixed
// placeholder. Redact() scrubs a secret out of any text (vendor error messages sometimes echo
// part of the key) before that text becomes a Status message or a log line.
// Thread safety: a value type; const methods may be called from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace aitrader::llm {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  // The secret itself: only for building the request that carries it.
  const std::string& Reveal() const { return value_; }
  // "[redacted]" when set, "[not set]" otherwise. Never the value.
  std::string ToString() const { return value_.empty() ? "[not set]" : "[redacted]"; }
  // A one-way fingerprint to tell keys apart (rate-limit buckets, cache keys) without storing
  // or showing the key: the first 16 hex digits of SHA-256 over a domain-separated encoding;
  // "none" when empty. Never reversible to the key.
  std::string Fingerprint() const;

 private:
  std::string value_;
};

// Replaces every occurrence of `secret` in `text` (and of its last 8+ characters, which
// vendors print as "sk-...abcd1234") with "[redacted]". Empty or short secrets (< 8 chars)
// are still replaced whole.
std::string Redact(std::string_view text, const SecretString& secret);

}  // namespace aitrader::llm
