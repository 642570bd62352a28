#include "llm/rate_limiter.hpp"

#include <algorithm>

#include "core/status.hpp"

namespace aitrader::llm {
namespace {
constexpr std::int64_t kUnitsPerToken = 60'000;  // ms per minute
}

TokenBucket::TokenBucket(int requests_per_minute, int burst, const Clock& clock)
    : rpm_(requests_per_minute),
      capacity_units_(static_cast<std::int64_t>(burst > 0 ? burst : requests_per_minute) * kUnitsPerToken),
      clock_(clock),
      tokens_units_(capacity_units_),
      last_ms_(clock.NowMs()) {
  AITRADER_CHECK(requests_per_minute > 0, "requests_per_minute must be > 0");
}

void TokenBucket::RefillLocked(UnixMs now) const {
  if (now <= last_ms_) return;
  const __int128 gained = static_cast<__int128>(now - last_ms_) * rpm_;
  last_ms_ = now;
  const std::int64_t room = capacity_units_ - tokens_units_;
  tokens_units_ = gained >= room ? capacity_units_ : tokens_units_ + static_cast<std::int64_t>(gained);
}

std::int64_t TokenBucket::Reserve() {
  std::lock_guard lock(mu_);
  RefillLocked(clock_.NowMs());
  tokens_units_ -= kUnitsPerToken;
  if (tokens_units_ >= 0) return 0;
  return (-tokens_units_ + rpm_ - 1) / rpm_;  // ms until the debt is repaid, rounded up
}

void TokenBucket::Release() {
  std::lock_guard lock(mu_);
  tokens_units_ = std::min(tokens_units_ + kUnitsPerToken, capacity_units_);
}

double TokenBucket::Available() const {
  std::lock_guard lock(mu_);
  RefillLocked(clock_.NowMs());
  return static_cast<double>(tokens_units_) / kUnitsPerToken;
}

std::shared_ptr<TokenBucket> RateLimiterRegistry::Get(const std::string& endpoint, const std::string& model,
                                                      int requests_per_minute, int burst) {
  std::lock_guard lock(mu_);
  auto& slot = buckets_[endpoint + "\n" + model];
  if (!slot) slot = std::make_shared<TokenBucket>(requests_per_minute, burst, clock_);
  return slot;
}

RateLimiterRegistry& RateLimiterRegistry::Global() {
  static SystemClock clock;
  static RateLimiterRegistry registry(clock);
  return registry;
}

}  // namespace aitrader::llm
