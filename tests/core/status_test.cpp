#include "core/status.hpp"

#include <gtest/gtest.h>

namespace aitrader {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  AITRADER_ASSIGN_OR_RETURN(int h, Half(x));
  AITRADER_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("bot 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "NotFound: bot 7");
  EXPECT_EQ(s.WithContext("load").message(), "load: bot 7");
}

TEST(Result, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_EQ(Quarter(5).value_or(-1), -1);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  EXPECT_DEATH({ auto r = Half(3); (void)r.value(); }, "odd");
}

}  // namespace
}  // namespace aitrader
