#include "llm/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace aitrader::llm {
namespace {

TEST(TokenBucket, StartsFullThenComputesTheWait) {
  SimulatedClock clock(1'000'000);
  TokenBucket bucket(50, 0, clock);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(bucket.Reserve(), 0) << i;
  // 50/min = one every 1200 ms; the 51st waits for one refill, the 52nd for two.
  EXPECT_EQ(bucket.Reserve(), 1200);
  EXPECT_EQ(bucket.Reserve(), 2400);
  clock.AdvanceMs(2400);
  EXPECT_DOUBLE_EQ(bucket.Available(), 0.0);
  EXPECT_EQ(bucket.Reserve(), 1200);
}

TEST(TokenBucket, RefillsContinuouslyUpToTheBurst) {
  SimulatedClock clock(0);
  TokenBucket bucket(60, 2, clock);
  EXPECT_EQ(bucket.Reserve(), 0);
  EXPECT_EQ(bucket.Reserve(), 0);
  EXPECT_EQ(bucket.Reserve(), 1000);
  clock.AdvanceMs(10 * kMinuteMs);  // long idle: capped at burst
  EXPECT_DOUBLE_EQ(bucket.Available(), 2.0);
  clock.AdvanceMs(1);
  EXPECT_EQ(bucket.Reserve(), 0);
}

TEST(TokenBucket, NoDriftOverManySmallSteps) {
  SimulatedClock clock(0);
  TokenBucket bucket(7, 1, clock);
  EXPECT_EQ(bucket.Reserve(), 0);
  // 7/min: 60000/7 ms per token = 8571.43 ms; stepping 1 ms at a time must refill exactly.
  for (int i = 0; i < 8571; ++i) clock.AdvanceMs(1);
  EXPECT_EQ(bucket.Reserve(), 1);  // 3 units short = less than one ms
  bucket.Release();
  clock.AdvanceMs(1);
  EXPECT_EQ(bucket.Reserve(), 0);
}

TEST(TokenBucket, ReleaseReturnsAnUnusedSlot) {
  SimulatedClock clock(0);
  TokenBucket bucket(1, 1, clock);
  EXPECT_EQ(bucket.Reserve(), 0);
  EXPECT_EQ(bucket.Reserve(), 60'000);
  bucket.Release();
  EXPECT_EQ(bucket.Reserve(), 60'000);
}

TEST(RateLimiterRegistry, SharesOneBucketPerProviderAndModel) {
  SimulatedClock clock(0);
  RateLimiterRegistry registry(clock);
  auto a = registry.Get("anthropic", "claude-sonnet-4-5", 50, 0);
  auto b = registry.Get("anthropic", "claude-sonnet-4-5", 10, 0);  // later limits ignored
  auto c = registry.Get("anthropic", "claude-haiku-4-5", 50, 0);
  auto d = registry.Get("openai", "claude-sonnet-4-5", 50, 0);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_NE(a.get(), d.get());
  EXPECT_EQ(b->requests_per_minute(), 50);
}

}  // namespace
}  // namespace aitrader::llm
