// DailyCostBudget: a bot's LLM spending limit per UTC day.
//
// The engine asks CanSpend() before each LLM call; when it is false the bot holds and raises
// an alert (the reason is in Check()'s Status). After each call it Record()s the Response's
// cost. The day rolls over at 00:00 UTC by the injected Clock; spend of earlier days is
// forgotten (the store keeps the history). A zero limit means "no budget" (never exhausted).
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>

#include "core/clock.hpp"
#include "core/fixed.hpp"
#include "core/status.hpp"

namespace aitrader::llm {

class DailyCostBudget {
 public:
  // daily_limit >= 0; zero = unlimited.
  DailyCostBudget(Money daily_limit, const Clock& clock);

  // Adds `cost` (>= 0) to today's spend. Returns true while still within the limit.
  bool Record(Money cost);
  // Today's spend (zero after the UTC day changed).
  Money SpentToday() const;
  // limit − spent today, never negative; Money::Max() when unlimited.
  Money RemainingToday() const;
  // True when today's spend has reached the limit: the bot must hold until the next UTC day.
  bool Exhausted() const;
  bool CanSpend() const { return !Exhausted(); }
  // OK, or kFailedPrecondition "daily LLM budget exhausted: spent 5.01 of 5 USD on 2026-11-25
  // (resets 2026-11-26T00:00:00Z)".
  Status Check() const;
  // The UTC midnight at which the current day's spend resets.
  UnixMs ResetsAtMs() const;
  Money limit() const { return limit_; }

 private:
  void RollLocked() const;

  const Money limit_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::int64_t day_;  // days since the epoch of the spend below
  mutable Money spent_;
};

}  // namespace aitrader::llm
