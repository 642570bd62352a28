#include "engine/config.hpp"

#include <gtest/gtest.h>

namespace aitrader::engine {
namespace {

TEST(RunConfig, DefaultsAndOverrides) {
  auto cfg = ParseRunConfig(R"({
    "symbols": ["BTC", "eth"], "capital": "5000", "from": "2025-10-17", "to": "2025-11-03",
    "risk": {"max_leverage": 5},
    "bots": [
      {"name": "base"},
      {"name": "claude", "model": "llm", "llm": {"provider": "anthropic", "model": "claude-sonnet-4-5"},
       "symbols": ["SOL"], "risk": {"max_leverage": 3, "min_reward_risk": "2"}, "training_cutoff": "2025-07-31"}
    ]})", "t.json");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->bots.size(), 2u);
  const auto& a = cfg->bots[0];
  EXPECT_EQ(a.model, ModelKind::kBaseline);
  EXPECT_EQ(a.symbols, (std::vector<std::string>{"BTCUSDT", "ETHUSDT"}));
  EXPECT_EQ(a.capital.ToString(), "5000");
  EXPECT_EQ(a.risk.max_leverage, 5);
  const auto& b = cfg->bots[1];
  EXPECT_EQ(b.model, ModelKind::kLlm);
  ASSERT_TRUE(b.llm.has_value());
  EXPECT_EQ(b.llm->model, "claude-sonnet-4-5");
  EXPECT_EQ(b.symbols, (std::vector<std::string>{"SOLUSDT"}));
  EXPECT_EQ(b.risk.max_leverage, 3);
  EXPECT_EQ(b.risk.min_reward_risk.ToString(), "2");
  EXPECT_EQ(*b.training_cutoff, *ParseUtc("2025-07-31"));
  EXPECT_EQ(*cfg->from, *ParseUtc("2025-10-17"));
  EXPECT_EQ(a.mode, TradingMode::kPaper);
}

TEST(RunConfig, ErrorsNameThePath) {
  struct Case {
    const char* json;
    const char* expect;
  };
  for (const Case& c : {
           Case{R"({"bots": [{"name": "a", "risk": {"max_leverage": 20}}]})", "bots[0].risk.max_leverage: must be an integer in 1..10"},
           Case{R"({"bots": [{"name": "a", "symbols": ["PEPE"]}]})", "bots[0].symbols[0]: unknown coin 'PEPE'"},
           Case{R"({"bots": [{"name": "a"}, {"name": "a"}]})", "bots[1].name: 'a' is used by another bot"},
           Case{R"({"bots": [{"name": "a", "modle": "llm"}]})", "bots[0].modle: unknown key"},
           Case{R"({"bots": [{"name": "a", "model": "llm"}]})", "bots[0].llm: an LLM bot needs"},
           Case{R"({"capital": "-5", "bots": [{"name": "a"}]})", "capital: must be > 0"},
           Case{R"({"bots": []})", "bots: must be a non-empty array"},
           Case{R"({"from": "2025-11-03", "to": "2025-10-17", "bots": [{"name": "a"}]})", "to: must be after from"},
           Case{R"({"interval": "5m", "cadence": "7m", "bots": [{"name": "a"}]})", "bots[0].cadence: must be a multiple"},
           Case{R"({"bots": [{"name": "a", "llm": {}}]})", "bots[0].llm: not used by a baseline bot"},
           Case{R"({"bots": [{"name": "a", "mode": "real"}]})", "bots[0].mode: must be \"paper\", \"testnet\" or \"live\""},
           Case{R"({"bots": )", "not valid JSON"},
       }) {
    auto r = ParseRunConfig(c.json, "cfg.json");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

TEST(BotConfig, OnItsOwnParsesLikeABotOfTheRunConfig) {
  const char* bot = R"({"name": "a", "symbols": ["BTC", "eth"], "capital": "2500", "risk": {"max_leverage": 5},
                        "close_on_stop": false, "label": "A"})";
  auto alone = ParseBotConfig(bot, DefaultBotConfig(), "bot");
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  auto run = ParseRunConfig(std::string("{\"bots\": [") + bot + "]}", "cfg.json");
  ASSERT_TRUE(run.ok());
  const BotConfig& in_run = run->bots.front();
  EXPECT_EQ(alone->symbols, in_run.symbols);
  EXPECT_EQ(alone->capital, in_run.capital);
  EXPECT_EQ(alone->risk.max_leverage, in_run.risk.max_leverage);
  EXPECT_EQ(alone->close_on_stop, in_run.close_on_stop);
  EXPECT_EQ(alone->label, "A");
  EXPECT_EQ(alone->interval, in_run.interval);
}

TEST(BotConfig, ErrorsNameThePathWithoutAPrefix) {
  struct Case {
    const char* json;
    const char* path;
    const char* expect;
  };
  for (const Case& c : {
           Case{R"({"name": "a", "risk": {"max_leverage": 20}})", "risk.max_leverage", "bot: risk.max_leverage: must be"},
           Case{R"({"name": "a", "symbols": ["PEPE"]})", "symbols[0]", "unknown coin 'PEPE'"},
           Case{R"({"name": "a", "modle": "llm"})", "modle", "bot: modle: unknown key"},
           Case{R"({"model": "baseline"})", "name", "bot: name: is required"},
           Case{R"({"name": "a", "model": "llm"})", "llm", "an LLM bot needs"},
           Case{R"({"name": "a", "capital": "0"})", "capital", "must be > 0"},
           Case{R"([1])", "(top)", "must be an object"},
       }) {
    std::string path;
    auto r = ParseBotConfig(c.json, DefaultBotConfig(), "bot", &path);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(path, c.path) << c.json;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace aitrader::engine
