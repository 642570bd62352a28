// The Sharpe ratio, defined once for the prompt and the reports (statistics: doubles).
//
//   returns r_i = value_i / value_{i-1} − 1 of an account value sampled every `period`
//   Sharpe = mean(r) / sd(r) × sqrt(periods per year),   sd with n − 1 (sample),
//   periods per year = 365 days / period, risk-free rate 0 (crypto trades every day).
//   Undefined (nullopt) with fewer than two returns or zero variance.
//
// The prompt's Sharpe (Bot) samples the account value the prompt shows at the start of each
// cycle, from the bot's capital on (period = the cadence); the backtest report's Sharpe samples
// the equity curve at every bar from the initial equity on (period = the bar interval). Both
// go through SharpeAccumulator, so the same values at the same spacing give the same ratio.
// Thread safety: a value type.
#pragma once

#include <optional>
#include <span>

#include "core/time.hpp"

namespace aitrader::engine {

class SharpeAccumulator {
 public:
  void Add(double r);  // Welford: numerically stable, O(1) per return
  std::int64_t count() const { return n_; }
  std::optional<double> Value(UnixMs period) const;

 private:
  std::int64_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

std::optional<double> AnnualisedSharpe(std::span<const double> returns, UnixMs period);

}  // namespace aitrader::engine
