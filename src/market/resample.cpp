#include "market/resample.hpp"

#include <charconv>
#include <cstring>
#include <string>

namespace aitrader::market {
namespace {

constexpr UnixMs kWeekMs = 7 * kDayMs;
constexpr UnixMs kMondayOffsetMs = 4 * kDayMs;  // 1970-01-01 was a Thursday
constexpr int kVolumeDecimals = 9;

// v as an exact count of 1e-9 units via its shortest round-trip decimal; false when that
// decimal has more than nine places or does not fit.
bool VolumeToScaled(double v, __int128* out) {
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return false;
  __int128 value = 0;
  int frac = -1;
  bool negative = false;
  for (const char* p = buf; p < ptr; ++p) {
    if (*p == '-') {
      negative = true;
    } else if (*p == '.') {
      frac = 0;
    } else {
      if (value > (static_cast<__int128>(1) << 120) / 10) return false;
      value = value * 10 + (*p - '0');
      if (frac >= 0 && ++frac > kVolumeDecimals) return false;
    }
  }
  for (int k = frac < 0 ? 0 : frac; k < kVolumeDecimals; ++k) value *= 10;
  *out = negative ? -value : value;
  return true;
}

double ScaledToDouble(__int128 value) {
  char buf[64];
  char* p = buf + sizeof buf;
  const bool negative = value < 0;
  unsigned __int128 mag = negative ? static_cast<unsigned __int128>(-value) : static_cast<unsigned __int128>(value);
  int written = 0;
  while (mag != 0 || written <= kVolumeDecimals) {
    if (written == kVolumeDecimals) *--p = '.';
    *--p = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
    ++written;
  }
  if (negative) *--p = '-';
  double d = 0;
  std::from_chars(p, buf + sizeof buf, d);
  return d;
}

}  // namespace

UnixMs BucketStart(UnixMs t, UnixMs interval) {
  if (interval % kWeekMs == 0) return FloorTo(t - kMondayOffsetMs, interval) + kMondayOffsetMs;
  return FloorTo(t, interval);
}

double DecimalVolumeSum(const double* v, std::size_t n) {
  __int128 total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    __int128 s = 0;
    if (!VolumeToScaled(v[i], &s)) {
      double d = 0;
      for (std::size_t k = 0; k < n; ++k) d += v[k];
      return d;
    }
    total += s;
  }
  return ScaledToDouble(total);
}

Result<CandleSeries> Resample(const CandleSeries& source, UnixMs target, const ResampleOptions& options,
                              ResampleReport* report) {
  const UnixMs step = source.interval();
  if (step <= 0) return InvalidArgument("resample " + source.symbol() + ": the source interval is unknown");
  if (target <= 0 || target % step != 0) {
    return InvalidArgument("resample " + source.symbol() + ": " + FormatInterval(target) +
                           " is not a positive multiple of the source interval " + FormatInterval(step));
  }
  ResampleReport rep;
  if (target == step) {
    rep.buckets = source.size();
    if (report != nullptr) *report = rep;
    return source;
  }
  const std::size_t per_bucket = static_cast<std::size_t>(target / step);
  CandleSeries out(source.symbol(), target);
  out.reserve(source.size() / per_bucket + 2);
  const auto& t = source.open_time();
  const auto& o = source.open();
  const auto& h = source.high();
  const auto& l = source.low();
  const auto& c = source.close();
  const auto& v = source.volume();
  const std::size_t n = source.size();
  for (std::size_t i = 0; i < n;) {
    const UnixMs bucket = BucketStart(t[i], target);
    const UnixMs bucket_end = bucket + target;
    std::size_t j = i;
    Price hi = h[i], lo = l[i];
    while (j < n && t[j] < bucket_end) {
      if (h[j] > hi) hi = h[j];
      if (l[j] < lo) lo = l[j];
      ++j;
    }
    const std::size_t count = j - i;
    if (count != per_bucket) {
      ++rep.incomplete;
      if (!options.keep_incomplete) {
        ++rep.dropped;
        i = j;
        continue;
      }
    }
    out.push_back(Candle{bucket, o[i], hi, lo, c[j - 1], DecimalVolumeSum(v.data() + i, count)});
    i = j;
  }
  rep.buckets = out.size();
  if (report != nullptr) *report = rep;
  return out;
}

}  // namespace aitrader::market
