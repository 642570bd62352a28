// RestClient: Binance USDⓈ-M REST calls with signing, time sync, rate-limit tracking and backoff.
//
// - Signing (SIGNED endpoints): timestamp (local clock + the measured server offset) and
//   recvWindow are appended, then the signature of query ‖ body last: hex HMAC-SHA256 for an
//   HMAC secret, percent-encoded base64 for an RSA or Ed25519 private key (signing.hpp; the
//   secret is parsed once, here at construction). GET and DELETE carry the parameters in the
//   query, POST and PUT in a form body. The API key goes in X-MBX-APIKEY. Secrets and
//   signatures never appear in a Status message. A secret that is not a usable key makes every
//   signed call fail with kPermissionDenied saying why (key_status()); unsigned calls work.
// - Time: SyncTime() reads GET /fapi/v1/time; a -1021 answer triggers one sync and one resend
//   (Binance rejected the request before processing it, so the resend is safe).
// - Limits: X-MBX-USED-WEIGHT-1M and X-MBX-ORDER-COUNT-10S / -1M are read from every answer.
//   Before sending, a request that would take the used weight (or the order count) past
//   throttle_percent of the venue's limit in the current window is refused locally with
//   kUnavailable ("throttled ... until <time>") — except requests marked exempt (cancels and
//   reduce-only orders, which lower exposure). The strand never sleeps; the caller retries.
// - 429 / 418: nothing is sent until the Retry-After the venue named (default 60 s for 429,
//   120 s for 418) has passed; calls in between fail at once with kUnavailable.
// - Outcomes: HTTP 2xx → the body. A venue error body → kRejected "[code] msg" (RejectReasonOf
//   recovers mapped reasons). The execution status is UNKNOWN — kTimeout, message starting
//   "outcome unknown" — for a transport timeout or failure after sending, -1007/-1006, and 503
//   "Unknown error, please check your request or try again later."; the caller looks the order
//   up by its client id before anything else. Certain failures (503 "Service Unavailable.",
//   -1001, -1008, connection refused) are kUnavailable.
//
// Thread safety: all methods may be called from any thread (one mutex serialises calls, which
// also keeps the single kept-alive connection).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/status.hpp"
#include "exchange/binance/http_transport.hpp"
#include "exchange/binance/signing.hpp"
#include "exchange/binance/wire.hpp"

namespace aitrader::exchange::binance {

enum class Security { kNone, kApiKey, kSigned };

struct RestOptions {
  std::string base_url;               // "https://demo-fapi.binance.com" (no trailing slash)
  std::int64_t recv_window_ms = 5000;
  HttpLimits http;
  int throttle_percent = 90;          // of REQUEST_WEIGHT and ORDERS limits
  std::int64_t weight_limit_1m = 2400;   // until SetRateLimits() reads exchangeInfo
  std::int64_t order_limit_10s = 300;
  std::int64_t order_limit_1m = 1200;
};

struct RestRequest {
  std::string method = "GET";
  std::string path;     // "/fapi/v1/order"
  Params params;
  Security security = Security::kNone;
  int weight = 1;       // IP weight the venue charges (0 for orders)
  bool is_order = false;   // counts against the ORDERS limits
  bool exempt = false;     // cancels / reduce-only: not refused by pre-emptive throttling
};

struct RateState {
  std::int64_t used_weight_1m = 0;
  std::int64_t order_count_10s = 0;
  std::int64_t order_count_1m = 0;
  UnixMs backoff_until = 0;  // server time; 0 when none
  std::int64_t time_offset_ms = 0;
  std::int64_t requests_sent = 0;
  std::int64_t throttled = 0;    // refused locally
  std::int64_t time_syncs = 0;
};

// True for the "execution status unknown" outcome described above (every kTimeout this client
// returns is one).
bool IsUnknownOutcome(const Status& s);

class RestClient {
 public:
  RestClient(RestOptions options, std::string api_key, Secret secret, std::unique_ptr<HttpTransport> transport,
             const Clock& clock);

  Result<std::string> Call(const RestRequest& request);
  Status SyncTime();
  // Reads REQUEST_WEIGHT (1 minute) and ORDERS (10 s, 1 minute) limits from exchangeInfo.
  void SetRateLimits(const std::vector<RateLimitRule>& rules);

  RateState rate_state() const;
  UnixMs ServerNowMs() const;  // local clock + offset
  std::int64_t connections_opened() const;
  const RestOptions& options() const { return options_; }
  bool has_credentials() const { return !api_key_.empty() && signer_.has_value(); }
  // OK, or why the secret given at construction is not a usable key (kInvalidArgument; OK too
  // when no secret was given).
  const Status& key_status() const { return key_status_; }
  // The key's kind for printing: "hmac", "ed25519", "rsa-2048"; "none" without a usable secret.
  std::string key_kind() const { return signer_ ? signer_->Describe() : "none"; }

 private:
  Result<std::string> CallLocked(const RestRequest& request, bool allow_resync);
  Status SyncTimeLocked();
  void ObserveHeaders(const HttpReply& reply, UnixMs now);
  void RollWindows(UnixMs now);

  RestOptions options_;
  std::string api_key_;
  std::optional<Signer> signer_;  // nullopt: no secret, or an unusable one (key_status_)
  Status key_status_;
  std::unique_ptr<HttpTransport> transport_;
  const Clock& clock_;
  mutable std::mutex mu_;
  RateState state_;
  UnixMs weight_window_ = -1, order10_window_ = -1, order1m_window_ = -1;  // window index of the counts
};

}  // namespace aitrader::exchange::binance
