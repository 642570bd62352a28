#include "exchange/paper/models.hpp"

#include <algorithm>
#include <cmath>


namespace aitrader::exchange::paper {

namespace {
Ratio BpsToRatio(double bps) {
  if (!(bps > 0)) return Ratio::Zero();
  auto r = Ratio::FromDouble(bps / 1e4, Rounding::kHalfEven);
  return r.ok() ? *r : Ratio::Zero();
}
}  // namespace

Status CheckpointableModel::RestoreState(std::string_view state) {
  if (state.empty()) return Status::Ok();
  return InvalidArgument("this model keeps no state, but the checkpoint holds " + std::to_string(state.size()) +
                         " bytes of it");
}

FixedBpsSlippage::FixedBpsSlippage(double bps) : fraction_(BpsToRatio(bps)) {}

Ratio FixedBpsSlippage::SlippageFraction(const SlippageParams&) const { return fraction_; }

Ratio VolumeVolatilitySlippage::SlippageFraction(const SlippageParams& p) const {
  double bps = p_.base_bps;
  const double open = p.candle_open.ToDouble();
  if (open > 0) bps += p_.range_share * (p.candle_high - p.candle_low).ToDouble() / open * 1e4;
  if (p.candle_volume > 0) bps += p_.participation_bps * (p.quantity.ToDouble() / p.candle_volume) * 100.0;
  bps += p_.jitter_bps * p.uniform;
  bps = std::min(bps, p_.max_bps);
  return BpsToRatio(bps);
}

Price ApplySlippage(Side side, Price reference, Ratio fraction, Price tick) {
  const Price delta = ApplyRatio(reference, fraction, Rounding::kAwayFromZero);
  if (side == Side::kBuy) return (reference + delta).RoundToStep(tick, Rounding::kCeil);
  Price p = (reference - delta).RoundToStep(tick, Rounding::kFloor);
  return p.IsPositive() ? p : tick;
}

Money RateFeeModel::Fee(const FeeParams& p) const {
  const Ratio rate = p.liquidity == Liquidity::kMaker ? p.schedule.maker : p.schedule.taker;
  // price (1e-9) × quantity (1e-9) × rate (1e-9) = 1e-27 units; to 1e-8 USDT: divide by 1e19.
  __int128 n = static_cast<__int128>(p.price.raw()) * p.quantity.Abs().raw();
  n *= rate.raw();
  __int128 q = fixed_detail::DivRound(n, static_cast<__int128>(10'000'000'000'000'000'000ULL), Rounding::kHalfEven);
  return Money::FromRaw(static_cast<std::int64_t>(q * 10));
}

void SeriesFundingModel::Add(std::string_view symbol, UnixMs time, Ratio rate) {
  auto it = events_.find(symbol);
  if (it == events_.end()) it = events_.emplace(std::string(symbol), std::vector<std::pair<UnixMs, Ratio>>{}).first;
  auto& v = it->second;
  v.emplace_back(time, rate);
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

Status SeriesFundingModel::Add(const market::FundingSeries& series) {
  if (series.kind() != market::FundingSeries::Kind::kEvents) {
    return InvalidArgument("funding model: " + series.symbol() + " is a daily-mean series, not funding events");
  }
  if (series.symbol().empty()) return InvalidArgument("funding model: series without a symbol");
  auto& v = events_[series.symbol()];
  for (std::size_t i = 0; i < series.size(); ++i) v.emplace_back(series[i].funding_time, series[i].rate);
  std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return Status::Ok();
}

Status SeriesFundingModel::LoadCsv(const std::string& path) {
  auto series = market::LoadFundingCsv(path);
  if (!series.ok()) return series.status();
  return Add(*series);
}

Ratio SeriesFundingModel::Rate(const FundingParams& p) const {
  auto it = events_.find(p.symbol);
  if (it == events_.end()) return default_rate_;
  const auto& v = it->second;
  auto lb = std::lower_bound(v.begin(), v.end(), p.funding_time - tolerance_,
                             [](const auto& e, UnixMs t) { return e.first < t; });
  if (lb != v.end() && lb->first <= p.funding_time + tolerance_) return lb->second;
  return default_rate_;
}

}  // namespace aitrader::exchange::paper
