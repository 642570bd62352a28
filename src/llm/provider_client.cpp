#include "llm/provider_client.hpp"

#include "llm/models.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>

namespace aitrader::llm {

ClientDeps WithDefaults(ClientDeps deps) {
  if (deps.clock == nullptr) {
    static SystemClock system_clock;
    deps.clock = &system_clock;
  }
  if (deps.sleeper == nullptr) deps.sleeper = &RealSleeper();
  if (deps.rate_limits == nullptr) deps.rate_limits = &RateLimiterRegistry::Global();
  if (!deps.transport) deps.transport = CurlTransport();
  if (!deps.prices) {
    static const std::shared_ptr<const PriceTable> table = [] {
      auto loaded = PriceTable::LoadDefault();
      return std::make_shared<const PriceTable>(loaded.ok() ? std::move(loaded).value() : PriceTable());
    }();
    deps.prices = table;
  }
  if (!deps.log) {
    deps.log = [](std::string_view line) {
      std::fprintf(stderr, "llm: %.*s\n", static_cast<int>(line.size()), line.data());
    };
  }
  if (!deps.jitter) {
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto mu = std::make_shared<std::mutex>();
    deps.jitter = [rng, mu] {
      std::lock_guard lock(*mu);
      return std::uniform_real_distribution<double>(0.0, 1.0)(*rng);
    };
  }
  return deps;
}

ProviderClient::ProviderClient(ProviderConfig config, SecretString key, std::unique_ptr<ProviderAdapter> adapter,
                               ClientDeps deps)
    : config_(std::move(config)), key_(std::move(key)), adapter_(std::move(adapter)), deps_(WithDefaults(std::move(deps))) {
  http_options_.connect_timeout_ms = config_.connect_timeout_ms;
  http_options_.timeout_ms = config_.timeout_ms;
  http_options_.max_response_bytes = config_.max_response_bytes;
  http_options_.proxy = config_.proxy;
  http_options_.ca_file = config_.ca_file;
  endpoint_ = EndpointIdentity(config_, key_);
}

Request ProviderClient::Resolve(const Request& request) const {
  Request r = request;
  if (r.model.empty()) r.model = config_.model;
  if (!r.temperature && config_.temperature) r.temperature = config_.temperature;
  // The answer budget plus the model's reasoning allowance (llm/models.hpp), then the cap.
  r.max_tokens = OutputTokenBudget(config_.provider, r.model, r.max_tokens);
  if (config_.max_tokens && *config_.max_tokens > 0) r.max_tokens = std::min(r.max_tokens, *config_.max_tokens);
  return r;
}

Status ProviderClient::Fail(StatusCode code, const std::string& model, const std::string& what) const {
  return Status(code, Redact(adapter_->provider() + " " + model + ": " + what, key_));
}

void ProviderClient::Log(const std::string& line) const { deps_.log(Redact(line, key_)); }

namespace {

StatusCode CodeForHttp(int status, const wire::VendorError& e) {
  if (status == 401 || status == 403 || status == 402) return StatusCode::kPermissionDenied;
  if (status == 429 && e.code == "insufficient_quota") return StatusCode::kPermissionDenied;
  if (status == 408 || status == 409 || status == 429 || status >= 500) return StatusCode::kUnavailable;
  if (status >= 400) return StatusCode::kInvalidArgument;
  return StatusCode::kUnavailable;
}

std::string DescribeHttp(int status, const wire::VendorError& e) {
  std::string s = "HTTP " + std::to_string(status);
  if (!e.type.empty()) s += " " + e.type;
  if (!e.code.empty() && e.code != e.type && e.code != std::to_string(status)) s += " (" + e.code + ")";
  if (!e.message.empty()) s += ": " + e.message;
  return s;
}

}  // namespace

Result<Response> ProviderClient::Complete(const Request& request, const CancelToken* cancel) {
  const Request r = Resolve(request);
  if (r.model.empty()) return Fail(StatusCode::kInvalidArgument, "", "no model in the request or the config");
  if (r.max_tokens <= 0) return Fail(StatusCode::kInvalidArgument, r.model, "max_tokens must be > 0");
  if (cancel != nullptr && cancel->cancelled()) return Fail(StatusCode::kCancelled, r.model, "cancelled");
  auto built = adapter_->Build(r);
  if (!built.ok()) return Fail(built.status().code(), r.model, built.status().message());
  HttpRequest http = std::move(built).value();
  for (const auto& h : config_.extra_headers) http.headers.push_back(h);

  // One bucket per endpoint (provider + base URL + key fingerprint) and model.
  auto bucket = deps_.rate_limits->Get(endpoint_, r.model, config_.requests_per_minute, config_.burst);
  const auto started = std::chrono::steady_clock::now();
  std::int64_t waited_ms = 0;
  for (int attempt = 1;; ++attempt) {
    if (const std::int64_t wait = bucket->Reserve(); wait > 0) {
      Log(adapter_->provider() + " " + r.model + ": rate limit " + std::to_string(config_.requests_per_minute) +
          "/min: waiting " + std::to_string(wait) + " ms");
      if (!deps_.sleeper->Sleep(wait, cancel)) {
        bucket->Release();
        return Fail(StatusCode::kCancelled, r.model, "cancelled while waiting for the rate limit");
      }
    }
    auto sent = deps_.transport->Post(http, http_options_, cancel);
    Status failure;
    bool retryable = false;
    const HttpResponse* http_response = nullptr;
    std::optional<std::int64_t> vendor_hint;
    if (!sent.ok()) {
      const StatusCode code = sent.status().code();
      if (code == StatusCode::kCancelled || (cancel != nullptr && cancel->cancelled())) {
        return Fail(StatusCode::kCancelled, r.model, "cancelled during the request");
      }
      retryable = code == StatusCode::kUnavailable || (code == StatusCode::kTimeout && config_.retry.retry_on_timeout);
      failure = Fail(code, r.model, sent.status().message());
    } else if (sent->status >= 200 && sent->status < 300) {
      auto reply = adapter_->ParseSuccess(sent->body);
      if (!reply.ok()) return Fail(reply.status().code(), r.model, reply.status().message());
      Response out;
      out.text = std::move(reply->text);
      out.reasoning = std::move(reply->reasoning);
      out.model = reply->model.empty() ? r.model : reply->model;
      out.finish_reason = std::move(reply->finish_reason);
      out.usage = reply->usage;
      const bool priced = deps_.prices->Find(adapter_->provider(), out.model).has_value();
      out.cost_usd = deps_.prices->Cost(adapter_->provider(), priced ? out.model : r.model, out.usage);
      out.latency_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      out.attempts = attempt;
      return out;
    } else {
      const wire::VendorError e = adapter_->ParseError(sent->body);
      http_response = &sent.value();
      vendor_hint = e.retry_delay_ms;
      retryable = IsRetryableHttp(*sent, e.code);
      failure = Fail(CodeForHttp(sent->status, e), r.model, DescribeHttp(sent->status, e));
    }
    if (!retryable) return failure;
    if (attempt > config_.retry.max_retries) {
      return Status(failure.code(), failure.message() + " (gave up after " + std::to_string(attempt) + " attempts)");
    }
    const std::int64_t wait =
        RetryWaitMs(http_response, vendor_hint, attempt - 1, deps_.clock->NowMs(), deps_.jitter());
    if (waited_ms + wait > config_.retry.max_total_wait_ms) {
      return Status(failure.code(), failure.message() + " (retry budget exhausted: " + std::to_string(waited_ms) +
                                        " ms waited, next wait " + std::to_string(wait) + " ms)");
    }
    Log(failure.message() + "; retry " + std::to_string(attempt) + "/" + std::to_string(config_.retry.max_retries) +
        " in " + std::to_string(wait) + " ms");
    if (!deps_.sleeper->Sleep(wait, cancel)) return Fail(StatusCode::kCancelled, r.model, "cancelled while waiting to retry");
    waited_ms += wait;
  }
}

}  // namespace aitrader::llm
