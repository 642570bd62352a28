// Fixed-point decimal types for money: Price, Quantity, Money and Ratio.
//
// Each is a signed 64-bit integer count of 1e-9 units (nine decimal places), the
// precision Binance and every other venue we talk to fit in. Range: ±9,223,372,036.854775807.
// - Parsing from decimal text is exact ("0.1" is 100,000,000 raw): more than nine decimal
//   places, junk or overflow is an error, never a silent rounding.
// - Formatting gives the shortest exact decimal ("0.1", "-12.5", "30038.05").
// - + and - are checked: overflow is a broken invariant and aborts (money never wraps).
//   Values from outside (an LLM's quantity, a venue's price) go through the Checked* forms
//   instead (CheckedAdd, CheckedNotional, …), which return an OutOfRange error, never abort:
//   the caller turns it into a denial or a clear error.
// - Cross-type products (price × quantity = money) use a 128-bit intermediate and an
//   explicit rounding mode.
// - There is no implicit conversion from double. FromDouble() exists for the one place it is
//   legitimate (turning an indicator or an LLM's number into a price), rounds to the nearest
//   1e-9 with the given mode, and fails on NaN, infinity or out-of-range input.
//
// The distinct tag types keep a Price from being added to a Quantity by mistake.
// Thread safety: plain value types.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace aitrader {

inline constexpr int kFixedDecimals = 9;
inline constexpr std::int64_t kFixedScale = 1'000'000'000;

enum class Rounding {
  kTowardZero,     // truncate
  kAwayFromZero,   // round up in magnitude
  kFloor,          // toward −∞
  kCeil,           // toward +∞
  kHalfEven,       // nearest, ties to even (banker's)
  kHalfAwayFromZero,  // nearest, ties away from zero
};

namespace fixed_detail {
// Parses a decimal (optional sign, digits, optional '.', digits, optional e±N exponent) into
// raw units of 1e-9. Exact or an error.
Result<std::int64_t> ParseRaw(std::string_view text);
// Shortest exact decimal of raw / 1e9.
std::string FormatRaw(std::int64_t raw);
// raw / 1e9 with exactly `decimals` places (0..9), rounded half-even if digits are dropped.
std::string FormatRawFixed(std::int64_t raw, int decimals);
// (a × b) / d with a 128-bit intermediate, rounded by mode. Aborts on overflow or d == 0.
std::int64_t MulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding mode);
// The same without aborting: false (and *out untouched) on overflow or d == 0.
bool TryMulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding mode, std::int64_t* out);
// n / d (d != 0, any signs) rounded by mode.
__int128 DivRound(__int128 n, __int128 d, Rounding mode);
Result<std::int64_t> RawFromDouble(double v, Rounding mode);
[[noreturn]] void Overflow(const char* what);
}  // namespace fixed_detail

template <class Tag>
class Fixed {
 public:
  constexpr Fixed() = default;

  static constexpr Fixed FromRaw(std::int64_t raw) { return Fixed(raw); }
  // Whole units (e.g. Money::FromUnits(10000) is $10,000). Aborts on overflow.
  static constexpr Fixed FromUnits(std::int64_t units) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(units, kFixedScale, &r)) fixed_detail::Overflow("FromUnits");
    return Fixed(r);
  }
  // Exact decimal parse; see the header comment for what fails.
  static Result<Fixed> Parse(std::string_view text) {
    auto r = fixed_detail::ParseRaw(text);
    if (!r.ok()) return r.status();
    return Fixed(*r);
  }
  // The one explicit double conversion: rounds to 1e-9 with `mode`.
  static Result<Fixed> FromDouble(double v, Rounding mode = Rounding::kHalfEven) {
    auto r = fixed_detail::RawFromDouble(v, mode);
    if (!r.ok()) return r.status();
    return Fixed(*r);
  }

  constexpr std::int64_t raw() const { return raw_; }
  // raw / 1e9 correctly rounded. Exact for |raw| < 2^53, i.e. the same double strtod gives
  // for the decimal text (so indicator inputs match a reference computed from the text).
  constexpr double ToDouble() const { return static_cast<double>(raw_) / 1e9; }
  std::string ToString() const { return fixed_detail::FormatRaw(raw_); }
  std::string ToString(int decimals) const { return fixed_detail::FormatRawFixed(raw_, decimals); }

  constexpr bool IsZero() const { return raw_ == 0; }
  constexpr bool IsPositive() const { return raw_ > 0; }
  constexpr bool IsNegative() const { return raw_ < 0; }
  constexpr Fixed Abs() const { return raw_ < 0 ? -*this : *this; }

  // The multiple of `step` (> 0) nearest by `mode`: tick and lot rounding.
  Fixed RoundToStep(Fixed step, Rounding mode) const {
    if (step.raw_ <= 0) fixed_detail::Overflow("RoundToStep: step must be > 0");
    __int128 q = fixed_detail::DivRound(raw_, step.raw_, mode);
    __int128 r = q * step.raw_;
    if (r > INT64_MAX || r < INT64_MIN) fixed_detail::Overflow("RoundToStep");
    return Fixed(static_cast<std::int64_t>(r));
  }
  // RoundToStep for untrusted values: an OutOfRange error instead of an abort.
  Result<Fixed> CheckedRoundToStep(Fixed step, Rounding mode) const {
    if (step.raw_ <= 0) return OutOfRange("step must be > 0");
    __int128 q = fixed_detail::DivRound(raw_, step.raw_, mode);
    __int128 r = q * step.raw_;
    if (r > INT64_MAX || r < INT64_MIN) return OutOfRange(ToString() + " rounded to step " + step.ToString() + " is out of range");
    return Fixed(static_cast<std::int64_t>(r));
  }
  // True when this is an exact multiple of step (> 0).
  constexpr bool IsMultipleOf(Fixed step) const { return step.raw_ > 0 && raw_ % step.raw_ == 0; }

  constexpr auto operator<=>(const Fixed&) const = default;
  constexpr bool operator==(const Fixed&) const = default;

  constexpr Fixed operator-() const {
    if (raw_ == INT64_MIN) fixed_detail::Overflow("negate");
    return Fixed(-raw_);
  }
  constexpr Fixed operator+(Fixed o) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(raw_, o.raw_, &r)) fixed_detail::Overflow("add");
    return Fixed(r);
  }
  constexpr Fixed operator-(Fixed o) const {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(raw_, o.raw_, &r)) fixed_detail::Overflow("subtract");
    return Fixed(r);
  }
  constexpr Fixed& operator+=(Fixed o) { return *this = *this + o; }
  constexpr Fixed& operator-=(Fixed o) { return *this = *this - o; }
  // Scaling by an integer (e.g. leverage, a count). Checked.
  constexpr Fixed operator*(std::int64_t k) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(raw_, k, &r)) fixed_detail::Overflow("multiply");
    return Fixed(r);
  }
  // Checked forms for untrusted values: an OutOfRange error instead of an abort.
  Result<Fixed> CheckedAdd(Fixed o) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(raw_, o.raw_, &r)) return OutOfRange(ToString() + " + " + o.ToString() + " is out of range");
    return Fixed(r);
  }
  Result<Fixed> CheckedSub(Fixed o) const {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(raw_, o.raw_, &r)) return OutOfRange(ToString() + " - " + o.ToString() + " is out of range");
    return Fixed(r);
  }
  Result<Fixed> CheckedMul(std::int64_t k) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(raw_, k, &r)) return OutOfRange(ToString() + " x " + std::to_string(k) + " is out of range");
    return Fixed(r);
  }
  Result<Fixed> CheckedAbs() const {
    if (raw_ == INT64_MIN) return OutOfRange("|" + ToString() + "| is out of range");
    return Fixed(raw_ < 0 ? -raw_ : raw_);
  }
  // Division by a positive integer, rounded by mode.
  Fixed DivInt(std::int64_t k, Rounding mode) const {
    if (k == 0) fixed_detail::Overflow("divide by zero");
    __int128 q = fixed_detail::DivRound(raw_, k, mode);
    if (q > INT64_MAX || q < INT64_MIN) fixed_detail::Overflow("divide");
    return Fixed(static_cast<std::int64_t>(q));
  }

  static constexpr Fixed Zero() { return Fixed(0); }
  static constexpr Fixed Max() { return Fixed(INT64_MAX); }
  static constexpr Fixed Min() { return Fixed(INT64_MIN); }

 private:
  constexpr explicit Fixed(std::int64_t raw) : raw_(raw) {}
  std::int64_t raw_ = 0;
};

struct PriceTag {};
struct QuantityTag {};
struct MoneyTag {};
struct RatioTag {};

using Price = Fixed<PriceTag>;        // quote currency per unit of base (USDT per BTC)
using Quantity = Fixed<QuantityTag>;  // base units (BTC); signed where a position's side matters
using Money = Fixed<MoneyTag>;        // quote currency (USDT), balances, PnL, fees
using Ratio = Fixed<RatioTag>;        // dimensionless: fee rates, funding rates, margin rates

// price × quantity, rounded to 1e-9 by mode (the product of two 1e-9 values has 18 places).
inline Money Notional(Price p, Quantity q, Rounding mode = Rounding::kHalfEven) {
  return Money::FromRaw(fixed_detail::MulDiv(p.raw(), q.raw(), kFixedScale, mode));
}
// value × ratio (fees, funding, margin), rounded by mode.
template <class Tag>
inline Fixed<Tag> ApplyRatio(Fixed<Tag> v, Ratio r, Rounding mode = Rounding::kHalfEven) {
  return Fixed<Tag>::FromRaw(fixed_detail::MulDiv(v.raw(), r.raw(), kFixedScale, mode));
}
// Notional for untrusted inputs: OutOfRange ("quantity 100000 x price 113975.5 ...") instead
// of an abort when the product does not fit.
inline Result<Money> CheckedNotional(Price p, Quantity q, Rounding mode = Rounding::kHalfEven) {
  std::int64_t raw = 0;
  if (!fixed_detail::TryMulDiv(p.raw(), q.raw(), kFixedScale, mode, &raw)) {
    return OutOfRange("quantity " + q.ToString() + " x price " + p.ToString() + " is out of the fixed-point range");
  }
  return Money::FromRaw(raw);
}
template <class Tag>
inline Result<Fixed<Tag>> CheckedApplyRatio(Fixed<Tag> v, Ratio r, Rounding mode = Rounding::kHalfEven) {
  std::int64_t raw = 0;
  if (!fixed_detail::TryMulDiv(v.raw(), r.raw(), kFixedScale, mode, &raw)) {
    return OutOfRange(v.ToString() + " x " + r.ToString() + " is out of the fixed-point range");
  }
  return Fixed<Tag>::FromRaw(raw);
}
// money / price: the quantity a notional buys. Aborts if price <= 0.
inline Quantity QuantityFor(Money m, Price p, Rounding mode) {
  if (p.raw() <= 0) fixed_detail::Overflow("QuantityFor: price must be > 0");
  return Quantity::FromRaw(fixed_detail::MulDiv(m.raw(), kFixedScale, p.raw(), mode));
}
// notional / quantity: the average price of fills. Aborts if quantity <= 0.
inline Price AveragePrice(Money notional, Quantity q, Rounding mode = Rounding::kHalfEven) {
  if (q.raw() <= 0) fixed_detail::Overflow("AveragePrice: quantity must be > 0");
  return Price::FromRaw(fixed_detail::MulDiv(notional.raw(), kFixedScale, q.raw(), mode));
}
// The same for untrusted inputs: InvalidArgument / OutOfRange instead of an abort.
inline Result<Price> CheckedAveragePrice(Money notional, Quantity q, Rounding mode = Rounding::kHalfEven) {
  if (q.raw() <= 0) return InvalidArgument("average price of quantity " + q.ToString() + ": must be > 0");
  std::int64_t raw = 0;
  if (!fixed_detail::TryMulDiv(notional.raw(), kFixedScale, q.raw(), mode, &raw)) {
    return OutOfRange("notional " + notional.ToString() + " / quantity " + q.ToString() + " is out of the fixed-point range");
  }
  return Price::FromRaw(raw);
}
// a / b as a ratio. Aborts if b == 0.
template <class Tag>
inline Ratio RatioOf(Fixed<Tag> a, Fixed<Tag> b, Rounding mode = Rounding::kHalfEven) {
  if (b.raw() == 0) fixed_detail::Overflow("RatioOf: divide by zero");
  return Ratio::FromRaw(fixed_detail::MulDiv(a.raw(), kFixedScale, b.raw(), mode));
}
// Reinterprets a value of one fixed type as another with the same number (e.g. a price
// difference times a quantity sign). Use sparingly and say why at the call site.
template <class To, class FromTag>
constexpr To FixedCast(Fixed<FromTag> v) { return To::FromRaw(v.raw()); }

}  // namespace aitrader
