// Resampling a candle series to a coarser interval (5m → 15m, 1h, 4h, 1d, any multiple).
//
// Buckets are aligned to UTC boundaries: a bucket of interval I holds the candles whose
// open_time t has FloorTo(t, I) equal to the bucket's open time (multiples of I since the
// Unix epoch, so 1h buckets start on the hour and 1d buckets at 00:00 UTC). Weekly and longer
// multiples of 7 days start on Monday 00:00 UTC, as Binance's 1w candles do.
//
// A bucket is open of its first candle, high the max, low the min, close of its last
// candle, volume the sum. Volumes are summed in decimal: each volume is taken at its
// shortest round-trip decimal (the text it was parsed from) and added exactly, so a 1h
// volume equals Binance's 1h volume text, not a double sum that can be one ulp off. (When a
// volume has more than nine decimals, that bucket falls back to a plain double sum.)
//
// Incomplete buckets — fewer source candles than target/source, because the series starts
// or ends inside the bucket or a gap falls inside it — are dropped by default: a 1h candle
// made of 50 minutes would silently differ from the exchange's. With keep_incomplete they
// are kept, built from the candles present, and counted in ResampleReport::incomplete.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>

#include "core/status.hpp"
#include "market/candle.hpp"

namespace aitrader::market {

struct ResampleOptions {
  bool keep_incomplete = false;
};

struct ResampleReport {
  std::size_t buckets = 0;     // buckets in the output
  std::size_t incomplete = 0;  // incomplete buckets seen (kept when keep_incomplete, else dropped)
  std::size_t dropped = 0;     // incomplete buckets dropped
};

// The UTC-aligned open time of the bucket of `interval` that contains t (see above).
UnixMs BucketStart(UnixMs t, UnixMs interval);

// Resamples `source` (its interval() must be known, > 0) to `target`. Errors:
// InvalidArgument when the source interval is unknown or target is not a positive multiple
// of it. target == source returns a copy. The output keeps the symbol.
Result<CandleSeries> Resample(const CandleSeries& source, UnixMs target, const ResampleOptions& options = {},
                              ResampleReport* report = nullptr);

// Sum of volumes as the double nearest to the exact decimal sum of their shortest
// round-trip decimals (see above). Exposed for tests.
double DecimalVolumeSum(const double* v, std::size_t n);

}  // namespace aitrader::market
