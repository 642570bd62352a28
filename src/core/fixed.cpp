#include "core/fixed.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace aitrader::fixed_detail {
namespace {

std::string Quote(std::string_view text) {
  std::string s = "'";
  if (text.size() > 40) {
    s.append(text.substr(0, 40));
    s += "...";
  } else {
    s.append(text);
  }
  s += "'";
  return s;
}

constexpr unsigned __int128 Pow10(int n) {
  unsigned __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

}  // namespace

[[noreturn]] void Overflow(const char* what) {
  std::fprintf(stderr, "fixed-point invariant broken: %s (overflow or invalid operand)\n", what);
  std::abort();
}

Result<std::int64_t> ParseRaw(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  unsigned __int128 mantissa = 0;
  int significant = 0;   // digits accumulated into mantissa (after leading zeros)
  int frac_digits = 0;   // digits after the decimal point
  int digits = 0;
  bool seen_point = false;
  for (; i < n; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
      if (seen_point) ++frac_digits;
      if (mantissa == 0 && c == '0') continue;
      if (++significant > 36) return OutOfRange(Quote(text) + " has too many digits");
      mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits == 0) return ParseError(Quote(text) + " is not a decimal number");
  int exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    int exp_digits = 0;
    for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (++exp_digits > 4) return OutOfRange(Quote(text) + " has an exponent out of range");
      exponent = exponent * 10 + (text[i] - '0');
    }
    if (exp_digits == 0) return ParseError(Quote(text) + " has an empty exponent");
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return ParseError(Quote(text) + " is not a decimal number");

  // value = mantissa × 10^(exponent − frac_digits); raw = value × 10^9.
  int shift = kFixedDecimals + exponent - frac_digits;
  unsigned __int128 raw = mantissa;
  if (mantissa != 0) {
    if (shift >= 0) {
      if (shift > 38 || significant + shift > 38) return OutOfRange(Quote(text) + " is out of range");
      raw = mantissa * Pow10(shift);
    } else {
      if (-shift > 38) return OutOfRange(Quote(text) + " has more than 9 decimal places");
      unsigned __int128 div = Pow10(-shift);
      if (mantissa % div != 0) return OutOfRange(Quote(text) + " has more than 9 decimal places");
      raw = mantissa / div;
    }
  }
  const unsigned __int128 limit = negative ? (static_cast<unsigned __int128>(INT64_MAX) + 1)
                                           : static_cast<unsigned __int128>(INT64_MAX);
  if (raw > limit) return OutOfRange(Quote(text) + " is out of range (max ±9223372036.854775807)");
  if (negative) return static_cast<std::int64_t>(-static_cast<__int128>(raw));
  return static_cast<std::int64_t>(raw);
}

std::string FormatRaw(std::int64_t raw) {
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  unsigned long long mag = raw < 0 ? 0ULL - static_cast<unsigned long long>(raw)
                                   : static_cast<unsigned long long>(raw);
  unsigned long long integer = mag / kFixedScale;
  unsigned long long frac = mag % kFixedScale;
  if (frac != 0) {
    int width = kFixedDecimals;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    for (int k = 0; k < width; ++k) {
      *--p = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + integer % 10);
    integer /= 10;
  } while (integer != 0);
  if (raw < 0) *--p = '-';
  return std::string(p, end);
}

std::string FormatRawFixed(std::int64_t raw, int decimals) {
  if (decimals < 0) decimals = 0;
  if (decimals > kFixedDecimals) decimals = kFixedDecimals;
  __int128 unit = static_cast<__int128>(Pow10(kFixedDecimals - decimals));
  __int128 q = DivRound(raw, unit, Rounding::kHalfEven);  // value in units of 10^-decimals
  const bool negative = q < 0;
  unsigned __int128 mag = negative ? static_cast<unsigned __int128>(-q) : static_cast<unsigned __int128>(q);
  // Digits right to left into a small buffer: no snprintf, one allocation.
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  for (int k = 0; k < decimals; ++k) {
    *--p = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  }
  if (decimals > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  if (negative) *--p = '-';
  return std::string(p, end);
}

namespace {

// n / d rounded by mode, for any signed integer type (d != 0 checked by the callers).
template <class I>
I DivRoundT(I n, I d, Rounding mode) {
  I q = n / d;
  I r = n % d;
  if (r == 0) return q;
  const bool negative = (n < 0) != (d < 0);
  const I away = negative ? q - 1 : q + 1;
  switch (mode) {
    case Rounding::kTowardZero: return q;
    case Rounding::kAwayFromZero: return away;
    case Rounding::kFloor: return negative ? away : q;
    case Rounding::kCeil: return negative ? q : away;
    case Rounding::kHalfEven:
    case Rounding::kHalfAwayFromZero: {
      I r2 = r < 0 ? -r : r;
      I d2 = d < 0 ? -d : d;
      // Compare 2|r| with |d| without overflowing: |r| < |d|.
      if (r2 > d2 - r2) return away;
      if (r2 < d2 - r2) return q;
      if (mode == Rounding::kHalfAwayFromZero) return away;
      return (q % 2 == 0) ? q : away;
    }
  }
  return q;
}

constexpr bool FitsInt64(__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

}  // namespace

__int128 DivRound(__int128 n, __int128 d, Rounding mode) {
  if (d == 0) Overflow("divide by zero");
  // 64-bit division is several times cheaper than 128-bit; INT64_MIN / -1 must not take it.
  if (FitsInt64(n) && FitsInt64(d) && n != INT64_MIN && d != INT64_MIN) {
    return DivRoundT<std::int64_t>(static_cast<std::int64_t>(n), static_cast<std::int64_t>(d), mode);
  }
  return DivRoundT<__int128>(n, d, mode);
}

std::int64_t MulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding mode) {
  __int128 n = static_cast<__int128>(a) * b;
  __int128 q = DivRound(n, d, mode);
  if (!FitsInt64(q)) Overflow("multiply/divide result out of range");
  return static_cast<std::int64_t>(q);
}

bool TryMulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding mode, std::int64_t* out) {
  if (d == 0) return false;
  __int128 n = static_cast<__int128>(a) * b;
  __int128 q = DivRound(n, d, mode);
  if (!FitsInt64(q)) return false;
  *out = static_cast<std::int64_t>(q);
  return true;
}

Result<std::int64_t> RawFromDouble(double v, Rounding mode) {
  if (!std::isfinite(v)) return InvalidArgument("not a finite number");
  long double x = static_cast<long double>(v) * 1e9L;
  if (!(std::fabs(x) < 9.2e18L)) return OutOfRange("number out of range for a 9-decimal fixed-point value");
  long double t = std::truncl(x);
  long double frac = x - t;
  std::int64_t q = static_cast<std::int64_t>(t);
  if (frac == 0) return q;
  const bool negative = x < 0;
  const std::int64_t away = negative ? q - 1 : q + 1;
  switch (mode) {
    case Rounding::kTowardZero: return q;
    case Rounding::kAwayFromZero: return away;
    case Rounding::kFloor: return negative ? away : q;
    case Rounding::kCeil: return negative ? q : away;
    case Rounding::kHalfEven:
    case Rounding::kHalfAwayFromZero: {
      long double f = std::fabs(frac);
      if (f > 0.5L) return away;
      if (f < 0.5L) return q;
      if (mode == Rounding::kHalfAwayFromZero) return away;
      return (q % 2 == 0) ? q : away;
    }
  }
  return q;
}

}  // namespace aitrader::fixed_detail
