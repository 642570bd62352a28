#include "risk/risk_engine.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace aitrader::risk {

std::string_view ToString(DenialReason r) {
  switch (r) {
    case DenialReason::kSymbolNotAllowed: return "symbol_not_allowed";
    case DenialReason::kInvalidQuantity: return "invalid_quantity";
    case DenialReason::kLeverageOutOfRange: return "leverage_out_of_range";
    case DenialReason::kNotionalTooLarge: return "notional_too_large";
    case DenialReason::kInsufficientMargin: return "insufficient_margin";
    case DenialReason::kStopLossMissing: return "stop_loss_missing";
    case DenialReason::kStopLossWrongSide: return "stop_loss_wrong_side";
    case DenialReason::kTakeProfitWrongSide: return "take_profit_wrong_side";
    case DenialReason::kRewardRiskTooLow: return "reward_risk_too_low";
    case DenialReason::kMaxOpenPositions: return "max_open_positions";
    case DenialReason::kPositionAlreadyOpen: return "position_already_open";
    case DenialReason::kNoPositionToClose: return "no_position_to_close";
    case DenialReason::kDailyLossLimit: return "daily_loss_limit";
    case DenialReason::kDrawdownReducing: return "drawdown_reducing";
    case DenialReason::kHalted: return "halted";
    case DenialReason::kPriceInsane: return "price_insane";
    case DenialReason::kCoolDown: return "cool_down";
    case DenialReason::kStopBeyondLiquidation: return "stop_beyond_liquidation";
  }
  return "unknown";
}

std::string_view ToString(TradingState s) {
  switch (s) {
    case TradingState::kActive: return "active";
    case TradingState::kReducing: return "reducing";
    case TradingState::kHalted: return "halted";
  }
  return "unknown";
}

bool Verdict::Has(DenialReason r) const {
  return std::any_of(denials.begin(), denials.end(), [r](const Denial& d) { return d.reason == r; });
}

std::string Verdict::Summary() const {
  if (approved()) return "approved";
  std::string s;
  for (const auto& d : denials) {
    if (!s.empty()) s += "; ";
    s += ToString(d.reason);
    s += ": ";
    s += d.message;
  }
  return s;
}

Result<RiskEngine> RiskEngine::Create(RiskLimits limits, InstrumentTable instruments) {
  if (limits.max_leverage < 1 || limits.max_leverage > kHardMaxLeverage) {
    return InvalidArgument("risk: max_leverage " + std::to_string(limits.max_leverage) + " must be within 1.." +
                           std::to_string(kHardMaxLeverage));
  }
  const Ratio one = Ratio::FromUnits(1);
  auto in_unit = [&](Ratio r) { return r.IsPositive() && r <= one; };
  if (!limits.max_notional_to_equity.IsPositive()) return InvalidArgument("risk: max_notional_to_equity must be > 0");
  if (limits.max_open_positions < 1) return InvalidArgument("risk: max_open_positions must be >= 1");
  if (limits.min_reward_risk.IsNegative()) return InvalidArgument("risk: min_reward_risk must be >= 0");
  if (!in_unit(limits.daily_loss_limit)) return InvalidArgument("risk: daily_loss_limit must be in (0, 1]");
  if (!in_unit(limits.drawdown_reduce) || !in_unit(limits.drawdown_halt)) {
    return InvalidArgument("risk: drawdown thresholds must be in (0, 1]");
  }
  if (limits.drawdown_halt < limits.drawdown_reduce) {
    return InvalidArgument("risk: drawdown_halt must be >= drawdown_reduce");
  }
  if (!in_unit(limits.max_price_deviation)) return InvalidArgument("risk: max_price_deviation must be in (0, 1]");
  if (limits.loss_cool_down_ms < 0) return InvalidArgument("risk: loss_cool_down must be >= 0");
  if (limits.taker_fee_rate.IsNegative()) return InvalidArgument("risk: taker_fee_rate must be >= 0");
  for (auto& s : limits.symbol_whitelist) {
    const Instrument* i = instruments.Find(s);
    if (i == nullptr) return InvalidArgument("risk: whitelisted symbol '" + s + "' is not a known instrument");
    s = i->symbol;
  }
  return RiskEngine(std::move(limits), std::move(instruments));
}

Result<RiskEngine> RiskEngine::Create(RiskLimits limits, InstrumentTable instruments, MarginBracketTable brackets) {
  auto e = Create(std::move(limits), std::move(instruments));
  if (!e.ok()) return e.status();
  e->brackets_ = std::move(brackets);
  return e;
}

void RiskEngine::CheckStopBeforeLiquidation(const EntryProposal& p, const Instrument& ins, Verdict& v) const {
  const bool is_long = p.side == Side::kBuy;
  const std::vector<MarginBracket> tiers = brackets_.TiersOr(ins);
  // The proposal's numbers are untrusted: a notional out of the fixed-point range is denied
  // elsewhere (notional_too_large), so this rule has nothing to add there.
  auto notional = CheckedNotional(p.price, p.quantity, Rounding::kCeil);
  if (!notional.ok()) return;
  const Money margin = notional->DivInt(p.leverage, Rounding::kCeil);
  auto lp = LiquidationPrice(tiers, p.side, p.quantity, p.price, margin);
  const std::string who = ins.base + ": ";
  if (!lp.ok()) {
    v.denials.push_back({DenialReason::kStopBeyondLiquidation, who + "liquidation price: " + lp.status().message()});
    return;
  }
  const Price sl = *p.stop_loss;
  const bool beyond = is_long ? (lp->IsPositive() && sl <= *lp) : sl >= *lp;
  if (beyond) {
    v.denials.push_back({DenialReason::kStopBeyondLiquidation,
                         who + (is_long ? "long" : "short") + " stop-loss " + sl.ToString() + " is " +
                             (is_long ? "at or below" : "at or above") + " the liquidation price " + lp->ToString(2) +
                             " of " + std::to_string(p.leverage) + "x at " + p.price.ToString() +
                             ": the position would be liquidated before its stop"});
  }
}

TradingState RiskEngine::StateFor(const AccountView& a) const {
  if (a.peak_equity.IsPositive()) {
    Money drawdown = a.peak_equity - a.equity;
    if (drawdown >= ApplyRatio(a.peak_equity, limits_.drawdown_halt, Rounding::kCeil)) return TradingState::kHalted;
    if (drawdown >= ApplyRatio(a.peak_equity, limits_.drawdown_reduce, Rounding::kCeil)) return TradingState::kReducing;
  }
  if (a.day_start_equity.IsPositive()) {
    Money day_loss = a.day_start_equity - a.equity;
    if (day_loss >= ApplyRatio(a.day_start_equity, limits_.daily_loss_limit, Rounding::kCeil)) {
      return TradingState::kReducing;
    }
  }
  return TradingState::kActive;
}

Verdict RiskEngine::CheckEntry(const EntryProposal& p, const AccountView& a, Price mark) const {
  Verdict v;
  auto deny = [&](DenialReason r, std::string m) { v.denials.push_back({r, std::move(m)}); };
  const Instrument* ins = instruments_.Find(p.symbol);
  const std::string coin = ins ? ins->base : p.symbol;
  const std::string who = coin + ": ";
  if (ins == nullptr) {
    deny(DenialReason::kSymbolNotAllowed, who + "unknown instrument");
    return v;
  }
  if (!limits_.symbol_whitelist.empty() &&
      std::find(limits_.symbol_whitelist.begin(), limits_.symbol_whitelist.end(), ins->symbol) ==
          limits_.symbol_whitelist.end()) {
    deny(DenialReason::kSymbolNotAllowed, who + "not in this bot's symbol list");
  }

  // Account state.
  if (a.peak_equity.IsPositive()) {
    Money drawdown = a.peak_equity - a.equity;
    if (drawdown >= ApplyRatio(a.peak_equity, limits_.drawdown_halt, Rounding::kCeil)) {
      deny(DenialReason::kHalted, who + "drawdown " + drawdown.ToString(2) + " from peak " + a.peak_equity.ToString(2) +
                                      " reached the halt threshold " + limits_.drawdown_halt.ToString());
    } else if (drawdown >= ApplyRatio(a.peak_equity, limits_.drawdown_reduce, Rounding::kCeil)) {
      deny(DenialReason::kDrawdownReducing, who + "drawdown " + drawdown.ToString(2) + " from peak " +
                                                a.peak_equity.ToString(2) + " reached " +
                                                limits_.drawdown_reduce.ToString() + ": only closes allowed");
    }
  }
  if (a.day_start_equity.IsPositive()) {
    Money day_loss = a.day_start_equity - a.equity;
    if (day_loss >= ApplyRatio(a.day_start_equity, limits_.daily_loss_limit, Rounding::kCeil)) {
      deny(DenialReason::kDailyLossLimit, who + "today's loss " + day_loss.ToString(2) + " reached the daily limit (" +
                                              limits_.daily_loss_limit.ToString() + " of " +
                                              a.day_start_equity.ToString(2) + ")");
    }
  }
  // An account that may only reduce (halted, drawdown, daily loss) refuses every entry: that
  // is the verdict, and the order's own rules are not evaluated (nor their messages built).
  if (!v.approved()) return v;
  const bool already_open =
      std::find(a.open_symbols.begin(), a.open_symbols.end(), ins->symbol) != a.open_symbols.end();
  if (already_open) {
    deny(DenialReason::kPositionAlreadyOpen, who + "a position is already open (no pyramiding; hold or close only)");
  } else if (static_cast<int>(a.open_symbols.size()) >= limits_.max_open_positions) {
    deny(DenialReason::kMaxOpenPositions,
         who + std::to_string(a.open_symbols.size()) + " positions open, the limit is " +
             std::to_string(limits_.max_open_positions));
  }
  for (const auto& [sym, at] : a.last_loss_at) {
    if (sym == ins->symbol && a.now - at < limits_.loss_cool_down_ms) {
      deny(DenialReason::kCoolDown, who + "losing close " + std::to_string((a.now - at) / kMinuteMs) +
                                        " min ago; cool-down is " +
                                        std::to_string(limits_.loss_cool_down_ms / kMinuteMs) + " min");
    }
  }

  // The order itself.
  const int lev_cap = std::min(limits_.max_leverage, ins->max_leverage);
  if (p.leverage < 1 || p.leverage > lev_cap) {
    deny(DenialReason::kLeverageOutOfRange,
         who + "leverage " + std::to_string(p.leverage) + " outside 1.." + std::to_string(lev_cap));
  }
  if (!p.price.IsPositive() || !mark.IsPositive()) {
    deny(DenialReason::kPriceInsane, who + "price and mark price must be positive");
    return v;
  }
  // From here on the numbers are the model's (untrusted): every product and sum is checked,
  // and one that does not fit the fixed-point range is a denial, never an abort.
  auto notional_r = CheckedNotional(p.price, p.quantity, Rounding::kCeil);
  if (!p.quantity.IsPositive() || p.quantity < ins->min_qty) {
    deny(DenialReason::kInvalidQuantity,
         who + "quantity " + p.quantity.ToString() + " below the minimum " + ins->min_qty.ToString());
  } else if (notional_r.ok() && *notional_r < ins->min_notional) {
    deny(DenialReason::kInvalidQuantity,
         who + "notional " + notional_r->ToString(2) + " below the minimum " + ins->min_notional.ToString());
  }
  Price deviation = (p.price - mark).Abs();  // both positive: cannot overflow
  if (deviation > ApplyRatio(mark, limits_.max_price_deviation, Rounding::kFloor)) {
    deny(DenialReason::kPriceInsane, who + "price " + p.price.ToString() + " is more than " +
                                         limits_.max_price_deviation.ToString() + " away from the mark " +
                                         mark.ToString());
  }
  // An exit price more than kMaxExitPriceFactor times away from the mark is no plan (and would
  // overflow tick rounding or the reward:risk products).
  auto exit_in_range = [&](Price x) {
    Price lo = mark.DivInt(kMaxExitPriceFactor, Rounding::kCeil);
    auto hi = mark.CheckedMul(kMaxExitPriceFactor);
    return x >= lo && (!hi.ok() || x <= *hi);
  };
  const bool is_long = p.side == Side::kBuy;
  bool exits_sane = true;
  if (!p.stop_loss) {
    deny(DenialReason::kStopLossMissing, who + "an entry needs a stop-loss");
  } else {
    const Price sl = *p.stop_loss;
    const bool ok = is_long ? (sl < p.price && sl < mark && sl.IsPositive()) : (sl > p.price && sl > mark);
    if (!ok) {
      deny(DenialReason::kStopLossWrongSide, who + (is_long ? "long" : "short") + " stop-loss " + sl.ToString() +
                                                 " must be " + (is_long ? "below" : "above") + " the price " +
                                                 p.price.ToString() + " and the mark " + mark.ToString());
    } else if (!exit_in_range(sl)) {
      exits_sane = false;
      deny(DenialReason::kPriceInsane, who + "stop-loss " + sl.ToString() + " is more than " +
                                           std::to_string(kMaxExitPriceFactor) + "x away from the mark " +
                                           mark.ToString());
    }
  }
  if (p.stop_loss && !v.Has(DenialReason::kStopLossWrongSide) && p.quantity.IsPositive() && p.leverage >= 1 &&
      p.leverage <= lev_cap) {
    CheckStopBeforeLiquidation(p, *ins, v);
  }
  if (p.take_profit) {
    const Price tp = *p.take_profit;
    const bool ok = is_long ? tp > p.price : (tp < p.price && tp.IsPositive());
    if (!ok) {
      deny(DenialReason::kTakeProfitWrongSide, who + (is_long ? "long" : "short") + " take-profit " + tp.ToString() +
                                                   " must be " + (is_long ? "above" : "below") + " the price " +
                                                   p.price.ToString());
    } else if (!exit_in_range(tp)) {
      exits_sane = false;
      deny(DenialReason::kPriceInsane, who + "take-profit " + tp.ToString() + " is more than " +
                                           std::to_string(kMaxExitPriceFactor) + "x away from the mark " +
                                           mark.ToString());
    }
  }
  // The account's cap; an equity so large that the cap does not fit caps nothing.
  const Money max_notional =
      CheckedApplyRatio(a.equity, limits_.max_notional_to_equity, Rounding::kFloor).value_or(Money::Max());
  if (!notional_r.ok()) {
    deny(DenialReason::kNotionalTooLarge, who + "quantity " + p.quantity.ToString() + " at the price " +
                                              p.price.ToString() + " is a notional beyond any limit (above " +
                                              max_notional.ToString(2) + "); give the size in coins");
    return v;  // nothing below can be computed from it
  }
  const Money notional = *notional_r;
  if (notional > max_notional) {
    deny(DenialReason::kNotionalTooLarge, who + "notional " + notional.ToString(2) + " above " +
                                              limits_.max_notional_to_equity.ToString() + " x equity = " +
                                              max_notional.ToString(2));
  }
  auto fee_r = CheckedApplyRatio(notional, limits_.taker_fee_rate, Rounding::kCeil);
  Result<Money> fees_r = fee_r.ok() ? fee_r->CheckedMul(2) : Result<Money>(fee_r.status());
  if (!fees_r.ok()) {
    deny(DenialReason::kNotionalTooLarge, who + "fees on the notional " + notional.ToString(2) + " are out of range");
    return v;
  }
  const Money round_trip_fees = *fees_r;
  if (p.leverage >= 1) {
    Money margin = notional.DivInt(p.leverage, Rounding::kCeil);
    auto needed = margin.CheckedAdd(round_trip_fees);
    if (!needed.ok() || *needed > a.available_margin) {
      deny(DenialReason::kInsufficientMargin, who + "margin " + margin.ToString(2) + " + fees " +
                                                  round_trip_fees.ToString(2) + " exceed available " +
                                                  a.available_margin.ToString(2));
    }
  }
  if (p.stop_loss && p.take_profit && exits_sane && !v.Has(DenialReason::kStopLossWrongSide) &&
      !v.Has(DenialReason::kTakeProfitWrongSide)) {
    // Sides were checked: both differences are of positive prices, so they cannot overflow.
    auto gain = CheckedNotional((*p.take_profit - p.price).Abs(), p.quantity, Rounding::kFloor);
    auto loss = CheckedNotional((p.price - *p.stop_loss).Abs(), p.quantity, Rounding::kCeil);
    Result<Money> reward = gain.ok() ? gain->CheckedSub(round_trip_fees) : Result<Money>(gain.status());
    Result<Money> risk = loss.ok() ? loss->CheckedAdd(round_trip_fees) : Result<Money>(loss.status());
    Result<Money> needed = risk.ok() ? CheckedApplyRatio(*risk, limits_.min_reward_risk, Rounding::kCeil)
                                     : Result<Money>(risk.status());
    if (!reward.ok() || !needed.ok()) {
      deny(DenialReason::kNotionalTooLarge, who + "reward or risk of quantity " + p.quantity.ToString() +
                                                " is out of range");
    } else if (*reward < *needed) {
      deny(DenialReason::kRewardRiskTooLow, who + "reward " + reward->ToString(2) + " vs risk " + risk->ToString(2) +
                                                " after fees is below " + limits_.min_reward_risk.ToString() + ":1");
    }
  } else if (p.stop_loss && !p.take_profit) {
    deny(DenialReason::kRewardRiskTooLow, who + "an entry needs a take-profit to check reward:risk");
  }
  return v;
}

Verdict RiskEngine::CheckClose(std::string_view symbol, const AccountView& a) const {
  Verdict v;
  const Instrument* ins = instruments_.Find(symbol);
  std::string sym = ins ? ins->symbol : std::string(symbol);
  if (std::find(a.open_symbols.begin(), a.open_symbols.end(), sym) == a.open_symbols.end()) {
    v.denials.push_back({DenialReason::kNoPositionToClose, (ins ? ins->base : sym) + ": no open position to close"});
  }
  return v;
}

}  // namespace aitrader::risk
