#include "agent/prompt.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "agent/decision.hpp"
#include "core/instrument.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader::agent {

namespace {

constexpr std::int64_t kPow10[] = {1,          10,          100,          1000,          10000,        100000,
                                   1000000,    10000000,    100000000,    1000000000,    10000000000,  100000000000,
                                   1000000000000};

void AppendUint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendMoney(std::string& out, Money m) { AppendFixed(out, m.ToDouble(), 2); }

// A Python float repr of a fixed-point value: shortest exact decimal, ".0" when whole.
template <class Tag>
void AppendPyNumber(std::string& out, Fixed<Tag> v) {
  std::size_t at = out.size();
  AppendPrice(out, Price::FromRaw(v.raw()));
  if (out.find('.', at) == std::string::npos) out += ".0";
}

std::string IntervalPhrase(UnixMs interval) {
  if (interval > 0 && interval % kDayMs == 0) return std::to_string(interval / kDayMs) + "-day";
  if (interval > 0 && interval % kHourMs == 0) return std::to_string(interval / kHourMs) + "-hour";
  if (interval > 0 && interval % kMinuteMs == 0) return std::to_string(interval / kMinuteMs) + "-minute";
  return FormatInterval(interval);
}

std::string PercentText(Ratio r) { return Ratio::FromRaw(r.raw() * 100).ToString(); }

void AppendSeries(std::string& out, const double* v, int n, int places) {
  out += '[';
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    AppendFixed(out, v[i], places);
  }
  out += ']';
}

bool ValidVersion(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

constexpr std::string_view kPlaceholders[] = {"version",       "coins",         "coin_count", "max_leverage",
                                              "maker_fee_pct", "taker_fee_pct", "interval",   "example_coin"};

// Calls fn(name) for each {{name}}; returns an error for unknown or unclosed ones.
template <class Fn>
Status ForEachPlaceholder(std::string_view text, Fn&& fn) {
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    fn(text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos), std::string_view());
    if (open == std::string_view::npos) return Status::Ok();
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return InvalidArgument("system prompt template: unclosed {{ at offset " + std::to_string(open));
    std::string_view name = text.substr(open + 2, close - open - 2);
    bool known = false;
    for (std::string_view k : kPlaceholders) known = known || k == name;
    if (!known) return InvalidArgument("system prompt template: unknown placeholder {{" + std::string(name) + "}}");
    fn(std::string_view(), name);
    pos = close + 2;
  }
}

}  // namespace

void AppendFixed(std::string& out, double v, int places) {
  if (!std::isfinite(v)) {
    out += "n/a";
    return;
  }
  places = std::clamp(places, 0, 12);
  const double scaled = v * static_cast<double>(kPow10[places]);
  if (!(std::fabs(scaled) < 9.0e18)) {
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, places);
    out.append(buf, r.ptr);
    return;
  }
  std::int64_t q = std::llround(scaled);  // half away from zero
  if (q < 0) {
    out += '-';
    q = -q;
  }
  const auto u = static_cast<std::uint64_t>(q);
  const auto p = static_cast<std::uint64_t>(kPow10[places]);
  AppendUint(out, u / p);
  if (places > 0) {
    out += '.';
    std::uint64_t frac = u % p;
    char buf[16];
    for (int i = places - 1; i >= 0; --i) {
      buf[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    out.append(buf, static_cast<std::size_t>(places));
  }
}

void AppendPrice(std::string& out, Price p) {
  std::int64_t raw = p.raw();
  std::uint64_t u;
  if (raw < 0) {
    out += '-';
    u = static_cast<std::uint64_t>(-(raw + 1)) + 1;
  } else {
    u = static_cast<std::uint64_t>(raw);
  }
  AppendUint(out, u / static_cast<std::uint64_t>(kFixedScale));
  std::uint64_t frac = u % static_cast<std::uint64_t>(kFixedScale);
  if (frac == 0) return;
  char buf[9];
  for (int i = 8; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = 9;
  while (len > 0 && buf[len - 1] == '0') --len;
  out += '.';
  out.append(buf, static_cast<std::size_t>(len));
}

void AppendUtcSeconds(std::string& out, UnixMs t) {
  const std::int64_t secs = (t >= 0 ? t : t - (kSecondMs - 1)) / kSecondMs;
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", y, m, d, static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  out.append(buf, static_cast<std::size_t>(n));
}

void AppendPythonString(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char q = (has_single && !has_double) ? '"' : '\'';
  out += q;
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
}

void AppendPositionLine(std::string& out, const PositionInfo& p) {
  out += "{'symbol': ";
  AppendPythonString(out, p.coin);
  out += ", 'quantity': ";
  AppendPyNumber(out, p.quantity);
  out += ", 'entry_price': ";
  AppendPyNumber(out, p.entry_price);
  out += ", 'current_price': ";
  AppendPyNumber(out, p.current_price);
  out += ", 'liquidation_price': ";
  if (p.liquidation_price) {
    AppendPyNumber(out, *p.liquidation_price);
  } else {
    out += "None";
  }
  out += ", 'unrealized_pnl': ";
  AppendMoney(out, p.unrealized_pnl);
  out += ", 'leverage': ";
  AppendInt(out, p.leverage);
  out += ", 'exit_plan': {'profit_target': ";
  if (p.profit_target) {
    AppendPyNumber(out, *p.profit_target);
  } else {
    out += "None";
  }
  out += ", 'stop_loss': ";
  if (p.stop_loss) {
    AppendPyNumber(out, *p.stop_loss);
  } else {
    out += "None";
  }
  out += ", 'invalidation_condition': ";
  AppendPythonString(out, p.invalidation_condition);
  out += "}, 'confidence': ";
  AppendFixed(out, p.confidence, 2);
  out += ", 'risk_usd': ";
  AppendMoney(out, p.risk_usd);
  out += ", 'sl_oid': ";
  AppendInt(out, p.sl_oid);
  out += ", 'tp_oid': ";
  AppendInt(out, p.tp_oid);
  out += ", 'wait_for_fill': ";
  out += p.wait_for_fill ? "True" : "False";
  out += ", 'entry_oid': ";
  AppendInt(out, p.entry_oid);
  out += ", 'notional_usd': ";
  AppendMoney(out, p.notional_usd);
  out += '}';
}

// ---- system prompt --------------------------------------------------------------------

Result<SystemPromptTemplate> SystemPromptTemplate::FromText(std::string version, std::string text) {
  if (!ValidVersion(version)) return InvalidArgument("prompt version '" + version + "' must match [a-z0-9._-]+");
  AITRADER_RETURN_IF_ERROR(ForEachPlaceholder(text, [](std::string_view, std::string_view) {}));
  return SystemPromptTemplate{std::move(version), std::move(text)};
}

Result<SystemPromptTemplate> SystemPromptTemplate::Load(const std::string& dir, std::string_view version) {
  if (!ValidVersion(version)) return InvalidArgument("prompt version '" + std::string(version) + "' must match [a-z0-9._-]+");
  const std::string path = dir + "/" + std::string(version) + ".txt";
  AITRADER_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto t = FromText(std::string(version), std::move(text));
  if (!t.ok()) return t.status().WithContext(path);
  return t;
}

Result<SystemPromptTemplate> SystemPromptTemplate::LoadDefault(std::string_view version) {
  return Load(DataDir() + "/prompts", version);
}

Result<std::string> RenderSystemPrompt(const SystemPromptTemplate& t, const PromptConfig& config) {
  if (config.coins.empty()) return InvalidArgument("prompt config: no coins");
  std::string coins;
  for (const std::string& c : config.coins) coins += (coins.empty() ? "" : ", ") + c;
  const int max_lev = std::clamp(config.max_leverage, 1, kMaxLeverageCap);
  std::string out;
  out.reserve(t.text.size() + 256);
  Status st = ForEachPlaceholder(t.text, [&](std::string_view literal, std::string_view name) {
    out += literal;
    if (name == "version") out += t.version;
    else if (name == "coins") out += coins;
    else if (name == "coin_count") out += std::to_string(config.coins.size());
    else if (name == "max_leverage") out += std::to_string(max_lev);
    else if (name == "maker_fee_pct") out += PercentText(config.maker_fee);
    else if (name == "taker_fee_pct") out += PercentText(config.taker_fee);
    else if (name == "interval") out += IntervalPhrase(config.interval);
    else if (name == "example_coin") out += config.coins.front();
  });
  AITRADER_RETURN_IF_ERROR(st);
  return out;
}

// ---- user prompt ----------------------------------------------------------------------

Result<PromptBuilder> PromptBuilder::Create(PromptConfig config, const SystemPromptTemplate& system_template) {
  AITRADER_ASSIGN_OR_RETURN(std::string system, RenderSystemPrompt(system_template, config));
  PromptBuilder b;
  b.config_ = std::move(config);
  b.config_.max_leverage = std::clamp(b.config_.max_leverage, 1, kMaxLeverageCap);
  b.version_ = system_template.version;
  b.system_ = std::move(system);
  b.limits_line_ = "Trading fees: maker " + PercentText(b.config_.maker_fee) + "%, taker " +
                   PercentText(b.config_.taker_fee) +
                   "% of notional per fill. Hard limits: leverage 1x to " + std::to_string(b.config_.max_leverage) +
                   "x; one position per coin (no pyramiding, no hedging); every entry needs profit_target, stop_loss "
                   "and invalidation_condition.";
  return b;
}

void PromptBuilder::RenderUser(const PromptState& st, std::string& out) const {
  out.clear();
  out.reserve(4096 + st.coins.size() * 2048 + st.positions.size() * 512);
  out += "It has been ";
  AppendInt(out, (st.now - st.started_at) / kMinuteMs);
  out += " minutes since you started trading. The current time is ";
  AppendUtcSeconds(out, st.now);
  out += " UTC and you've been invoked ";
  AppendInt(out, st.invocation_count);
  out +=
      " times. Below, we are providing you with a variety of state data, price data, and predictive signals so you "
      "can discover alpha. Below that is your current account information, value, performance, positions, etc.\n\n"
      "ALL OF THE PRICE OR SIGNAL DATA BELOW IS ORDERED: OLDEST \u2192 NEWEST\n\n"
      "Timeframes note: Unless stated otherwise in a section title, intraday series are provided at ";
  const std::string interval_phrase = IntervalPhrase(config_.interval);
  out += interval_phrase;
  out +=
      " intervals (one value per closed candle). If a coin uses a different interval, it is explicitly stated in "
      "that coin's section. Mid prices are candle closes.\n\n---\nCURRENT MARKET STATE FOR ALL COINS\n";
  for (std::size_t ci = 0; ci < st.coins.size(); ++ci) {
    const MarketSnapshot& s = st.coins[ci];
    const int pd = std::clamp(s.price_decimals + 2, 2, 10);
    if (ci > 0) out += "---\n";
    out += "ALL ";
    out += s.coin;
    out += " DATA\ncurrent_price = ";
    AppendPrice(out, s.current_price);
    out += ", current_ema20 = ";
    AppendFixed(out, s.ema20, pd);
    out += ", current_macd = ";
    AppendFixed(out, s.macd, pd);
    out += ", current_rsi (7 period) = ";
    AppendFixed(out, s.rsi7, 3);
    out += "\n\nIn addition, here is the latest ";
    out += s.coin;
    out += " open interest and funding rate for perps (the instrument you are trading):\n\nOpen Interest: ";
    if (s.open_interest_latest) {
      out += "Latest: ";
      AppendFixed(out, *s.open_interest_latest, 3);
      out += "  Average: ";
      if (s.open_interest_average) {
        AppendFixed(out, *s.open_interest_average, 3);
      } else {
        out += "not available";
      }
    } else {
      out += "not available";
    }
    out += "\n\nFunding Rate: ";
    if (s.funding_rate) {
      AppendDouble(out, *s.funding_rate);
    } else {
      out += "not available";
    }
    out += "\n\nIntraday series (";
    out += s.interval == config_.interval ? interval_phrase : IntervalPhrase(s.interval);
    out += " intervals, oldest \u2192 latest):\n\n";
    out += s.coin;
    out += " mid prices: [";
    for (int i = 0; i < s.series_length; ++i) {
      if (i > 0) out += ", ";
      AppendPrice(out, s.mid_prices[static_cast<std::size_t>(i)]);
    }
    out += "]\n\nEMA indicators (20-period): ";
    AppendSeries(out, s.ema20_series.data(), s.series_length, pd);
    out += "\n\nMACD indicators: ";
    AppendSeries(out, s.macd_series.data(), s.series_length, pd);
    out += "\n\nRSI indicators (7-Period): ";
    AppendSeries(out, s.rsi7_series.data(), s.series_length, 3);
    out += "\n\nRSI indicators (14-Period): ";
    AppendSeries(out, s.rsi14_series.data(), s.series_length, 3);
    out += "\n\nLonger-term context (4-hour timeframe):\n\n";
    if (!s.has_4h) {
      out += "not available\n";
      continue;
    }
    out += "20-Period EMA: ";
    AppendFixed(out, s.h4_ema20, pd);
    out += " vs. 50-Period EMA: ";
    AppendFixed(out, s.h4_ema50, pd);
    out += "\n\n3-Period ATR: ";
    AppendFixed(out, s.h4_atr3, pd);
    out += " vs. 14-Period ATR: ";
    AppendFixed(out, s.h4_atr14, pd);
    out += "\n\nCurrent Volume: ";
    AppendFixed(out, s.h4_volume, 3);
    out += " vs. Average Volume: ";
    AppendFixed(out, s.h4_volume_average, 3);
    out += "\n\nMACD indicators: ";
    AppendSeries(out, s.h4_macd_series.data(), s.h4_series_length, pd);
    out += "\n\nRSI indicators (14-Period): ";
    AppendSeries(out, s.h4_rsi14_series.data(), s.h4_series_length, 3);
    out += '\n';
  }
  out += "---\nHERE IS YOUR ACCOUNT INFORMATION & PERFORMANCE\nCurrent Total Return (percent): ";
  const AccountState& a = st.account;
  const double ret = a.initial_value.IsZero()
                         ? 0.0
                         : (a.account_value - a.initial_value).ToDouble() / a.initial_value.ToDouble() * 100.0;
  AppendFixed(out, ret, 2);
  out += "%\n\nAvailable Cash: ";
  AppendMoney(out, a.available_cash);
  out += "\n\nCurrent Account Value: ";
  AppendMoney(out, a.account_value);
  out += "\n\n";
  out += limits_line_;
  out += "\n\nCurrent live positions & performance:";
  if (st.positions.empty()) {
    out += " none\n";
  } else {
    for (const PositionInfo& p : st.positions) {
      out += '\n';
      AppendPositionLine(out, p);
    }
    out += '\n';
  }
  out += "\nSharpe Ratio: ";
  if (a.sharpe) {
    AppendFixed(out, *a.sharpe, 3);
  } else {
    out += "not available";
  }
  out += '\n';
}

BuiltPrompt PromptBuilder::Build(const PromptState& state) const {
  BuiltPrompt p;
  p.version = version_;
  p.system = system_;
  RenderUser(state, p.user);
  return p;
}

}  // namespace aitrader::agent
