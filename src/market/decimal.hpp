// Decimal text → fixed-point raw units (1e-9), specialised for the CSV hot path.
//
// ParsePriceRaw() agrees with Price::Parse (core/fixed.hpp) on every input: it handles the
// common shape of exchange prices ("108208.4", "0.21358", "69787.50") inline, and hands
// anything else (sign, exponent, more than nine decimals, overflow, junk) to the general
// parser, so the result and the error are the same as Price::Parse's. Unit tests check the
// agreement on random and hand-picked inputs.
//
// ParseRawRounded() is for statistics that carry more than nine decimals (e.g. a daily mean
// of funding rates, "-2.72866666666667e-05"): it rounds to 1e-9 with the given mode instead
// of failing, and says whether it had to round.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/fixed.hpp"
#include "core/status.hpp"

namespace aitrader::market {

// Exact decimal → raw 1e-9 units; same results and errors as fixed_detail::ParseRaw.
Result<std::int64_t> ParsePriceRaw(std::string_view text);

// The inline fast path: scans digits[.digits] (at most 10 integer and 9 fractional digits,
// at least one digit) starting at p, stopping at the first other character or at end.
// Returns the position after the number and sets *raw, or nullptr when the text does not
// have that simple shape or overflows (the caller then uses the general parser).
inline const char* ScanPriceFast(const char* p, const char* end, std::int64_t* raw) {
  static constexpr std::uint64_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                               100000, 1000000, 10000000, 100000000, 1000000000};
  const char* start = p;
  std::uint64_t integer = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10u) {
    integer = integer * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  const std::ptrdiff_t int_digits = p - start;
  if (int_digits > 10) return nullptr;
  std::uint64_t frac = 0;
  std::ptrdiff_t frac_digits = 0;
  if (p < end && *p == '.') {
    ++p;
    const char* fs = p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10u) {
      frac = frac * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    frac_digits = p - fs;
    if (frac_digits > 9) return nullptr;
  }
  if (int_digits + frac_digits == 0) return nullptr;
  // At most 10 integer digits × 1e9 fits in uint64; the result must fit in int64.
  const std::uint64_t value = integer * static_cast<std::uint64_t>(kFixedScale) + frac * kPow10[9 - frac_digits];
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return nullptr;
  *raw = static_cast<std::int64_t>(value);
  return p;
}

// Decimal (optional sign, digits, optional '.', digits, optional e±N) → raw 1e-9 units,
// rounded by `mode` when the text has more than nine decimals. *rounded (if given) is set to
// whether rounding changed the value. Errors: ParseError for junk, OutOfRange for overflow.
Result<std::int64_t> ParseRawRounded(std::string_view text, Rounding mode, bool* rounded = nullptr);

}  // namespace aitrader::market
