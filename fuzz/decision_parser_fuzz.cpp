// libFuzzer target for the LLM decision parser (agent/decision.hpp).
//
// Feeds arbitrary bytes to ParseDecisionAnswer and CheckDecisionAnswer and checks the
// properties that must hold for any input: no crash, no exception, bounded output, every
// issue carries a message, and whatever was read cleanly survives a round trip through the
// canonical JSON (DecisionsToJson → ParseDecisionAnswer gives the same decisions).
//
// Built by scripts/fuzz.sh with clang++ -fsanitize=fuzzer,address,undefined; the same entry
// point is replayed over tests/data/agent/decision_corpus/ in CTest (tests/agent/
// corpus_replay_main.cpp, compiled with g++).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "agent/decision.hpp"

namespace {

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "decision_parser_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

const aitrader::agent::ValidationContext& Context() {
  using aitrader::Price;
  using aitrader::Quantity;
  static const aitrader::agent::ValidationContext ctx = [] {
    aitrader::agent::ValidationContext c;
    c.max_leverage = 10;
    c.coins = {
        {"BTC", Price::FromRaw(113975'500'000'000), Quantity::Zero()},
        {"ETH", Price::FromRaw(4112'850'000'000), Quantity::FromRaw(5'740'000'000)},
        {"SOL", Price::FromRaw(198'120'000'000), Quantity::FromRaw(-3'000'000'000)},
        {"BNB", Price::FromRaw(1105'300'000'000), Quantity::Zero()},
        {"XRP", Price::FromRaw(2'612'300'000), Quantity::Zero()},
        {"DOGE", std::nullopt, Quantity::Zero()},
    };
    return c;
  }();
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aitrader::agent;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParsedAnswer parsed = ParseDecisionAnswer(text);
  Require(parsed.decisions.size() <= ParseLimits{}.max_decisions, "decision count bounded");
  Require(parsed.issues.size() <= 64, "issue count bounded");
  Require(!parsed.ok() || !parsed.decisions.empty(), "a clean read has decisions");
  for (const DecisionIssue& i : parsed.issues) Require(!i.message.empty(), "issue has a message");
  Require(parsed.json_offset + parsed.json_length <= size, "json span inside the answer");

  if (parsed.ok()) {
    std::string canonical = DecisionsToJson(parsed.decisions);
    ParsedAnswer again = ParseDecisionAnswer(canonical);
    Require(again.ok(), "canonical JSON parses cleanly");
    Require(again.decisions.size() == parsed.decisions.size(), "round trip keeps the count");
    for (std::size_t k = 0; k < again.decisions.size(); ++k) {
      const Decision& a = parsed.decisions[k];
      const Decision& b = again.decisions[k];
      Require(a.coin == b.coin && a.signal == b.signal && a.quantity == b.quantity && a.leverage == b.leverage &&
                  a.profit_target == b.profit_target && a.stop_loss == b.stop_loss && a.risk_usd == b.risk_usd &&
                  a.invalidation_condition == b.invalidation_condition && a.justification == b.justification,
              "round trip keeps the fields");
    }
  }

  CheckedAnswer checked = CheckDecisionAnswer(text, Context());
  for (const DecisionIssue& i : checked.issues) Require(!i.message.empty(), "validation issue has a message");
  if (!checked.ok()) {
    std::string retry = BuildRetryMessage(checked.issues);
    Require(!retry.empty(), "retry message");
  }
  DecisionProtocol protocol(Context(), RetryPolicy{1}, "aa-v1");
  DecisionProtocol::Step s1 = protocol.OnAnswer(std::string(text));
  if (s1 == DecisionProtocol::Step::kRetry) {
    Require(!protocol.retry_message().empty(), "retry has a message");
    DecisionProtocol::Step s2 = protocol.OnAnswer(std::string(text));
    Require(s2 == DecisionProtocol::Step::kFallback, "second refusal falls back");
    Require(protocol.outcome().fell_back_to_hold, "fallback flagged");
    for (const Decision& d : protocol.outcome().decisions) Require(d.signal == Signal::kHold, "fallback holds");
  }
  return 0;
}
