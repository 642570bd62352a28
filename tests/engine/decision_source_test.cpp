// The LLM decision source sends the decision schema of the coins of *this* cycle: when a bot's
// coin set changes, the schema is rebuilt (issue 9: it was built from the first cycle's coins
// and never again, so a new coin was refused by the vendor's structured output).
#include "engine/decision_source.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <mutex>

namespace aitrader::engine {
namespace {

// Records each request's schema and answers "hold" for nothing in particular.
class SchemaRecorder final : public llm::Client {
 public:
  std::string provider() const override { return "recorder"; }
  Result<llm::Response> Complete(const llm::Request& request, const llm::CancelToken*) override {
    std::lock_guard lock(mu_);
    schemas_.push_back(request.response_schema);
    llm::Response r;
    r.text = "{}";
    return r;
  }
  std::vector<std::string> schemas() const {
    std::lock_guard lock(mu_);
    return schemas_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> schemas_;
};

std::vector<std::string> SchemaCoins(const std::string& schema) {
  std::vector<std::string> coins;
  const boost::json::value v = boost::json::parse(schema);
  for (const auto& c : v.at("required").as_array()) coins.emplace_back(c.as_string());
  return coins;
}

TEST(LlmDecisionSource, SchemaFollowsTheCoinSet) {
  auto recorder = std::make_shared<SchemaRecorder>();
  auto source = MakeLlmSource(recorder, "m", 1024, std::nullopt, 0);
  agent::BuiltPrompt prompt;
  prompt.version = "aa-v1";
  prompt.system = "system";
  prompt.user = "user";
  auto decide = [&](std::vector<std::string> coins, int max_leverage) {
    agent::ValidationContext ctx;
    ctx.max_leverage = max_leverage;
    for (auto& c : coins) ctx.coins.push_back({c, Price::FromUnits(1), Quantity::Zero()});
    DecisionInput in;
    in.prompt = &prompt;
    in.context = &ctx;
    CycleUsage usage;
    (void)source->Decide(in, usage, nullptr);
  };
  decide({"BTC", "ETH"}, 10);
  decide({"BTC", "ETH"}, 10);
  decide({"BTC", "ETH", "SOL"}, 10);
  decide({"SOL"}, 10);
  decide({"SOL"}, 3);
  auto s = recorder->schemas();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(SchemaCoins(s[0]), (std::vector<std::string>{"BTC", "ETH"}));
  EXPECT_EQ(s[1], s[0]);
  EXPECT_EQ(SchemaCoins(s[2]), (std::vector<std::string>{"BTC", "ETH", "SOL"}));
  EXPECT_EQ(SchemaCoins(s[3]), (std::vector<std::string>{"SOL"}));
  EXPECT_EQ(boost::json::parse(s[4]).at("properties").at("SOL").at("properties").at("trade_signal_args").at(
                "properties").at("leverage").at("maximum").as_int64(),
            3);
}

}  // namespace
}  // namespace aitrader::engine
