// ProviderClient: the llm::Client for every HTTP vendor. It owns the client logic — rate
// limiting, the retry loop, error mapping, usage and cost — and delegates the vendor's wire
// format to a ProviderAdapter (llm/wire/*: request body, 200 body, error body). Adapters for
// Anthropic, OpenAI, DeepSeek, Gemini and OpenAI-compatible endpoints are made by
// MakeProviderAdapter; MakeClient (factory.hpp) is the usual entry point.
//
// One Complete() call: resolve the request against the config (model, temperature, max_tokens
// cap) → take a slot from the model's shared token bucket (waiting through the Sleeper) → POST
// → on a retryable failure wait (retry.hpp rules) and try again within RetryPolicy → parse →
// cost from the PriceTable. Every Status message and log line is scrubbed of the API key.
// Status codes: see client.hpp; in addition 402 and OpenAI's 429 insufficient_quota are
// kPermissionDenied (billing: a human must act), never retried.
// Thread safety: Complete() may be called from many threads at once; dependencies in
// ClientDeps must outlive the client and be thread-safe themselves.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "llm/client.hpp"
#include "llm/config.hpp"
#include "llm/http.hpp"
#include "llm/pricing.hpp"
#include "llm/rate_limiter.hpp"
#include "llm/retry.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm {

// Receives one line per notable event (a retry, a rate-limit wait). Never sees the key.
using LogSink = std::function<void(std::string_view line)>;

// What a client depends on besides its config; every field has a production default, tests
// replace the clock, the sleeper, the registry, the jitter and the log.
struct ClientDeps {
  const Clock* clock = nullptr;                 // default: a process-wide SystemClock
  Sleeper* sleeper = nullptr;                   // default: RealSleeper()
  RateLimiterRegistry* rate_limits = nullptr;   // default: RateLimiterRegistry::Global()
  std::shared_ptr<HttpTransport> transport;     // default: CurlTransport()
  std::shared_ptr<const PriceTable> prices;     // default: data/llm_prices.csv (empty if absent)
  LogSink log;                                  // default: stderr, prefixed "llm: "
  std::function<double()> jitter;               // uniform [0, 1); default: a seeded PRNG
};

// Fills the unset fields of deps with the defaults above.
ClientDeps WithDefaults(ClientDeps deps);

// The vendor-specific half of a provider client.
class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  virtual std::string provider() const = 0;
  // URL, headers (including the key) and body for a resolved request.
  virtual Result<HttpRequest> Build(const Request& request) const = 0;
  virtual Result<wire::Reply> ParseSuccess(std::string_view body) const = 0;
  virtual wire::VendorError ParseError(std::string_view body) const = 0;
};

// The adapter for config.provider (not "replay"); `key` from ResolveApiKey.
Result<std::unique_ptr<ProviderAdapter>> MakeProviderAdapter(const ProviderConfig& config, SecretString key);

class ProviderClient final : public Client {
 public:
  ProviderClient(ProviderConfig config, SecretString key, std::unique_ptr<ProviderAdapter> adapter, ClientDeps deps);

  std::string provider() const override { return adapter_->provider(); }
  Result<Response> Complete(const Request& request, const CancelToken* cancel = nullptr) override;

  // The request as it will be sent: model, temperature and max_tokens resolved from config.
  Request Resolve(const Request& request) const;

 private:
  Status Fail(StatusCode code, const std::string& model, const std::string& what) const;
  void Log(const std::string& line) const;

  ProviderConfig config_;
  SecretString key_;
  std::string endpoint_;  // EndpointIdentity(config_, key_)
  std::unique_ptr<ProviderAdapter> adapter_;
  ClientDeps deps_;
  HttpOptions http_options_;
};

}  // namespace aitrader::llm
