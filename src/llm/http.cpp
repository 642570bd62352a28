#include "llm/http.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <mutex>

#include "core/strings.hpp"

namespace aitrader::llm {

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::int64_t ParseHttpDate(const std::string& text) {
  const time_t t = curl_getdate(text.c_str(), nullptr);
  return t < 0 ? -1 : static_cast<std::int64_t>(t);
}

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse response;
  std::size_t max_body = 0;
  bool body_too_large = false;
  const CancelToken* cancel = nullptr;
  bool cancelled = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * n;
  if (t->response.body.size() + bytes > t->max_body) {
    t->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (StartsWith(line, "HTTP/")) {
    t->response.headers.clear();  // a new response (100 Continue, redirect): start over
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response.headers[ToLower(Trim(line.substr(0, colon)))] = std::string(Trim(line.substr(colon + 1)));
  }
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel != nullptr && t->cancel->cancelled()) {
    t->cancelled = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

// The user's no_proxy plus loopback, so a local mock server or Ollama never goes through a proxy.
std::string NoProxyList() {
  std::string list;
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      list = v;
      break;
    }
  }
  if (list == "*") return list;
  if (!list.empty()) list += ",";
  return list + "localhost,127.0.0.1,::1";
}

// Runs the transfer through a private multi handle, waking at least every 50 ms to check the
// cancel token (curl_easy_perform only calls the progress callback about once a second while
// a server is silent).
CURLcode Perform(CURL* curl, Transfer& t) {
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return curl_easy_perform(curl);
  curl_multi_add_handle(multi, curl);
  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl) {
        result = msg->data.result;
        done = true;
      }
    }
    if (done) break;
    if (t.cancel != nullptr && t.cancel->cancelled()) {
      t.cancelled = true;
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (curl_multi_poll(multi, nullptr, 0, 50, nullptr) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
  }
  curl_multi_remove_handle(multi, curl);
  curl_multi_cleanup(multi);
  return result;
}

class CurlTransportImpl final : public HttpTransport {
 public:
  Result<HttpResponse> Post(const HttpRequest& request, const HttpOptions& options,
                            const CancelToken* cancel) override {
    GlobalInitOnce();
    if (cancel != nullptr && cancel->cancelled()) return Status(StatusCode::kCancelled, "cancelled before sending");
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Internal("curl_easy_init failed");
    struct curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    Transfer t;
    t.max_body = options.max_response_bytes;
    t.cancel = cancel;
    const std::string no_proxy = NoProxyList();
    char error[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // thread-safe timeouts
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate if the server offers
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy.c_str());
    if (!options.proxy.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, options.proxy.c_str());
    if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());

    const CURLcode rc = Perform(curl, t);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);

    if (rc == CURLE_OK) {
      t.response.status = static_cast<int>(status);
      return std::move(t.response);
    }
    std::string detail = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc));
    if (t.cancelled || rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kCancelled, "request cancelled");
    if (t.body_too_large) {
      return ParseError("response body exceeds " + std::to_string(options.max_response_bytes) + " bytes");
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) return Status(StatusCode::kTimeout, "HTTP timeout: " + detail);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) return InvalidArgument("bad URL: " + detail);
    return Unavailable("HTTP transport error: " + detail);
  }
};

}  // namespace

std::shared_ptr<HttpTransport> CurlTransport() {
  static std::shared_ptr<HttpTransport> transport = std::make_shared<CurlTransportImpl>();
  return transport;
}

}  // namespace aitrader::llm
