#include "llm/budget.hpp"

#include <gtest/gtest.h>

namespace aitrader::llm {
namespace {

Money M(std::string_view s) { return Money::Parse(s).value(); }

TEST(DailyCostBudget, ExhaustsAndResetsAtUtcMidnight) {
  SimulatedClock clock(ParseUtc("2026-11-25T22:00:00Z").value());
  DailyCostBudget budget(M("5"), clock);
  EXPECT_TRUE(budget.CanSpend());
  EXPECT_TRUE(budget.Record(M("4.99")));
  EXPECT_EQ(budget.RemainingToday(), M("0.01"));
  EXPECT_TRUE(budget.Check().ok());
  EXPECT_FALSE(budget.Record(M("0.02")));
  EXPECT_TRUE(budget.Exhausted());
  EXPECT_EQ(budget.RemainingToday(), Money::Zero());
  const Status st = budget.Check();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "daily LLM budget exhausted: spent 5.01 of 5 USD on 2026-11-25 (resets 2026-11-26T00:00:00Z)");
  EXPECT_EQ(budget.ResetsAtMs(), ParseUtc("2026-11-26").value());
  clock.SetMs(ParseUtc("2026-11-25T23:59:59.999Z").value());
  EXPECT_TRUE(budget.Exhausted());
  clock.SetMs(ParseUtc("2026-11-26T00:00:00Z").value());
  EXPECT_FALSE(budget.Exhausted());
  EXPECT_EQ(budget.SpentToday(), Money::Zero());
}

TEST(DailyCostBudget, ZeroLimitMeansUnlimited) {
  SimulatedClock clock(0);
  DailyCostBudget budget(Money::Zero(), clock);
  EXPECT_TRUE(budget.Record(M("1000")));
  EXPECT_FALSE(budget.Exhausted());
  EXPECT_EQ(budget.RemainingToday(), Money::Max());
}

}  // namespace
}  // namespace aitrader::llm
