#include "exchange/binance/http_transport.hpp"

#include <curl/curl.h>

#include <mutex>

namespace aitrader::exchange::binance {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpReply reply;
  std::size_t max_body = 0;
  bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * n;
  if (t->reply.body.size() + bytes > t->max_body) {
    t->too_large = true;
    return 0;
  }
  t->reply.body.append(data, bytes);
  return bytes;
}

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.substr(0, 5) == "HTTP/") {
    t->reply.headers.clear();
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    t->reply.headers[LowerTrim(line.substr(0, colon))] = std::string(v);
  }
  return bytes;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport() {
    GlobalInitOnce();
    curl_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  std::int64_t connections_opened() const override { return connections_; }

  Result<HttpReply> Send(const HttpCall& call, const HttpLimits& limits) override {
    if (curl_ == nullptr) return Internal("curl_easy_init failed");
    curl_easy_reset(curl_);  // keeps the connection cache (keep-alive)
    struct curl_slist* headers = nullptr;
    for (const auto& [name, value] : call.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    headers = curl_slist_append(headers, "Expect:");
    Transfer t;
    t.max_body = limits.max_response_bytes;
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl_, CURLOPT_URL, call.url.c_str());
    if (call.method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else {
      if (call.method == "POST") {
        curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      } else {
        curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, call.method.c_str());
      }
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, call.body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    if (!limits.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, limits.ca_file.c_str());
    const CURLcode rc = curl_easy_perform(curl_);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    long new_connects = 0;
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &new_connects);
    connections_ += new_connects;
    curl_slist_free_all(headers);
    if (rc == CURLE_OK) {
      t.reply.status = static_cast<int>(status);
      return std::move(t.reply);
    }
    // The detail names the host only (never the query, which carries the signature).
    const std::string detail = call.method + " " + call.url.substr(0, call.url.find('?')) + ": " +
                               (error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc)));
    if (t.too_large) return ParseError("response body exceeds " + std::to_string(limits.max_response_bytes) + " bytes");
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) return InvalidArgument("bad URL: " + detail);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
      return Unavailable("not sent: " + detail);
    }
    return Status(StatusCode::kTimeout, "outcome unknown: " + detail);
  }

 private:
  CURL* curl_ = nullptr;
  std::int64_t connections_ = 0;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport() { return std::make_unique<CurlTransport>(); }

}  // namespace aitrader::exchange::binance
