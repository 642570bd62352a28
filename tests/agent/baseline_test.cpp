#include "agent/baseline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "agent/fresh_prompt.hpp"
#include "market/data_dir.hpp"

namespace aitrader::agent {
namespace {

const std::string kMarketDir = std::string(AITRADER_DATA_DIR) + "/binance-usdm";

UnixMs T(const char* s) { return ParseUtc(s).value(); }

const InstrumentTable& Instruments() {
  static const InstrumentTable t = InstrumentTable::LoadDefault().value();
  return t;
}

// CoinFeatures for the six coins, built once.
const std::vector<CoinFeatures>& Features() {
  static const std::vector<CoinFeatures> features = [] {
    std::vector<CoinFeatures> out;
    market::DataDir dir(kMarketDir);
    for (const char* coin : {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"}) {
      const Instrument* inst = Instruments().Find(coin);
      auto m5 = dir.LoadCandles(inst->symbol, 5 * kMinuteMs).value();
      auto h4 = dir.LoadCandles(inst->symbol, 4 * kHourMs).value();
      out.push_back(CoinFeatures::Build(coin, inst->PriceDecimals(), m5, h4).value());
    }
    return out;
  }();
  return features;
}

std::vector<MarketSnapshot> SnapshotsAt(UnixMs t) {
  std::vector<MarketSnapshot> out;
  for (const CoinFeatures& f : Features()) out.push_back(f.At(t).value());
  return out;
}

ValidationContext ContextFor(const std::vector<MarketSnapshot>& snaps, const std::vector<PositionInfo>& positions) {
  ValidationContext ctx;
  for (const MarketSnapshot& s : snaps) {
    CoinState c{s.coin, s.current_price, Quantity::Zero()};
    for (const PositionInfo& p : positions) {
      if (p.coin == s.coin) c.position = p.quantity;
    }
    ctx.coins.push_back(c);
  }
  return ctx;
}

PromptBuilder Builder() {
  return PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
}

TEST(Baseline, DeterministicAndValidAcrossTheData) {
  BaselinePolicy policy({}, Instruments());
  AccountState account;
  int entries = 0;
  // Every 7h13m over the bundled range: a spread of market states.
  for (UnixMs t = T("2025-09-20T00:00:00Z"); t < T("2025-12-31T00:00:00Z"); t += 7 * kHourMs + 13 * kMinuteMs) {
    auto snaps = SnapshotsAt(t);
    std::string a = policy.Answer(snaps, account, {});
    std::string b = policy.Answer(snaps, account, {});
    ASSERT_EQ(a, b);
    CheckedAnswer checked = CheckDecisionAnswer(a, ContextFor(snaps, {}));
    ASSERT_TRUE(checked.ok()) << FormatUtc(t) << ": " << IssuesToStatus(checked.issues).ToString() << "\n" << a;
    ASSERT_EQ(checked.decisions.size(), 6u);
    for (const Decision& d : checked.decisions) {
      EXPECT_EQ(d.justification.rfind("[baseline]", 0), 0u);
      if (!IsEntry(*d.signal)) continue;
      ++entries;
      // Reward:risk >= 2 after round-trip taker fees.
      const MarketSnapshot* s = nullptr;
      for (const auto& x : snaps) {
        if (x.coin == d.coin) s = &x;
      }
      const double px = s->current_price.ToDouble();
      const double fee = px * 0.0005 * 2;
      const double risk = std::fabs(px - d.stop_loss->ToDouble()) + fee;
      const double reward = std::fabs(d.profit_target->ToDouble() - px) - fee;
      EXPECT_GE(reward, 2.0 * risk - 1e-9) << d.coin << " at " << FormatUtc(t);
      EXPECT_LE(*d.leverage, 10);
      // Risk is about 1 % of the account (never more, after flooring to the lot step).
      EXPECT_LE(d.risk_usd->ToDouble(), 100.0 + 1e-6);
    }
  }
  EXPECT_GT(entries, 0) << "the sample should contain some entries";
}

TEST(Baseline, HoldsOrClosesOpenPositions) {
  BaselinePolicy policy({}, Instruments());
  const UnixMs t = T("2025-10-20T12:00:00Z");
  auto snaps = SnapshotsAt(t);
  // BTC: 4h EMA20 < EMA50 at this time (see the golden prompt): a long is invalidated, a short
  // is kept.
  ASSERT_LT(snaps[0].h4_ema20, snaps[0].h4_ema50);
  PositionInfo lng;
  lng.coin = "BTC";
  lng.quantity = Quantity::Parse("0.1").value();
  lng.entry_price = snaps[0].current_price;
  lng.leverage = 5;
  PositionInfo sht = lng;
  sht.coin = "ETH";
  sht.quantity = Quantity::Parse("-2").value();
  sht.stop_loss = Price::Parse("4300").value();
  sht.profit_target = Price::Parse("3800").value();
  sht.invalidation_condition = "4h close above 4300";
  sht.confidence = 0.6;
  sht.risk_usd = Money::FromUnits(534);
  std::vector<PositionInfo> positions = {lng, sht};
  AccountState account;
  auto decisions = policy.Decide(snaps, account, positions);
  EXPECT_EQ(decisions[0].signal, Signal::kClosePosition);
  EXPECT_EQ(decisions[0].quantity, Quantity::Parse("0.1").value());
  EXPECT_EQ(decisions[1].signal, Signal::kHold);
  EXPECT_EQ(decisions[1].quantity, Quantity::Parse("2").value());
  EXPECT_EQ(decisions[1].stop_loss, sht.stop_loss);
  EXPECT_TRUE(ValidateDecisions(decisions, ContextFor(snaps, positions)).empty());
}

TEST(Baseline, ReadsItsPromptBack) {
  const UnixMs t = T("2025-10-20T12:00:00Z");
  auto snaps = SnapshotsAt(t);
  PositionInfo pos;
  pos.coin = "SOL";
  pos.quantity = Quantity::Parse("-3").value();
  pos.entry_price = Price::Parse("195.5").value();
  pos.current_price = snaps[2].current_price;
  pos.leverage = 4;
  pos.stop_loss = Price::Parse("201.25").value();
  pos.profit_target = Price::Parse("180").value();
  pos.invalidation_condition = "4h EMA20 closes above the 4h EMA50, it's over";
  pos.confidence = 0.65;
  pos.risk_usd = Money::Parse("17.25").value();
  PromptState st;
  st.now = t;
  st.started_at = t - 90 * kMinuteMs;
  st.invocation_count = 19;
  st.coins = snaps;
  st.account.account_value = Money::Parse("10250.5").value();
  st.account.available_cash = Money::Parse("9100.25").value();
  st.account.sharpe = 0.25;
  std::vector<PositionInfo> positions = {pos};
  st.positions = positions;
  BuiltPrompt prompt = Builder().Build(st);

  auto f = ParseUserPrompt(prompt.user);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->coins.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const MarketSnapshot& a = snaps[i];
    const MarketSnapshot& b = f->coins[i];
    EXPECT_EQ(a.coin, b.coin);
    EXPECT_EQ(a.price_decimals, b.price_decimals) << a.coin;
    EXPECT_EQ(a.current_price, b.current_price);
    const double tol = 0.5 * std::pow(10.0, -(a.price_decimals + 2)) + 1e-12;
    EXPECT_NEAR(a.ema20, b.ema20, tol);
    EXPECT_NEAR(a.h4_atr14, b.h4_atr14, tol);
    EXPECT_NEAR(a.rsi7, b.rsi7, 0.0005 + 1e-12);
    EXPECT_EQ(a.series_length, b.series_length);
    EXPECT_EQ(a.mid_prices, b.mid_prices);
    EXPECT_EQ(a.h4_series_length, b.h4_series_length);
    EXPECT_NEAR(a.h4_rsi14_series[9], b.h4_rsi14_series[9], 0.0005 + 1e-12);
  }
  EXPECT_EQ(f->account.account_value, Money::Parse("10250.5").value());
  EXPECT_EQ(f->account.available_cash, Money::Parse("9100.25").value());
  // Derived from the printed return (2 decimals): approximate.
  EXPECT_NEAR(f->account.initial_value.ToDouble(), 10000.0, 1.0);
  EXPECT_EQ(f->max_leverage, 10);
  EXPECT_EQ(f->taker_fee, Ratio::Parse("0.0005").value());
  ASSERT_EQ(f->positions.size(), 1u);
  EXPECT_EQ(f->positions[0].coin, "SOL");
  EXPECT_EQ(f->positions[0].quantity, pos.quantity);
  EXPECT_EQ(f->positions[0].stop_loss, pos.stop_loss);
  EXPECT_EQ(f->positions[0].invalidation_condition, pos.invalidation_condition);
  EXPECT_EQ(f->positions[0].leverage, 4);

  // Through the text or from the structures, the baseline decides the same signals.
  BaselinePolicy policy({}, Instruments());
  auto direct = policy.Decide(snaps, st.account, positions);
  ParsedAnswer via_text = ParseDecisionAnswer(BaselineAnswerForPrompt(prompt.system, prompt.user));
  ASSERT_TRUE(via_text.ok());
  ASSERT_EQ(via_text.decisions.size(), direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) EXPECT_EQ(via_text.decisions[i].signal, direct[i].signal);
  // Checked against this scenario's inputs, not against another call of the same function:
  // one decision per coin in the prompt's order; the open SOL short (-3, stop 201.25, target
  // 180) may only be held or closed, at its full size, and a hold restates its exit plan.
  const std::vector<std::string> order = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  ASSERT_EQ(via_text.decisions.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(via_text.decisions[i].coin, order[i]);
  const Decision& sol = via_text.decisions[2];
  ASSERT_TRUE(sol.signal.has_value());
  EXPECT_TRUE(*sol.signal == Signal::kHold || *sol.signal == Signal::kClosePosition) << ToString(*sol.signal);
  EXPECT_EQ(sol.quantity, Quantity::Parse("3").value());
  if (*sol.signal == Signal::kHold) {
    EXPECT_EQ(sol.stop_loss, Price::Parse("201.25").value());
    EXPECT_EQ(sol.profit_target, Price::Parse("180").value());
  }
  // The answer is acceptable for the market and positions the prompt describes.
  ValidationContext from_prompt;
  for (const auto& c : f->coins) {
    from_prompt.coins.push_back({c.coin, c.current_price, c.coin == "SOL" ? pos.quantity : Quantity::Zero()});
  }
  EXPECT_TRUE(ValidateDecisions(via_text.decisions, from_prompt).empty())
      << IssuesToStatus(ValidateDecisions(via_text.decisions, from_prompt)).ToString();
  // The mock vendor server joins a conversation's user messages with blank lines: a retry
  // message after the prompt changes nothing.
  DecisionIssue issue{DecisionReason::kUnknownCoin, "PEPE", "", "PEPE: is not a traded coin"};
  std::string joined = prompt.user + "\n\n" + BuildRetryMessage(std::span<const DecisionIssue>(&issue, 1));
  EXPECT_EQ(BaselineAnswerForPrompt(prompt.system, joined), BaselineAnswerForPrompt(prompt.system, prompt.user));
}

TEST(Baseline, ClientSpeaksLikeAnLlm) {
  FreshPromptOptions opt;
  opt.data_dir = kMarketDir;
  opt.at = T("2025-11-05T08:00:00Z");
  auto prompt = BuildFreshPrompt(opt, Instruments());
  ASSERT_TRUE(prompt.ok());
  BaselineClient client;
  EXPECT_EQ(client.provider(), "baseline");
  llm::Request req;
  req.messages = {{llm::Role::kSystem, prompt->system}, {llm::Role::kUser, prompt->user}};
  auto r = client.Complete(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "baseline-v1");
  EXPECT_EQ(r->text, BaselineAnswerForPrompt(prompt->system, prompt->user));

  ValidationContext ctx;
  for (const char* c : {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"}) {
    auto f = ParseUserPrompt(prompt->user).value();
    for (const auto& s : f.coins) {
      if (s.coin == c) ctx.coins.push_back({c, s.current_price, Quantity::Zero()});
    }
  }
  DecisionOutcome out = DecideWithRetries(client, req, ctx, RetryPolicy{1}, prompt->version);
  EXPECT_FALSE(out.fell_back_to_hold) << out.fallback_reason;
  EXPECT_EQ(out.attempts.size(), 1u);
  EXPECT_EQ(out.prompt_version, "aa-v1");

  llm::CancelToken cancel;
  cancel.Cancel();
  EXPECT_EQ(client.Complete(req, &cancel).status().code(), StatusCode::kCancelled);
  llm::Request junk;
  junk.messages = {{llm::Role::kUser, "hello"}};
  EXPECT_EQ(client.Complete(junk).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BaselineAnswerForPrompt("", "hello"), "{}");
}

TEST(Baseline, PromptReaderSurvivesDamagedText) {
  FreshPromptOptions opt;
  opt.data_dir = kMarketDir;
  opt.at = T("2025-10-20T12:00:00Z");
  auto prompt = BuildFreshPrompt(opt, Instruments());
  ASSERT_TRUE(prompt.ok());
  const std::string& u = prompt->user;
  const std::size_t account_at = u.find("HERE IS YOUR ACCOUNT");
  for (std::size_t cut = 0; cut < u.size(); cut += 37) {
    std::string truncated = u.substr(0, cut);
    auto f = ParseUserPrompt(truncated);
    if (cut < account_at) {
      EXPECT_FALSE(f.ok()) << "cut at " << cut;
    }
    std::string answer = BaselineAnswerForPrompt("", truncated);
    EXPECT_TRUE(answer == "{}" || ParseDecisionAnswer(answer).ok());
    std::string damaged = u;
    damaged[cut] = damaged[cut] == '[' ? ']' : '[';
    (void)ParseUserPrompt(damaged);
  }
}

TEST(Baseline, EntryRulesOnASyntheticUptrend) {
  MarketSnapshot s;
  s.coin = "BTC";
  s.price_decimals = 1;
  s.current_price = Price::FromUnits(100000);
  s.ema20 = 99900;
  s.macd = 25;
  s.rsi7 = 60;
  s.series_length = 10;
  s.rsi14_series.fill(55);
  s.has_4h = true;
  s.h4_ema20 = 99000;
  s.h4_ema50 = 97000;
  s.h4_atr14 = 1000;
  s.h4_series_length = 10;
  s.h4_rsi14_series.fill(58);
  BaselinePolicy policy({}, Instruments());
  AccountState account;
  Decision d = policy.Decide(std::span<const MarketSnapshot>(&s, 1), account, {})[0];
  ASSERT_EQ(d.signal, Signal::kBuyToEnter);
  EXPECT_EQ(d.stop_loss, Price::FromUnits(98500));  // 1.5 × ATR14
  // 2 × 1500 + 3 × (100000 × 0.0005 × 2) = 3300
  EXPECT_EQ(d.profit_target, Price::FromUnits(103300));
  // 100 / (1500 + 100) = 0.0625 → 0.062 (lot 0.001)
  EXPECT_EQ(d.quantity, Quantity::Parse("0.062").value());
  EXPECT_EQ(d.leverage, 3);  // 6200 notional / 3000 margin cap → 3x
  EXPECT_EQ(d.risk_usd, Money::FromUnits(93));
  EXPECT_DOUBLE_EQ(*d.confidence, 0.75);

  // Overbought intraday: no entry. Mirror: a short.
  MarketSnapshot hot = s;
  hot.rsi7 = 80;
  EXPECT_EQ(policy.Decide(std::span<const MarketSnapshot>(&hot, 1), account, {})[0].signal, Signal::kHold);
  MarketSnapshot down = s;
  down.h4_ema20 = 97000;
  down.h4_ema50 = 99000;
  down.macd = -25;
  down.ema20 = 100100;
  down.rsi7 = 40;
  Decision sd = policy.Decide(std::span<const MarketSnapshot>(&down, 1), account, {})[0];
  ASSERT_EQ(sd.signal, Signal::kSellToEnter);
  EXPECT_EQ(sd.stop_loss, Price::FromUnits(101500));
  EXPECT_EQ(sd.profit_target, Price::FromUnits(96700));
  // Missing 4h data: hold.
  MarketSnapshot blind = s;
  blind.has_4h = false;
  EXPECT_EQ(policy.Decide(std::span<const MarketSnapshot>(&blind, 1), account, {})[0].signal, Signal::kHold);
}

}  // namespace
}  // namespace aitrader::agent
