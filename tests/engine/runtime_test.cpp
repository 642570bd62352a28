// The paper runtime with LLM bots: cycles decided on the worker pool against the local vendor
// server (answering with the baseline policy through the real Anthropic and OpenAI wire
// formats) must trade exactly like the same bots deciding inline with the baseline — the text
// round trip (prompt → HTTP → answer → parse → validate) changes nothing. Also: operator
// commands through the database, and a run refused when the database holds another period.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/baseline.hpp"
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
  auto calls = Dump(Url("llm"), "SELECT COUNT(*), SUM(input_tokens) > 0, SUM(cost_usd) > 0 FROM llm_usage");
  EXPECT_EQ(calls, std::to_string(llm.cycles) + "|1|1|\n");
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
  for (const auto& al : *alerts) emergency = emergency || al.kind == "emergency_stop";
  EXPECT_TRUE(emergency);
  // Stopped and flat: a bot can be deleted; its history stays and a run naming it is refused.
  RunConfig running = Config(Url("cmd"), "");
  EXPECT_EQ(DeleteBot(repo, "nope", 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(DeleteBot(repo, "a", 1).ok());
  EXPECT_EQ(repo.ListBots()->size(), 1u);
  EXPECT_FALSE(repo.ListDecisions((*a)[0].id)->empty());
  auto deleted = PaperRuntime::Open({running, 0, {}, false, 0});
  ASSERT_FALSE(deleted.ok());
  EXPECT_NE(deleted.status().message().find("deleted"), std::string::npos);
  // Testnet and live need the Binance venue, which this build does not have: refused clearly.
  RunConfig live = Config(Url("live"), "");
  live.bots[0].mode = TradingMode::kLive;
  auto no_venue = PaperRuntime::Open({live, 0, {}, false, 0});
  ASSERT_FALSE(no_venue.ok());
  EXPECT_NE(no_venue.status().message().find("paper venue"), std::string::npos);
  // Another period in the same database is refused, not mixed in.
  RunConfig other = Config(Url("cmd"), "");
  other.from = *ParseUtc("2025-10-21");
  auto r = PaperRuntime::Open({other, 0, {}, false, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace aitrader::engine
