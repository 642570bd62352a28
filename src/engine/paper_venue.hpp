// The paper venue of a run, set up one way for every driver (backtest, arena, paper runtime),
// so a setting cannot reach one driver and miss the other:
//  - MakePaperSimulator: the simulator over the run's symbols with the run's slippage model
//    (slippage_bps, plus seeded jitter when slippage_jitter_bps > 0) and the funding series
//    the prompt reads (engine/market_data.hpp: the first funding-event series of each symbol);
//    a funding time no event covers (±1 minute) is charged the default rate, Binance's base
//    0.01% per 8 hours — documented in docs/backtesting.md. FundingRates::kDefaultRate leaves
//    the series out (every settlement at the default rate): the live feed's runtimes, whose
//    series grows while they run and would be known in full only on a restart's rebuild.
//  - PaperAccountFor: a bot's paper account (deposit, the run's fees, the bot's leverage cap,
//    default leverage 1). The runtime stores the cap and default with the account and
//    rebuilds the account from the stored values after a restart.
// Thread safety: pure construction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "engine/config.hpp"
#include "engine/market_data.hpp"
#include "exchange/paper/models.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::engine {

// The default leverage of a new paper account: 1x until the executor sets the entry's.
inline constexpr int kPaperDefaultLeverage = 1;

// The funding model of a run: every symbol's funding-event series from `market`.
// Errors: a series the model refuses (names the symbol).
Result<std::unique_ptr<exchange::paper::SeriesFundingModel>> MakeFundingModel(const MarketData& market);

// The slippage model of a run (fixed bps, or fixed + seeded jitter).
std::unique_ptr<exchange::paper::SlippageModel> MakeSlippageModel(const RunConfig& run);

enum class FundingRates { kFromMarketData, kDefaultRate };
Result<std::unique_ptr<exchange::paper::PaperSimulator>> MakePaperSimulator(
    const Clock& clock, const InstrumentTable& instruments, const RunConfig& run, const MarketData& market,
    const std::vector<std::string>& symbols, exchange::paper::MarketFillMode market_fill, std::uint64_t seed,
    FundingRates funding = FundingRates::kFromMarketData);

exchange::paper::AccountConfig PaperAccountFor(const BotConfig& bot, const RunConfig& run, Money deposit);

}  // namespace aitrader::engine
