// Pluggable models of the paper exchange: slippage, fees and funding. Each is a small
// interface taking one parameter struct (house style: Lean's IFillModel.Fill(parameters)).
// They are called once per fill or per funding event, never per candle per account.
//
// Checkpoints: every model derives from CheckpointableModel, whose SaveState/RestoreState let
// PaperSimulator::SaveCheckpoint/LoadCheckpoint carry a model's mutable state (a random
// generator, a running estimate) across a restart. The models here have none — their only
// randomness is the simulator's per-fill draw, a pure function of the seed and the account's
// own counters, which the checkpoint stores — so they save an empty state. Parameters (bps,
// rates, a funding history) are configuration, not state: a restored simulator must be
// created with the same models.
//
// Thread safety: the implementations here are immutable after construction and may be shared
// between simulators used from different threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "exchange/types.hpp"
#include "market/funding.hpp"

namespace aitrader::exchange::paper {

// ---------------------------------------------------------------------------------------------
// The checkpoint hook every model has (see the header comment).
class CheckpointableModel {
 public:
  virtual ~CheckpointableModel() = default;
  // The model's mutable state as opaque bytes (empty: none).
  virtual std::string SaveState() const { return {}; }
  // Restores what SaveState gave, from untrusted bytes: kInvalidArgument when they are not a
  // state of this model, and then the model is unchanged. The default accepts only empty.
  virtual Status RestoreState(std::string_view state);
};

// ---------------------------------------------------------------------------------------------
// Slippage: how far from the reference price a taker fill executes.
struct SlippageParams {
  Side side = Side::kBuy;
  Price reference;          // the market order's next open, or a stop's trigger price
  Quantity quantity;        // absolute
  Price candle_open, candle_high, candle_low;
  double candle_volume = 0;  // base units
  Price tick_size;
  double uniform = 0;       // a deterministic draw in [0, 1) from the simulator's seed
};

class SlippageModel : public CheckpointableModel {
 public:
  // The adverse fraction of the reference price (0.0002 = 2 bps); >= 0.
  virtual Ratio SlippageFraction(const SlippageParams& p) const = 0;
};

// A fixed number of basis points (the default: 2 bps).
class FixedBpsSlippage final : public SlippageModel {
 public:
  explicit FixedBpsSlippage(double bps = 2.0);
  Ratio SlippageFraction(const SlippageParams& p) const override;

 private:
  Ratio fraction_;
};

// Volume- and volatility-aware: bps = base + range_share × (high − low) / open × 1e4
//                                    + participation_bps × (quantity / candle volume) × 100
//                                    + jitter × uniform, capped at max_bps.
struct VolumeVolatilitySlippageParams {
  double base_bps = 1.0;
  double range_share = 0.05;        // share of the candle's relative range paid
  double participation_bps = 10.0;  // bps per 1% of the candle's volume taken
  double jitter_bps = 0.0;          // random component (seeded, deterministic)
  double max_bps = 100.0;
};

class VolumeVolatilitySlippage final : public SlippageModel {
 public:
  explicit VolumeVolatilitySlippage(VolumeVolatilitySlippageParams p) : p_(p) {}
  Ratio SlippageFraction(const SlippageParams& p) const override;

 private:
  VolumeVolatilitySlippageParams p_;
};

// The slipped price: reference × (1 ± fraction), rounded to tick away from the trader
// (buy: up, sell: down).
Price ApplySlippage(Side side, Price reference, Ratio fraction, Price tick);

// ---------------------------------------------------------------------------------------------
// Fees: commission on a fill.
struct FeeSchedule {
  Ratio maker = Ratio::FromRaw(200'000);  // 0.02% (Binance USDⓈ-M default, VIP 0)
  Ratio taker = Ratio::FromRaw(500'000);  // 0.05%
};

struct FeeParams {
  FeeSchedule schedule;       // the account's rates
  Liquidity liquidity = Liquidity::kTaker;
  Price price;
  Quantity quantity;          // absolute
};

class FeeModel : public CheckpointableModel {
 public:
  // The commission (>= 0), already quantized to the ledger's 1e-8 USDT.
  virtual Money Fee(const FeeParams& p) const = 0;
};

// price × quantity × rate, rounded half-even to 1e-8 USDT (Binance keeps 8 decimals for USDT).
class RateFeeModel final : public FeeModel {
 public:
  Money Fee(const FeeParams& p) const override;
};

// ---------------------------------------------------------------------------------------------
// Funding: the rate applied to a position at a funding time.
struct FundingParams {
  std::string_view symbol;
  UnixMs funding_time = 0;  // a multiple of the funding interval (00:00, 08:00, 16:00 UTC)
};

class FundingModel : public CheckpointableModel {
 public:
  // The rate (> 0: longs pay shorts).
  virtual Ratio Rate(const FundingParams& p) const = 0;
};

// Rates from a funding history where one covers the time (an event within ±tolerance of the
// funding time), otherwise a default rate (Binance's base 0.01% per 8 hours).
class SeriesFundingModel final : public FundingModel {
 public:
  explicit SeriesFundingModel(Ratio default_rate = Ratio::FromRaw(100'000), UnixMs tolerance = kMinuteMs)
      : default_rate_(default_rate), tolerance_(tolerance) {}
  // Adds events (time, rate) for a symbol; times need not be sorted.
  void Add(std::string_view symbol, UnixMs time, Ratio rate);
  // Adds every event of a funding-event series (market::LoadFundingCsv of e.g.
  // data/binance-usdm/funding/BTCUSDT_8h_2026.csv.gz) at its funding time. A daily-mean
  // series is not a list of settlements: kInvalidArgument.
  Status Add(const market::FundingSeries& series);
  // LoadFundingCsv(path) then Add(); errors are the loader's (file and line).
  Status LoadCsv(const std::string& path);
  Ratio Rate(const FundingParams& p) const override;
  Ratio default_rate() const { return default_rate_; }

 private:
  Ratio default_rate_;
  UnixMs tolerance_;
  std::map<std::string, std::vector<std::pair<UnixMs, Ratio>>, std::less<>> events_;
};

}  // namespace aitrader::exchange::paper
