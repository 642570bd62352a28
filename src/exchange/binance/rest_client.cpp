#include "exchange/binance/rest_client.hpp"

#include <cstdlib>

namespace aitrader::exchange::binance {

namespace {

constexpr std::string_view kUnknownPrefix = "outcome unknown";

std::int64_t ParseCount(const std::string& s) {
  if (s.empty() || s.size() > 18) return -1;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string FormatServerTime(UnixMs t) { return FormatUtc(t); }

}  // namespace

bool IsUnknownOutcome(const Status& s) {
  return s.code() == StatusCode::kTimeout;
}

RestClient::RestClient(RestOptions options, std::string api_key, Secret secret,
                       std::unique_ptr<HttpTransport> transport, const Clock& clock)
    : options_(std::move(options)),
      api_key_(std::move(api_key)),
      transport_(std::move(transport)),
      clock_(clock) {
  if (!secret.empty()) {
    auto signer = Signer::Create(secret);
    if (signer.ok()) {
      signer_.emplace(std::move(*signer));
    } else {
      key_status_ = signer.status();
    }
  }
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

RateState RestClient::rate_state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

UnixMs RestClient::ServerNowMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clock_.NowMs() + state_.time_offset_ms;
}

std::int64_t RestClient::connections_opened() const {
  std::lock_guard<std::mutex> lock(mu_);
  return transport_->connections_opened();
}

void RestClient::SetRateLimits(const std::vector<RateLimitRule>& rules) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& r : rules) {
    if (r.limit <= 0) continue;
    if (r.type == "REQUEST_WEIGHT" && r.WindowMs() == 60'000) options_.weight_limit_1m = r.limit;
    if (r.type == "ORDERS" && r.WindowMs() == 10'000) options_.order_limit_10s = r.limit;
    if (r.type == "ORDERS" && r.WindowMs() == 60'000) options_.order_limit_1m = r.limit;
  }
}

Status RestClient::SyncTime() {
  std::lock_guard<std::mutex> lock(mu_);
  return SyncTimeLocked();
}

Status RestClient::SyncTimeLocked() {
  RestRequest req;
  req.path = "/fapi/v1/time";
  const UnixMs before = clock_.NowMs();
  auto body = CallLocked(req, /*allow_resync=*/false);
  if (!body.ok()) return body.status().WithContext("time sync");
  const UnixMs after = clock_.NowMs();
  auto server = ParseServerTime(*body);
  if (!server.ok()) return server.status();
  state_.time_offset_ms = *server - (before + (after - before) / 2);
  ++state_.time_syncs;
  return Status::Ok();
}

// Binance's windows are fixed intervals of server time; counts reset when a new one starts.
void RestClient::RollWindows(UnixMs now) {
  if (now / 60'000 != weight_window_) {
    weight_window_ = now / 60'000;
    state_.used_weight_1m = 0;
  }
  if (now / 10'000 != order10_window_) {
    order10_window_ = now / 10'000;
    state_.order_count_10s = 0;
  }
  if (now / 60'000 != order1m_window_) {
    order1m_window_ = now / 60'000;
    state_.order_count_1m = 0;
  }
}

void RestClient::ObserveHeaders(const HttpReply& reply, UnixMs now) {
  RollWindows(now);
  if (auto w = ParseCount(reply.Header("x-mbx-used-weight-1m")); w >= 0) state_.used_weight_1m = w;
  if (auto c = ParseCount(reply.Header("x-mbx-order-count-10s")); c >= 0) state_.order_count_10s = c;
  if (auto c = ParseCount(reply.Header("x-mbx-order-count-1m")); c >= 0) state_.order_count_1m = c;
}

Result<std::string> RestClient::Call(const RestRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  return CallLocked(request, /*allow_resync=*/true);
}

Result<std::string> RestClient::CallLocked(const RestRequest& request, bool allow_resync) {
  const UnixMs now = clock_.NowMs() + state_.time_offset_ms;
  const std::string what = request.method + " " + request.path;
  if (state_.backoff_until > now) {
    ++state_.throttled;
    return Unavailable(what + ": backing off after a rate-limit answer until " + FormatServerTime(state_.backoff_until));
  }
  RollWindows(now);
  if (!request.exempt) {
    const std::int64_t weight_cap = options_.weight_limit_1m * options_.throttle_percent / 100;
    if (request.weight > 0 && state_.used_weight_1m + request.weight > weight_cap) {
      ++state_.throttled;
      return Unavailable(what + ": throttled: weight " + std::to_string(state_.used_weight_1m) + "+" +
                         std::to_string(request.weight) + " of " + std::to_string(options_.weight_limit_1m) +
                         " per minute until " + FormatServerTime((weight_window_ + 1) * 60'000));
    }
    if (request.is_order) {
      const std::int64_t cap10 = options_.order_limit_10s * options_.throttle_percent / 100;
      const std::int64_t cap1m = options_.order_limit_1m * options_.throttle_percent / 100;
      if (state_.order_count_10s + 1 > cap10) {
        ++state_.throttled;
        return Unavailable(what + ": throttled: " + std::to_string(state_.order_count_10s) + " orders of " +
                           std::to_string(options_.order_limit_10s) + " per 10 s until " +
                           FormatServerTime((order10_window_ + 1) * 10'000));
      }
      if (state_.order_count_1m + 1 > cap1m) {
        ++state_.throttled;
        return Unavailable(what + ": throttled: " + std::to_string(state_.order_count_1m) + " orders of " +
                           std::to_string(options_.order_limit_1m) + " per minute until " +
                           FormatServerTime((order1m_window_ + 1) * 60'000));
      }
    }
  }
  if (request.security != Security::kNone && api_key_.empty()) {
    return Status(StatusCode::kPermissionDenied, what + ": no Binance API key configured");
  }
  if (request.security == Security::kSigned && !signer_) {
    if (!key_status_.ok()) return Status(StatusCode::kPermissionDenied, what + ": " + key_status_.message());
    return Status(StatusCode::kPermissionDenied, what + ": no Binance API secret configured");
  }

  Params params = request.params;
  if (request.security == Security::kSigned) {
    params.Add("recvWindow", std::to_string(options_.recv_window_ms));
    params.Add("timestamp", std::to_string(now));
  }
  std::string encoded = params.Encode();
  const bool in_body = request.method == "POST" || request.method == "PUT";
  if (request.security == Security::kSigned) {
    auto sig = signer_->SignatureParameter(encoded);
    if (!sig.ok()) return sig.status().WithContext(what);
    encoded += (encoded.empty() ? "" : "&") + std::string("signature=") + *sig;
  }
  HttpCall call;
  call.method = request.method;
  call.url = options_.base_url + request.path;
  if (!in_body && !encoded.empty()) call.url += "?" + encoded;
  if (in_body) {
    call.body = encoded;
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  if (request.security != Security::kNone) call.headers.emplace_back("X-MBX-APIKEY", api_key_);
  ++state_.requests_sent;
  if (request.is_order) {
    ++state_.order_count_10s;  // counted locally until the answer's headers say otherwise
    ++state_.order_count_1m;
  }
  state_.used_weight_1m += request.weight;
  auto reply = transport_->Send(call, options_.http);
  const UnixMs after = clock_.NowMs() + state_.time_offset_ms;
  if (!reply.ok()) return reply.status().WithContext(what);
  ObserveHeaders(*reply, after);
  const int http = reply->status;
  if (http >= 200 && http < 300) return std::move(reply->body);

  if (http == 429 || http == 418) {
    std::int64_t retry_s = ParseCount(reply->Header("retry-after"));
    if (retry_s < 0) retry_s = http == 418 ? 120 : 60;
    state_.backoff_until = after + retry_s * 1000;
    return Unavailable(what + ": HTTP " + std::to_string(http) + (http == 418 ? " (IP banned)" : " (rate limited)") +
                       "; retry after " + std::to_string(retry_s) + " s");
  }
  auto err = ParseApiError(reply->body);
  if (http == 503) {
    const std::string msg = err.ok() ? err->msg : reply->body.substr(0, 200);
    if (msg.find("Unknown error") != std::string::npos) {
      return Status(StatusCode::kTimeout, std::string(kUnknownPrefix) + ": " + what + ": HTTP 503 " + msg);
    }
    return Unavailable(what + ": HTTP 503 " + msg);
  }
  if (!err.ok()) {
    return Unavailable(what + ": HTTP " + std::to_string(http) + " with a body that is not a Binance error: " +
                       reply->body.substr(0, 200));
  }
  if (err->code == -1021 && allow_resync) {
    if (Status s = SyncTimeLocked(); !s.ok()) return s;
    return CallLocked(request, /*allow_resync=*/false);
  }
  if (err->code == -1007 || err->code == -1006) {
    return Status(StatusCode::kTimeout, std::string(kUnknownPrefix) + ": " + what + ": [" + std::to_string(err->code) +
                                            "] " + err->msg);
  }
  if (err->code == -1001 || err->code == -1008 || err->code == -1003) {
    return Unavailable(what + ": [" + std::to_string(err->code) + "] " + err->msg);
  }
  if (err->code == -1022 || err->code == -2015 || err->code == -1002 || err->code == -2014) {
    return Status(StatusCode::kPermissionDenied, what + ": [" + std::to_string(err->code) + "] " + err->msg);
  }
  return Status(StatusCode::kRejected, "[" + std::to_string(err->code) + "] " + err->msg + " (" + what + ")");
}

}  // namespace aitrader::exchange::binance
