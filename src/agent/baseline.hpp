// The "baseline" policy: a deterministic, rule-based trader (no LLM) that answers in the same
// decision schema from the same data, so every LLM bot has a yardstick in the same arena.
// Everything it produces is labelled baseline (provider "baseline", model "baseline-v1",
// justifications start with "[baseline]").
//
// Rules, per coin (all inputs from the MarketSnapshot; documented in docs/llm-integration.md):
//  - Position open: close_position when its invalidation is met — long: 4h EMA20 < 4h EMA50 or
//    price <= its stop; short: the mirror — else hold (the full size, the exit plan echoed).
//  - Flat, long entry (buy_to_enter) when all hold: 4h EMA20 > 4h EMA50, intraday MACD > 0,
//    price > intraday EMA20, intraday RSI7 < 70. Short entry (sell_to_enter): 4h EMA20 < EMA50,
//    MACD < 0, price < EMA20, RSI7 > 30. Otherwise hold. Missing data (n/a) means hold.
//  - Exit plan: stop at stop_atr_multiple × 4h ATR14 from the price; target at 2 × the stop
//    distance + 3 × the round-trip taker fee per coin, so reward:risk >= 2:1 after fees; prices
//    rounded away from the entry to the tick.
//  - Size: risk_usd budget = risk_fraction × account value; quantity = budget / (stop distance
//    + round-trip fee per coin), floored to the lot step; margin per position at most
//    max_margin_fraction × account value and at most the available cash; leverage = the smallest
//    whole number that fits that margin, capped at max_leverage (<= 10). Below the instrument's
//    minimum quantity or notional: hold.
//  - Confidence 0.55, +0.1 when the 4h RSI14 agrees (> 50 long, < 50 short), +0.1 when the
//    intraday RSI14 agrees.
//
// Two entry points: BaselinePolicy::Decide() from structured snapshots (fast backtests), and
// BaselineClient / BaselineAnswerForPrompt(), which read the Alpha Arena user prompt text back
// into the same features (ParseUserPrompt) so the mock vendor server and the engine can treat
// the baseline exactly like an LLM.
//
// Thread safety: BaselinePolicy is immutable after construction; Decide() and the free
// functions may run concurrently. BaselineClient is safe to call from several threads.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/decision.hpp"
#include "agent/prompt.hpp"
#include "agent/snapshot.hpp"
#include "core/instrument.hpp"
#include "llm/client.hpp"

namespace aitrader::agent {

inline constexpr std::string_view kBaselineModel = "baseline-v1";

struct BaselineConfig {
  double risk_fraction = 0.01;       // risk per trade as a fraction of account value
  double stop_atr_multiple = 1.5;    // stop distance in 4h ATR14
  double max_margin_fraction = 0.3;  // margin per position, fraction of account value
  int max_leverage = 10;             // clamped to 1..kMaxLeverageCap
  Ratio taker_fee = Ratio::FromRaw(500'000);  // 0.05 %
  double rsi_overbought = 70, rsi_oversold = 30;
};

class BaselinePolicy {
 public:
  // instruments: tick, lot step and minimums per coin; coins not in it use the snapshot's
  // price decimals for the tick, a 0.001 step and no minimum.
  explicit BaselinePolicy(BaselineConfig config = {}, InstrumentTable instruments = {});

  // One decision per snapshot, in the snapshots' order.
  std::vector<Decision> Decide(std::span<const MarketSnapshot> coins, const AccountState& account,
                               std::span<const PositionInfo> positions) const;
  // Decide() into `out` (resized to coins.size()), reusing its elements' string buffers: the
  // same decisions as Decide(), without allocating once out has held a cycle's decisions.
  void DecideInto(std::span<const MarketSnapshot> coins, const AccountState& account,
                  std::span<const PositionInfo> positions, std::vector<Decision>& out) const;
  // Decide() as the JSON answer an LLM would give (DecisionsToJson).
  std::string Answer(std::span<const MarketSnapshot> coins, const AccountState& account,
                     std::span<const PositionInfo> positions) const;

  const BaselineConfig& config() const { return config_; }
  const InstrumentTable& instruments() const { return instruments_; }

 private:
  // Overwrites every field of d (d may hold an earlier decision).
  void DecideOne(const MarketSnapshot& s, const AccountState& account, const PositionInfo* position,
                 Decision& d) const;

  BaselineConfig config_;
  InstrumentTable instruments_;
  std::string stop_text_;  // "; stop 1.5x 4h ATR14, target 2R + fees"
};

// The features of an Alpha Arena user prompt rendered by PromptBuilder, read back from text.
struct PromptFeatures {
  std::vector<MarketSnapshot> coins;
  AccountState account;
  std::vector<PositionInfo> positions;
  int max_leverage = kMaxLeverageCap;
  Ratio taker_fee = Ratio::FromRaw(500'000);
};

// Reads a user prompt in PromptBuilder's format. Values print-rounded in the text are read as
// printed ("n/a" → NaN). Errors: ParseError naming the coin and the line that is missing or
// unreadable; ParseError when there is no "ALL <COIN> DATA" block.
Result<PromptFeatures> ParseUserPrompt(std::string_view user);

// The baseline's JSON answer to a (system, user) prompt pair: the responder of the mock vendor
// server. A user prompt that is not in our format gets "{}" (no decisions).
std::string BaselineAnswerForPrompt(std::string_view system, std::string_view user);

// llm::Client over the baseline: reads the last user message carrying the market state.
class BaselineClient : public llm::Client {
 public:
  explicit BaselineClient(BaselineConfig config = {}, InstrumentTable instruments = {});
  std::string provider() const override { return "baseline"; }
  // Errors: kCancelled when the token fired; kInvalidArgument when no user message is in the
  // Alpha Arena format.
  Result<llm::Response> Complete(const llm::Request& request, const llm::CancelToken* cancel = nullptr) override;

 private:
  BaselinePolicy policy_;
};

}  // namespace aitrader::agent
