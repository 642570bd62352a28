#include "engine/paper_venue.hpp"

namespace aitrader::engine {

Result<std::unique_ptr<exchange::paper::SeriesFundingModel>> MakeFundingModel(const MarketData& market) {
  auto model = std::make_unique<exchange::paper::SeriesFundingModel>();
  for (const auto& d : market.symbols()) {
    const market::FundingSeries* events = d.FundingEvents();
    if (events == nullptr || events->size() == 0) continue;
    if (events->symbol() == d.symbol) {
      if (Status s = model->Add(*events); !s.ok()) return s.WithContext(d.symbol + " funding");
      continue;
    }
    for (std::size_t i = 0; i < events->size(); ++i) model->Add(d.symbol, (*events)[i].funding_time, (*events)[i].rate);
  }
  return model;
}

std::unique_ptr<exchange::paper::SlippageModel> MakeSlippageModel(const RunConfig& run) {
  if (run.slippage_jitter_bps <= 0) return std::make_unique<exchange::paper::FixedBpsSlippage>(run.slippage_bps);
  exchange::paper::VolumeVolatilitySlippageParams sp;
  sp.base_bps = run.slippage_bps;
  sp.range_share = 0;
  sp.participation_bps = 0;
  sp.jitter_bps = run.slippage_jitter_bps;
  sp.max_bps = run.slippage_bps + run.slippage_jitter_bps;
  return std::make_unique<exchange::paper::VolumeVolatilitySlippage>(sp);
}

Result<std::unique_ptr<exchange::paper::PaperSimulator>> MakePaperSimulator(
    const Clock& clock, const InstrumentTable& instruments, const RunConfig& run, const MarketData& market,
    const std::vector<std::string>& symbols, exchange::paper::MarketFillMode market_fill, std::uint64_t seed,
    FundingRates rates) {
  exchange::paper::SimulatorConfig sc;
  sc.symbols = symbols;
  sc.bar_interval = market.interval();
  sc.market_fill = market_fill;
  sc.keep_history = false;
  sc.seed = seed;
  auto funding = rates == FundingRates::kFromMarketData
                     ? MakeFundingModel(market)
                     : Result<std::unique_ptr<exchange::paper::SeriesFundingModel>>(
                           std::make_unique<exchange::paper::SeriesFundingModel>());
  if (!funding.ok()) return funding.status();
  return exchange::paper::PaperSimulator::Create(clock, instruments, sc, MakeSlippageModel(run), nullptr,
                                                 std::move(*funding));
}

exchange::paper::AccountConfig PaperAccountFor(const BotConfig& bot, const RunConfig& run, Money deposit) {
  exchange::paper::AccountConfig ac;
  ac.deposit = deposit;
  ac.fees.maker = run.maker_fee;
  ac.fees.taker = run.taker_fee;
  ac.max_leverage = bot.risk.max_leverage;
  ac.default_leverage = kPaperDefaultLeverage;
  return ac;
}

}  // namespace aitrader::engine
