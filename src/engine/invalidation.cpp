#include "engine/invalidation.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <vector>

#include "core/strings.hpp"
#include "engine/market_data.hpp"

namespace aitrader::engine {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Reads a number at text[i…] allowing "$", "," thousands separators and decimals; i moves
// past it. A number glued to a letter or '%' ("100k", "30%") is not read.
std::optional<Price> ReadNumber(std::string_view text, std::size_t& i) {
  std::size_t j = i;
  while (j < text.size() && (IsSpace(text[j]) || text[j] == '$')) ++j;
  std::string digits;
  bool seen_digit = false;
  for (; j < text.size(); ++j) {
    char c = text[j];
    if (IsDigit(c)) {
      digits += c;
      seen_digit = true;
    } else if (c == ',' && seen_digit && j + 1 < text.size() && IsDigit(text[j + 1])) {
      continue;
    } else if (c == '.' && j + 1 < text.size() && IsDigit(text[j + 1])) {
      digits += c;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  if (j < text.size() && (std::isalpha(static_cast<unsigned char>(text[j])) || text[j] == '%')) return std::nullopt;
  auto p = Price::Parse(digits);
  if (!p.ok()) return std::nullopt;
  i = j;
  return *p;
}

std::optional<UnixMs> ReadInterval(std::string_view lower) {
  // "3-minute", "5 minute", "1-hour", "4h", "15m", "4-hour"
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (!IsDigit(lower[i])) continue;
    if (i > 0 && (IsAlnum(lower[i - 1]) || lower[i - 1] == '.' || lower[i - 1] == ',' || lower[i - 1] == '(')) continue;
    std::size_t j = i;
    std::int64_t n = 0;
    while (j < lower.size() && IsDigit(lower[j]) && n < 100000) {
      n = n * 10 + (lower[j] - '0');
      ++j;
    }
    if (j < lower.size() && (lower[j] == '-' || lower[j] == ' ')) ++j;
    std::string_view rest = lower.substr(j);
    if (n <= 0) continue;
    auto unit = [&](std::string_view word, std::string_view letter) {
      if (StartsWith(rest, word)) return true;
      return StartsWith(rest, letter) && (rest.size() == letter.size() || !IsAlnum(rest[letter.size()]));
    };
    if (unit("minute", "m") || unit("min", "m")) return n * kMinuteMs;
    if (unit("hour", "h")) return n * kHourMs;
  }
  if (lower.find("hourly") != std::string_view::npos) return kHourMs;
  return std::nullopt;
}

struct Comparison {
  std::size_t at = std::string::npos;  // start of the phrase
  std::size_t end = 0;                 // one past it
  Invalidation::Direction dir = Invalidation::Direction::kBelow;
};

// The comparison phrases: a verb and a direction word.
std::vector<Comparison> FindComparisons(std::string_view lower) {
  static constexpr std::array<std::string_view, 14> kVerbs = {"closes", "close",  "breaks", "falls",  "drops",
                                                              "dips",   "crosses", "moves", "goes",   "trades",
                                                              "rises",  "climbs", "is",     "jumps"};
  static constexpr std::array<std::pair<std::string_view, Invalidation::Direction>, 4> kDirs = {{
      {"below", Invalidation::Direction::kBelow},
      {"under", Invalidation::Direction::kBelow},
      {"above", Invalidation::Direction::kAbove},
      {"over", Invalidation::Direction::kAbove},
  }};
  std::vector<Comparison> out;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (i > 0 && IsAlnum(lower[i - 1])) continue;
    for (std::string_view verb : kVerbs) {
      if (lower.substr(i, verb.size()) != verb) continue;
      std::size_t j = i + verb.size();
      if (j >= lower.size() || !IsSpace(lower[j])) continue;
      while (j < lower.size() && IsSpace(lower[j])) ++j;
      for (const auto& [word, dir] : kDirs) {
        if (lower.substr(j, word.size()) != word) continue;
        const std::size_t e = j + word.size();
        if (e < lower.size() && IsAlnum(lower[e])) continue;
        out.push_back({i, e, dir});
        break;
      }
      break;
    }
  }
  return out;
}

// Lower-case alphanumeric words.
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (IsAlnum(c)) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// The coin a word names ("btc", "bitcoin", "btcusdt" → "BTC"), empty when none of the known.
std::string CoinOfWord(std::string_view w, std::span<const std::string> coins) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kNames = {{
      {"bitcoin", "BTC"}, {"ethereum", "ETH"}, {"ether", "ETH"}, {"solana", "SOL"}, {"dogecoin", "DOGE"},
      {"ripple", "XRP"}, {"binance", "BNB"}, {"btc", "BTC"}, {"eth", "ETH"}, {"sol", "SOL"}, {"doge", "DOGE"},
      {"xrp", "XRP"},
  }};
  std::string_view base = w;
  if (base.size() > 4 && base.substr(base.size() - 4) == "usdt") base = base.substr(0, base.size() - 4);
  for (const auto& c : coins) {
    if (ToLower(c) == base) return c;
  }
  for (const auto& [name, coin] : kNames) {
    if (name == base) return std::string(coin);
  }
  if (base == "bnb") return "BNB";
  return {};
}

bool IsNumberWord(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

}  // namespace

std::string Invalidation::Describe() const {
  std::string s = coin + " ";
  if (quantity != Quantity::kPrice && h4) s += "4h ";
  switch (quantity) {
    case Quantity::kPrice: s += "price"; break;
    case Quantity::kRsi: s += "RSI " + std::to_string(period); break;
    case Quantity::kEma: s += "EMA " + std::to_string(period); break;
    case Quantity::kMacd: s += "MACD"; break;
  }
  return s;
}

InvalidationParse ParseInvalidation(std::string_view text, std::string_view position_coin,
                                    std::span<const std::string> coins, UnixMs bot_interval) {
  InvalidationParse out;
  if (bot_interval <= 0) bot_interval = kMinuteMs;
  auto refuse = [&](std::string why) {
    out.unchecked_reason = std::move(why);
    return out;
  };
  const std::string lower = ToLower(text);
  const std::vector<Comparison> comps = FindComparisons(lower);
  if (comps.empty()) return refuse("no comparison (\"closes below\", \"rises above\", …) to check");
  if (comps.size() > 1) return refuse("more than one comparison: a compound condition");
  const Comparison& cmp = comps.front();
  std::size_t i = cmp.end;
  auto level = ReadNumber(text, i);
  if (!level) return refuse("the level is not a plain number");
  // What follows the number, up to the end of its clause.
  std::string_view rest = std::string_view(lower).substr(i);
  for (std::size_t p = 0; p < rest.size(); ++p) {
    if (rest[p] == ',' || rest[p] == ';' || rest[p] == ':' || rest[p] == '(' ||
        (rest[p] == '.' && (p + 1 >= rest.size() || !IsDigit(rest[p + 1])))) {
      rest = rest.substr(0, p);
      break;
    }
  }
  for (const auto& w : Words(rest)) {
    for (std::string_view extra : {"for", "consecutive", "twice", "and", "or", "then", "within", "until", "without"}) {
      if (w == extra) return refuse("more than a single comparison (\"" + std::string(extra) + " …\")");
    }
  }

  // The subject: from the last "if"/"when"/"once"/"should" (or clause break) before the comparison.
  std::string_view head = std::string_view(lower).substr(0, cmp.at);
  std::size_t start = 0;
  for (std::string_view word : {"if", "when", "once", "should", "after"}) {
    for (std::size_t p = head.find(word); p != std::string_view::npos; p = head.find(word, p + 1)) {
      const bool bounded = (p == 0 || !IsAlnum(head[p - 1])) &&
                           (p + word.size() >= head.size() || !IsAlnum(head[p + word.size()]));
      if (bounded) start = std::max(start, p + word.size());
    }
  }
  for (std::size_t p = 0; p < head.size(); ++p) {
    if (head[p] == ',' || head[p] == ';' || head[p] == ':' || (head[p] == '.' && (p + 1 >= head.size() || !IsDigit(head[p + 1])))) {
      start = std::max(start, p + 1);
    }
  }
  const std::string_view subject_lower = head.substr(start);
  const std::string_view subject_text = text.substr(start, subject_lower.size());
  const std::vector<std::string> words = Words(subject_lower);

  for (std::string_view neg : {"not", "doesn", "don", "fails", "unless", "without", "never", "t"}) {
    for (const auto& w : words) {
      if (w == neg) return refuse("a negated or conditional comparison");
    }
  }

  // The coin.
  std::string coin;
  for (const auto& w : words) {
    std::string c = CoinOfWord(w, coins);
    if (c.empty()) continue;
    if (!coin.empty() && coin != c) return refuse("names two coins (" + coin + ", " + c + ")");
    coin = c;
  }
  // Tickers in capitals the engine does not know ("SPX", "DXY", "TOTAL2").
  {
    std::string cur;
    auto check_ticker = [&](const std::string& t) -> bool {
      static constexpr std::array<std::string_view, 10> kKnown = {"RSI", "EMA", "MACD", "USD", "USDT", "UTC",
                                                                  "H4", "4H", "IF", "OR"};
      if (t.size() < 2 || t.size() > 7) return true;
      bool letters = false;
      for (char c : t) letters = letters || std::isalpha(static_cast<unsigned char>(c));
      if (!letters) return true;
      for (auto k : kKnown) {
        if (t == k) return true;
      }
      for (std::string_view k : {"RSI", "EMA", "MACD"}) {
        if (t.rfind(k, 0) == 0 && IsNumberWord(std::string_view(t).substr(k.size()))) return true;
      }
      if (!CoinOfWord(ToLower(t), coins).empty()) return true;
      bool all_upper = true;
      for (char c : t) all_upper = all_upper && !std::islower(static_cast<unsigned char>(c));
      return !all_upper;
    };
    for (char c : std::string(subject_text) + " ") {
      if (IsAlnum(c)) {
        cur += c;
        continue;
      }
      if (!cur.empty() && !check_ticker(cur)) return refuse("names " + cur + ", which this bot does not trade");
      cur.clear();
    }
  }
  if (!coin.empty()) {
    bool traded = false;
    for (const auto& c : coins) traded = traded || c == coin;
    if (!traded) return refuse("names " + coin + ", which this bot does not trade");
  } else {
    coin = std::string(position_coin);
  }

  // The quantity.
  static constexpr std::array<std::string_view, 24> kUnsupported = {
      "volume", "oi",     "open",   "interest",   "funding", "atr",   "sma",     "ma",
      "vwap",   "dominance", "trendline", "trend", "support", "resistance", "bollinger", "bb",
      "stoch",  "stochastic", "obv", "adx",   "cci",     "ratio", "spread", "basis"};
  for (const auto& w : words) {
    for (auto u : kUnsupported) {
      if (w == u) return refuse("watches " + w + ", which the engine does not check");
    }
  }
  Invalidation inv;
  inv.direction = cmp.dir;
  inv.coin = coin;
  inv.text = std::string(text);
  inv.price_level = *level;
  inv.level = level->ToDouble();
  int kinds = 0;
  std::optional<int> period;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    auto indicator = [&](std::string_view name, Invalidation::Quantity q) {
      if (w.rfind(name, 0) != 0) return false;
      std::string_view suffix = std::string_view(w).substr(name.size());
      if (!suffix.empty() && !IsNumberWord(suffix)) return false;
      ++kinds;
      inv.quantity = q;
      if (!suffix.empty()) period = std::stoi(std::string(suffix));
      else if (k + 1 < words.size() && IsNumberWord(words[k + 1]) && words[k + 1].size() <= 3) period = std::stoi(words[k + 1]);
      else if (k >= 1 && IsNumberWord(words[k - 1]) && words[k - 1].size() <= 3) period = std::stoi(words[k - 1]);
      else if (k >= 2 && words[k - 1] == "period" && IsNumberWord(words[k - 2]) && words[k - 2].size() <= 3) {
        period = std::stoi(words[k - 2]);
      }
      return true;
    };
    if (!indicator("rsi", Invalidation::Quantity::kRsi) && !indicator("ema", Invalidation::Quantity::kEma)) {
      if (w == "macd") {
        ++kinds;
        inv.quantity = Invalidation::Quantity::kMacd;
      }
    }
  }
  if (kinds > 1) return refuse("names more than one indicator");
  const std::optional<UnixMs> named_interval = ReadInterval(std::string(subject_lower) + " " + std::string(rest));
  if (inv.quantity == Invalidation::Quantity::kPrice) {
    if (named_interval) {
      if (*named_interval % bot_interval != 0) {
        return refuse("names " + FormatInterval(*named_interval) + " candles; the bot's data is " +
                      FormatInterval(bot_interval));
      }
      inv.interval = *named_interval == bot_interval ? 0 : *named_interval;
    }
    out.check = std::move(inv);
    return out;
  }
  if (named_interval && *named_interval == 4 * kHourMs) {
    inv.h4 = true;
  } else if (named_interval && *named_interval != bot_interval) {
    return refuse("names an indicator of " + FormatInterval(*named_interval) + " candles, which the engine does not compute");
  }
  // The periods the engine computes per series (agent/snapshot.hpp).
  std::vector<int> have;
  switch (inv.quantity) {
    case Invalidation::Quantity::kRsi: have = inv.h4 ? std::vector<int>{14} : std::vector<int>{7, 14}; break;
    case Invalidation::Quantity::kEma: have = inv.h4 ? std::vector<int>{20, 50} : std::vector<int>{20}; break;
    case Invalidation::Quantity::kMacd: have = {}; break;
    case Invalidation::Quantity::kPrice: break;
  }
  const std::string name = inv.quantity == Invalidation::Quantity::kRsi ? "RSI" : inv.quantity == Invalidation::Quantity::kEma ? "EMA" : "MACD";
  if (inv.quantity == Invalidation::Quantity::kMacd) {
    if (period) return refuse("MACD with a parameter; the engine computes MACD(12, 26, 9) only");
  } else if (period) {
    if (std::find(have.begin(), have.end(), *period) == have.end()) {
      return refuse(name + " " + std::to_string(*period) + " on the " + (inv.h4 ? "4h" : "intraday") +
                    " series is not computed by the engine");
    }
    inv.period = *period;
  } else if (have.size() == 1) {
    inv.period = have.front();
  } else {
    return refuse(name + " without a period: the " + std::string(inv.h4 ? "4h" : "intraday") + " series has " + name +
                  " " + std::to_string(have[0]) + " and " + std::to_string(have[1]));
  }
  out.check = std::move(inv);
  return out;
}

std::optional<InvalidationReading> EvaluateInvalidation(const Invalidation& inv, const MarketData& market,
                                                        UnixMs close_time, UnixMs bot_interval) {
  const SymbolData* d = market.Find(inv.coin);
  if (d == nullptr) return std::nullopt;
  InvalidationReading r;
  if (inv.quantity == Invalidation::Quantity::kPrice) {
    const UnixMs every = inv.interval > bot_interval ? inv.interval : bot_interval;
    if (close_time % every != 0) return std::nullopt;
    const std::size_t n = agent::ClosedCount(d->intraday, close_time);
    if (n == 0 || d->intraday.open_time()[n - 1] + bot_interval != close_time) return std::nullopt;
    const Price close = d->intraday.close()[n - 1];
    r.broken = inv.BrokenBy(close);
    r.value = close.ToString();
    return r;
  }
  if (!d->features) return std::nullopt;
  agent::MarketSnapshot s;
  if (!d->features->At(close_time, s).ok()) return std::nullopt;
  double v = 0;
  if (inv.h4) {
    if (!s.has_4h || s.h4_last_close_time != close_time || s.h4_series_length == 0) return std::nullopt;
    const auto last = static_cast<std::size_t>(s.h4_series_length - 1);
    switch (inv.quantity) {
      case Invalidation::Quantity::kRsi: v = s.h4_rsi14_series[last]; break;
      case Invalidation::Quantity::kEma: v = inv.period == 50 ? s.h4_ema50 : s.h4_ema20; break;
      case Invalidation::Quantity::kMacd: v = s.h4_macd_series[last]; break;
      case Invalidation::Quantity::kPrice: return std::nullopt;
    }
  } else {
    if (s.last_close_time != close_time || s.series_length == 0) return std::nullopt;
    const auto last = static_cast<std::size_t>(s.series_length - 1);
    switch (inv.quantity) {
      case Invalidation::Quantity::kRsi: v = inv.period == 7 ? s.rsi7 : s.rsi14_series[last]; break;
      case Invalidation::Quantity::kEma: v = s.ema20; break;
      case Invalidation::Quantity::kMacd: v = s.macd; break;
      case Invalidation::Quantity::kPrice: return std::nullopt;
    }
  }
  if (!std::isfinite(v)) return std::nullopt;  // still warming up
  r.broken = inv.BrokenByValue(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  r.value = buf;
  return r;
}

}  // namespace aitrader::engine
