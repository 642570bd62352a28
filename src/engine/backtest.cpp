#include "engine/backtest.hpp"

#include "engine/bar_driver.hpp"
#include "engine/bot_factory.hpp"
#include "engine/paper_venue.hpp"

#include <chrono>

#include "agent/baseline.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "llm/factory.hpp"

namespace aitrader::engine {
namespace {

struct BotSlot {
  std::unique_ptr<exchange::paper::PaperExchange> venue;
  exchange::paper::AccountIndex account = 0;
  std::unique_ptr<Bot> bot;
  const BotConfig* config = nullptr;
  exchange::paper::PaperSimulator* sim = nullptr;
  int run = 0;
  std::uint64_t seed = 0;
};

class CycleForwarder final : public BotObserver {
 public:
  explicit CycleForwarder(const std::function<void(const Bot&, const CycleRecord&)>& fn) : fn_(fn) {}
  void OnCycle(const Bot& b, const CycleRecord& r) override { fn_(b, r); }

 private:
  const std::function<void(const Bot&, const CycleRecord&)>& fn_;
};

}  // namespace

Result<RunReport> RunBacktest(const BacktestOptions& options) {
  const RunConfig& cfg = options.config;
  if (cfg.bots.empty()) return InvalidArgument("no bots to run");
  const UnixMs interval = cfg.bots.front().interval;
  std::vector<std::string> symbols;
  for (const auto& b : cfg.bots) {
    if (b.interval != interval) {
      return InvalidArgument("bot '" + b.name + "' uses interval " + FormatInterval(b.interval) +
                             " but the run uses " + FormatInterval(interval) + ": one interval per run");
    }
    for (const auto& s : b.symbols) {
      if (std::find(symbols.begin(), symbols.end(), s) == symbols.end()) symbols.push_back(s);
    }
  }
  auto instruments_r = InstrumentTable::LoadDefault();
  if (!instruments_r.ok()) return instruments_r.status();
  const InstrumentTable instruments = std::move(*instruments_r);
  const std::string data_dir = cfg.data_dir.empty() ? DataDir() + "/binance-usdm" : cfg.data_dir;
  std::shared_ptr<const MarketData> market = options.market;
  if (market == nullptr) {
    auto market_r = MarketData::Load(data_dir, symbols, interval, instruments);
    if (!market_r.ok()) return market_r.status();
    market = *market_r;
  } else {
    if (market->interval() != interval) return InvalidArgument("the preloaded market data has another interval");
    for (const auto& s : symbols) {
      if (market->Find(s) == nullptr) return InvalidArgument("the preloaded market data has no " + s);
    }
  }

  auto span = market->DataSpan();
  if (!span.ok()) return span.status();
  const UnixMs data_from = span->from, data_to = span->to;
  RunReport report;
  report.from = cfg.from.value_or(data_from + 10 * kDayMs);
  report.to = cfg.to.value_or(data_to);
  report.interval = interval;
  report.symbols = symbols;
  if (report.from < data_from || report.to > data_to) {
    return InvalidArgument("the period " + FormatUtc(report.from) + " → " + FormatUtc(report.to) +
                           " is outside the data (" + FormatUtc(data_from) + " → " + FormatUtc(data_to) + ")");
  }
  std::vector<MergedBar> bars = market->Bars(report.from, report.to, symbols);
  if (bars.size() < 2) return InvalidArgument("the period holds fewer than two bars");

  SimulatedClock clock(report.from);
  // One simulator per run: run k replays the same feed with seed + k (the slippage draws), so
  // the runs of an arena are independent replicas of the whole field.
  std::vector<std::unique_ptr<exchange::paper::PaperSimulator>> sims;
  for (int run = 0; run < cfg.runs; ++run) {
    auto sim_r = MakePaperSimulator(clock, instruments, cfg, *market, symbols, exchange::paper::MarketFillMode::kNextOpen,
                                    cfg.seed + static_cast<std::uint64_t>(run));
    if (!sim_r.ok()) return sim_r.status();
    sims.push_back(std::move(*sim_r));
  }

  std::vector<BotSlot> slots;
  std::unique_ptr<CycleForwarder> forwarder;
  if (options.on_cycle) forwarder = std::make_unique<CycleForwarder>(options.on_cycle);
  std::int64_t next_id = 1;
  for (int run = 0; run < cfg.runs; ++run) {
    auto& sim = *sims[static_cast<std::size_t>(run)];
    for (const auto& b : cfg.bots) {
      BotSlot slot;
      slot.sim = &sim;
      slot.config = &b;
      slot.run = run;
      slot.seed = cfg.seed + static_cast<std::uint64_t>(run);
      const exchange::paper::AccountConfig ac = PaperAccountFor(b, cfg, b.capital);
      auto account = sim.AddAccount(ac);
      if (!account.ok()) return account.status().WithContext("bot " + b.name);
      slot.account = *account;
      slot.venue = std::make_unique<exchange::paper::PaperExchange>(sim, *account);
      auto parts = MakeBotParts(b, cfg, instruments, options.on_cycle != nullptr, options.make_client, options.wall_clock);
      if (!parts.ok()) return parts.status();
      BotOptions bo = std::move(parts->options);
      bo.keep_prompts = options.keep_prompts;
      std::unique_ptr<DecisionSource> source = std::move(parts->source);
      auto risk = std::move(parts->risk);
      slot.bot = std::make_unique<Bot>(next_id++, b, *slot.venue, market, instruments, std::move(source),
                                       std::move(*risk), clock, std::move(bo));
      if (forwarder) slot.bot->AddObserver(forwarder.get());
      slot.bot->Start(report.from);
      slots.push_back(std::move(slot));
    }
  }

  const auto wall_start = std::chrono::steady_clock::now();
  // The replay flat out on the simulated clock: no wait, no work between bars.
  ReplayBarFeed feed(std::move(bars));
  const std::size_t bar_count = feed.bars().size();
  const std::size_t progress_every = std::max<std::size_t>(1, bar_count / 200);
  BarDriverOptions driver;
  driver.interval = interval;
  BarDriverHooks hooks;
  hooks.stop = options.cancelled;
  hooks.process = [&](std::size_t i, const MergedBar& bar, bool) -> Status {
    const UnixMs close_time = bar.open_time + interval;
    clock.SetMs(close_time);
    for (auto& sim : sims) {
      Status s = sim->OnBars(bar.bars);
      if (!s.ok()) return s.WithContext("bar " + FormatUtc(bar.open_time));
    }
    report.candles_processed += static_cast<std::int64_t>(bar.bars.size());
    const bool last = i + 1 == bar_count;
    for (auto& slot : slots) {
      slot.bot->OnBarClosed(close_time);
      if (i + 2 == bar_count) {
        slot.bot->Pause();
        slot.bot->CloseAll(close_time, ExitReason::kEndOfTest);
      }
      if (last) slot.bot->ProcessVenueEvents(close_time);
    }
    if (options.progress && (i % progress_every == 0 || last)) {
      options.progress(static_cast<double>(i + 1) / static_cast<double>(bar_count));
    }
    return Status::Ok();
  };
  auto end = DriveBars(feed, 0, driver, hooks);
  if (!end.ok()) return end.status();
  if (*end == DriveEnd::kStopped) return Status{StatusCode::kCancelled, "the backtest was cancelled"};
  if (options.timing) {
    report.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  }

  for (auto& slot : slots) {
    const Bot& bot = *slot.bot;
    BotReport br;
    br.name = slot.config->name;
    br.label = slot.config->label;
    br.provider = bot.source().provider();
    br.model = bot.source().model();
    br.prompt_version = bot.source().needs_prompt()
                            ? (slot.config->prompt_version.empty() ? std::string(agent::kDefaultPromptVersion)
                                                                   : slot.config->prompt_version)
                            : "baseline";
    br.run = slot.run;
    br.seed = slot.seed;
    br.stats = bot.stats();
    br.trades = bot.closed_trades();
    br.equity_curve = bot.equity_curve();
    br.training_cutoff = slot.config->training_cutoff;
    if (br.training_cutoff && report.from < *br.training_cutoff) {
      br.warnings.push_back("the period starts before the model's training cut-off " + FormatUtc(*br.training_cutoff) +
                            ": the model may know what happened next");
    }
    for (const auto& sym : slot.config->symbols) {
      if (const SymbolData* d = market->Find(sym)) {
        br.candles_processed += static_cast<std::int64_t>(d->intraday.LowerBound(report.to) - d->intraday.LowerBound(report.from));
      }
    }
    Status check = slot.sim->SelfCheck(slot.account);
    br.ledger_check = check.ok() ? "ok" : check.message();
    br.metrics = ComputeMetrics(slot.config->capital, br.equity_curve, br.trades, interval);
    report.cycles += br.stats.cycles;
    report.bots.push_back(std::move(br));
  }
  return report;
}

}  // namespace aitrader::engine
