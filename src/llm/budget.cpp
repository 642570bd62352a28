#include "llm/budget.hpp"

#include "core/time.hpp"

namespace aitrader::llm {

DailyCostBudget::DailyCostBudget(Money daily_limit, const Clock& clock)
    : limit_(daily_limit), clock_(clock), day_(FloorTo(clock.NowMs(), kDayMs) / kDayMs) {
  AITRADER_CHECK(!daily_limit.IsNegative(), "daily LLM budget must be >= 0");
}

void DailyCostBudget::RollLocked() const {
  const std::int64_t today = FloorTo(clock_.NowMs(), kDayMs) / kDayMs;
  if (today != day_) {
    day_ = today;
    spent_ = Money::Zero();
  }
}

bool DailyCostBudget::Record(Money cost) {
  AITRADER_CHECK(!cost.IsNegative(), "LLM cost must be >= 0");
  std::lock_guard lock(mu_);
  RollLocked();
  spent_ += cost;
  return limit_.IsZero() || spent_ < limit_;
}

Money DailyCostBudget::SpentToday() const {
  std::lock_guard lock(mu_);
  RollLocked();
  return spent_;
}

Money DailyCostBudget::RemainingToday() const {
  std::lock_guard lock(mu_);
  RollLocked();
  if (limit_.IsZero()) return Money::Max();
  return spent_ >= limit_ ? Money::Zero() : limit_ - spent_;
}

bool DailyCostBudget::Exhausted() const {
  std::lock_guard lock(mu_);
  RollLocked();
  return !limit_.IsZero() && spent_ >= limit_;
}

UnixMs DailyCostBudget::ResetsAtMs() const {
  std::lock_guard lock(mu_);
  RollLocked();
  return (day_ + 1) * kDayMs;
}

Status DailyCostBudget::Check() const {
  std::lock_guard lock(mu_);
  RollLocked();
  if (limit_.IsZero() || spent_ < limit_) return Status::Ok();
  const std::string day = FormatUtc(day_ * kDayMs).substr(0, 10);
  return FailedPrecondition("daily LLM budget exhausted: spent " + spent_.ToString() + " of " + limit_.ToString() +
                            " USD on " + day + " (resets " + FormatUtc((day_ + 1) * kDayMs) + ")");
}

}  // namespace aitrader::llm
