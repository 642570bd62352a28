// Retry rules for the LLM providers, after the official Anthropic SDK (reference/llm/
// wire_formats.md §1), plus the Sleeper through which every wait (retry backoff, rate limit)
// goes so tests can record waits instead of sleeping.
//
// - An `x-should-retry: true|false` header is obeyed.
// - Otherwise retried: 408, 409, 429 (except OpenAI's insufficient_quota), any 5xx (so
//   Anthropic's 529), and connection errors. Never retried: other 4xx (400, 401, 403, 404,
//   413, 422...), cancellation, and — unless RetryPolicy::retry_on_timeout — timeouts.
// - Wait: `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date), else a
//   vendor hint (Gemini RetryInfo.retryDelay), used only if 0 < wait <= 60 s; otherwise
//   min(0.5 * 2^n, 8) s times a jitter factor in (0.75, 1], n = retries done so far.
// Thread safety: pure functions; RealSleeper() is safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "llm/client.hpp"
#include "llm/http.hpp"

namespace aitrader::llm {

inline constexpr std::int64_t kMaxHonouredRetryAfterMs = 60'000;

// Whether an HTTP response with this status may succeed if sent again. `vendor_code` is the
// error code from the body ("insufficient_quota" is final).
bool IsRetryableHttp(const HttpResponse& response, std::string_view vendor_code);

// The server's requested wait in ms from retry-after-ms / retry-after, if present and
// parseable (any value, even out of range); `now_ms` resolves an HTTP date.
std::optional<std::int64_t> RetryAfterMs(const HttpResponse& response, UnixMs now_ms);

// min(0.5 * 2^retries_done, 8) s × (1 − 0.25 × jitter01), jitter01 in [0, 1).
std::int64_t BackoffMs(int retries_done, double jitter01);

// The wait before the next attempt: the server's value (header, else vendor_hint_ms) when
// 0 < wait <= 60 s, else BackoffMs.
std::int64_t RetryWaitMs(const HttpResponse* response, std::optional<std::int64_t> vendor_hint_ms,
                         int retries_done, UnixMs now_ms, double jitter01);

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits `ms` (<= 0: returns at once). Returns false when `cancel` fired first (it is polled
  // about every 50 ms), true otherwise.
  virtual bool Sleep(std::int64_t ms, const CancelToken* cancel) = 0;
};

// The real sleeper (std::this_thread::sleep_for in slices).
Sleeper& RealSleeper();

}  // namespace aitrader::llm
