// RiskEngine: the hard rules between the model's proposal and the money. Every entry the
// engine is about to place is checked here; each rule is a named check with a reason code.
// A denial is data (a Verdict listing every failed rule with a message), never an exception.
//
// The checks read plain views of the proposal, the account and the market, so the engine
// maps its own types into them and the rules stay testable in isolation.
//
// Limits are configurable per bot within global caps: leverage can be configured lower than
// kHardMaxLeverage (10x) but never higher — Create() refuses such limits.
//
// Every number of a proposal is untrusted (it comes from the model): products and sums use
// the checked fixed-point forms, and a value that does not fit (100000 "BTC" given in dollars
// is 11.4 billion of notional, beyond Money's range) is a denial, never an abort.
//
// Verdicts list every failed rule of the order, except when the account itself may not add risk
// (halted, drawdown-reducing, daily loss limit): then that state alone is the verdict.
//
// Trading state (StateFor): ACTIVE trades normally; REDUCING allows only closes (set by the
// daily loss limit or the drawdown-to-reduce threshold); HALTED allows only closes and asks
// the runtime to stop the bot (drawdown-to-halt threshold). Closing is always allowed: a
// risk rule must never trap a position.
// Thread safety: a RiskEngine is immutable; Check* are const and may run concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/instrument.hpp"
#include "core/margin_brackets.hpp"
#include "core/time.hpp"

namespace aitrader::risk {

inline constexpr int kHardMaxLeverage = 10;
// A stop-loss or take-profit must lie within mark / 10 .. mark × 10 (kPriceInsane otherwise).
inline constexpr int kMaxExitPriceFactor = 10;

enum class TradingState { kActive, kReducing, kHalted };

enum class DenialReason {
  kSymbolNotAllowed,      // not in the bot's whitelist / no such instrument
  kInvalidQuantity,       // zero, negative, below the instrument's minimum
  kLeverageOutOfRange,    // < 1 or above the bot's cap (never above 10)
  kNotionalTooLarge,      // notional above the allowed share of equity
  kInsufficientMargin,    // initial margin + round-trip fees exceed available margin
  kStopLossMissing,       // an entry without a stop-loss
  kStopLossWrongSide,     // long: stop must be below the price; short: above
  kTakeProfitWrongSide,   // long: target above the price; short: below
  kRewardRiskTooLow,      // reward:risk after round-trip fees below the minimum
  kMaxOpenPositions,      // as many positions open as allowed
  kPositionAlreadyOpen,   // one position per coin, no pyramiding
  kNoPositionToClose,     // a close for a coin with no position
  kDailyLossLimit,        // today's loss reached the limit: only closes until tomorrow (UTC)
  kDrawdownReducing,      // drawdown from peak reached the reduce threshold: only closes
  kHalted,                // drawdown reached the halt threshold: only closes, bot halts
  kPriceInsane,           // the proposal's price (or a stop/target) is too far from the mark price
  kCoolDown,              // a recent losing close on this coin: wait
  kStopBeyondLiquidation, // the stop-loss lies at or past the entry's liquidation price
};

std::string_view ToString(DenialReason r);   // "leverage_out_of_range", …
std::string_view ToString(TradingState s);   // "active", "reducing", "halted"

struct Denial {
  DenialReason reason;
  std::string message;  // names the coin and the numbers ("BTC: leverage 12 above the cap 10")
};

struct Verdict {
  std::vector<Denial> denials;
  bool approved() const { return denials.empty(); }
  bool Has(DenialReason r) const;
  std::string Summary() const;  // "approved" or "reason: message; reason: message"
};

struct RiskLimits {
  int max_leverage = kHardMaxLeverage;
  Ratio max_notional_to_equity = Ratio::FromUnits(3);     // a position's notional ≤ 3 × equity
  int max_open_positions = 6;
  Ratio min_reward_risk = *Ratio::Parse("1.5");             // after round-trip taker fees
  Ratio daily_loss_limit = *Ratio::Parse("0.05");           // 5% of the day's starting equity
  Ratio drawdown_reduce = *Ratio::Parse("0.15");            // 15% below peak → REDUCING
  Ratio drawdown_halt = *Ratio::Parse("0.25");              // 25% below peak → HALTED
  Ratio max_price_deviation = *Ratio::Parse("0.02");        // proposal price within 2% of mark
  UnixMs loss_cool_down_ms = 30 * kMinuteMs;
  Ratio taker_fee_rate = *Ratio::Parse("0.0005");           // for margin and reward:risk fees
  std::vector<std::string> symbol_whitelist;                // empty = every instrument known
};

struct EntryProposal {
  std::string symbol;                 // "BTCUSDT"
  Side side = Side::kBuy;             // kBuy = long, kSell = short
  Quantity quantity;
  int leverage = 1;
  Price price;                        // the price the proposal is based on (expected fill)
  std::optional<Price> stop_loss;
  std::optional<Price> take_profit;
};

struct AccountView {
  Money equity;                        // wallet balance + unrealized PnL
  Money available_margin;              // what a new position's margin may use
  Money day_start_equity;              // equity at 00:00 UTC today
  Money peak_equity;                   // highest equity since the bot started
  std::vector<std::string> open_symbols;
  // Last losing close per symbol (for the cool-down).
  std::vector<std::pair<std::string, UnixMs>> last_loss_at;
  UnixMs now = 0;
};

class RiskEngine {
 public:
  // Fails when a limit is out of range (leverage above 10, negative ratios, halt < reduce…).
  static Result<RiskEngine> Create(RiskLimits limits, InstrumentTable instruments);
  // The same with the venue's maintenance-margin tiers for the stop-before-liquidation rule
  // (without them, or for a symbol they lack, the instrument's first tier).
  static Result<RiskEngine> Create(RiskLimits limits, InstrumentTable instruments, MarginBracketTable brackets);

  const RiskLimits& limits() const { return limits_; }
  TradingState StateFor(const AccountView& account) const;
  // All entry rules; `mark` is the venue's current mark price for the symbol.
  Verdict CheckEntry(const EntryProposal& p, const AccountView& account, Price mark) const;
  // Closes are always allowed when there is a position.
  Verdict CheckClose(std::string_view symbol, const AccountView& account) const;

 private:
  RiskEngine(RiskLimits limits, InstrumentTable instruments)
      : limits_(std::move(limits)), instruments_(std::move(instruments)) {}
  // Stop-before-liquidation: the liquidation price of the proposed entry as an isolated
  // position holding only its initial margin (notional / leverage) — the nearest liquidation
  // the entry can have while the rest of a cross account is not losing — with the tier its
  // notional falls in. A long's stop must lie above it, a short's below.
  void CheckStopBeforeLiquidation(const EntryProposal& p, const Instrument& ins, Verdict& v) const;
  RiskLimits limits_;
  InstrumentTable instruments_;
  MarginBracketTable brackets_;
};

}  // namespace aitrader::risk
