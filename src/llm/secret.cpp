#include "llm/secret.hpp"

#include "core/hash.hpp"

namespace aitrader::llm {

std::string SecretString::Fingerprint() const {
  if (value_.empty()) return "none";
  return Sha256Hex("aitrader-api-key-fingerprint-v1;" + value_).substr(0, 16);
}

namespace {

void ReplaceAll(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  static constexpr std::string_view kMask = "[redacted]";
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kMask);
    pos += kMask.size();
  }
}

}  // namespace

std::string Redact(std::string_view text, const SecretString& secret) {
  std::string out(text);
  const std::string& key = secret.Reveal();
  if (key.empty()) return out;
  ReplaceAll(out, key);
  // Vendors echo masked keys such as "sk-proj-********abcd": scrub the tail too.
  constexpr std::size_t kTail = 8;
  if (key.size() >= 2 * kTail) ReplaceAll(out, std::string_view(key).substr(key.size() - kTail));
  return out;
}

}  // namespace aitrader::llm
