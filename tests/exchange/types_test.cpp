#include <gtest/gtest.h>

#include "exchange/types.hpp"

namespace aitrader::exchange {
namespace {

TEST(RejectReason, CarriesBinanceCodesAndMessages) {
  EXPECT_EQ(RejectCode(RejectReason::kMarginInsufficient), -2019);
  EXPECT_EQ(RejectMessage(RejectReason::kMarginInsufficient), "Margin is insufficient.");
  EXPECT_EQ(RejectCode(RejectReason::kNotionalTooSmall), -4164);
  EXPECT_EQ(RejectCode(RejectReason::kReduceOnlyRejected), -2022);
  EXPECT_EQ(RejectMessage(RejectReason::kReduceOnlyRejected), "ReduceOnly Order is rejected.");
  EXPECT_EQ(RejectCode(RejectReason::kOrderWouldTrigger), -2021);
  EXPECT_EQ(RejectCode(RejectReason::kUnknownSymbol), -1121);
  EXPECT_EQ(RejectCode(RejectReason::kNone), 0);
}

TEST(RejectReason, VenueOnlyReasonsCarryBinanceCodes) {
  EXPECT_EQ(RejectCode(RejectReason::kPositionSideMismatch), -4061);
  EXPECT_EQ(RejectMessage(RejectReason::kPositionSideMismatch), "Order's position side does not match user's setting.");
  EXPECT_EQ(RejectName(RejectReason::kPositionSideMismatch), "PositionSideMismatch");
  EXPECT_EQ(RejectCode(RejectReason::kPriceAboveBand), -4016);
  EXPECT_EQ(RejectName(RejectReason::kPriceAboveBand), "PriceAboveBand");
  EXPECT_EQ(RejectCode(RejectReason::kPriceBelowBand), -4024);
  EXPECT_EQ(RejectName(RejectReason::kPriceBelowBand), "PriceBelowBand");
  EXPECT_EQ(RejectCode(RejectReason::kConditionalOnOrderEndpoint), -4120);
  EXPECT_EQ(RejectStatus(RejectReason::kPriceBelowBand).message(),
            "[-4024] Price is lower than mark price multiplier floor.");
  // Codes are unique (RejectReasonOf and the Binance mapping look reasons up by code), names too.
  for (int i = 1; i <= static_cast<int>(kLastRejectReason); ++i) {
    for (int j = i + 1; j <= static_cast<int>(kLastRejectReason); ++j) {
      EXPECT_NE(RejectCode(static_cast<RejectReason>(i)), RejectCode(static_cast<RejectReason>(j))) << i << " " << j;
      EXPECT_NE(RejectName(static_cast<RejectReason>(i)), RejectName(static_cast<RejectReason>(j))) << i << " " << j;
    }
    EXPECT_FALSE(RejectMessage(static_cast<RejectReason>(i)).empty()) << i;
  }
}

TEST(RejectReason, RoundTripsThroughStatus) {
  for (int i = 1; i <= static_cast<int>(kLastRejectReason); ++i) {
    const auto r = static_cast<RejectReason>(i);
    Status s = RejectStatus(r, "detail");
    EXPECT_EQ(s.code(), StatusCode::kRejected);
    ASSERT_TRUE(RejectReasonOf(s).has_value()) << s.ToString();
    EXPECT_EQ(*RejectReasonOf(s), r) << s.ToString();
  }
  EXPECT_FALSE(RejectReasonOf(InvalidArgument("[-2019] not a reject")).has_value());
  EXPECT_EQ(RejectStatus(RejectReason::kUnknownOrder).message(), "[-2011] Unknown order sent.");
}

TEST(OrderStatus, TransitionTable) {
  EXPECT_TRUE(OrderStatusTransitionAllowed(OrderStatus::kNew, OrderStatus::kFilled));
  EXPECT_TRUE(OrderStatusTransitionAllowed(OrderStatus::kNew, OrderStatus::kTriggered));
  EXPECT_TRUE(OrderStatusTransitionAllowed(OrderStatus::kTriggered, OrderStatus::kFilled));
  EXPECT_TRUE(OrderStatusTransitionAllowed(OrderStatus::kTriggered, OrderStatus::kExpired));
  EXPECT_FALSE(OrderStatusTransitionAllowed(OrderStatus::kFilled, OrderStatus::kCanceled));
  EXPECT_FALSE(OrderStatusTransitionAllowed(OrderStatus::kCanceled, OrderStatus::kNew));
  EXPECT_FALSE(OrderStatusTransitionAllowed(OrderStatus::kRejected, OrderStatus::kNew));
  EXPECT_FALSE(OrderStatusTransitionAllowed(OrderStatus::kTriggered, OrderStatus::kNew));
  for (auto s : {OrderStatus::kFilled, OrderStatus::kCanceled, OrderStatus::kExpired, OrderStatus::kRejected}) {
    EXPECT_TRUE(IsTerminal(s));
  }
}

TEST(OrderStatusDeathTest, IllegalTransitionAborts) {
  Order o;
  o.status = OrderStatus::kFilled;
  EXPECT_DEATH(TransitionOrder(o, OrderStatus::kCanceled), "illegal order transition");
}

TEST(ClientOrderId, BinanceRule) {
  EXPECT_TRUE(IsValidClientOrderId("bot-1_2:x/y.z"));
  EXPECT_TRUE(IsValidClientOrderId(std::string(36, 'a')));
  EXPECT_FALSE(IsValidClientOrderId(std::string(37, 'a')));
  EXPECT_FALSE(IsValidClientOrderId(""));
  EXPECT_FALSE(IsValidClientOrderId("has space"));
  EXPECT_FALSE(IsValidClientOrderId("bang!"));
}

}  // namespace
}  // namespace aitrader::exchange
