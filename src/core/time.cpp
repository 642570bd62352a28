#include "core/time.hpp"

#include <cstdio>

namespace aitrader {

// Howard Hinnant's public-domain civil-date algorithms (days_from_civil / civil_from_days).
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

std::string FormatUtc(UnixMs t) {
  std::int64_t days = t / kDayMs;
  std::int64_t rem = t % kDayMs;
  if (rem < 0) {
    rem += kDayMs;
    --days;
  }
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  const int hh = static_cast<int>(rem / kHourMs);
  const int mm = static_cast<int>(rem % kHourMs / kMinuteMs);
  const int ss = static_cast<int>(rem % kMinuteMs / kSecondMs);
  const int ms = static_cast<int>(rem % kSecondMs);
  char buf[48];
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, hh, mm, ss, ms);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
  }
  return buf;
}

namespace {

bool ReadInt(std::string_view s, std::size_t& i, int width, int& out) {
  if (i + static_cast<std::size_t>(width) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < width; ++k) {
    char c = s[i + static_cast<std::size_t>(k)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += static_cast<std::size_t>(width);
  out = v;
  return true;
}

}  // namespace

Result<UnixMs> ParseUtc(std::string_view text) {
  auto bad = [&](const char* why) {
    return InvalidArgument("time '" + std::string(text) + "': " + why +
                           " (expected UTC like 2025-10-17 or 2025-10-17T12:30:00Z)");
  };
  std::size_t i = 0;
  int y = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0, ms = 0;
  if (!ReadInt(text, i, 4, y) || i >= text.size() || text[i++] != '-' || !ReadInt(text, i, 2, mo) ||
      i >= text.size() || text[i++] != '-' || !ReadInt(text, i, 2, d)) {
    return bad("not a date");
  }
  if (mo < 1 || mo > 12) return bad("month out of range");
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > kDaysIn[mo - 1] || (mo == 2 && d == 29 && !leap)) return bad("day out of range");
  if (i < text.size() && (text[i] == 'T' || text[i] == ' ')) {
    ++i;
    if (!ReadInt(text, i, 2, hh) || i >= text.size() || text[i++] != ':' || !ReadInt(text, i, 2, mi)) {
      return bad("not a time of day");
    }
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!ReadInt(text, i, 2, ss)) return bad("bad seconds");
      if (i < text.size() && text[i] == '.') {
        ++i;
        int scale = 100, digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (digits < 3) ms += (text[i] - '0') * scale;
          scale /= 10;
          ++digits;
          ++i;
        }
        if (digits == 0) return bad("bad fraction of a second");
      }
    }
    if (hh > 23 || mi > 59 || ss > 59) return bad("time of day out of range");
  }
  if (i < text.size() && text[i] == 'Z') ++i;
  if (i != text.size()) return bad("unexpected characters");
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kDayMs + hh * kHourMs +
         mi * kMinuteMs + ss * kSecondMs + ms;
}

Result<UnixMs> ParseInterval(std::string_view text) {
  if (text.size() < 2) return InvalidArgument("interval '" + std::string(text) + "': expected e.g. 5m, 1h, 4h, 1d");
  char unit = text.back();
  std::string_view num = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  for (char c : num) {
    if (c < '0' || c > '9' || n > 100000) {
      return InvalidArgument("interval '" + std::string(text) + "': expected e.g. 5m, 1h, 4h, 1d");
    }
    n = n * 10 + (c - '0');
  }
  UnixMs unit_ms = 0;
  switch (unit) {
    case 's': unit_ms = kSecondMs; break;
    case 'm': unit_ms = kMinuteMs; break;
    case 'h': unit_ms = kHourMs; break;
    case 'd': unit_ms = kDayMs; break;
    case 'w': unit_ms = 7 * kDayMs; break;
    default:
      return InvalidArgument("interval '" + std::string(text) + "': unit must be s, m, h, d or w");
  }
  if (n <= 0) return InvalidArgument("interval '" + std::string(text) + "' must be positive");
  return n * unit_ms;
}

std::string FormatInterval(UnixMs interval) {
  if (interval > 0) {
    if (interval % (7 * kDayMs) == 0 && interval / (7 * kDayMs) == 1) return "1w";
    if (interval % kDayMs == 0) return std::to_string(interval / kDayMs) + "d";
    if (interval % kHourMs == 0) return std::to_string(interval / kHourMs) + "h";
    if (interval % kMinuteMs == 0) return std::to_string(interval / kMinuteMs) + "m";
    if (interval % kSecondMs == 0) return std::to_string(interval / kSecondMs) + "s";
  }
  return std::to_string(interval) + "ms";
}

}  // namespace aitrader
