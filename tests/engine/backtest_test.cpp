// Backtest runner end to end on the bundled candles: byte-identical re-runs, no look-ahead (a
// planted future spike changes nothing before it), the ledger self-check, end-of-test exits,
// record → replay of the LLM path, training cut-off warnings, and arenas with several runs.
// Periods are short (days) so the whole suite takes a few seconds.
#include "engine/backtest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "agent/baseline.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"
#include "engine/leaderboard.hpp"
#include "llm/replay.hpp"

namespace aitrader::engine {
namespace {

namespace fs = std::filesystem;

BotConfig BaselineBot(const std::string& name, std::vector<std::string> symbols) {
  BotConfig b;
  b.name = b.label = name;
  b.symbols = std::move(symbols);
  return b;
}

BotConfig LlmBot(const std::string& name, std::vector<std::string> symbols) {
  BotConfig b = BaselineBot(name, std::move(symbols));
  b.model = ModelKind::kLlm;
  llm::ProviderConfig pc;
  pc.provider = "openai-compatible";
  pc.model = "baseline-over-prompt";
  pc.base_url = "http://127.0.0.1:9";  // never called: the tests inject the client
  b.llm = pc;
  return b;
}

// agent::BaselineClient: an "LLM" that reads the rendered prompt back and answers with the
// baseline policy — the whole LLM path (prompt, answer, parse, validate) without a network.
Result<std::unique_ptr<llm::Client>> BaselineClientFor(const BotConfig& b) {
  agent::BaselineConfig bc;
  bc.max_leverage = b.risk.max_leverage;
  auto instruments = InstrumentTable::LoadDefault();
  if (!instruments.ok()) return instruments.status();
  return std::unique_ptr<llm::Client>(std::make_unique<agent::BaselineClient>(bc, *instruments));
}

RunConfig Config(const char* from, const char* to, std::vector<BotConfig> bots) {
  RunConfig c;
  c.from = *ParseUtc(from);
  c.to = *ParseUtc(to);
  c.bots = std::move(bots);
  return c;
}

Result<RunReport> RunQuiet(const RunConfig& cfg, std::function<void(const Bot&, const CycleRecord&)> on_cycle = {}) {
  BacktestOptions o;
  o.config = cfg;
  o.timing = false;
  o.on_cycle = std::move(on_cycle);
  o.make_client = BaselineClientFor;
  return RunBacktest(o);
}

void ExpectLedgersOk(const RunReport& r) {
  for (const auto& b : r.bots) EXPECT_EQ(b.ledger_check, "ok") << b.name << " run " << b.run;
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("aitrader_bt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// Copies the bundled 5m candles of `symbol` up to `until` into dir/5m/<symbol>.csv (plain
// text; no 4h file, so the 4h series is resampled from these candles on both sides of the
// comparison). With spike_at set, that candle's high and close are multiplied by 5.
void CopyCandles(const std::string& dir, const std::string& symbol, UnixMs until, std::optional<UnixMs> spike_at) {
  auto text = ReadFile(DataDir() + "/binance-usdm/5m/" + symbol + ".csv.gz");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  fs::create_directories(dir + "/5m");
  std::ofstream out(dir + "/5m/" + symbol + ".csv");
  bool header = true;
  for (auto line : Split(*text, '\n')) {
    if (line.empty()) continue;
    if (header) {
      out << line << '\n';
      header = false;
      continue;
    }
    auto f = Split(line, ',');
    ASSERT_EQ(f.size(), 6u);
    const UnixMs t = std::stoll(std::string(f[0]));
    if (t >= until) break;
    if (spike_at && t == *spike_at) {
      const double close = std::stod(std::string(f[4])) * 5;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s,%s,%.1f,%s,%.1f,%s", std::string(f[0]).c_str(), std::string(f[1]).c_str(),
                    close, std::string(f[3]).c_str(), close, std::string(f[5]).c_str());
      out << buf << '\n';
    } else {
      out << line << '\n';
    }
  }
}

// What a cycle decided and did, as comparable text.
std::string Describe(const CycleRecord& r) {
  std::string s = FormatUtc(r.time) + " #" + std::to_string(r.cycle) + " " + r.status + " prompt=" + r.prompt_hash +
                  " equity=" + r.equity.ToString() + " decisions=" + agent::DecisionsToJson(r.outcome.decisions);
  for (const auto& v : r.verdicts) s += " " + v.coin + ":" + v.signal + "/" + v.action;
  for (const auto& o : r.orders) s += " order " + o.client_id.value() + " " + o.quantity.ToString();
  return s;
}

TEST(Backtest, SameInputsGiveByteIdenticalReports) {
  RunConfig cfg = Config("2025-10-17", "2025-10-19",
                         {BaselineBot("a", {"BTCUSDT", "ETHUSDT", "SOLUSDT"}), LlmBot("b", {"BTCUSDT", "ETHUSDT"})});
  auto r1 = RunQuiet(cfg);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  auto r2 = RunQuiet(cfg);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(ReportToJson(*r1, 0), ReportToJson(*r2, 0));
  EXPECT_EQ(r1->candles_processed, 2 * 288 * 3);
  EXPECT_EQ(r1->bots[0].candles_processed, 2 * 288 * 3);
  EXPECT_EQ(r1->bots[1].candles_processed, 2 * 288 * 2);
  EXPECT_EQ(r1->bots[0].stats.cycles, 2 * 288 - 1);  // every 5m close but the last (paused to close out)
  EXPECT_GT(r1->bots[0].stats.cycles, 0);
  ExpectLedgersOk(*r1);
  // The fast path and the LLM path over the rendered prompt agree on most things but not
  // necessarily all (the prompt prints rounded values); both must have traded and logged.
  EXPECT_EQ(r1->bots[1].stats.llm_calls, r1->bots[1].stats.cycles);
  EXPECT_EQ(r1->bots[1].stats.parse_failures, 0);
}

TEST(Backtest, APlantedFutureSpikeChangesNothingBeforeIt) {
  const UnixMs until = *ParseUtc("2025-09-16");
  const UnixMs spike = *ParseUtc("2025-09-13T12:00:00Z");  // open time of the spiked candle
  TempDir orig, spiked;
  for (const char* s : {"BTCUSDT", "ETHUSDT"}) {
    CopyCandles(orig.str(), s, until, std::nullopt);
    CopyCandles(spiked.str(), s, until, std::string(s) == "BTCUSDT" ? std::optional<UnixMs>(spike) : std::nullopt);
  }
  RunConfig cfg = Config("2025-09-12", "2025-09-15",
                         {BaselineBot("fast", {"BTCUSDT", "ETHUSDT"}), LlmBot("prompted", {"BTCUSDT", "ETHUSDT"})});
  auto capture = [&](const std::string& dir, std::map<std::string, std::vector<CycleRecord>>& out) {
    RunConfig c = cfg;
    c.data_dir = dir;
    auto r = RunQuiet(c, [&](const Bot& b, const CycleRecord& rec) { out[b.config().name].push_back(rec); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectLedgersOk(*r);
  };
  std::map<std::string, std::vector<CycleRecord>> a, b;
  capture(orig.str(), a);
  capture(spiked.str(), b);
  for (const char* name : {"fast", "prompted"}) {
    const auto& ra = a[name];
    const auto& rb = b[name];
    ASSERT_EQ(ra.size(), rb.size()) << name;
    ASSERT_GT(ra.size(), 100u);
    std::size_t before = 0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
      // The spiked candle closes at spike + 5m: every decision up to and including `spike`
      // must be identical, prompt included.
      if (ra[i].time > spike) break;
      EXPECT_EQ(Describe(ra[i]), Describe(rb[i])) << name << " cycle " << i;
      ++before;
    }
    EXPECT_GT(before, 400u) << name;
  }
  // And the spike is seen as soon as it has closed: the next prompt differs.
  const auto& pa = a["prompted"];
  const auto& pb = b["prompted"];
  bool seen = false;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    if (pa[i].time == spike + 5 * kMinuteMs) seen = pa[i].prompt_hash != pb[i].prompt_hash;
  }
  EXPECT_TRUE(seen);
}

TEST(Backtest, OpenPositionsCloseAtTheEndAsEndOfTest) {
  // Several windows: at least one ends with an open position; all end flat and reconciled.
  int end_of_test = 0;
  for (const char* to : {"2025-10-18T06:00:00Z", "2025-10-18T12:00:00Z", "2025-10-19", "2025-10-20"}) {
    auto r = RunQuiet(Config("2025-10-17", to, {BaselineBot("a", {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectLedgersOk(*r);
    for (const auto& t : r->bots[0].trades) {
      EXPECT_LE(t.exit_time, r->to);
      EXPECT_GE(t.exit_time, t.entry_time);
      if (t.exit_reason == ExitReason::kEndOfTest) {
        ++end_of_test;
        EXPECT_GE(t.exit_time, r->to - 5 * kMinuteMs);  // filled on the last bar
      }
    }
    // Flat at the end: the last equity point is all cash, equal to initial + net PnL.
    const auto& m = r->bots[0].metrics;
    EXPECT_EQ(m.final_equity, m.initial_equity + m.net_pnl) << to;
  }
  EXPECT_GT(end_of_test, 0);
}

TEST(Backtest, RecordedLlmRunReplaysToTheSameReport) {
  TempDir dir;
  const std::string file = dir.str() + "/answers.jsonl";
  RunConfig cfg = Config("2025-10-20", "2025-10-21", {LlmBot("llm", {"BTCUSDT", "SOLUSDT"})});
  cfg.bots[0].cadence = 15 * kMinuteMs;
  BacktestOptions rec;
  rec.config = cfg;
  rec.timing = false;
  rec.make_client = [&](const BotConfig& b) -> Result<std::unique_ptr<llm::Client>> {
    auto inner = BaselineClientFor(b);
    if (!inner.ok()) return inner.status();
    auto c = llm::RecordingClient::Open(std::move(*inner), file);
    if (!c.ok()) return c.status();
    return std::unique_ptr<llm::Client>(std::move(*c));
  };
  auto recorded = RunBacktest(rec);
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();

  RunConfig replay_cfg = cfg;
  replay_cfg.bots[0].llm->provider = "replay";
  replay_cfg.bots[0].llm->replay_file = file;
  BacktestOptions rep;
  rep.config = replay_cfg;
  rep.timing = false;  // no make_client: the real factory builds the ReplayClient
  auto replayed = RunBacktest(rep);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->bots[0].provider, "replay");
  replayed->bots[0].provider = recorded->bots[0].provider;
  EXPECT_EQ(ReportToJson(*recorded, 0), ReportToJson(*replayed, 0));
  EXPECT_EQ(replayed->bots[0].stats.parse_failures, 0);
  EXPECT_GT(replayed->bots[0].stats.llm_calls, 90);
}

TEST(Backtest, WarnsWhenThePeriodPrecedesTheTrainingCutOff) {
  BotConfig knows = LlmBot("knows", {"BTCUSDT"});
  knows.training_cutoff = *ParseUtc("2025-12-31");
  BotConfig blind = LlmBot("blind", {"BTCUSDT"});
  blind.training_cutoff = *ParseUtc("2025-07-31");
  blind.cadence = knows.cadence = kHourMs;
  auto r = RunQuiet(Config("2025-10-17", "2025-10-18", {knows, blind}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->bots.size(), 2u);
  ASSERT_EQ(r->bots[0].warnings.size(), 1u);
  EXPECT_NE(r->bots[0].warnings[0].find("training cut-off 2025-12-31"), std::string::npos);
  EXPECT_TRUE(r->bots[1].warnings.empty());
  const std::string json = ReportToJson(*r);
  EXPECT_NE(json.find("\"training_cutoff\":\"2025-12-31T00:00:00Z\""), std::string::npos);
  EXPECT_NE(ReportSummary(*r).find("warning: the period starts before the model's training cut-off"),
            std::string::npos);
}

TEST(Backtest, ArenaWithSeveralBotsAndRuns) {
  RunConfig cfg = Config("2025-10-17", "2025-10-20",
                         {BaselineBot("ten", {"BTCUSDT", "ETHUSDT", "SOLUSDT"}),
                          BaselineBot("three", {"BTCUSDT", "ETHUSDT", "SOLUSDT"})});
  cfg.bots[1].risk.max_leverage = 3;
  cfg.runs = 3;
  cfg.slippage_jitter_bps = 5;
  auto r = RunQuiet(cfg);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->bots.size(), 6u);
  ExpectLedgersOk(*r);
  for (std::size_t i = 0; i < r->bots.size(); ++i) {
    EXPECT_EQ(r->bots[i].run, static_cast<int>(i / 2));
    EXPECT_EQ(r->bots[i].seed, 1u + i / 2);
  }
  // Every run trades on the same decisions' data, but the seeded slippage differs per run.
  ASSERT_GT(r->bots[0].metrics.trades, 0);
  EXPECT_NE(r->bots[0].metrics.fees_paid, r->bots[2].metrics.fees_paid);
  auto rows = ComputeLeaderboard(*r);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.runs, 3);
    EXPECT_EQ(row.total_return_pct.n, 3);
    EXPECT_LE(row.total_return_pct.min, row.total_return_pct.mean);
    EXPECT_LE(row.total_return_pct.mean, row.total_return_pct.max);
    EXPECT_LT(row.fees_paid.min, row.fees_paid.max);
  }
  // And the whole arena is still deterministic.
  auto again = RunQuiet(cfg);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReportToJson(*r, 0), ReportToJson(*again, 0));
}

TEST(Backtest, RejectsBadPeriodsAndMixedIntervals) {
  auto outside = RunQuiet(Config("2020-01-01", "2020-01-03", {BaselineBot("a", {"BTCUSDT"})}));
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("outside the data"), std::string::npos);
  BotConfig slow = BaselineBot("b", {"BTCUSDT"});
  slow.interval = slow.cadence = kHourMs;
  auto mixed = RunQuiet(Config("2025-10-17", "2025-10-18", {BaselineBot("a", {"BTCUSDT"}), slow}));
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("one interval per run"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::engine

namespace aitrader::engine {
namespace {

// Issue 9 item 8: the ledger charges the funding series the prompt shows. A funding file with
// an unmistakable rate (1% per settlement) covers the first day of a four-day backtest;
// every trade held over a settlement in those days pays ~1% of its notional per settlement,
// and trades held over a later settlement (no event in the series) pay the default 0.01%.
TEST(Backtest, FundingChargesTheSeriesRateAndTheDefaultWhereItHasNoData) {
  const UnixMs from = *ParseUtc("2025-09-12"), to = *ParseUtc("2025-09-16");
  const UnixMs covered_until = *ParseUtc("2025-09-13");
  TempDir dir;
  for (const char* s : {"BTCUSDT", "ETHUSDT"}) CopyCandles(dir.str(), s, to, std::nullopt);
  fs::create_directories(dir.str() + "/funding");
  for (const char* s : {"BTCUSDT", "ETHUSDT"}) {
    std::ofstream f(dir.str() + "/funding/" + s + "_8h_test.csv");
    f << "timestamp,symbol,funding_rate\n";
    for (UnixMs t = from - 3 * kDayMs; t < covered_until; t += 8 * kHourMs) f << t + 3 << ',' << s << ",0.01\n";
  }
  RunConfig cfg = Config("2025-09-12", "2025-09-16", {BaselineBot("a", {"BTCUSDT", "ETHUSDT"})});
  cfg.data_dir = dir.str();
  cfg.bots[0].risk.max_leverage = 3;
  auto r = RunQuiet(cfg);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectLedgersOk(*r);
  int covered = 0, uncovered = 0;
  for (const auto& t : r->bots[0].trades) {
    int k_covered = 0, k_default = 0;
    for (UnixMs f = (t.entry_time / (8 * kHourMs) + 1) * 8 * kHourMs; f <= t.exit_time; f += 8 * kHourMs) {
      (f < covered_until ? k_covered : k_default)++;
    }
    if (k_covered + k_default == 0) continue;
    const double notional = Notional(t.entry_price, t.quantity).ToDouble();
    const double paid = -t.funding.ToDouble() * (t.side == Side::kBuy ? 1 : -1);  // > 0: the position paid
    const double expected = notional * (0.01 * k_covered + 0.0001 * k_default);
    EXPECT_NEAR(paid, expected, expected * 0.1) << t.coin << " " << FormatUtc(t.entry_time) << " → "
                                                << FormatUtc(t.exit_time) << " funding " << t.funding.ToString();
    (k_covered > 0 ? covered : uncovered)++;
  }
  EXPECT_GT(covered, 0) << "no trade held over a settlement the series covers";
  EXPECT_GT(uncovered, 0) << "no trade held over a settlement only the default covers";
}

}  // namespace
}  // namespace aitrader::engine
