// HttpTransport: one HTTP request/response for the Binance REST client. CurlTransport keeps one
// libcurl easy handle per transport object, so consecutive calls reuse the kept-alive
// connection (TLS session included) instead of reconnecting.
//
// Errors: kUnavailable only when the request certainly did not reach the server (DNS failure,
// connection refused); kTimeout for a connect or total timeout and for any failure after the
// request may have been sent (the caller must treat the outcome as unknown); kInvalidArgument
// for a malformed URL; kParseError when the body exceeds the limit.
// Thread safety: a transport is used by one thread at a time (the RestClient serialises).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace aitrader::exchange::binance {

struct HttpCall {
  std::string method = "GET";  // GET POST PUT DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // form-encoded for POST/PUT
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpLimits {
  std::int64_t connect_timeout_ms = 5'000;
  std::int64_t timeout_ms = 10'000;
  std::size_t max_response_bytes = 16u << 20;
  std::string ca_file;  // empty: system store
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpReply> Send(const HttpCall& call, const HttpLimits& limits) = 0;
  // Connections opened so far (keep-alive makes this stay at 1 for one host).
  virtual std::int64_t connections_opened() const = 0;
};

std::unique_ptr<HttpTransport> MakeCurlTransport();

}  // namespace aitrader::exchange::binance
