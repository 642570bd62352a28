// HttpTransport: one HTTPS POST with limits — the only place the LLM clients touch the
// network. CurlTransport implements it with libcurl (one easy handle and one private multi
// handle per call, so concurrent calls share nothing; curl_global_init runs once).
//
// Limits on every call: a connect timeout, a total timeout (connect to last byte), a maximum
// response body, and cancellation (the transfer loop wakes at least every 50 ms, and the
// progress callback on every activity, to check the CancelToken and abort). Proxies: an explicit proxy URL, else libcurl's standard
// variables (http_proxy, https_proxy, all_proxy, no_proxy); loopback hosts never use a proxy.
// Thread safety: Post() may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"
#include "llm/client.hpp"

namespace aitrader::llm {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // "Content-Type" etc.
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;

  // The header's value, or "" when absent (name in lower case).
  std::string Header(const std::string& lower_name) const;
};

struct HttpOptions {
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 120'000;
  std::size_t max_response_bytes = 4u << 20;
  std::string proxy;    // empty: standard environment variables
  std::string ca_file;  // empty: system store
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends the POST and returns whatever HTTP status came back (4xx/5xx are responses, not
  // errors). Errors: kTimeout (connect or total timeout), kCancelled (the token fired),
  // kParseError (the body exceeded max_response_bytes), kUnavailable (DNS, connect, TLS,
  // connection reset...), kInvalidArgument (a malformed URL).
  virtual Result<HttpResponse> Post(const HttpRequest& request, const HttpOptions& options,
                                    const CancelToken* cancel) = 0;
};

// The libcurl transport (shared; stateless).
std::shared_ptr<HttpTransport> CurlTransport();

// Seconds since the epoch of an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), or -1.
std::int64_t ParseHttpDate(const std::string& text);

}  // namespace aitrader::llm
