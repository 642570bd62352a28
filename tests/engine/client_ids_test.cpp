#include "engine/client_ids.hpp"

#include <gtest/gtest.h>

namespace aitrader::engine {
namespace {

TEST(ClientIds, DeterministicAndWithinBinanceRules) {
  auto a = MakeClientOrderId(12, 3456, "btc", OrderLeg::kStopLoss);
  EXPECT_EQ(a.value(), "at12-3456-BTC-sl");
  EXPECT_EQ(a, MakeClientOrderId(12, 3456, "BTC", OrderLeg::kStopLoss));
  EXPECT_NE(a, MakeClientOrderId(12, 3457, "BTC", OrderLeg::kStopLoss));
  auto big = MakeClientOrderId(999999999, 999999999999, "DOGE", OrderLeg::kEmergencyClose);
  EXPECT_LE(big.value().size(), 36u);
}

TEST(ClientIds, ParseRoundTrip) {
  auto p = ParseClientOrderId(MakeClientOrderId(7, 42, "ETH", OrderLeg::kTakeProfit).value());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->bot_id, 7);
  EXPECT_EQ(p->cycle, 42);
  EXPECT_EQ(p->coin, "ETH");
  EXPECT_EQ(p->leg, OrderLeg::kTakeProfit);
  EXPECT_FALSE(ParseClientOrderId("web_12345"));
  EXPECT_FALSE(ParseClientOrderId("at1-2-BTC-zz"));
  EXPECT_FALSE(ParseClientOrderId("atx-2-BTC-e"));
}

}  // namespace
}  // namespace aitrader::engine

namespace aitrader::engine {
namespace {

TEST(ClientIds, RenewedProtectiveOrdersHaveTheirOwnIds) {
  const auto first = MakeClientOrderId(7, 12, "BTC", OrderLeg::kStopLoss);
  const auto renewed = MakeClientOrderId(7, 12, "BTC", OrderLeg::kStopLoss, 3);
  EXPECT_EQ(renewed.value(), "at7-12-BTC-slr3");
  EXPECT_NE(first, renewed);
  auto p = ParseClientOrderId(renewed.value());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->leg, OrderLeg::kStopLoss);
  EXPECT_EQ(p->renewal, 3);
  EXPECT_EQ(ParseClientOrderId("at7-12-BTC-tpr1")->leg, OrderLeg::kTakeProfit);
  EXPECT_FALSE(ParseClientOrderId("at7-12-BTC-xr1").has_value());
  EXPECT_FALSE(ParseClientOrderId("at7-12-BTC-slr").has_value());
  EXPECT_FALSE(ParseClientOrderId("at7-12-BTC-slr0").has_value());
}

}  // namespace
}  // namespace aitrader::engine
