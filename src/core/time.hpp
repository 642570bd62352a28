// Time in aitrader: UTC milliseconds since the Unix epoch (UnixMs), the unit Binance uses.
// Parsing and formatting of UTC times and of candle intervals ("5m", "4h", "1d").
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace aitrader {

using UnixMs = std::int64_t;

inline constexpr UnixMs kSecondMs = 1000;
inline constexpr UnixMs kMinuteMs = 60 * kSecondMs;
inline constexpr UnixMs kHourMs = 60 * kMinuteMs;
inline constexpr UnixMs kDayMs = 24 * kHourMs;

// "2025-10-17T00:00:00Z" (seconds precision; milliseconds are appended when non-zero:
// "2025-10-17T00:00:00.123Z").
std::string FormatUtc(UnixMs t);
// Accepts "2025-10-17", "2025-10-17T12:30", "2025-10-17 12:30:05", with optional fractional
// seconds and an optional trailing "Z". Always UTC. Errors name the text and what is wrong.
Result<UnixMs> ParseUtc(std::string_view text);

// "1m" "3m" "5m" "15m" "30m" "1h" "2h" "4h" "6h" "8h" "12h" "1d": the interval in ms.
Result<UnixMs> ParseInterval(std::string_view text);
// The inverse of ParseInterval for the same set ("5m"); other values print as "<n>ms".
std::string FormatInterval(UnixMs interval);

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d);

// Floors t to a multiple of interval (UTC-aligned since the epoch).
constexpr UnixMs FloorTo(UnixMs t, UnixMs interval) {
  UnixMs r = t % interval;
  return r < 0 ? t - r - interval : t - r;
}

}  // namespace aitrader
