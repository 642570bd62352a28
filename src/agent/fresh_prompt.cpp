#include "agent/fresh_prompt.hpp"

#include "market/data_dir.hpp"

namespace aitrader::agent {

Result<BuiltPrompt> BuildFreshPrompt(const FreshPromptOptions& options, const InstrumentTable& instruments) {
  if (options.coins.empty()) return InvalidArgument("no coins");
  market::DataDir dir(options.data_dir);
  std::vector<MarketSnapshot> snapshots;
  snapshots.reserve(options.coins.size());
  for (const std::string& coin : options.coins) {
    const Instrument* inst = instruments.Find(coin);
    if (inst == nullptr) return InvalidArgument("unknown coin " + coin + " (not in the instrument table)");
    AITRADER_ASSIGN_OR_RETURN(market::CandleSeries intraday, dir.LoadCandles(inst->symbol, options.interval));
    AITRADER_ASSIGN_OR_RETURN(market::CandleSeries h4, dir.LoadCandles(inst->symbol, 4 * kHourMs));
    AITRADER_ASSIGN_OR_RETURN(std::vector<market::FundingSeries> funding, dir.LoadFunding(inst->symbol));
    const market::FundingSeries* events = nullptr;
    for (const auto& f : funding) {
      if (f.kind() == market::FundingSeries::Kind::kEvents) {
        events = &f;
        break;
      }
    }
    AITRADER_ASSIGN_OR_RETURN(MarketSnapshot s,
                              BuildSnapshot(inst->base, inst->PriceDecimals(), intraday, h4, options.at, events));
    // Stale data would be shown as the current market: refuse past the end of the files.
    if (options.at - s.last_close_time >= 2 * options.interval) {
      return NotFound(coin + ": the newest " + FormatInterval(options.interval) + " candle closed at " +
                      FormatUtc(s.last_close_time) + ", long before " + FormatUtc(options.at) +
                      " (the data ends there?)");
    }
    snapshots.push_back(std::move(s));
  }
  auto tmpl = options.prompt_dir.empty() ? SystemPromptTemplate::LoadDefault(options.prompt_version)
                                         : SystemPromptTemplate::Load(options.prompt_dir, options.prompt_version);
  if (!tmpl.ok()) return tmpl.status();
  PromptConfig config = options.config;
  config.coins.clear();
  for (const MarketSnapshot& s : snapshots) config.coins.push_back(s.coin);
  config.interval = options.interval;
  AITRADER_ASSIGN_OR_RETURN(PromptBuilder builder, PromptBuilder::Create(config, *tmpl));
  PromptState state;
  state.started_at = options.at;
  state.now = options.at;
  state.invocation_count = 1;
  state.coins = snapshots;
  state.account.initial_value = options.capital;
  state.account.available_cash = options.capital;
  state.account.account_value = options.capital;
  return builder.Build(state);
}

}  // namespace aitrader::agent
