// The paper runtime with LLM bots: cycles decided on the worker pool against the local vendor
// server (answering with the baseline policy through the real Anthropic and OpenAI wire
// formats) must trade exactly like the same bots deciding inline with the baseline — the text
// round trip (prompt → HTTP → answer → parse → validate) changes nothing. Also: operator
// commands through the database, and a run refused when the database holds another period.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "agent/baseline.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"
#include "engine/backtest.hpp"
#include "engine/runtime.hpp"
#include "llm/mock/mock_server.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {
namespace {

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("aitrader_runtime_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Url(const std::string& name) const { return "sqlite:" + (dir_ / (name + ".db")).string(); }

  static RunConfig Config(const std::string& url, const std::string& llm_base_url) {
    std::string bots;
    if (llm_base_url.empty()) {
      bots = R"([{"name": "a"}, {"name": "b", "symbols": ["BTC", "ETH"], "risk": {"max_leverage": 3}}])";
    } else {
      bots = R"([{"name": "a", "model": "llm", "llm": {"provider": "openai", "model": "gpt-5", "base_url": ")" +
             llm_base_url + R"(/v1", "api_key": "k", "requests_per_minute": 100000}},
        {"name": "b", "model": "llm", "symbols": ["BTC", "ETH"], "risk": {"max_leverage": 3},
         "llm": {"provider": "anthropic", "model": "claude-sonnet-4-5", "base_url": ")" +
             llm_base_url + R"(", "api_key": "k", "requests_per_minute": 100000}}])";
    }
    auto cfg = ParseRunConfig(R"({"database": ")" + url + R"(", "from": "2025-10-20", "to": "2025-10-23", "bots": )" +
                                  bots + "}",
                              "test");
    EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
    return *cfg;
  }

  static RuntimeSummary Run(RunConfig cfg) {
    RuntimeOptions o;
    o.config = std::move(cfg);
    o.decision_workers = 4;
    auto rt = PaperRuntime::Open(std::move(o));
    EXPECT_TRUE(rt.ok()) << rt.status().ToString();
    if (!rt.ok()) return {};
    auto s = (*rt)->Run();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : RuntimeSummary{};
  }

  static std::string Dump(const std::string& url, const char* sql) {
    auto db = store::OpenDatabase(url);
    std::string out;
    auto rows = (*db)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (const auto& r : *rows) {
      for (std::size_t i = 0; i < r.size(); ++i) out += r.Text(i) + "|";
      out += "\n";
    }
    return out;
  }

  std::filesystem::path dir_;
};

TEST_F(RuntimeTest, LlmBotsOnTheWorkerPoolTradeLikeTheInlineBaseline) {
  llm::mock::MockServer server({}, [](const llm::mock::MockRequest& r) {
    return agent::BaselineAnswerForPrompt(r.system, r.user);
  });
  ASSERT_TRUE(server.Start().ok());
  RuntimeSummary llm = Run(Config(Url("llm"), server.BaseUrl()));
  RuntimeSummary base = Run(Config(Url("base"), ""));
  server.Stop();
  EXPECT_EQ(llm.bars, base.bars);
  EXPECT_EQ(llm.cycles, base.cycles);
  EXPECT_EQ(llm.missed_cycles, 0);
  for (const char* sql : {
           "SELECT bot_id, symbol, side, quantity, price, fee, realized_pnl, at FROM trades "
           "ORDER BY bot_id, at, venue_trade_id",
           "SELECT bot_id, symbol, side, quantity, entry_price, opened_at, closed_at, exit_price, exit_reason, "
           "realized_pnl FROM positions ORDER BY bot_id, opened_at, symbol",
           "SELECT bot_id, at, equity FROM equity_snapshots ORDER BY bot_id, at",
       }) {
    std::string a = Dump(Url("llm"), sql), b = Dump(Url("base"), sql);
    EXPECT_FALSE(a.empty()) << sql;
    EXPECT_EQ(a, b) << sql;
  }
  // Every bar's candles are stored compactly, once.
  EXPECT_EQ(Dump(Url("llm"), "SELECT COUNT(*) FROM market_data_snapshots"), std::to_string(6 * llm.bars) + "|\n");
  // The LLM bots' usage and cost are on record.
  // One llm_usage row per call (here one call per cycle: the answers are never refused),
  // each stamped with the wall clock.
  auto calls = Dump(Url("llm"), "SELECT COUNT(*), SUM(input_tokens) > 0, SUM(cost_usd) > 0, COUNT(called_at) FROM llm_usage");
  EXPECT_EQ(calls, std::to_string(llm.cycles) + "|1|1|" + std::to_string(llm.cycles) + "|\n");
}

TEST_F(RuntimeTest, OperatorCommandsApplyAtTheNextBar) {
  // Queue commands before the run: bot a is paused, then everyone is stopped in an emergency.
  {
    RunConfig cfg = Config(Url("cmd"), "");
    cfg.to = *ParseUtc("2025-10-20T00:05");  // a single bar creates the bots
    Run(cfg);
  }
  auto db = store::OpenDatabase(Url("cmd"));
  ASSERT_TRUE(db.ok());
  store::Repository repo(**db);
  auto a = repo.ListBots();
  ASSERT_EQ(a->size(), 2u);
  ASSERT_TRUE(repo.AddBotCommand((*a)[0].id, "pause", "test", 0).ok());
  // Another user's emergency stop leaves these bots alone; their own user's stops them all.
  auto stranger = repo.CreateUser({0, "someone@else", "!", 0});
  ASSERT_TRUE(stranger.ok());
  ASSERT_TRUE(repo.AddBotCommand(std::nullopt, "emergency_stop", "not ours", 0, *stranger).ok());
  auto local = repo.FindUserByEmail("local@aitrader");
  ASSERT_TRUE(local.ok());
  ASSERT_TRUE(repo.AddBotCommand(std::nullopt, "resume", "test", 0, *stranger).ok());
  ASSERT_TRUE(repo.AddBotCommand(std::nullopt, "emergency_stop", "test", 0, local->id).ok());
  RunConfig cfg = Config(Url("cmd"), "");
  cfg.to = *ParseUtc("2025-10-20T00:05");
  auto refused = PaperRuntime::Open({cfg, 0, {}, false, 0});
  ASSERT_TRUE(refused.ok());  // same period: resumes (and finds nothing left to do)
  RunConfig longer = Config(Url("cmd"), "");
  RuntimeSummary s = Run(longer);
  EXPECT_GT(s.bars, 0);
  EXPECT_TRUE(repo.PendingCommands()->empty());
  for (const auto& b : *repo.ListBots()) {
    EXPECT_EQ(b.status, "stopped") << b.name;
    EXPECT_TRUE(repo.ListPositions(b.id, true)->empty()) << b.name;
  }
  auto alerts = repo.ListAlerts(std::nullopt);
  ASSERT_TRUE(alerts.ok());
  bool emergency = false;
  for (const auto& al : *alerts) {
    emergency = emergency || al.kind == "emergency_stop";
    // The stranger's emergency stop ("not ours") reached no bot of this run.
    EXPECT_EQ(al.message.find("not ours"), std::string::npos) << al.message;
  }
  EXPECT_TRUE(emergency);
  // Every command says what it did: the stranger's ones matched no bot of the run.
  auto commands = repo.ListCommands();
  ASSERT_TRUE(commands.ok());
  ASSERT_EQ(commands->size(), 4u);
  EXPECT_EQ((*commands)[0].result, "applied");  // pause a
  EXPECT_EQ((*commands)[1].result.rfind("not applicable: no bot of this run matches", 0), 0u) << (*commands)[1].result;
  EXPECT_EQ((*commands)[2].result.rfind("not applicable: no bot of this run matches", 0), 0u) << (*commands)[2].result;
  EXPECT_EQ((*commands)[3].result, "applied");  // the local user's emergency stop
  // Stopped and flat: a bot can be deleted; its history stays and a run naming it is refused.
  RunConfig running = Config(Url("cmd"), "");
  EXPECT_EQ(DeleteBot(repo, "nope", 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(DeleteBot(repo, "a", 1).ok());
  EXPECT_EQ(repo.ListBots()->size(), 1u);
  EXPECT_FALSE(repo.ListDecisions((*a)[0].id)->empty());
  auto deleted = PaperRuntime::Open({running, 0, {}, false, 0});
  ASSERT_FALSE(deleted.ok());
  EXPECT_NE(deleted.status().message().find("deleted"), std::string::npos);
  // Testnet and live bots trade on Binance, which needs the live feed: on the replay they are
  // refused clearly, naming the bot and the flag (nothing is stored for them).
  for (TradingMode mode : {TradingMode::kTestnet, TradingMode::kLive}) {
    RunConfig live = Config(Url("live"), "");
    live.bots[0].mode = mode;
    auto no_venue = PaperRuntime::Open({live, 0, {}, false, 0});
    ASSERT_FALSE(no_venue.ok());
    EXPECT_EQ(no_venue.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(no_venue.status().message().find("bot '" + live.bots[0].name + "' is configured for " +
                                               std::string(ToString(mode))),
              std::string::npos)
        << no_venue.status().message();
    EXPECT_NE(no_venue.status().message().find("--market binance"), std::string::npos);
  }
  // Another period in the same database is refused, not mixed in.
  RunConfig other = Config(Url("cmd"), "");
  other.from = *ParseUtc("2025-10-21");
  auto r = PaperRuntime::Open({other, 0, {}, false, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

// Issue 9 (minor): resume restarts a stopped bot; a command naming a bot outside the run is
// marked not applicable.
TEST_F(RuntimeTest, ResumeRestartsAStoppedBot) {
  RunConfig cfg = Config(Url("resume"), "");
  cfg.to = *ParseUtc("2025-10-20T00:10");
  Run(cfg);
  auto db = store::OpenDatabase(Url("resume"));
  ASSERT_TRUE(db.ok());
  store::Repository repo(**db);
  auto bots = repo.ListBots();
  ASSERT_EQ(bots->size(), 2u);
  ASSERT_TRUE(repo.AddBotCommand((*bots)[0].id, "stop", "test", 0).ok());
  cfg.to = *ParseUtc("2025-10-20T00:20");
  Run(cfg);
  EXPECT_EQ(repo.GetBot((*bots)[0].id)->status, "stopped");
  const std::string before = Dump(Url("resume"), "SELECT COUNT(*) FROM llm_decisions WHERE bot_id = 1");
  ASSERT_TRUE(repo.AddBotCommand((*bots)[0].id, "resume", "test", 0).ok());
  auto stranger = repo.CreateUser({0, "someone@else", "!", 0});
  ASSERT_TRUE(stranger.ok());
  ASSERT_TRUE(repo.AddBotCommand(std::nullopt, "pause", "nobody here", 0, *stranger).ok());
  cfg.to = *ParseUtc("2025-10-20T01:00");
  Run(cfg);
  EXPECT_EQ(repo.GetBot((*bots)[0].id)->status, "running");
  EXPECT_NE(Dump(Url("resume"), "SELECT COUNT(*) FROM llm_decisions WHERE bot_id = 1"), before) << "it decides again";
  auto commands = repo.ListCommands();
  ASSERT_EQ(commands->size(), 3u);
  EXPECT_EQ((*commands)[1].result, "applied");
  EXPECT_EQ((*commands)[2].result, "not applicable: no bot of this run matches (user id " + std::to_string(*stranger) + ")");
}

// Issue 9 item 6: the daily LLM budget is stored: a restart on the same (wall-clock) day
// continues from the spend on record instead of starting again from zero.
TEST_F(RuntimeTest, ARestartKeepsTheDaysLlmSpend) {
  llm::mock::MockServer server({}, [](const llm::mock::MockRequest& r) {
    return agent::BaselineAnswerForPrompt(r.system, r.user);
  });
  ASSERT_TRUE(server.Start().ok());
  SimulatedClock wall(*ParseUtc("2026-12-01T10:00"));
  auto run = [&](const char* to) {
    RunConfig cfg = Config(Url("budget"), server.BaseUrl());
    cfg.to = *ParseUtc(to);
    cfg.bots[0].daily_budget_usd = *Money::Parse("0.000001");  // one call exhausts it
    RuntimeOptions o;
    o.config = std::move(cfg);
    o.decision_workers = 2;
    o.wall_clock = &wall;
    auto rt = PaperRuntime::Open(std::move(o));
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    auto s = (*rt)->Run();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  };
  run("2025-10-20T01:00");
  const char* calls_of_a = "SELECT COUNT(*), MIN(called_at) FROM llm_usage WHERE bot_id = 1";
  EXPECT_EQ(Dump(Url("budget"), calls_of_a), "1|" + std::to_string(wall.NowMs()) + "|\n");
  run("2025-10-20T02:00");
  EXPECT_EQ(Dump(Url("budget"), calls_of_a), "1|" + std::to_string(wall.NowMs()) + "|\n")
      << "the restart must not spend the day's budget again";
  EXPECT_NE(Dump(Url("budget"), "SELECT COUNT(*) FROM llm_decisions WHERE bot_id = 1 AND outcome = 'budget_exhausted'"),
            "0|\n");
  // The next wall-clock day has a new budget.
  wall.SetMs(wall.NowMs() + kDayMs);
  run("2025-10-20T03:00");
  EXPECT_EQ(Dump(Url("budget"), "SELECT COUNT(*) FROM llm_usage WHERE bot_id = 1"), "2|\n");
  server.Stop();
}

// Issue 9 item 7: after a restart the prompt's Sharpe ratio continues from the stored cycle
// account values: every prompt of a run cut in three is the prompt of the uninterrupted run.
TEST_F(RuntimeTest, PromptsAfterARestartMatchTheUninterruptedRun) {
  llm::mock::MockServer server({}, [](const llm::mock::MockRequest& r) {
    return agent::BaselineAnswerForPrompt(r.system, r.user);
  });
  ASSERT_TRUE(server.Start().ok());
  auto run = [&](const std::string& name, const char* to) {
    RunConfig cfg = Config(Url(name), server.BaseUrl());
    cfg.to = *ParseUtc(to);
    Run(cfg);
  };
  run("whole", "2025-10-21T12:00");
  run("cut", "2025-10-20T12:00");
  run("cut", "2025-10-21T00:00");
  run("cut", "2025-10-21T12:00");
  server.Stop();
  const char* sql = "SELECT bot_id, cycle, decided_at, prompt_hash, account_value FROM llm_decisions ORDER BY bot_id, cycle";
  const std::string whole = Dump(Url("whole"), sql), cut = Dump(Url("cut"), sql);
  EXPECT_GT(whole.size(), 10000u);
  EXPECT_EQ(whole, cut);
}

// Issue 9 item 7: one Sharpe ratio for backtests and the runtime. On candles whose open is the
// previous close and without slippage, a market order fills at the same price in both (the
// runtime at once at the close, the backtest at the next open), so the account values the
// prompts show are the same cycle for cycle — and so must be every prompt, Sharpe line included.
TEST_F(RuntimeTest, BacktestAndRuntimeShowTheSameSharpeOnTheSameBars) {
  const UnixMs from = *ParseUtc("2025-10-20"), to = *ParseUtc("2025-10-21T12:00");
  const std::string data = (dir_ / "gapless").string();
  std::filesystem::create_directories(data + "/5m");
  for (const char* sym : {"BTCUSDT", "ETHUSDT"}) {
    auto text = ReadFile(DataDir() + "/binance-usdm/5m/" + sym + ".csv.gz");
    ASSERT_TRUE(text.ok());
    std::ofstream out(data + "/5m/" + sym + ".csv");
    std::string prev_close;
    bool header = true;
    for (auto line : Split(*text, '\n')) {
      if (line.empty()) continue;
      if (header) {
        out << line << '\n';
        header = false;
        continue;
      }
      auto f = Split(line, ',');
      if (std::stoll(std::string(f[0])) >= to) break;
      std::string open = prev_close.empty() ? std::string(f[1]) : prev_close;
      const double o = std::stod(open);
      const double hi = std::max(o, std::stod(std::string(f[2]))), lo = std::min(o, std::stod(std::string(f[3])));
      char buf[200];
      std::snprintf(buf, sizeof buf, "%s,%s,%.8g,%.8g,%s,%s", std::string(f[0]).c_str(), open.c_str(), hi, lo,
                    std::string(f[4]).c_str(), std::string(f[5]).c_str());
      out << buf << '\n';
      prev_close = std::string(f[4]);
    }
  }
  // The backtest: the baseline answering the rendered prompt (the LLM path, no network).
  RunConfig cfg = Config(Url("unused"), "http://127.0.0.1:9");
  cfg.data_dir = data;
  cfg.from = from;
  cfg.to = to;
  cfg.slippage_bps = 0;
  cfg.bots[0].symbols = {"BTCUSDT", "ETHUSDT"};
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> backtest;  // bot → (hash, value)
  {
    BacktestOptions o;
    o.config = cfg;
    o.timing = false;
    o.make_client = [](const BotConfig& b) -> Result<std::unique_ptr<llm::Client>> {
      agent::BaselineConfig bc;
      bc.max_leverage = b.risk.max_leverage;
      auto instruments = InstrumentTable::LoadDefault();
      if (!instruments.ok()) return instruments.status();
      return std::unique_ptr<llm::Client>(std::make_unique<agent::BaselineClient>(bc, *instruments));
    };
    o.on_cycle = [&](const Bot& b, const CycleRecord& r) {
      backtest[b.config().name].emplace_back(r.prompt_hash, r.account_value.ToString());
    };
    auto r = RunBacktest(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // The runtime: the same bots through the vendor wire formats.
  llm::mock::MockServer server({}, [](const llm::mock::MockRequest& r) {
    return agent::BaselineAnswerForPrompt(r.system, r.user);
  });
  ASSERT_TRUE(server.Start().ok());
  RunConfig rc = Config(Url("same"), server.BaseUrl());
  rc.data_dir = data;
  rc.from = from;
  rc.to = to;
  rc.slippage_bps = 0;
  rc.bots[0].symbols = {"BTCUSDT", "ETHUSDT"};
  Run(rc);
  server.Stop();
  auto db = store::OpenDatabase(Url("same"));
  ASSERT_TRUE(db.ok());
  store::Repository repo(**db);
  int compared = 0, with_sharpe = 0;
  for (const auto& b : *repo.ListBots()) {
    auto decisions = repo.ListDecisions(b.id, 100000);
    ASSERT_TRUE(decisions.ok());
    std::reverse(decisions->begin(), decisions->end());
    const auto& bt = backtest[b.name];
    // The backtest pauses its bots one bar before the end: compare the cycles both ran.
    ASSERT_GE(decisions->size(), bt.size()) << b.name;
    for (std::size_t i = 0; i < bt.size(); ++i) {
      const auto& d = (*decisions)[i];
      ASSERT_TRUE(d.account_value.has_value());
      EXPECT_EQ(d.account_value->ToString(), bt[i].second) << b.name << " cycle " << d.cycle;
      EXPECT_EQ(d.prompt_hash, bt[i].first) << b.name << " cycle " << d.cycle;
      if (d.prompt_hash != bt[i].first) break;
      ++compared;
      with_sharpe += d.account_value->ToString() != "10000" ? 1 : 0;
    }
  }
  EXPECT_GT(compared, 500);
  EXPECT_GT(with_sharpe, 100) << "the account values must move for the Sharpe ratio to mean anything";
}

// Issue 9 item 9: after a restart the venue rebuilds each bot's account with its leverage cap
// and default leverage (bot b: cap 3, default 1), as on the first start.
TEST_F(RuntimeTest, ARestartKeepsEachAccountsLeverageCapAndDefault) {
  for (bool restart : {false, true}) {
    RunConfig cfg = Config(Url("lev"), "");
    cfg.to = *ParseUtc("2025-10-20T01:00");
    if (restart) Run(cfg);
    RuntimeOptions o;
    o.config = cfg;
    o.config.to = *ParseUtc("2025-10-20T02:00");
    auto rt = PaperRuntime::Open(std::move(o));
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    auto acc = (*rt)->PaperAccountOf("b");
    ASSERT_NE(acc.sim, nullptr);
    EXPECT_EQ((*rt)->PaperAccountOf("nobody").sim, nullptr);
    auto flat = acc.sim->FetchPosition(acc.account, "SOLUSDT");  // b trades BTC and ETH only
    ASSERT_TRUE(flat.ok()) << flat.status().ToString();
    EXPECT_EQ(flat->leverage, 1) << (restart ? "after a restart" : "first start");
    EXPECT_FALSE(acc.sim->SetLeverage(acc.account, "SOLUSDT", 4).ok()) << (restart ? "after a restart" : "first start");
    EXPECT_TRUE(acc.sim->SetLeverage(acc.account, "SOLUSDT", 3).ok());
    std::filesystem::remove(dir_ / "lev.db");
  }
}

// Issue 9 item 9: slippage_jitter_bps reaches the runtime's venue (it used to be ignored there).
TEST_F(RuntimeTest, SlippageJitterAppliesInTheRuntime) {
  auto run = [&](const std::string& name, int jitter) {
    RunConfig cfg = Config(Url(name), "");
    cfg.to = *ParseUtc("2025-10-21");
    cfg.slippage_jitter_bps = jitter;
    Run(cfg);
    return Dump(Url(name), "SELECT bot_id, symbol, side, quantity, price, at FROM trades ORDER BY bot_id, at, venue_trade_id");
  };
  const std::string fixed = run("fixed", 0), fixed_again = run("fixed2", 0), jittered = run("jitter", 20);
  ASSERT_FALSE(fixed.empty());
  EXPECT_EQ(fixed, fixed_again);
  EXPECT_NE(fixed, jittered);
}

}  // namespace
}  // namespace aitrader::engine
