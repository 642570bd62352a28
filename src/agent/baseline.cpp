#include "agent/baseline.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/strings.hpp"

namespace aitrader::agent {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Finite(double v) { return std::isfinite(v); }

Price TickFor(const Instrument* inst, const MarketSnapshot& s) {
  if (inst != nullptr && inst->tick_size.IsPositive()) return inst->tick_size;
  std::int64_t raw = kFixedScale;
  for (int i = 0; i < std::clamp(s.price_decimals, 0, 9); ++i) raw /= 10;
  return Price::FromRaw(raw);
}

constexpr std::string_view kTag = "[baseline] ";
constexpr std::string_view kLongInvalidation = "4h EMA20 closes below the 4h EMA50";
constexpr std::string_view kShortInvalidation = "4h EMA20 closes above the 4h EMA50";

}  // namespace

BaselinePolicy::BaselinePolicy(BaselineConfig config, InstrumentTable instruments)
    : config_(config), instruments_(std::move(instruments)) {
  config_.max_leverage = std::clamp(config_.max_leverage, 1, kMaxLeverageCap);
  // The tail of every entry's justification: the same for every decision of this policy.
  stop_text_ = "; stop ";
  AppendFixed(stop_text_, config_.stop_atr_multiple, 1);
  stop_text_ += "x 4h ATR14, target 2R + fees";
}

void BaselinePolicy::DecideOne(const MarketSnapshot& s, const AccountState& account, const PositionInfo* position,
                               Decision& d) const {
  // Reset d to a default Decision, keeping the strings' capacity (DecideInto reuses them).
  d.coin.assign(s.coin);
  d.signal.reset();
  d.quantity.reset();
  d.leverage.reset();
  d.profit_target.reset();
  d.stop_loss.reset();
  d.invalidation_condition.clear();
  d.confidence.reset();
  d.risk_usd.reset();
  d.justification.clear();
  d.present = 0;
  auto set = [&d](Field f) { d.present |= static_cast<std::uint32_t>(f); };
  auto hold = [&](Quantity q, std::string_view why) {
    d.signal = Signal::kHold;
    d.quantity = q;
    d.justification.reserve(kTag.size() + why.size());
    d.justification.append(kTag).append(why);
    set(Field::kSignal);
    set(Field::kQuantity);
    set(Field::kJustification);
  };
  const double px = s.current_price.ToDouble();
  const int pd = std::clamp(s.price_decimals + 2, 2, 10);

  if (position != nullptr && !position->quantity.IsZero()) {
    const bool is_long = position->quantity.IsPositive();
    // The justification of a close is built only when an invalidation is met.
    std::string& why = d.justification;
    bool invalid = false;
    if (s.has_4h && Finite(s.h4_ema20) && Finite(s.h4_ema50)) {
      if (is_long && s.h4_ema20 < s.h4_ema50) {
        invalid = true;
        why.append("[baseline] invalidation met: 4h EMA20 ");
        AppendFixed(why, s.h4_ema20, pd);
        why.append(" fell below EMA50 ");
        AppendFixed(why, s.h4_ema50, pd);
      } else if (!is_long && s.h4_ema20 > s.h4_ema50) {
        invalid = true;
        why.append("[baseline] invalidation met: 4h EMA20 ");
        AppendFixed(why, s.h4_ema20, pd);
        why.append(" rose above EMA50 ");
        AppendFixed(why, s.h4_ema50, pd);
      }
    }
    if (!invalid && position->stop_loss) {
      if (is_long ? s.current_price <= *position->stop_loss : s.current_price >= *position->stop_loss) {
        invalid = true;
        why.append("[baseline] invalidation met: price ")
            .append(s.current_price.ToString())
            .append(" crossed the stop ")
            .append(position->stop_loss->ToString());
      }
    }
    const Quantity size = position->quantity.Abs();
    if (invalid) {
      d.signal = Signal::kClosePosition;
      d.quantity = size;
      set(Field::kSignal);
      set(Field::kQuantity);
      set(Field::kJustification);
      return;
    }
    hold(size, "position kept: invalidation not met");
    if (position->leverage >= 1 && position->leverage <= config_.max_leverage) {
      d.leverage = position->leverage;
      set(Field::kLeverage);
    }
    if (position->profit_target) {
      d.profit_target = position->profit_target;
      set(Field::kProfitTarget);
    }
    if (position->stop_loss) {
      d.stop_loss = position->stop_loss;
      set(Field::kStopLoss);
    }
    d.invalidation_condition.assign(position->invalidation_condition);
    set(Field::kInvalidation);
    if (position->confidence >= 0 && position->confidence <= 1) {
      d.confidence = position->confidence;
      set(Field::kConfidence);
    }
    if (!position->risk_usd.IsNegative()) {
      d.risk_usd = position->risk_usd;
      set(Field::kRiskUsd);
    }
    return;
  }

  // Flat: look for an entry.
  if (!s.has_4h || !Finite(s.h4_ema20) || !Finite(s.h4_ema50) || !Finite(s.h4_atr14) || s.h4_atr14 <= 0 ||
      !Finite(s.macd) || !Finite(s.ema20) || !Finite(s.rsi7) || px <= 0) {
    return hold(Quantity::Zero(), "no setup: indicators not available yet");
  }
  const bool long_setup = s.h4_ema20 > s.h4_ema50 && s.macd > 0 && px > s.ema20 && s.rsi7 < config_.rsi_overbought;
  const bool short_setup = s.h4_ema20 < s.h4_ema50 && s.macd < 0 && px < s.ema20 && s.rsi7 > config_.rsi_oversold;
  if (!long_setup && !short_setup) {
    return hold(Quantity::Zero(), "no setup: trend and intraday signals disagree");
  }
  const bool is_long = long_setup;
  const Instrument* inst = instruments_.Find(s.coin);
  const Price tick = TickFor(inst, s);
  const double fee_unit = px * config_.taker_fee.ToDouble() * 2.0;  // round-trip taker fee per coin
  const double stop_dist = config_.stop_atr_multiple * s.h4_atr14;
  const double stop_d = is_long ? px - stop_dist : px + stop_dist;
  if (stop_d <= 0) return hold(Quantity::Zero(), "no setup: exit plan out of range");
  auto stop_r = Price::FromDouble(stop_d);
  if (!stop_r.ok()) return hold(Quantity::Zero(), "no setup: exit plan out of range");
  // Round away from the entry: the stop further, then the target from the rounded stop, further
  // too (keeps >= 2:1 after fees).
  const Price stop = stop_r->RoundToStep(tick, is_long ? Rounding::kFloor : Rounding::kCeil);
  if (!stop.IsPositive() || (is_long ? stop >= s.current_price : stop <= s.current_price)) {
    return hold(Quantity::Zero(), "no setup: stop too close to the price");
  }
  const double target_dist = 2.0 * std::fabs(px - stop.ToDouble()) + 3.0 * fee_unit;  // (T − f) >= 2 (S + f)
  const double target_d = is_long ? px + target_dist : px - target_dist;
  auto target_r = Price::FromDouble(target_d);
  if (target_d <= 0 || !target_r.ok()) return hold(Quantity::Zero(), "no setup: exit plan out of range");
  const Price target = target_r->RoundToStep(tick, is_long ? Rounding::kCeil : Rounding::kFloor);
  if (!target.IsPositive()) return hold(Quantity::Zero(), "no setup: exit plan out of range");

  const double equity = account.account_value.ToDouble();
  const double cash = account.available_cash.ToDouble();
  if (equity <= 0 || cash <= 0) return hold(Quantity::Zero(), "no setup: no free margin");
  const double risk_budget = equity * config_.risk_fraction;
  const double actual_stop_dist = std::fabs(px - stop.ToDouble());
  double qty_d = risk_budget / (actual_stop_dist + fee_unit);
  const double margin_cap = std::min(equity * config_.max_margin_fraction, cash);
  qty_d = std::min(qty_d, margin_cap * config_.max_leverage / px);
  const Quantity step = inst != nullptr && inst->step_size.IsPositive() ? inst->step_size : Quantity::FromRaw(1'000'000);
  auto qty_r = Quantity::FromDouble(qty_d, Rounding::kFloor);
  if (!qty_r.ok()) return hold(Quantity::Zero(), "no setup: size out of range");
  const Quantity qty = qty_r->RoundToStep(step, Rounding::kFloor);
  const Money notional = Notional(s.current_price, qty);
  if (!qty.IsPositive() || (inst != nullptr && (qty < inst->min_qty || notional < inst->min_notional))) {
    return hold(Quantity::Zero(), "no setup: size below the instrument minimum");
  }
  const int leverage =
      std::clamp(static_cast<int>(std::ceil(notional.ToDouble() / margin_cap - 1e-9)), 1, config_.max_leverage);
  const Money risk = Notional((s.current_price - stop).Abs(), qty);

  double confidence = 0.55;
  if (s.h4_series_length > 0) {
    const double r = s.h4_rsi14_series[static_cast<std::size_t>(s.h4_series_length - 1)];
    if (Finite(r) && (is_long ? r > 50 : r < 50)) confidence += 0.1;
  }
  if (s.series_length > 0) {
    const double r = s.rsi14_series[static_cast<std::size_t>(s.series_length - 1)];
    if (Finite(r) && (is_long ? r > 50 : r < 50)) confidence += 0.1;
  }
  confidence = std::round(confidence * 100.0) / 100.0;

  d.signal = is_long ? Signal::kBuyToEnter : Signal::kSellToEnter;
  d.quantity = qty;
  d.leverage = leverage;
  d.profit_target = target;
  d.stop_loss = stop;
  d.invalidation_condition.assign(is_long ? kLongInvalidation : kShortInvalidation);
  d.confidence = confidence;
  d.risk_usd = risk;
  std::string& j = d.justification;
  j.reserve(160);
  j.append("[baseline] 4h EMA20 ");
  AppendFixed(j, s.h4_ema20, pd);
  j.append(is_long ? " > EMA50 " : " < EMA50 ");
  AppendFixed(j, s.h4_ema50, pd);
  j.append(", MACD ");
  AppendFixed(j, s.macd, pd);
  j.append(", price ").append(is_long ? "above" : "below").append(" EMA20, RSI7 ");
  AppendFixed(j, s.rsi7, 3);
  j.append(stop_text_);
  d.present = kAllFields;
}

std::vector<Decision> BaselinePolicy::Decide(std::span<const MarketSnapshot> coins, const AccountState& account,
                                             std::span<const PositionInfo> positions) const {
  std::vector<Decision> out;
  DecideInto(coins, account, positions, out);
  return out;
}

void BaselinePolicy::DecideInto(std::span<const MarketSnapshot> coins, const AccountState& account,
                                std::span<const PositionInfo> positions, std::vector<Decision>& out) const {
  out.resize(coins.size());
  for (std::size_t i = 0; i < coins.size(); ++i) {
    const MarketSnapshot& s = coins[i];
    const PositionInfo* pos = nullptr;
    for (const PositionInfo& p : positions) {
      if (p.coin == s.coin) pos = &p;
    }
    DecideOne(s, account, pos, out[i]);
  }
}

std::string BaselinePolicy::Answer(std::span<const MarketSnapshot> coins, const AccountState& account,
                                   std::span<const PositionInfo> positions) const {
  return DecisionsToJson(Decide(coins, account, positions));
}

// ---- reading the user prompt back -------------------------------------------------------

namespace {

std::string_view LineAfter(std::string_view text, std::string_view label, std::size_t from = 0) {
  std::size_t p = text.find(label, from);
  if (p == std::string_view::npos) return {};
  p += label.size();
  std::size_t e = text.find('\n', p);
  return text.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p);
}

bool ParseNumber(std::string_view t, double& out) {
  t = Trim(t);
  if (t == "n/a") {
    out = kNaN;
    return true;
  }
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size();
}

// The number at the start of t, up to a ',' or ' ' or end.
bool LeadingNumber(std::string_view t, double& out) {
  t = Trim(t);
  std::size_t e = t.find_first_of(", }");
  return ParseNumber(t.substr(0, e), out);
}

template <std::size_t N>
bool ParseList(std::string_view line, std::array<double, N>& out, int& count) {
  line = Trim(line);
  if (line.size() < 2 || line.front() != '[' || line.back() != ']') return false;
  line = line.substr(1, line.size() - 2);
  count = 0;
  if (Trim(line).empty()) return true;
  for (std::string_view item : Split(line, ',')) {
    if (count >= static_cast<int>(N)) return false;
    if (!ParseNumber(item, out[static_cast<std::size_t>(count)])) return false;
    ++count;
  }
  return true;
}

int DecimalsOf(std::string_view number) {
  number = Trim(number);
  std::size_t dot = number.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(number.size() - dot - 1);
}

Status Missing(const std::string& coin, std::string_view what) {
  return ParseError("user prompt: " + coin + ": missing or unreadable '" + std::string(what) + "'");
}

Result<MarketSnapshot> ParseCoinBlock(const std::string& coin, std::string_view block) {
  MarketSnapshot s;
  s.coin = coin;
  std::string_view cp = LineAfter(block, "current_price = ");
  auto price = Price::Parse(Trim(cp.substr(0, cp.find(','))));
  if (!price.ok()) return Missing(coin, "current_price");
  s.current_price = *price;
  std::string_view ema_text = LineAfter(block, "current_ema20 = ");
  ema_text = ema_text.substr(0, ema_text.find(','));
  if (!ParseNumber(ema_text, s.ema20)) return Missing(coin, "current_ema20");
  s.price_decimals = std::max(0, DecimalsOf(ema_text) - 2);
  if (!LeadingNumber(LineAfter(block, "current_macd = "), s.macd)) return Missing(coin, "current_macd");
  if (!LeadingNumber(LineAfter(block, "current_rsi (7 period) = "), s.rsi7)) return Missing(coin, "current_rsi");
  std::string_view funding = Trim(LineAfter(block, "Funding Rate: "));
  if (!funding.empty() && funding != "not available") {
    double f = 0;
    if (ParseNumber(funding, f)) s.funding_rate = f;
  }
  std::string_view oi = LineAfter(block, "Open Interest: Latest: ");
  if (!oi.empty()) {
    double v = 0;
    if (LeadingNumber(oi, v)) s.open_interest_latest = v;
    std::string_view avg = LineAfter(block, "Average: ");
    if (LeadingNumber(avg, v)) s.open_interest_average = v;
  }
  // Intraday series.
  std::string_view mids = LineAfter(block, " mid prices: ");
  {
    std::array<double, kSeriesLength> tmp{};
    int n = 0;
    if (!ParseList(mids, tmp, n)) return Missing(coin, "mid prices");
    std::string_view inner = Trim(mids).substr(1, Trim(mids).size() - 2);
    int i = 0;
    if (n > 0) {
      for (std::string_view item : Split(inner, ',')) {
        auto p = Price::Parse(Trim(item));
        if (!p.ok()) return Missing(coin, "mid prices");
        s.mid_prices[static_cast<std::size_t>(i++)] = *p;
      }
    }
    s.series_length = n;
  }
  const std::size_t longer = block.find("Longer-term context");
  std::string_view intraday = block.substr(0, longer);
  int n = 0;
  if (!ParseList(LineAfter(intraday, "EMA indicators (20-period): "), s.ema20_series, n)) return Missing(coin, "EMA indicators");
  if (!ParseList(LineAfter(intraday, "MACD indicators: "), s.macd_series, n)) return Missing(coin, "MACD indicators");
  if (!ParseList(LineAfter(intraday, "RSI indicators (7-Period): "), s.rsi7_series, n)) return Missing(coin, "RSI7 indicators");
  if (!ParseList(LineAfter(intraday, "RSI indicators (14-Period): "), s.rsi14_series, n)) return Missing(coin, "RSI14 indicators");
  if (longer == std::string_view::npos) return Missing(coin, "Longer-term context");
  std::string_view h4 = block.substr(longer);
  if (LineAfter(h4, "20-Period EMA: ").empty()) {
    s.has_4h = false;
    return s;
  }
  s.has_4h = true;
  if (!LeadingNumber(LineAfter(h4, "20-Period EMA: "), s.h4_ema20)) return Missing(coin, "20-Period EMA");
  if (!LeadingNumber(LineAfter(h4, " vs. 50-Period EMA: "), s.h4_ema50)) return Missing(coin, "50-Period EMA");
  if (!LeadingNumber(LineAfter(h4, "3-Period ATR: "), s.h4_atr3)) return Missing(coin, "3-Period ATR");
  if (!LeadingNumber(LineAfter(h4, " vs. 14-Period ATR: "), s.h4_atr14)) return Missing(coin, "14-Period ATR");
  if (!LeadingNumber(LineAfter(h4, "Current Volume: "), s.h4_volume)) return Missing(coin, "Current Volume");
  if (!LeadingNumber(LineAfter(h4, " vs. Average Volume: "), s.h4_volume_average)) return Missing(coin, "Average Volume");
  if (!ParseList(LineAfter(h4, "MACD indicators: "), s.h4_macd_series, s.h4_series_length)) return Missing(coin, "4h MACD");
  int m = 0;
  if (!ParseList(LineAfter(h4, "RSI indicators (14-Period): "), s.h4_rsi14_series, m)) return Missing(coin, "4h RSI");
  return s;
}

// The value after 'key': in a Python-dict line, as raw text (a number, None, True/False) or
// an unquoted string.
std::optional<std::string> PyField(std::string_view line, std::string_view key) {
  std::string needle = "'" + std::string(key) + "': ";
  std::size_t p = line.find(needle);
  if (p == std::string_view::npos) return std::nullopt;
  p += needle.size();
  if (p >= line.size()) return std::nullopt;
  const char q = line[p];
  if (q == '\'' || q == '"') {
    std::string out;
    for (std::size_t i = p + 1; i < line.size(); ++i) {
      char c = line[i];
      if (c == '\\' && i + 1 < line.size()) {
        char n = line[++i];
        out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
        continue;
      }
      if (c == q) return out;
      out += c;
    }
    return std::nullopt;
  }
  std::size_t e = line.find_first_of(",}", p);
  return std::string(Trim(line.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p)));
}

Result<PositionInfo> ParsePositionLine(std::string_view line) {
  PositionInfo p;
  auto sym = PyField(line, "symbol");
  if (!sym) return ParseError("user prompt: position line without 'symbol'");
  p.coin = *sym;
  auto fixed = [&](std::string_view key, auto& slot) -> bool {
    auto v = PyField(line, key);
    if (!v || *v == "None") return false;
    using T = std::decay_t<decltype(slot)>;
    auto r = T::Parse(*v);
    if (!r.ok()) return false;
    slot = *r;
    return true;
  };
  if (!fixed("quantity", p.quantity)) return ParseError("user prompt: " + p.coin + ": position quantity unreadable");
  (void)fixed("entry_price", p.entry_price);
  (void)fixed("current_price", p.current_price);
  (void)fixed("unrealized_pnl", p.unrealized_pnl);
  (void)fixed("risk_usd", p.risk_usd);
  (void)fixed("notional_usd", p.notional_usd);
  Price tmp;
  if (fixed("liquidation_price", tmp)) p.liquidation_price = tmp;
  if (fixed("profit_target", tmp)) p.profit_target = tmp;
  if (fixed("stop_loss", tmp)) p.stop_loss = tmp;
  if (auto v = PyField(line, "leverage")) {
    int lev = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), lev);
    if (ec == std::errc() && ptr == v->data() + v->size()) p.leverage = lev;
  }
  if (auto v = PyField(line, "confidence")) (void)ParseNumber(*v, p.confidence);
  if (auto v = PyField(line, "invalidation_condition")) p.invalidation_condition = *v;
  return p;
}

}  // namespace

Result<PromptFeatures> ParseUserPrompt(std::string_view user) {
  PromptFeatures f;
  const std::size_t account_at = user.find("HERE IS YOUR ACCOUNT INFORMATION");
  std::string_view market = user.substr(0, account_at);
  std::size_t pos = 0;
  while (true) {
    std::size_t start = market.find("ALL ", pos);
    while (start != std::string_view::npos && start > 0 && market[start - 1] != '\n') start = market.find("ALL ", start + 1);
    if (start == std::string_view::npos) break;
    std::size_t eol = market.find('\n', start);
    std::string_view header = market.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (!EndsWith(header, " DATA") || header.size() <= 9) {
      pos = start + 4;
      continue;
    }
    std::string coin(header.substr(4, header.size() - 9));
    std::size_t next = market.find("\nALL ", start + 1);
    std::string_view block = market.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    AITRADER_ASSIGN_OR_RETURN(MarketSnapshot s, ParseCoinBlock(coin, block));
    f.coins.push_back(std::move(s));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (f.coins.empty()) return ParseError("user prompt: no 'ALL <COIN> DATA' block");
  if (account_at == std::string_view::npos) return ParseError("user prompt: no account section");
  std::string_view account = user.substr(account_at);
  auto money = [&](std::string_view label, Money& slot) -> Status {
    auto m = Money::Parse(Trim(LineAfter(account, label)));
    if (!m.ok()) return ParseError("user prompt: unreadable '" + std::string(label) + "'");
    slot = *m;
    return Status::Ok();
  };
  AITRADER_RETURN_IF_ERROR(money("Available Cash: ", f.account.available_cash));
  AITRADER_RETURN_IF_ERROR(money("Current Account Value: ", f.account.account_value));
  double ret = 0;
  std::string_view ret_text = Trim(LineAfter(account, "Current Total Return (percent): "));
  if (!ret_text.empty() && ret_text.back() == '%') ret_text.remove_suffix(1);
  if (ParseNumber(ret_text, ret) && Finite(ret) && ret > -100) {
    auto init = Money::FromDouble(f.account.account_value.ToDouble() / (1.0 + ret / 100.0));
    if (init.ok()) f.account.initial_value = init->RoundToStep(Money::FromRaw(10'000'000), Rounding::kHalfEven);
  }
  double sharpe = 0;
  if (ParseNumber(LineAfter(account, "Sharpe Ratio: "), sharpe) && Finite(sharpe)) f.account.sharpe = sharpe;
  std::string_view lev = LineAfter(account, "leverage 1x to ");
  int max_lev = 0;
  if (auto [ptr, ec] = std::from_chars(lev.data(), lev.data() + lev.size(), max_lev); ec == std::errc() && max_lev >= 1) {
    f.max_leverage = std::min(max_lev, kMaxLeverageCap);
  }
  std::string_view taker = LineAfter(account, ", taker ");
  if (auto pct = taker.find('%'); pct != std::string_view::npos) {
    auto r = Ratio::Parse(taker.substr(0, pct));
    if (r.ok()) f.taker_fee = r->DivInt(100, Rounding::kHalfEven);
  }
  std::size_t p = 0;
  while ((p = account.find("\n{'symbol': ", p)) != std::string_view::npos) {
    std::size_t e = account.find('\n', p + 1);
    std::string_view line = account.substr(p + 1, e == std::string_view::npos ? std::string_view::npos : e - p - 1);
    AITRADER_ASSIGN_OR_RETURN(PositionInfo pi, ParsePositionLine(line));
    f.positions.push_back(std::move(pi));
    p = p + 1;
  }
  return f;
}

namespace {

const InstrumentTable& DefaultInstruments() {
  static const InstrumentTable table = [] {
    auto t = InstrumentTable::LoadDefault();
    return t.ok() ? std::move(t).value() : InstrumentTable();
  }();
  return table;
}

}  // namespace

std::string BaselineAnswerForPrompt(std::string_view /*system*/, std::string_view user) {
  auto features = ParseUserPrompt(user);
  if (!features.ok()) return "{}";
  BaselineConfig config;
  config.max_leverage = features->max_leverage;
  config.taker_fee = features->taker_fee;
  BaselinePolicy policy(config, DefaultInstruments());
  return policy.Answer(features->coins, features->account, features->positions);
}

BaselineClient::BaselineClient(BaselineConfig config, InstrumentTable instruments)
    : policy_(config, instruments.all().empty() ? DefaultInstruments() : std::move(instruments)) {}

Result<llm::Response> BaselineClient::Complete(const llm::Request& request, const llm::CancelToken* cancel) {
  if (cancel != nullptr && cancel->cancelled()) return Status(StatusCode::kCancelled, "baseline: cancelled");
  for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
    if (it->role != llm::Role::kUser) continue;
    auto features = ParseUserPrompt(it->content);
    if (!features.ok()) continue;
    BaselineConfig config = policy_.config();
    config.max_leverage = std::min(config.max_leverage, features->max_leverage);
    config.taker_fee = features->taker_fee;
    llm::Response r;
    r.text = BaselinePolicy(config, policy_.instruments()).Answer(features->coins, features->account, features->positions);
    r.model = std::string(kBaselineModel);
    r.finish_reason = "stop";
    return r;
  }
  return InvalidArgument("baseline: no user message in the Alpha Arena format");
}

}  // namespace aitrader::agent
