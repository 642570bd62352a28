#include "market/decimal.hpp"

#include <string>

namespace aitrader::market {

Result<std::int64_t> ParsePriceRaw(std::string_view text) {
  std::int64_t raw = 0;
  const char* end = text.data() + text.size();
  const char* stop = ScanPriceFast(text.data(), end, &raw);
  if (stop != nullptr && stop == end) return raw;
  return fixed_detail::ParseRaw(text);
}

Result<std::int64_t> ParseRawRounded(std::string_view text, Rounding mode, bool* rounded) {
  if (rounded != nullptr) *rounded = false;
  auto quoted = [&] { return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'"); };
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // Keep at most 36 significant digits (exactly); later digits only matter for rounding,
  // which a sticky flag records.
  unsigned __int128 mantissa = 0;
  int significant = 0;
  int dropped = 0;  // significant integer-or-fraction digits not stored (scale correction)
  bool sticky = false;
  int frac_digits = 0;
  int digits = 0;
  bool seen_point = false;
  for (; i < n; ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
      if (seen_point) ++frac_digits;
      if (mantissa == 0 && c == '0' && !sticky) continue;
      if (significant < 36) {
        mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
        ++significant;
      } else {
        ++dropped;
        if (c != '0') sticky = true;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits == 0) return ParseError(quoted() + " is not a decimal number");
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
      if (++exp_digits > 4) return OutOfRange(quoted() + " has an exponent out of range");
      exponent = exponent * 10 + (text[i] - '0');
    }
    if (exp_digits == 0) return ParseError(quoted() + " has an empty exponent");
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return ParseError(quoted() + " is not a decimal number");
  // value = mantissa × 10^(exponent − frac_digits + dropped) (+ sticky); raw = value × 1e9.
  int shift = kFixedDecimals + exponent - frac_digits + dropped;
  unsigned __int128 raw = 0;
  bool inexact = sticky;
  if (mantissa != 0 || sticky) {
    if (shift >= 0) {
      if (shift > 38 || significant + shift > 38) return OutOfRange(quoted() + " is out of range");
      unsigned __int128 p = 1;
      for (int k = 0; k < shift; ++k) p *= 10;
      raw = mantissa * p;
      if (sticky) return OutOfRange(quoted() + " has too many digits");
    } else {
      if (-shift > 37) {
        raw = 0;
        inexact = inexact || mantissa != 0;
        // The value is far below 1e-9: it rounds to 0 or ±1 unit depending on the mode.
        __int128 q = fixed_detail::DivRound(negative ? -1 : 1, static_cast<__int128>(1) << 100, mode);
        raw = static_cast<unsigned __int128>(q < 0 ? -q : q);
      } else {
        unsigned __int128 div = 1;
        for (int k = 0; k < -shift; ++k) div *= 10;
        const unsigned __int128 rem = mantissa % div;
        inexact = inexact || rem != 0;
        if (!inexact) {
          raw = mantissa / div;
        } else {
          // Round mantissa / div (plus sticky tail) by mode; DivRound works on signed values.
          // Doubling the numerator and adding the sticky bit keeps "just above half" distinct
          // from "exactly half".
          __int128 num = static_cast<__int128>(mantissa) * 2 + (sticky ? 1 : 0);
          __int128 den = static_cast<__int128>(div) * 2;
          if (negative) num = -num;
          __int128 q = fixed_detail::DivRound(num, den, mode);
          raw = static_cast<unsigned __int128>(q < 0 ? -q : q);
        }
      }
    }
  }
  const unsigned __int128 limit = negative ? (static_cast<unsigned __int128>(INT64_MAX) + 1)
                                           : static_cast<unsigned __int128>(INT64_MAX);
  if (raw > limit) return OutOfRange(quoted() + " is out of range (max ±9223372036.854775807)");
  if (rounded != nullptr) *rounded = inexact;
  if (negative) return static_cast<std::int64_t>(-static_cast<__int128>(raw));
  return static_cast<std::int64_t>(raw);
}

}  // namespace aitrader::market
