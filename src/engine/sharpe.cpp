#include "engine/sharpe.hpp"

#include <cmath>

namespace aitrader::engine {

void SharpeAccumulator::Add(double r) {
  ++n_;
  const double delta = r - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (r - mean_);
}

std::optional<double> SharpeAccumulator::Value(UnixMs period) const {
  if (n_ < 2 || period <= 0) return std::nullopt;
  const double var = m2_ / static_cast<double>(n_ - 1);
  if (!(var > 0)) return std::nullopt;
  const double per_year = 365.0 * static_cast<double>(kDayMs) / static_cast<double>(period);
  return mean_ / std::sqrt(var) * std::sqrt(per_year);
}

std::optional<double> AnnualisedSharpe(std::span<const double> returns, UnixMs period) {
  SharpeAccumulator acc;
  for (double r : returns) acc.Add(r);
  return acc.Value(period);
}

}  // namespace aitrader::engine
