#include "market/decimal.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace aitrader::market {
namespace {

// ParsePriceRaw must agree with Price::Parse on value and on success/failure (and code).
void ExpectAgrees(const std::string& text) {
  auto fast = ParsePriceRaw(text);
  auto general = Price::Parse(text);
  ASSERT_EQ(fast.ok(), general.ok()) << "'" << text << "'";
  if (fast.ok()) {
    EXPECT_EQ(*fast, general->raw()) << "'" << text << "'";
  } else {
    EXPECT_EQ(fast.status(), general.status()) << "'" << text << "'";
  }
}

TEST(Decimal, AgreesWithPriceParseOnHandPickedInputs) {
  for (const char* t : {"0", "1", "0.1", "108208.4", "69787.50", "0.21358", "0.000000001", "0.0000000001",
                        "9223372036.854775807", "9223372036.854775808", "9999999999", "99999999999",
                        "1.", ".5", ".", "", "-1.5", "+2", "1e3", "1e-9", "1.2.3", "abc", "12a", "00012.3400",
                        "0000000000000000001", "1.123456789", "1.1234567890", "1.12345678901",
                        "4294967296.5", "18446744073.709551616"}) {
    ExpectAgrees(t);
  }
}

TEST(Decimal, AgreesWithPriceParseOnRandomInputs) {
  std::mt19937_64 rng(20261125);
  const std::string alphabet = "0123456789.0123456789-+e";
  for (int k = 0; k < 200000; ++k) {
    std::string s;
    const int kind = static_cast<int>(rng() % 4);
    if (kind < 3) {
      // Well-formed prices of varying widths.
      const int int_digits = static_cast<int>(rng() % 12);
      const int frac_digits = static_cast<int>(rng() % 12);
      for (int i = 0; i < int_digits; ++i) s += static_cast<char>('0' + rng() % 10);
      if (kind != 0 || rng() % 2) s += '.';
      for (int i = 0; i < frac_digits; ++i) s += static_cast<char>('0' + rng() % 10);
    } else {
      const int len = static_cast<int>(rng() % 14);
      for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    }
    ExpectAgrees(s);
  }
}

TEST(Decimal, ScanStopsAtTheDelimiter) {
  const std::string text = "93610.93,rest";
  std::int64_t raw = 0;
  const char* stop = ScanPriceFast(text.data(), text.data() + text.size(), &raw);
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(*stop, ',');
  EXPECT_EQ(raw, 93610930000000);
}

TEST(Decimal, RoundedParse) {
  bool rounded = true;
  EXPECT_EQ(*ParseRawRounded("1e-04", Rounding::kHalfEven, &rounded), 100000);
  EXPECT_FALSE(rounded);
  EXPECT_EQ(*ParseRawRounded("-2.72866666666667e-05", Rounding::kHalfEven, &rounded), -27287);
  EXPECT_TRUE(rounded);
  EXPECT_EQ(*ParseRawRounded("2.20266666666667e-05", Rounding::kHalfEven), 22027);
  EXPECT_EQ(*ParseRawRounded("0.0000000005", Rounding::kHalfEven), 0);  // tie to even
  EXPECT_EQ(*ParseRawRounded("0.0000000015", Rounding::kHalfEven), 2);
  EXPECT_EQ(*ParseRawRounded("0.00000000050000000000000000000000000000001", Rounding::kHalfEven), 1);
  EXPECT_EQ(*ParseRawRounded("-0.0000000005", Rounding::kHalfAwayFromZero), -1);
  EXPECT_EQ(*ParseRawRounded("1e-30", Rounding::kHalfEven), 0);
  EXPECT_EQ(*ParseRawRounded("1e-30", Rounding::kCeil), 1);
  EXPECT_EQ(*ParseRawRounded("0.00008828", Rounding::kHalfEven, &rounded), 88280);
  EXPECT_FALSE(rounded);
  EXPECT_FALSE(ParseRawRounded("abc", Rounding::kHalfEven).ok());
  EXPECT_FALSE(ParseRawRounded("1e", Rounding::kHalfEven).ok());
  EXPECT_FALSE(ParseRawRounded("1e20", Rounding::kHalfEven).ok());
  // Agrees with the exact parser wherever that succeeds.
  std::mt19937_64 rng(7);
  for (int k = 0; k < 20000; ++k) {
    std::string s = (rng() % 2 ? "-" : "") + std::to_string(rng() % 100000) + "." + std::to_string(rng() % 1000000000);
    auto exact = Ratio::Parse(s);
    if (exact.ok()) {
      EXPECT_EQ(*ParseRawRounded(s, Rounding::kHalfEven), exact->raw()) << s;
    }
  }
}

}  // namespace
}  // namespace aitrader::market
