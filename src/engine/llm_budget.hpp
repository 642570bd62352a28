// DailyLlmBudget: a bot's LLM spending limit per UTC day of the wall clock (llm::DailyCostBudget
// on the injected system clock — never the market clock, so a fast replay of many simulated
// days spends one real day's budget), checked before every LLM call, retries included
// (DecisionSource asks through CallBudget), and continued after a restart from the spend the
// store holds for the current day (store::Repository::CostSince over llm_usage.called_at).
// A call already made is paid for; the call that crosses the limit is the last one.
// Thread safety: safe from any thread (Decide runs on workers, the bot on its strand).
#pragma once

#include "core/clock.hpp"
#include "engine/decision_source.hpp"
#include "llm/budget.hpp"

namespace aitrader::engine {

class DailyLlmBudget final : public CallBudget {
 public:
  // limit > 0; wall_clock must outlive the budget.
  DailyLlmBudget(Money limit, const Clock& wall_clock) : budget_(limit, wall_clock), clock_(wall_clock) {}
  // Adds spend made earlier today (read from the store at start).
  void Seed(Money spent_today) {
    if (spent_today.IsPositive()) (void)budget_.Record(spent_today);
  }
  Status BeforeCall() override { return budget_.Check(); }
  void AfterCall(Money cost) override {
    if (!cost.IsNegative()) (void)budget_.Record(cost);
  }
  bool Exhausted() const { return budget_.Exhausted(); }
  Status Check() const { return budget_.Check(); }
  Money SpentToday() const { return budget_.SpentToday(); }
  // Midnight UTC (wall clock) that started the current budget day.
  UnixMs DayStart() const { return FloorTo(clock_.NowMs(), kDayMs); }
  std::int64_t Day() const { return FloorTo(clock_.NowMs(), kDayMs) / kDayMs; }

 private:
  llm::DailyCostBudget budget_;
  const Clock& clock_;
};

}  // namespace aitrader::engine
