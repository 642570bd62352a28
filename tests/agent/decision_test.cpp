#include "agent/decision.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "llm/client.hpp"

namespace aitrader::agent {
namespace {

Price P(const char* s) { return Price::Parse(s).value(); }
Quantity Q(const char* s) { return Quantity::Parse(s).value(); }

ValidationContext Ctx() {
  ValidationContext c;
  c.max_leverage = 10;
  c.coins = {{"BTC", P("113975.5"), Quantity::Zero()},  {"ETH", P("4112.85"), Q("5.74")},
             {"SOL", P("198.12"), Q("-3")},             {"BNB", P("1105.3"), Quantity::Zero()},
             {"XRP", P("2.6123"), Quantity::Zero()},    {"DOGE", std::nullopt, Quantity::Zero()}};
  return c;
}

const char* kBtcLong =
    R"({"BTC": {"trade_signal_args": {"coin": "BTC", "signal": "buy_to_enter", "quantity": 0.12, "leverage": 10,
 "profit_target": 118136.15, "stop_loss": 112026.675, "invalidation_condition": "If the price closes below 111000",
 "confidence": 0.75, "risk_usd": 619.2345, "justification": "trend up"}}})";

bool HasReason(const std::vector<DecisionIssue>& issues, DecisionReason r, const std::string& coin = "",
               const std::string& field = "") {
  for (const auto& i : issues) {
    if (i.reason == r && (coin.empty() || i.coin == coin) && (field.empty() || i.field == field)) return true;
  }
  return false;
}

std::string Entry(const std::string& coin, const std::string& signal, const std::string& extra_fields) {
  return "{\"" + coin + "\": {\"signal\": \"" + signal + "\"" + extra_fields + "}}";
}

TEST(DecisionParse, ReadsWrappedMapExactly) {
  ParsedAnswer p = ParseDecisionAnswer(kBtcLong);
  ASSERT_TRUE(p.ok()) << IssuesToStatus(p.issues).ToString();
  ASSERT_EQ(p.decisions.size(), 1u);
  const Decision& d = p.decisions[0];
  EXPECT_EQ(d.coin, "BTC");
  EXPECT_EQ(d.signal, Signal::kBuyToEnter);
  EXPECT_EQ(d.quantity, Q("0.12"));
  EXPECT_EQ(d.leverage, 10);
  EXPECT_EQ(d.profit_target, P("118136.15"));
  EXPECT_EQ(d.stop_loss, P("112026.675"));
  EXPECT_EQ(d.risk_usd, Money::Parse("619.2345").value());
  EXPECT_DOUBLE_EQ(*d.confidence, 0.75);
  EXPECT_EQ(d.invalidation_condition, "If the price closes below 111000");
  EXPECT_EQ(d.justification, "trend up");
  EXPECT_TRUE(ValidateDecisions(p.decisions, Ctx()).empty());
}

TEST(DecisionParse, CodeFenceAndProse) {
  std::string answer = std::string("Here is my plan.\n```json\n") + kBtcLong + "\n```\nThanks!";
  ParsedAnswer p = ParseDecisionAnswer(answer);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.decisions[0].coin, "BTC");
  EXPECT_EQ(answer.substr(p.json_offset, 1), "{");

  ParsedAnswer q = ParseDecisionAnswer(std::string("After looking at the data: ") + kBtcLong + " Done.");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q.decisions[0].stop_loss, P("112026.675"));
}

TEST(DecisionParse, ReasoningWithArraysIsIgnored) {
  std::string answer =
      "<think>Mid prices: [114050.0, 114084.5, 114164.5] and {\"BTC\": {\"signal\": \"sell_to_enter\"}} "
      "was my first idea.</think>\n" +
      std::string(kBtcLong);
  ParsedAnswer p = ParseDecisionAnswer(answer);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.decisions.size(), 1u);
  EXPECT_EQ(p.decisions[0].signal, Signal::kBuyToEnter);

  // A bare indicator array is never a decision, in prose or in a fence.
  ParsedAnswer arr = ParseDecisionAnswer("RSI: [40.826, 38.1, 32.14]\n```json\n[114050.0, 114084.5]\n```");
  ASSERT_FALSE(arr.ok());
  EXPECT_TRUE(HasReason(arr.issues, DecisionReason::kNoDecisionFound));

  // A closing tag without its opener: everything before it is reasoning.
  ParsedAnswer closing = ParseDecisionAnswer("[1, 2] {\"BTC\": {\"signal\": \"hold\", \"x\": [3]}} </think> " +
                                             Entry("DOGE", "hold", ""));
  ASSERT_TRUE(closing.ok());
  EXPECT_EQ(closing.decisions[0].coin, "DOGE");
}

TEST(DecisionParse, LastFenceWins) {
  std::string answer = "Draft:\n```json\n" + Entry("BTC", "hold", "") + "\n```\nFinal:\n```json\n" + kBtcLong + "\n```";
  ParsedAnswer p = ParseDecisionAnswer(answer);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.decisions[0].signal, Signal::kBuyToEnter);
}

TEST(DecisionParse, ArrayFormSingleObjectAndWrappers) {
  ParsedAnswer arr = ParseDecisionAnswer(
      R"([{"coin": "BTC", "signal": "hold"}, {"coin": "ethusdt", "signal": "close", "quantity": "5.74"}])");
  ASSERT_TRUE(arr.ok());
  ASSERT_EQ(arr.decisions.size(), 2u);
  EXPECT_EQ(arr.decisions[1].coin, "ETH");
  EXPECT_EQ(arr.decisions[1].signal, Signal::kClosePosition);
  EXPECT_EQ(arr.decisions[1].quantity, Q("5.74"));

  ParsedAnswer single = ParseDecisionAnswer(R"({"coin": "BNB", "signal": "hold", "quantity": 0})");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single.decisions[0].coin, "BNB");

  ParsedAnswer wrapped = ParseDecisionAnswer(R"({"trade_signal_args": {"coin": "SOL", "signal": "hold"}})");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped.decisions[0].coin, "SOL");

  ParsedAnswer list = ParseDecisionAnswer(R"({"decisions": [{"coin": "XRP", "signal": "hold"}]})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list.decisions[0].coin, "XRP");
}

TEST(DecisionParse, CoinNamesNormalised) {
  ParsedAnswer p = ParseDecisionAnswer(
      R"({"btcusdt-perp": {"signal": "hold"}, " eth ": {"signal": "hold"}, "SOL/USDT": {"signal": "hold"}})");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.decisions.size(), 3u);
  EXPECT_EQ(p.decisions[0].coin, "BTC");
  EXPECT_EQ(p.decisions[1].coin, "ETH");
  EXPECT_EQ(p.decisions[2].coin, "SOL");
  // Normalising is idempotent: the canonical JSON reads back to the same coins.
  ParsedAnswer twice = ParseDecisionAnswer(R"({"X USDT USDT": {"signal": "hold"}})");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice.decisions[0].coin, "X");
  EXPECT_EQ(ParseDecisionAnswer(DecisionsToJson(twice.decisions)).decisions, twice.decisions);
}

TEST(DecisionParse, NumericStringsAreExact) {
  ParsedAnswer p = ParseDecisionAnswer(Entry(
      "BNB", "sell_to_enter",
      R"(, "quantity": "1.5", "leverage": "7", "profit_target": "1000.55", "stop_loss": " 1200.123456789 ",
         "invalidation_condition": "x", "confidence": "0.4", "risk_usd": "+25.5")"));
  ASSERT_TRUE(p.ok()) << IssuesToStatus(p.issues).ToString();
  const Decision& d = p.decisions[0];
  EXPECT_EQ(d.quantity, Q("1.5"));
  EXPECT_EQ(d.leverage, 7);
  EXPECT_EQ(d.profit_target, P("1000.55"));
  EXPECT_EQ(d.stop_loss, P("1200.123456789"));
  EXPECT_EQ(d.risk_usd, Money::Parse("25.5").value());
}

TEST(DecisionParse, TruncatedJsonIsAnError) {
  std::string full = kBtcLong;
  ParsedAnswer p = ParseDecisionAnswer(full.substr(0, full.size() / 2));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(HasReason(p.issues, DecisionReason::kMalformedJson));
  EXPECT_TRUE(p.decisions.empty());

  ParsedAnswer syntax = ParseDecisionAnswer(R"({"BTC": {"signal": "hold" "quantity": 1}})");
  EXPECT_TRUE(HasReason(syntax.issues, DecisionReason::kMalformedJson));
}

TEST(DecisionParse, LimitsAndNoJson) {
  EXPECT_TRUE(HasReason(ParseDecisionAnswer("I will hold everything.").issues, DecisionReason::kNoDecisionFound));
  EXPECT_TRUE(HasReason(ParseDecisionAnswer("").issues, DecisionReason::kNoDecisionFound));
  ParseLimits small;
  small.max_answer_bytes = 10;
  EXPECT_TRUE(HasReason(ParseDecisionAnswer(kBtcLong, small).issues, DecisionReason::kTooLarge));
  std::string deep = "{\"BTC\": {\"signal\": \"hold\", \"x\": " + std::string(20, '[') + std::string(20, ']') + "}}";
  EXPECT_TRUE(HasReason(ParseDecisionAnswer(deep).issues, DecisionReason::kTooDeep));
}

TEST(DecisionParse, ShapeProblems) {
  ParsedAnswer dup = ParseDecisionAnswer(R"([{"coin":"BTC","signal":"hold"},{"coin":"btc","signal":"hold"}])");
  EXPECT_TRUE(HasReason(dup.issues, DecisionReason::kDuplicateCoin, "BTC"));

  ParsedAnswer mismatch = ParseDecisionAnswer(R"({"BTC": {"trade_signal_args": {"coin": "ETH", "signal": "hold"}}})");
  EXPECT_TRUE(HasReason(mismatch.issues, DecisionReason::kBadShape, "BTC", "coin"));

  ParsedAnswer bad_value = ParseDecisionAnswer(R"({"BTC": {"signal": "hold"}, "ETH": 42})");
  EXPECT_TRUE(HasReason(bad_value.issues, DecisionReason::kBadShape, "ETH"));

  ParsedAnswer no_coin = ParseDecisionAnswer(R"({"signal": "hold"})");
  EXPECT_TRUE(HasReason(no_coin.issues, DecisionReason::kMissingField, "", "coin"));
}

// ---- every validation reason ----------------------------------------------------------

std::vector<DecisionIssue> Check(const std::string& answer) { return CheckDecisionAnswer(answer, Ctx()).issues; }

const char* kGoodLongFields =
    R"(, "quantity": 0.1, "leverage": 5, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)";

TEST(DecisionValidate, AcceptsGoodEntriesHoldsAndCloses) {
  EXPECT_TRUE(Check(Entry("BTC", "buy_to_enter", kGoodLongFields)).empty());
  EXPECT_TRUE(Check(Entry("BNB", "sell_to_enter",
                          R"(, "quantity": 1, "leverage": 3, "profit_target": 1000, "stop_loss": 1200, "invalidation_condition": "x", "confidence": 0.5, "risk_usd": 95)"))
                  .empty());
  EXPECT_TRUE(Check(Entry("ETH", "hold", R"(, "quantity": 5.74)")).empty());
  EXPECT_TRUE(Check(Entry("SOL", "close_position", "")).empty());
}

TEST(DecisionValidate, UnknownCoin) {
  auto issues = Check(Entry("PEPE", "buy_to_enter", kGoodLongFields));
  ASSERT_TRUE(HasReason(issues, DecisionReason::kUnknownCoin, "PEPE"));
  EXPECT_NE(issues[0].message.find("PEPE"), std::string::npos);
}

TEST(DecisionValidate, InvalidSignal) {
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "moon", "")), DecisionReason::kInvalidSignal, "BTC", "signal"));
  EXPECT_TRUE(HasReason(Check(R"({"BTC": {"quantity": 1, "leverage": 2}})"), DecisionReason::kInvalidSignal, "BTC"));
}

TEST(DecisionValidate, MissingFieldsNamed) {
  auto issues = Check(Entry("XRP", "buy_to_enter", R"(, "quantity": 100)"));
  for (const char* f : {"leverage", "profit_target", "stop_loss", "invalidation_condition", "confidence", "risk_usd"}) {
    EXPECT_TRUE(HasReason(issues, DecisionReason::kMissingField, "XRP", f)) << f;
  }
  EXPECT_FALSE(HasReason(issues, DecisionReason::kMissingField, "XRP", "quantity"));
}

TEST(DecisionValidate, NonNumericFields) {
  auto issues = Check(Entry("XRP", "buy_to_enter",
                            R"(, "quantity": "a lot", "leverage": "five", "profit_target": null, "stop_loss": [1],
                               "invalidation_condition": "x", "confidence": "high", "risk_usd": {}})"));
  for (const char* f : {"quantity", "leverage", "profit_target", "stop_loss", "confidence", "risk_usd"}) {
    EXPECT_TRUE(HasReason(issues, DecisionReason::kNonNumericField, "XRP", f)) << f;
  }
  // Reported once: not also as missing.
  EXPECT_FALSE(HasReason(issues, DecisionReason::kMissingField, "XRP"));
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "buy_to_enter",
                                    R"(, "quantity": 0.1, "leverage": 7.5, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)")),
                        DecisionReason::kNonNumericField, "BTC", "leverage"));
}

TEST(DecisionValidate, OverflowingNumbersAreRefused) {
  // Found by the fuzzer: Boost.JSON reads 1e+320 as infinity; the canonical JSON must stay JSON.
  auto issues = Check(Entry("BTC", "buy_to_enter",
                            R"(, "quantity": 1e+300, "leverage": 1e+400, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 1e+320, "risk_usd": 1e19)"));
  EXPECT_TRUE(HasReason(issues, DecisionReason::kNonNumericField, "BTC", "quantity"));
  EXPECT_TRUE(HasReason(issues, DecisionReason::kNonNumericField, "BTC", "confidence"));
  EXPECT_TRUE(HasReason(issues, DecisionReason::kNonNumericField, "BTC", "risk_usd"));
  EXPECT_FALSE(issues.empty());
}

TEST(DecisionValidate, NegativeAndZeroQuantity) {
  EXPECT_TRUE(HasReason(Check(Entry("SOL", "hold", R"(, "quantity": -3)")), DecisionReason::kNegativeQuantity, "SOL",
                        "quantity"));
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "buy_to_enter",
                                    R"(, "quantity": 0, "leverage": 5, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)")),
                        DecisionReason::kZeroQuantity, "BTC", "quantity"));
}

TEST(DecisionValidate, StopAndTargetSides) {
  // Long: stop must be below, target above.
  auto long_bad = Check(Entry("BTC", "buy_to_enter",
                              R"(, "quantity": 0.1, "leverage": 5, "profit_target": 113000, "stop_loss": 115000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)"));
  EXPECT_TRUE(HasReason(long_bad, DecisionReason::kStopLossWrongSide, "BTC", "stop_loss"));
  EXPECT_TRUE(HasReason(long_bad, DecisionReason::kProfitTargetWrongSide, "BTC", "profit_target"));
  // Short: target below, stop above.
  auto short_bad = Check(Entry("BNB", "sell_to_enter",
                               R"(, "quantity": 1, "leverage": 3, "profit_target": 1200, "stop_loss": 1000, "invalidation_condition": "x", "confidence": 0.5, "risk_usd": 95)"));
  EXPECT_TRUE(HasReason(short_bad, DecisionReason::kStopLossWrongSide, "BNB"));
  EXPECT_TRUE(HasReason(short_bad, DecisionReason::kProfitTargetWrongSide, "BNB"));
  // A stop at exactly the price is on the wrong side.
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "buy_to_enter",
                                    R"(, "quantity": 0.1, "leverage": 5, "profit_target": 120000, "stop_loss": "113975.5", "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)")),
                        DecisionReason::kStopLossWrongSide));
  auto msg = long_bad[0].message;
  EXPECT_NE(msg.find("BTC"), std::string::npos);
}

TEST(DecisionValidate, LeverageRange) {
  auto lev = [](int l) {
    return Check(Entry("BTC", "buy_to_enter",
                       R"(, "quantity": 0.1, "leverage": )" + std::to_string(l) +
                           R"(, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)"));
  };
  EXPECT_TRUE(HasReason(lev(0), DecisionReason::kLeverageOutOfRange, "BTC", "leverage"));
  EXPECT_TRUE(HasReason(lev(11), DecisionReason::kLeverageOutOfRange, "BTC", "leverage"));
  EXPECT_TRUE(lev(10).empty());
  EXPECT_TRUE(lev(1).empty());
  // A configured max above the hard cap is clamped to 10.
  ValidationContext ctx = Ctx();
  ctx.max_leverage = 40;
  EXPECT_TRUE(HasReason(CheckDecisionAnswer(Entry("BTC", "buy_to_enter",
                                                  R"(, "quantity": 0.1, "leverage": 20, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)"),
                                            ctx)
                            .issues,
                        DecisionReason::kLeverageOutOfRange));
}

TEST(DecisionValidate, ConfidenceAndRisk) {
  auto issues = Check(Entry("BTC", "buy_to_enter",
                            R"(, "quantity": 0.1, "leverage": 5, "profit_target": 120000, "stop_loss": 110000, "invalidation_condition": "x", "confidence": 75, "risk_usd": -1)"));
  EXPECT_TRUE(HasReason(issues, DecisionReason::kConfidenceOutOfRange, "BTC", "confidence"));
  EXPECT_TRUE(HasReason(issues, DecisionReason::kNegativeRisk, "BTC", "risk_usd"));
}

TEST(DecisionValidate, PositionRules) {
  auto entry_open = Check(Entry("ETH", "buy_to_enter",
                                R"(, "quantity": 1, "leverage": 5, "profit_target": 4500, "stop_loss": 4000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 112)"));
  EXPECT_TRUE(HasReason(entry_open, DecisionReason::kEntryWithOpenPosition, "ETH", "signal"));
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "close_position", "")), DecisionReason::kCloseWithoutPosition, "BTC"));
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "close", "")), DecisionReason::kCloseWithoutPosition, "BTC"));
}

TEST(DecisionValidate, NoPrice) {
  EXPECT_TRUE(HasReason(Check(Entry("DOGE", "buy_to_enter",
                                    R"(, "quantity": 100, "leverage": 2, "profit_target": 0.3, "stop_loss": 0.1, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 10)")),
                        DecisionReason::kNoPrice, "DOGE"));
}

// Issue 9 item 1: magnitudes the model gets wrong are refused with a reason (and the retry
// message tells the model what was wrong), before any arithmetic runs on them.
std::string BtcLongWith(const std::string& field, const std::string& value) {
  std::map<std::string, std::string> f = {{"quantity", "0.1"},         {"leverage", "5"},
                                          {"profit_target", "120000"}, {"stop_loss", "110000"},
                                          {"confidence", "0.6"},       {"risk_usd", "400"}};
  f[field] = value;
  std::string extra;
  for (const auto& [k, v] : f) extra += ", \"" + k + "\": " + v;
  extra += R"(, "invalidation_condition": "x")";
  return Entry("BTC", "buy_to_enter", extra);
}

TEST(DecisionValidate, AbsurdMagnitudesAreRefusedWithAReason) {
  ASSERT_TRUE(Check(BtcLongWith("quantity", "0.1")).empty());
  // Dollars instead of coins: 100000 BTC at 113975.5 is 11.4 billion of notional.
  auto dollars = Check(BtcLongWith("quantity", "100000"));
  ASSERT_TRUE(HasReason(dollars, DecisionReason::kQuantityOutOfRange, "BTC", "quantity"));
  EXPECT_NE(dollars[0].message.find("in coins"), std::string::npos) << dollars[0].message;
  EXPECT_TRUE(HasReason(Check(BtcLongWith("quantity", "1e15")), DecisionReason::kNonNumericField, "BTC", "quantity"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("quantity", "9e18")), DecisionReason::kNonNumericField, "BTC", "quantity"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("quantity", "9000000000")), DecisionReason::kQuantityOutOfRange, "BTC"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("quantity", "1e-12")), DecisionReason::kZeroQuantity, "BTC", "quantity"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("leverage", "1e9")), DecisionReason::kLeverageOutOfRange, "BTC", "leverage"));
  // Exit prices: positive and within 10x of the current price.
  EXPECT_TRUE(HasReason(Check(BtcLongWith("profit_target", "5000000")), DecisionReason::kPriceOutOfRange, "BTC",
                        "profit_target"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("stop_loss", "-5")), DecisionReason::kPriceOutOfRange, "BTC", "stop_loss"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("stop_loss", "0.000000001")), DecisionReason::kPriceOutOfRange, "BTC",
                        "stop_loss"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("stop_loss", "9e18")), DecisionReason::kNonNumericField, "BTC"));
  // risk_usd: at most the notional cap.
  EXPECT_TRUE(HasReason(Check(BtcLongWith("risk_usd", "5000000000")), DecisionReason::kRiskOutOfRange, "BTC",
                        "risk_usd"));
  EXPECT_TRUE(HasReason(Check(BtcLongWith("confidence", "1e9")), DecisionReason::kConfidenceOutOfRange, "BTC"));
  // A hold that restates an absurd size is refused too.
  EXPECT_TRUE(HasReason(Check(Entry("BTC", "hold", R"(, "quantity": 100000)")), DecisionReason::kQuantityOutOfRange,
                        "BTC", "quantity"));
  // A configured cap is honoured.
  ValidationContext ctx = Ctx();
  ctx.max_notional = Money::FromUnits(10000);
  EXPECT_TRUE(HasReason(CheckDecisionAnswer(BtcLongWith("quantity", "0.1"), ctx).issues,
                        DecisionReason::kQuantityOutOfRange, "BTC"));
}

TEST(DecisionValidate, EveryReasonHasAName) {
  for (int r = 0; r <= static_cast<int>(DecisionReason::kLast); ++r) {
    EXPECT_NE(ToString(static_cast<DecisionReason>(r)), "?");
  }
}

// ---- canonical JSON, schema -----------------------------------------------------------

TEST(DecisionJson, RoundTrip) {
  ParsedAnswer p = ParseDecisionAnswer(kBtcLong);
  ASSERT_TRUE(p.ok());
  std::string json = DecisionsToJson(p.decisions);
  ParsedAnswer again = ParseDecisionAnswer(json);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.decisions, p.decisions);
}

TEST(DecisionJson, SchemaNamesEveryCoinAndField) {
  std::vector<std::string> coins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  std::string schema = DecisionJsonSchema(coins, 10);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(schema, ec);
  ASSERT_FALSE(ec) << schema;
  const auto& props = v.at("properties").as_object();
  EXPECT_EQ(props.size(), 6u);
  const auto& args = props.at("DOGE").at("properties").at("trade_signal_args");
  EXPECT_EQ(args.at("properties").at("leverage").at("maximum").as_int64(), 10);
  EXPECT_EQ(args.at("required").as_array().size(), 10u);
  EXPECT_EQ(v.at("required").as_array().size(), 6u);
  // Clamped to the hard cap.
  boost::json::value v40 = boost::json::parse(DecisionJsonSchema(coins, 40));
  EXPECT_EQ(v40.at("properties").at("BTC").at("properties").at("trade_signal_args").at("properties").at("leverage").at(
                "maximum").as_int64(),
            10);
}

// ---- retry protocol -------------------------------------------------------------------

TEST(DecisionRetry, MessageListsIssues) {
  auto issues = Check(Entry("BTC", "buy_to_enter",
                            R"(, "quantity": 0.1, "leverage": 40, "profit_target": 120000, "stop_loss": 115000, "invalidation_condition": "x", "confidence": 0.6, "risk_usd": 400)"));
  std::string msg = BuildRetryMessage(issues);
  EXPECT_NE(msg.find("[leverage_out_of_range] BTC: leverage 40 is outside 1..10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[stop_loss_wrong_side] BTC: stop_loss 115000 must be below the current price 113975.5"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("JSON only"), std::string::npos);
}

TEST(DecisionRetry, RetryThenAccept) {
  DecisionProtocol protocol(Ctx(), RetryPolicy{1}, "aa-v1");
  EXPECT_EQ(protocol.OnAnswer("no idea"), DecisionProtocol::Step::kRetry);
  EXPECT_NE(protocol.retry_message().find("no_decision_found"), std::string::npos);
  EXPECT_EQ(protocol.OnAnswer(kBtcLong), DecisionProtocol::Step::kAccepted);
  const DecisionOutcome& out = protocol.outcome();
  EXPECT_EQ(out.prompt_version, "aa-v1");
  ASSERT_EQ(out.attempts.size(), 2u);
  EXPECT_EQ(out.attempts[0].raw_text, "no idea");
  EXPECT_FALSE(out.attempts[0].issues.empty());
  EXPECT_TRUE(out.attempts[1].issues.empty());
  EXPECT_FALSE(out.fell_back_to_hold);
  // BTC from the answer; the five others hold.
  ASSERT_EQ(out.decisions.size(), 6u);
  EXPECT_EQ(out.decisions[0].signal, Signal::kBuyToEnter);
  for (std::size_t i = 1; i < 6; ++i) EXPECT_EQ(out.decisions[i].signal, Signal::kHold);
}

TEST(DecisionRetry, FallsBackToHoldAfterRetries) {
  DecisionProtocol protocol(Ctx(), RetryPolicy{2}, "aa-v1");
  EXPECT_EQ(protocol.OnAnswer("{"), DecisionProtocol::Step::kRetry);
  EXPECT_EQ(protocol.OnAnswer("still nothing"), DecisionProtocol::Step::kRetry);
  EXPECT_EQ(protocol.OnAnswer(Entry("ETH", "buy_to_enter", kGoodLongFields)), DecisionProtocol::Step::kFallback);
  const DecisionOutcome& out = protocol.outcome();
  EXPECT_TRUE(out.fell_back_to_hold);
  EXPECT_EQ(out.attempts.size(), 3u);
  EXPECT_NE(out.fallback_reason.find("ETH"), std::string::npos);
  ASSERT_EQ(out.decisions.size(), 6u);
  for (const Decision& d : out.decisions) EXPECT_EQ(d.signal, Signal::kHold);
  EXPECT_EQ(out.decisions[1].quantity, Q("5.74"));  // ETH holds its full size
  EXPECT_EQ(out.decisions[2].quantity, Q("3"));     // SOL short, absolute size
}

TEST(DecisionRetry, ZeroRetriesFallsBackAtOnce) {
  DecisionProtocol protocol(Ctx(), RetryPolicy{0}, "aa-v1");
  EXPECT_EQ(protocol.OnAnswer("nothing"), DecisionProtocol::Step::kFallback);
  EXPECT_TRUE(protocol.outcome().fell_back_to_hold);
}

class ScriptedClient : public llm::Client {
 public:
  explicit ScriptedClient(std::vector<Result<llm::Response>> script) : script_(std::move(script)) {}
  std::string provider() const override { return "scripted"; }
  Result<llm::Response> Complete(const llm::Request& request, const llm::CancelToken*) override {
    requests.push_back(request);
    Result<llm::Response> r = script_.at(next_++);
    return r;
  }
  std::vector<llm::Request> requests;

 private:
  std::vector<Result<llm::Response>> script_;
  std::size_t next_ = 0;
};

llm::Response Answer(std::string text) {
  llm::Response r;
  r.text = std::move(text);
  return r;
}

TEST(DecisionRetry, DecideWithRetriesSendsFollowUp) {
  ScriptedClient client({Answer("```json\n{\"BTC\": {\"signal\": \"close\"}}\n```"), Answer(kBtcLong)});
  llm::Request req;
  req.messages = {{llm::Role::kSystem, "sys"}, {llm::Role::kUser, "prompt"}};
  DecisionOutcome out = DecideWithRetries(client, req, Ctx(), RetryPolicy{1}, "aa-v1");
  EXPECT_FALSE(out.fell_back_to_hold);
  ASSERT_EQ(client.requests.size(), 2u);
  ASSERT_EQ(client.requests[1].messages.size(), 4u);
  EXPECT_EQ(client.requests[1].messages[2].role, llm::Role::kAssistant);
  EXPECT_EQ(client.requests[1].messages[3].role, llm::Role::kUser);
  EXPECT_NE(client.requests[1].messages[3].content.find("close_without_position"), std::string::npos);
}

TEST(DecisionRetry, TransportErrorHolds) {
  ScriptedClient client({Result<llm::Response>(Status(StatusCode::kTimeout, "deadline"))});
  DecisionOutcome out = DecideWithRetries(client, llm::Request{}, Ctx(), RetryPolicy{3}, "aa-v1");
  EXPECT_TRUE(out.fell_back_to_hold);
  ASSERT_EQ(out.attempts.size(), 1u);
  EXPECT_EQ(out.attempts[0].transport.code(), StatusCode::kTimeout);
  EXPECT_EQ(client.requests.size(), 1u);
}

}  // namespace
}  // namespace aitrader::agent
