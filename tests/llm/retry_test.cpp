#include "llm/retry.hpp"

#include <gtest/gtest.h>

namespace aitrader::llm {
namespace {

HttpResponse With(int status, std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(Retry, WhichStatusesAreRetried) {
  for (int s : {408, 409, 429, 500, 502, 503, 504, 529}) EXPECT_TRUE(IsRetryableHttp(With(s), "")) << s;
  for (int s : {400, 401, 402, 403, 404, 413, 422}) EXPECT_FALSE(IsRetryableHttp(With(s), "")) << s;
  EXPECT_FALSE(IsRetryableHttp(With(429), "insufficient_quota"));
}

TEST(Retry, ShouldRetryHeaderIsObeyed) {
  EXPECT_FALSE(IsRetryableHttp(With(500, {{"x-should-retry", "false"}}), ""));
  EXPECT_TRUE(IsRetryableHttp(With(400, {{"x-should-retry", "true"}}), ""));
  EXPECT_TRUE(IsRetryableHttp(With(500, {{"x-should-retry", "maybe"}}), ""));
}

TEST(Retry, RetryAfterHeaders) {
  const UnixMs now = 1'445'412'480'000;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(RetryAfterMs(With(429, {{"retry-after-ms", "250"}, {"retry-after", "9"}}), now), 250);
  EXPECT_EQ(RetryAfterMs(With(429, {{"retry-after", "3"}}), now), 3000);
  EXPECT_EQ(RetryAfterMs(With(429, {{"retry-after", "1.5"}}), now), 1500);
  EXPECT_EQ(RetryAfterMs(With(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:07 GMT"}}), now), 7000);
  EXPECT_FALSE(RetryAfterMs(With(429, {{"retry-after", "soon"}}), now).has_value());
  EXPECT_FALSE(RetryAfterMs(With(429), now).has_value());
}

TEST(Retry, BackoffDoublesUpToEightSecondsWithJitter) {
  EXPECT_EQ(BackoffMs(0, 0.0), 500);
  EXPECT_EQ(BackoffMs(1, 0.0), 1000);
  EXPECT_EQ(BackoffMs(2, 0.0), 2000);
  EXPECT_EQ(BackoffMs(3, 0.0), 4000);
  EXPECT_EQ(BackoffMs(4, 0.0), 8000);
  EXPECT_EQ(BackoffMs(9, 0.0), 8000);
  EXPECT_EQ(BackoffMs(0, 0.5), 438);   // 500 × 0.875, rounded
  EXPECT_GE(BackoffMs(0, 0.999999), 375);  // jitter factor > 0.75, rounded to whole ms
}

TEST(Retry, ServerWaitUsedOnlyWhenPositiveAndAtMostSixtySeconds) {
  const auto r = With(429, {{"retry-after", "60"}});
  EXPECT_EQ(RetryWaitMs(&r, std::nullopt, 0, 0, 0.0), 60'000);
  const auto too_long = With(429, {{"retry-after", "61"}});
  EXPECT_EQ(RetryWaitMs(&too_long, std::nullopt, 1, 0, 0.0), 1000);
  const auto zero = With(429, {{"retry-after-ms", "0"}});
  EXPECT_EQ(RetryWaitMs(&zero, std::nullopt, 0, 0, 0.0), 500);
  const auto none = With(503);
  EXPECT_EQ(RetryWaitMs(&none, 17'000, 0, 0, 0.0), 17'000);  // Gemini RetryInfo
  EXPECT_EQ(RetryWaitMs(nullptr, std::nullopt, 2, 0, 0.0), 2000);  // connection error
}

TEST(Retry, RealSleeperReturnsFalseWhenCancelled) {
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_FALSE(RealSleeper().Sleep(60'000, &cancel));
  EXPECT_TRUE(RealSleeper().Sleep(0, nullptr));
}

}  // namespace
}  // namespace aitrader::llm
