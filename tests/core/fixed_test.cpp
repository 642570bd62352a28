#include "core/fixed.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdlib>
#include <random>

namespace aitrader {
namespace {

TEST(Fixed, ParsesDecimalsExactly) {
  EXPECT_EQ(Price::Parse("0.1")->raw(), 100'000'000);
  EXPECT_EQ(Price::Parse("30038.05")->raw(), 30'038'050'000'000);
  EXPECT_EQ(Price::Parse("-12.5")->raw(), -12'500'000'000);
  EXPECT_EQ(Price::Parse("+3")->raw(), 3'000'000'000);
  EXPECT_EQ(Price::Parse(".5")->raw(), 500'000'000);
  EXPECT_EQ(Price::Parse("5.")->raw(), 5'000'000'000);
  EXPECT_EQ(Price::Parse("0.000000001")->raw(), 1);
  EXPECT_EQ(Price::Parse("1.0000000000000")->raw(), kFixedScale);  // trailing zeros beyond 9 places are exact
  EXPECT_EQ(Ratio::Parse("1e-04")->raw(), 100'000);
  EXPECT_EQ(Ratio::Parse("2.5E2")->raw(), 250 * kFixedScale);
  EXPECT_EQ(Money::Parse("9223372036.854775807")->raw(), INT64_MAX);
  EXPECT_EQ(Money::Parse("-9223372036.854775808")->raw(), INT64_MIN);
}

TEST(Fixed, RejectsWhatItCannotRepresent) {
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1,5", " 1", "1 ", "1e", "1e+", "0x10", "nan", "inf"}) {
    auto r = Price::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  auto too_precise = Price::Parse("0.0000000001");
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(too_precise.status().message().find("9 decimal places"), std::string::npos);
  EXPECT_FALSE(Money::Parse("9223372036.854775808").ok());
  EXPECT_FALSE(Money::Parse("1e30").ok());
}

TEST(Fixed, FormatsShortestExact) {
  EXPECT_EQ(Price::Parse("0.1")->ToString(), "0.1");
  EXPECT_EQ(Price::Parse("30038.050")->ToString(), "30038.05");
  EXPECT_EQ(Price::Parse("-0.000000001")->ToString(), "-0.000000001");
  EXPECT_EQ(Price::Zero().ToString(), "0");
  EXPECT_EQ(Money::Min().ToString(), "-9223372036.854775808");
  EXPECT_EQ(Money::Parse("1.005")->ToString(2), "1.00");  // half-even
  EXPECT_EQ(Money::Parse("1.015")->ToString(2), "1.02");
  EXPECT_EQ(Money::Parse("-2.5")->ToString(0), "-2");
  EXPECT_EQ(Money::Parse("7")->ToString(3), "7.000");
}

TEST(Fixed, RoundTripsRandomValuesWithoutDrift) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    std::int64_t raw = static_cast<std::int64_t>(rng());
    Money m = Money::FromRaw(raw);
    auto back = Money::Parse(m.ToString());
    ASSERT_TRUE(back.ok()) << m.ToString();
    ASSERT_EQ(back->raw(), raw);
  }
}

TEST(Fixed, ToDoubleMatchesStrtodForPriceText) {
  // The indicator inputs must equal what a reference computed from the decimal text sees.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    std::int64_t cents = static_cast<std::int64_t>(rng() % 20'000'000'000ULL);
    std::string text = std::to_string(cents / 100) + "." + std::to_string(cents % 100 / 10) + std::to_string(cents % 10);
    double expected = std::strtod(text.c_str(), nullptr);
    ASSERT_EQ(Price::Parse(text)->ToDouble(), expected) << text;
  }
}

TEST(Fixed, NotionalUses128BitIntermediate) {
  Price p = *Price::Parse("126208.5");
  Quantity q = *Quantity::Parse("1000.123");
  EXPECT_EQ(Notional(p, q).ToString(), "126224023.6455");
  // Rounding of a product with more than nine places.
  Price tiny = *Price::Parse("0.000000003");
  Quantity half = *Quantity::Parse("0.5");
  EXPECT_EQ(Notional(tiny, half, Rounding::kHalfEven).raw(), 2);  // 1.5 → 2
  EXPECT_EQ(Notional(tiny, half, Rounding::kTowardZero).raw(), 1);
  EXPECT_EQ(Notional(-tiny, half, Rounding::kFloor).raw(), -2);
  EXPECT_EQ(Notional(-tiny, half, Rounding::kCeil).raw(), -1);
  EXPECT_EQ(Notional(-tiny, half, Rounding::kHalfAwayFromZero).raw(), -2);
}

TEST(Fixed, RoundsToTickAndStep) {
  Price tick = *Price::Parse("0.1");
  Price p = *Price::Parse("100.25");
  EXPECT_EQ(p.RoundToStep(tick, Rounding::kFloor).ToString(), "100.2");
  EXPECT_EQ(p.RoundToStep(tick, Rounding::kCeil).ToString(), "100.3");
  EXPECT_EQ(p.RoundToStep(tick, Rounding::kHalfEven).ToString(), "100.2");
  EXPECT_EQ(p.RoundToStep(tick, Rounding::kHalfAwayFromZero).ToString(), "100.3");
  EXPECT_EQ((-p).RoundToStep(tick, Rounding::kFloor).ToString(), "-100.3");
  EXPECT_TRUE(Price::Parse("100.2")->IsMultipleOf(tick));
  EXPECT_FALSE(p.IsMultipleOf(tick));
  Quantity step = *Quantity::Parse("0.001");
  EXPECT_EQ(Quantity::Parse("0.0123456")->RoundToStep(step, Rounding::kTowardZero).ToString(), "0.012");
}

TEST(Fixed, RatiosAndQuantities) {
  Money notional = *Money::Parse("10000");
  Ratio taker = *Ratio::Parse("0.0005");
  EXPECT_EQ(ApplyRatio(notional, taker).ToString(), "5");
  EXPECT_EQ(QuantityFor(*Money::Parse("1000"), *Price::Parse("3"), Rounding::kTowardZero).ToString(), "333.333333333");
  EXPECT_EQ(RatioOf(*Money::Parse("1"), *Money::Parse("8")).ToString(), "0.125");
  EXPECT_EQ(Money::Parse("10")->DivInt(3, Rounding::kHalfEven).ToString(), "3.333333333");
  EXPECT_EQ(Money::Parse("-10")->DivInt(3, Rounding::kFloor).ToString(), "-3.333333334");
}

TEST(Fixed, FromDoubleIsExplicitAndRounded) {
  EXPECT_EQ(Price::FromDouble(118136.15)->ToString(), "118136.15");
  EXPECT_EQ(Price::FromDouble(0.1)->ToString(), "0.1");
  EXPECT_EQ(Price::FromDouble(-2.5e-10, Rounding::kHalfEven)->raw(), 0);
  EXPECT_EQ(Price::FromDouble(1.2e-9, Rounding::kCeil)->raw(), 2);
  EXPECT_EQ(Price::FromDouble(1.7e-9, Rounding::kFloor)->raw(), 1);
  EXPECT_FALSE(Price::FromDouble(std::nan("")).ok());
  EXPECT_FALSE(Price::FromDouble(1e300).ok());
}

TEST(Fixed, AdditionIsExactOverManySmallAmounts) {
  Money sum;
  Money cent = *Money::Parse("0.01");
  for (int i = 0; i < 1'000'000; ++i) sum += cent;
  EXPECT_EQ(sum.ToString(), "10000");
}

TEST(Fixed, DivisionAgreesAcrossThe64And128BitPaths) {
  // The 64-bit fast path and the 128-bit path must round identically for every mode.
  std::mt19937_64 rng(11);
  const Rounding modes[] = {Rounding::kTowardZero, Rounding::kAwayFromZero, Rounding::kFloor, Rounding::kCeil,
                            Rounding::kHalfEven, Rounding::kHalfAwayFromZero};
  for (int i = 0; i < 200000; ++i) {
    std::int64_t n = static_cast<std::int64_t>(rng()) >> (rng() % 40);
    std::int64_t d = static_cast<std::int64_t>(rng()) >> (20 + rng() % 43);
    if (d == 0) d = 3;
    if (i % 7 == 0) n = (n / d) * d + d / 2;  // exact halves
    for (Rounding m : modes) {
      __int128 fast = fixed_detail::DivRound(n, d, m);
      // Force the 128-bit path: scale both by 2^64 (the quotient and the rounding are unchanged).
      __int128 wide = fixed_detail::DivRound(static_cast<__int128>(n) << 64, static_cast<__int128>(d) << 64, m);
      ASSERT_EQ(static_cast<std::int64_t>(fast), static_cast<std::int64_t>(wide)) << n << " / " << d;
    }
  }
  EXPECT_EQ(fixed_detail::DivRound(INT64_MIN, -1, Rounding::kFloor), -static_cast<__int128>(INT64_MIN));
}

TEST(FixedDeathTest, OverflowAborts) {
  EXPECT_DEATH({ auto x = Money::Max() + Money::FromRaw(1); (void)x; }, "overflow");
  EXPECT_DEATH({ auto x = Money::Min() - Money::FromRaw(1); (void)x; }, "overflow");
  EXPECT_DEATH({ auto x = Money::Max() * 2; (void)x; }, "overflow");
}


// The checked forms give the same values as the aborting ones where those succeed, and an
// OutOfRange error (never an abort) where those would abort.
TEST(Fixed, CheckedFormsReturnErrorsInsteadOfAborting) {
  const Price btc = *Price::Parse("113975.5");
  auto ok = CheckedNotional(btc, *Quantity::Parse("0.5"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->ToString(), "56987.75");
  auto big = CheckedNotional(btc, Quantity::FromUnits(100000));  // 11.4e9 > 9.2e9
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(big.status().message().find("quantity 100000"), std::string::npos) << big.status().message();
  EXPECT_FALSE(CheckedApplyRatio(Money::Max(), Ratio::FromUnits(2)).ok());
  EXPECT_EQ(CheckedApplyRatio(Money::FromUnits(1000), *Ratio::Parse("0.0005"))->ToString(), "0.5");
  EXPECT_FALSE(Money::Max().CheckedAdd(Money::FromRaw(1)).ok());
  EXPECT_FALSE(Money::Min().CheckedSub(Money::FromRaw(1)).ok());
  // Two fills, 0.5 at 100 and 1.5 at 104: 206 / 2 = 103 (and a third of 1 is rounded half-even).
  EXPECT_EQ(CheckedAveragePrice(*Money::Parse("206"), *Quantity::Parse("2"))->ToString(), "103");
  EXPECT_EQ(AveragePrice(*Money::Parse("206"), *Quantity::Parse("2")).ToString(), "103");
  EXPECT_EQ(CheckedAveragePrice(Money::FromUnits(1), Quantity::FromUnits(3))->ToString(), "0.333333333");
  EXPECT_EQ(CheckedAveragePrice(Money::FromUnits(1), Quantity()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckedAveragePrice(Money::Max(), *Quantity::Parse("0.000000001")).status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(Money::Max().CheckedMul(2).ok());
  EXPECT_FALSE(Money::Min().CheckedAbs().ok());
  EXPECT_EQ(Money::FromUnits(2).CheckedAdd(Money::FromUnits(3))->ToString(), "5");
  EXPECT_EQ(Money::FromUnits(2).CheckedSub(Money::FromUnits(3))->ToString(), "-1");
  EXPECT_EQ(Money::FromUnits(2).CheckedMul(-3)->ToString(), "-6");
  EXPECT_EQ(Money::FromUnits(-2).CheckedAbs()->ToString(), "2");
  EXPECT_FALSE(Price::Max().CheckedRoundToStep(*Price::Parse("0.1"), Rounding::kCeil).ok());
  EXPECT_EQ(Price::Parse("1.26")->CheckedRoundToStep(*Price::Parse("0.1"), Rounding::kHalfEven)->ToString(), "1.3");
  EXPECT_FALSE(Price::FromUnits(1).CheckedRoundToStep(Price::Zero(), Rounding::kHalfEven).ok());
}

}  // namespace
}  // namespace aitrader
