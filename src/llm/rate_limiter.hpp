// Request rate limits per model: a token bucket (capacity `burst`, refilled continuously at
// requests_per_minute) and a registry that hands every bot using the same provider + model
// the same bucket, so fifty bots on claude-sonnet-4-5 share one 50 requests/minute budget.
//
// The bucket never sleeps: Reserve() takes a token (possibly going into debt) and returns how
// long the caller must wait before sending; the caller waits through a Sleeper. Time comes
// from an injected Clock, so tests step a SimulatedClock. A token is 60,000 units, so a
// bucket refills exactly requests_per_minute units per millisecond: integer math, no drift.
// Thread safety: TokenBucket and RateLimiterRegistry are safe to use from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"

namespace aitrader::llm {

class TokenBucket {
 public:
  // requests_per_minute > 0; burst <= 0 means burst = requests_per_minute. Starts full.
  TokenBucket(int requests_per_minute, int burst, const Clock& clock);

  // Takes one request slot. Returns 0 when the request may go now, else the milliseconds to
  // wait first (the slot is reserved: callers queue fairly in order of Reserve()).
  std::int64_t Reserve();
  // Gives back a slot taken by Reserve() that was not used (the caller was cancelled).
  void Release();
  // Whole requests available now (negative when callers are queued).
  double Available() const;
  int requests_per_minute() const { return rpm_; }

 private:
  void RefillLocked(UnixMs now) const;

  const int rpm_;
  const std::int64_t capacity_units_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::int64_t tokens_units_;
  mutable UnixMs last_ms_;
};

class RateLimiterRegistry {
 public:
  explicit RateLimiterRegistry(const Clock& clock) : clock_(clock) {}
  // The bucket for endpoint + model (endpoint: EndpointIdentity — provider, base URL and key
  // fingerprint — so two endpoints or two keys never share a budget); created with these
  // limits by the first caller (later callers share it whatever limits they pass).
  std::shared_ptr<TokenBucket> Get(const std::string& endpoint, const std::string& model, int requests_per_minute,
                                   int burst);
  // The process-wide registry on the system clock.
  static RateLimiterRegistry& Global();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<TokenBucket>> buckets_;
};

}  // namespace aitrader::llm
