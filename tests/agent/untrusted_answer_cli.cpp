// End-to-end (issue 9 item 1): a replayed LLM answer with absurd magnitudes run through the
// built `aitrader backtest` ends normally (exit 0) with the decision recorded as refused, and
// the run goes on. Before the fix, "quantity": 100000 on BTC (dollars given as coins) aborted
// the process with "fixed-point invariant broken" (exit 134).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

namespace {

namespace fs = std::filesystem;

std::string BtcEntry(const std::string& quantity) {
  return R"({"BTC":{"trade_signal_args":{"coin":"BTC","signal":"buy_to_enter","quantity":)" + quantity +
         R"(,"leverage":5,"profit_target":118000,"stop_loss":105000,"invalidation_condition":"If the price closes below 105000","confidence":0.7,"risk_usd":500,"justification":"replayed"}}})";
}

class UntrustedAnswerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("aitrader_untrusted_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes a by-sequence recording of `answers` replayed to one BTC bot over three hours of
  // bundled 5m candles (hourly cycles), runs the backtest and returns the bot's report.
  boost::json::object Run(const std::string& name, const std::vector<std::string>& answers, int* exit_code) {
    const fs::path replay = dir_ / (name + ".jsonl");
    {
      std::ofstream f(replay);
      int seq = 1;
      for (const auto& a : answers) {
        boost::json::object line{{"seq", seq++},        {"text", a}, {"model", "replay"},
                                 {"finish_reason", "stop"}, {"cost_usd", "0"}};
        f << boost::json::serialize(line) << "\n";
      }
    }
    const fs::path cfg = dir_ / (name + ".json");
    {
      boost::json::object llm{{"provider", "replay"}, {"model", "replay"}, {"replay_file", replay.string()},
                              {"replay_by_sequence", true}};
      boost::json::object bot{{"name", name}, {"model", "llm"}, {"llm", llm}};
      boost::json::object c{{"from", "2025-10-20"}, {"to", "2025-10-20T03:00"}, {"symbols", boost::json::array{"BTC"}},
                            {"interval", "5m"},     {"cadence", "1h"},          {"capital", "10000"},
                            {"runs", 1},            {"bots", boost::json::array{bot}}};
      std::ofstream f(cfg);
      f << boost::json::serialize(c);
    }
    const fs::path report = dir_ / (name + "_report.json");
    const fs::path err = dir_ / (name + ".err");
    const std::string cmd = std::string(AITRADER_BIN) + " backtest --config " + cfg.string() + " --report " +
                            report.string() + " --no-timing --quiet 2>" + err.string();
    int status = std::system(cmd.c_str());
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream in(report);
    std::stringstream ss;
    ss << in.rdbuf();
    std::ifstream e(err);
    std::stringstream es;
    es << e.rdbuf();
    stderr_ = es.str();
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(ss.str(), ec);
    if (ec || !v.is_object()) return {};
    return v.at("bots").as_array().at(0).as_object();
  }

  fs::path dir_;
  std::string stderr_;
};

TEST_F(UntrustedAnswerCli, DollarsAsCoinsIsARefusalNotAnAbort) {
  int exit_code = -1;
  // Every call (answer and retry, each cycle) gets the same answer: 100000 BTC.
  boost::json::object bot = Run("dollars", std::vector<std::string>(8, BtcEntry("100000")), &exit_code);
  ASSERT_EQ(exit_code, 0) << stderr_;
  ASSERT_FALSE(bot.empty()) << stderr_;
  EXPECT_GE(bot.at("cycles").as_int64(), 2);  // the run went on past the first refusal
  EXPECT_EQ(bot.at("parse_failures").as_int64(), bot.at("cycles").as_int64());  // each cycle refused, recorded
  EXPECT_EQ(bot.at("trades").as_array().size(), 0u);
  EXPECT_EQ(bot.at("final_equity").as_string(), "10000");
  EXPECT_EQ(bot.at("ledger_check").as_string(), "ok");
}

TEST_F(UntrustedAnswerCli, AbsurdMagnitudesNeverAbort) {
  for (const std::string q : {"1e15", "9e18", "1e-12", "9223372036.854775807"}) {
    int exit_code = -1;
    boost::json::object bot = Run("q" + std::to_string(std::hash<std::string>{}(q) % 1000),
                                  std::vector<std::string>(8, BtcEntry(q)), &exit_code);
    ASSERT_EQ(exit_code, 0) << q << ": " << stderr_;
    ASSERT_FALSE(bot.empty()) << q;
    EXPECT_EQ(bot.at("trades").as_array().size(), 0u) << q;
    EXPECT_EQ(bot.at("parse_failures").as_int64(), bot.at("cycles").as_int64()) << q;
  }
}

// 1000 BTC (~111M of notional) passes the answer's sanity bounds and reaches the risk engine,
// which denies it against a 10k account: counted as a risk denial, the run goes on.
TEST_F(UntrustedAnswerCli, TooLargeForTheAccountIsARiskDenial) {
  int exit_code = -1;
  boost::json::object bot = Run("risk", std::vector<std::string>(8, BtcEntry("1000")), &exit_code);
  ASSERT_EQ(exit_code, 0) << stderr_;
  ASSERT_FALSE(bot.empty()) << stderr_;
  EXPECT_EQ(bot.at("parse_failures").as_int64(), 0);
  EXPECT_EQ(bot.at("risk_denials").as_int64(), bot.at("cycles").as_int64());
  EXPECT_EQ(bot.at("trades").as_array().size(), 0u);
}

}  // namespace
