// Request signing for Binance's SIGNED (TRADE / USER_DATA) endpoints:
// signature = hex(HMAC-SHA256(secret, query ‖ body)), the query and the body concatenated with
// no separator, sent as the last parameter. Parameter values are percent-encoded before
// signing (non-ASCII symbols, JSON lists), and the exact bytes signed are the bytes sent.
// Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::string Redacted() const { return value_.empty() ? "(unset)" : "(" + std::to_string(value_.size()) + " chars)"; }

 private:
  std::string value_;
};

}  // namespace aitrader::exchange::binance
