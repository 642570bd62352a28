// The development response cache: identical requests (same provider, model, messages and
// parameters) are answered from disk instead of the vendor, which makes re-running a backtest
// or a prompt experiment free and fast. On in development, off in production (config.cache_dir).
//
// Key: lower-case hex SHA-256 (OpenSSL) of a length-prefixed encoding of the endpoint (what
// MakeClient passes: EndpointIdentity — provider, base URL and the API key's fingerprint, never
// the key — so two endpoints or accounts never answer for each other), model, every message's
// role and content, temperature, max_tokens, response_schema and schema_name.
// Store: one JSON file per key, <dir>/<key>.json, written atomically (write + rename).
// A cache hit returns the stored Response with from_cache = true, cost_usd = 0, attempts = 0.
// Thread safety: CacheKey is pure; FileResponseCache and CachingClient may be used from many
// threads (concurrent writers of one key both write the same answer; rename is atomic).
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "llm/client.hpp"

namespace aitrader::llm {

// 64 hex characters. `endpoint`: EndpointIdentity (or a bare provider name, as older
// recordings have). `request` must already be resolved (model, temperature, max_tokens as
// sent; see RequestResolver).
std::string CacheKey(std::string_view endpoint, const Request& request);

// Turns a caller's Request into the one the provider really sends (the config's model,
// temperature and max_tokens cap applied), so keys reflect what was asked. Empty = identity.
using RequestResolver = std::function<Request(const Request&)>;

// The Response fields that are stored (text, reasoning, model, finish_reason, usage,
// cost_usd as a decimal string, latency_ms) and back. Errors: kParseError.
boost::json::object ResponseToJson(const Response& response);
Result<Response> ResponseFromJson(const boost::json::value& json);

class FileResponseCache {
 public:
  // Creates the directory if needed. Errors: kIoError.
  static Result<std::shared_ptr<FileResponseCache>> Open(const std::string& dir);

  // The stored answer, nullopt on a miss; a corrupt file is a miss (and is overwritten later).
  std::optional<Response> Get(const std::string& key) const;
  // Stores the answer. Errors: kIoError.
  Status Put(const std::string& key, std::string_view provider, const Response& response);
  const std::string& dir() const { return dir_; }

 private:
  explicit FileResponseCache(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

class CachingClient final : public Client {
 public:
  // `endpoint` goes into every key (empty: the inner client's provider name).
  CachingClient(std::unique_ptr<Client> inner, std::shared_ptr<FileResponseCache> cache, RequestResolver resolve = {},
                std::string endpoint = {});
  std::string provider() const override { return inner_->provider(); }
  // A hit answers from disk; a miss calls the inner client and stores a successful answer (a
  // failed store does not fail the call).
  Result<Response> Complete(const Request& request, const CancelToken* cancel = nullptr) override;

 private:
  std::unique_ptr<Client> inner_;
  std::shared_ptr<FileResponseCache> cache_;
  RequestResolver resolve_;
  std::string endpoint_;
};

}  // namespace aitrader::llm
