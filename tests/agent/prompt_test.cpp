#include "agent/prompt.hpp"

#include <gtest/gtest.h>

#include <regex>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include "agent/fresh_prompt.hpp"
#include "agent/live_features.hpp"
#include "agent/snapshot.hpp"
#include "core/instrument.hpp"
#include "core/io.hpp"
#include "indicators/batch.hpp"
#include "market/data_dir.hpp"

namespace aitrader::agent {
namespace {

const std::string kMarketDir = std::string(AITRADER_DATA_DIR) + "/binance-usdm";
const std::string kGoldenPath = std::string(AITRADER_TEST_DATA_DIR) + "/agent/golden_prompt_2025-10-20T12-00Z.txt";
constexpr const char* kGoldenTime = "2025-10-20T12:00:00Z";

UnixMs T(const char* s) { return ParseUtc(s).value(); }

struct CoinData {
  market::CandleSeries m5, h4;
};

const CoinData& Load(const std::string& symbol) {
  static std::map<std::string, CoinData> cache;
  auto it = cache.find(symbol);
  if (it != cache.end()) return it->second;
  market::DataDir dir(kMarketDir);
  CoinData d;
  d.m5 = dir.LoadCandles(symbol, 5 * kMinuteMs).value();
  d.h4 = dir.LoadCandles(symbol, 4 * kHourMs).value();
  return cache.emplace(symbol, std::move(d)).first->second;
}

std::string Render(const BuiltPrompt& p) {
  return "=== SYSTEM PROMPT (version " + p.version + ") ===\n" + p.system + "\n=== USER PROMPT ===\n" + p.user;
}

// ---- golden file ----------------------------------------------------------------------

TEST(PromptGolden, FreshBotPromptIsByteIdentical) {
  FreshPromptOptions opt;
  opt.data_dir = kMarketDir;
  opt.at = T(kGoldenTime);
  auto instruments = InstrumentTable::LoadDefault();
  ASSERT_TRUE(instruments.ok());
  auto first = BuildFreshPrompt(opt, *instruments);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = BuildFreshPrompt(opt, *instruments);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->version, "aa-v1");
  EXPECT_EQ(Render(*first), Render(*second));

  const std::string text = Render(*first);
  if (const char* update = std::getenv("AITRADER_UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    ASSERT_TRUE(WriteFileAtomic(kGoldenPath, text).ok());
  }
  auto golden = ReadFile(kGoldenPath);
  ASSERT_TRUE(golden.ok()) << golden.status().ToString() << " (run with AITRADER_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(text, *golden) << "the prompt changed; if intended, regenerate with AITRADER_UPDATE_GOLDEN=1";
}

TEST(PromptGolden, LayoutFollowsAlphaArena) {
  FreshPromptOptions opt;
  opt.data_dir = kMarketDir;
  opt.at = T(kGoldenTime);
  auto p = BuildFreshPrompt(opt, InstrumentTable::LoadDefault().value());
  ASSERT_TRUE(p.ok());
  const std::string& u = p->user;
  std::size_t pos = 0;
  for (const char* part :
       {"It has been 0 minutes since you started trading. The current time is 2025-10-20 12:00:00 UTC and you've been "
        "invoked 1 times.",
        "ALL OF THE PRICE OR SIGNAL DATA BELOW IS ORDERED: OLDEST \u2192 NEWEST", "5-minute intervals",
        "CURRENT MARKET STATE FOR ALL COINS", "ALL BTC DATA\ncurrent_price = ", "Open Interest: not available",
        "Funding Rate: not available", "BTC mid prices: [", "EMA indicators (20-period): [", "MACD indicators: [",
        "RSI indicators (7-Period): [", "RSI indicators (14-Period): [", "Longer-term context (4-hour timeframe):",
        "20-Period EMA: ", "3-Period ATR: ", "Current Volume: ", "ALL ETH DATA", "ALL SOL DATA", "ALL BNB DATA",
        "ALL XRP DATA", "ALL DOGE DATA", "HERE IS YOUR ACCOUNT INFORMATION & PERFORMANCE",
        "Current Total Return (percent): 0.00%", "Available Cash: 10000.00", "Current Account Value: 10000.00",
        "Trading fees: maker 0.02%, taker 0.05%", "leverage 1x to 10x", "Current live positions & performance: none",
        "Sharpe Ratio: not available"}) {
    std::size_t at = u.find(part, pos);
    ASSERT_NE(at, std::string::npos) << "missing or out of order: " << part;
    pos = at;
  }
  EXPECT_NE(p->system.find("1 to 10"), std::string::npos);
  EXPECT_NE(p->system.find("BTC, ETH, SOL, BNB, XRP, DOGE"), std::string::npos);
  EXPECT_EQ(p->system.find("{{"), std::string::npos);
}

// The user prompt against an expectation written from the Alpha Arena capture
// (reference/alpha_arena_prompt.md §2), not from our own output: the sections and their order,
// one block per coin in the capture's order, every series exactly 10 plain decimals, and the
// "current_*" values equal to the last element of their series (as in the capture:
// current_price 113975.5 is the last mid price, current_ema20 114113.214 the last EMA20).
namespace {
std::vector<std::string> ListAfter(const std::string& block, const std::string& label) {
  std::vector<std::string> out;
  const std::size_t at = block.find(label + ": [");
  if (at == std::string::npos) return out;
  const std::size_t open = at + label.size() + 3;
  const std::size_t close = block.find(']', open);
  if (close == std::string::npos) return out;
  std::string body = block.substr(open, close - open);
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t comma = body.find(',', pos);
    if (comma == std::string::npos) comma = body.size();
    std::string item = body.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    out.push_back(item);
    pos = comma + 1;
  }
  return out;
}
}  // namespace

TEST(PromptAlphaArena, UserPromptMatchesTheCapturedStructure) {
  FreshPromptOptions opt;
  opt.data_dir = kMarketDir;
  opt.at = T(kGoldenTime);
  auto p = BuildFreshPrompt(opt, InstrumentTable::LoadDefault().value());
  ASSERT_TRUE(p.ok());
  const std::string& u = p->user;
  const std::regex plain_number(R"(-?[0-9]+(\.[0-9]+)?)");
  // The opening sentence (§2: "It has been N minutes since you started trading. The current
  // time is T and you've been invoked N times. Below, we are providing you ...").
  EXPECT_TRUE(std::regex_search(u, std::regex(R"(^It has been [0-9]+ minutes since you started trading\. The current time is [^\n]+ and you've been invoked [0-9]+ times\. Below, we are providing you with a variety of state data, price data, and predictive signals so you can discover alpha\.)")))
      << u.substr(0, 300);
  // Section order.
  std::size_t pos = 0;
  for (const std::string part :
       {"ALL OF THE PRICE OR SIGNAL DATA BELOW IS ORDERED: OLDEST \u2192 NEWEST", "CURRENT MARKET STATE FOR ALL COINS",
        "ALL BTC DATA", "ALL ETH DATA", "ALL SOL DATA", "ALL BNB DATA", "ALL XRP DATA", "ALL DOGE DATA",
        "HERE IS YOUR ACCOUNT INFORMATION & PERFORMANCE", "Current Total Return (percent): ", "Available Cash: ",
        "Current Account Value: ", "Current live positions & performance:", "Sharpe Ratio: "}) {
    const std::size_t at = u.find(part, pos);
    ASSERT_NE(at, std::string::npos) << "missing or out of order: " << part;
    pos = at + part.size();
  }
  EXPECT_TRUE(std::regex_search(u, std::regex(R"(Current Total Return \(percent\): -?[0-9]+(\.[0-9]+)?%)")));
  // Each coin's block.
  const std::vector<std::string> coins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  for (std::size_t i = 0; i < coins.size(); ++i) {
    SCOPED_TRACE(coins[i]);
    const std::size_t begin = u.find("ALL " + coins[i] + " DATA");
    const std::size_t end = i + 1 < coins.size() ? u.find("ALL " + coins[i + 1] + " DATA") : u.find("HERE IS YOUR ACCOUNT");
    ASSERT_NE(begin, std::string::npos);
    const std::string block = u.substr(begin, end - begin);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(block, m, std::regex(R"(current_price = (\S+), current_ema20 = (\S+), current_macd = (\S+), current_rsi \(7 period\) = (\S+)\n)")))
        << block.substr(0, 200);
    EXPECT_NE(block.find("In addition, here is the latest " + coins[i] + " open interest and funding rate for perps"),
              std::string::npos);
    EXPECT_NE(block.find("Open Interest: "), std::string::npos);
    EXPECT_NE(block.find("Funding Rate: "), std::string::npos);
    EXPECT_NE(block.find("Intraday series ("), std::string::npos);
    // The mid prices line: "Mid prices" (BTC in the capture) or "<COIN> mid prices".
    std::vector<std::string> mids = ListAfter(block, coins[i] + " mid prices");
    if (mids.empty()) mids = ListAfter(block, "Mid prices");
    // The capture writes "20‑period" with a non-breaking hyphen; accept either.
    auto list = [&](const std::string& a, const std::string& b) {
      auto l = ListAfter(block, a);
      return l.empty() ? ListAfter(block, b) : l;
    };
    const auto ema = list("EMA indicators (20-period)", "EMA indicators (20\u2011period)");
    const auto macd = ListAfter(block, "MACD indicators");
    const auto rsi7 = list("RSI indicators (7-Period)", "RSI indicators (7\u2011Period)");
    const auto rsi14 = list("RSI indicators (14-Period)", "RSI indicators (14\u2011Period)");
    const std::vector<const std::vector<std::string>*> all_series = {&mids, &ema, &macd, &rsi7, &rsi14};
    for (const auto* series : all_series) {
      ASSERT_EQ(series->size(), 10u) << block.substr(0, 400);
      for (const auto& v : *series) EXPECT_TRUE(std::regex_match(v, plain_number)) << "not a plain decimal: " << v;
    }
    EXPECT_EQ(m[1].str(), mids.back());
    EXPECT_EQ(m[2].str(), ema.back());
    EXPECT_EQ(m[3].str(), macd.back());
    EXPECT_EQ(m[4].str(), rsi7.back());
    // The 4-hour context, each "X vs. Y", then its MACD and RSI14 series (10 values).
    const std::size_t ctx = block.find("Longer-term context (4-hour timeframe):") != std::string::npos
                                ? block.find("Longer-term context (4-hour timeframe):")
                                : block.find("Longer\u2011term context (4\u2011hour timeframe):");
    ASSERT_NE(ctx, std::string::npos);
    const std::string h4 = block.substr(ctx);
    EXPECT_TRUE(std::regex_search(h4, std::regex(R"(20.Period EMA: -?[0-9.]+ vs\. 50.Period EMA: -?[0-9.]+)")));
    EXPECT_TRUE(std::regex_search(h4, std::regex(R"(3.Period ATR: [0-9.]+ vs\. 14.Period ATR: [0-9.]+)")));
    EXPECT_TRUE(std::regex_search(h4, std::regex(R"(Current Volume: [0-9.]+ vs\. Average Volume: [0-9.]+)")));
    std::string h4_rest = h4;
    EXPECT_EQ(ListAfter(h4_rest, "MACD indicators").size(), 10u);
    EXPECT_EQ(ListAfter(h4_rest, "RSI indicators (14-Period)").size() + ListAfter(h4_rest, "RSI indicators (14\u2011Period)").size(), 10u);
  }
}

// ---- values match the indicators module -------------------------------------------------

TEST(PromptValues, SnapshotMatchesIndicatorsComputedDirectly) {
  const CoinData& d = Load("BTCUSDT");
  const UnixMs t = T(kGoldenTime);
  auto snap = BuildSnapshot("BTC", 1, d.m5, d.h4, t);
  ASSERT_TRUE(snap.ok());

  const std::size_t n = ClosedCount(d.m5, t);
  ASSERT_GE(n, 10u);
  EXPECT_LE(d.m5.open_time()[n - 1] + d.m5.interval(), t);
  std::vector<double> close = d.m5.CloseF64();
  close.resize(n);
  std::vector<double> ema(n), macd(n), sig(n), hist(n), rsi7(n), rsi14(n);
  ASSERT_TRUE(indicators::Ema(close, 20, ema).ok());
  ASSERT_TRUE(indicators::Macd(close, 12, 26, 9, macd, sig, hist).ok());
  ASSERT_TRUE(indicators::Rsi(close, 7, rsi7).ok());
  ASSERT_TRUE(indicators::Rsi(close, 14, rsi14).ok());
  EXPECT_EQ(snap->current_price, d.m5.close()[n - 1]);
  EXPECT_EQ(snap->ema20, ema[n - 1]);
  EXPECT_EQ(snap->macd, macd[n - 1]);
  EXPECT_EQ(snap->rsi7, rsi7[n - 1]);
  ASSERT_EQ(snap->series_length, 10);
  for (std::size_t i = 0; i < 10; ++i) {
    const std::size_t row = n - 10 + i;
    EXPECT_EQ(snap->mid_prices[i], d.m5.close()[row]);
    EXPECT_EQ(snap->ema20_series[i], ema[row]);
    EXPECT_EQ(snap->macd_series[i], macd[row]);
    EXPECT_EQ(snap->rsi7_series[i], rsi7[row]);
    EXPECT_EQ(snap->rsi14_series[i], rsi14[row]);
  }

  const std::size_t m = ClosedCount(d.h4, t);
  ASSERT_GE(m, 50u);
  auto col = [&](const std::vector<double>& v) {
    return std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m));
  };
  std::vector<double> hc = col(d.h4.CloseF64()), hh = col(d.h4.HighF64()), hl = col(d.h4.LowF64()),
                      hv = col(d.h4.volume());
  std::vector<double> e20(m), e50(m), a3(m), a14(m), vavg(m), hm(m), hs(m), hhst(m), hr(m);
  ASSERT_TRUE(indicators::Ema(hc, 20, e20).ok());
  ASSERT_TRUE(indicators::Ema(hc, 50, e50).ok());
  ASSERT_TRUE(indicators::Atr(hh, hl, hc, 3, a3).ok());
  ASSERT_TRUE(indicators::Atr(hh, hl, hc, 14, a14).ok());
  ASSERT_TRUE(indicators::Sma(hv, 20, vavg).ok());
  ASSERT_TRUE(indicators::Macd(hc, 12, 26, 9, hm, hs, hhst).ok());
  ASSERT_TRUE(indicators::Rsi(hc, 14, hr).ok());
  ASSERT_TRUE(snap->has_4h);
  EXPECT_EQ(snap->h4_ema20, e20[m - 1]);
  EXPECT_EQ(snap->h4_ema50, e50[m - 1]);
  EXPECT_EQ(snap->h4_atr3, a3[m - 1]);
  EXPECT_EQ(snap->h4_atr14, a14[m - 1]);
  EXPECT_EQ(snap->h4_volume, hv[m - 1]);
  EXPECT_EQ(snap->h4_volume_average, vavg[m - 1]);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(snap->h4_macd_series[i], hm[m - 10 + i]);
    EXPECT_EQ(snap->h4_rsi14_series[i], hr[m - 10 + i]);
  }

  // The printed values are those numbers at the documented precision.
  PromptBuilder builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
  PromptState st;
  st.now = t;
  st.started_at = t;
  MarketSnapshot one = *snap;
  st.coins = std::span<const MarketSnapshot>(&one, 1);
  std::string user;
  builder.RenderUser(st, user);
  std::string expect_line = "current_price = " + d.m5.close()[n - 1].ToString() + ", current_ema20 = ";
  AppendFixed(expect_line, ema[n - 1], 3);
  expect_line += ", current_macd = ";
  AppendFixed(expect_line, macd[n - 1], 3);
  expect_line += ", current_rsi (7 period) = ";
  AppendFixed(expect_line, rsi7[n - 1], 3);
  EXPECT_NE(user.find(expect_line + "\n"), std::string::npos) << expect_line;
  char buf[64];
  std::snprintf(buf, sizeof buf, "20-Period EMA: %.3f vs. 50-Period EMA: %.3f", e20[m - 1], e50[m - 1]);
  EXPECT_NE(user.find(buf), std::string::npos) << buf;
}

TEST(PromptValues, PrecomputedFeaturesEqualTheReferenceSnapshot) {
  const CoinData& d = Load("DOGEUSDT");
  auto features = CoinFeatures::Build("DOGE", 5, d.m5, d.h4);
  ASSERT_TRUE(features.ok());
  for (const char* when : {"2025-09-01T00:05:00Z", "2025-09-01T02:00:00Z", "2025-10-20T12:00:00Z",
                           "2025-10-20T12:03:00Z", "2025-11-15T05:55:00Z", "2025-12-31T23:59:00Z"}) {
    const UnixMs t = T(when);
    auto a = features->At(t);
    auto b = BuildSnapshot("DOGE", 5, d.m5, d.h4, t);
    ASSERT_EQ(a.ok(), b.ok()) << when;
    if (!a.ok()) continue;
    PromptBuilder builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
    auto render = [&](const MarketSnapshot& s) {
      PromptState st;
      st.now = t;
      st.coins = std::span<const MarketSnapshot>(&s, 1);
      return builder.Build(st).user;
    };
    EXPECT_EQ(render(*a), render(*b)) << when;
    EXPECT_TRUE(a->ema20 == b->ema20 || (std::isnan(a->ema20) && std::isnan(b->ema20)));
  }
  // Before the first candle closes there is nothing to show.
  EXPECT_EQ(features->At(T("2025-09-01T00:04:59Z")).status().code(), StatusCode::kNotFound);
}

// ---- no look-ahead ----------------------------------------------------------------------

market::CandleSeries WithSpikeAfter(const market::CandleSeries& s, UnixMs t) {
  market::CandleSeries out(s.symbol(), s.interval());
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    market::Candle c = s[i];
    if (c.open_time + s.interval() > t) {  // not closed by t: plant a 10x spike
      c.high = c.high * 10;
      c.close = c.close * 10;
      c.volume *= 100;
    }
    out.push_back(c);
  }
  return out;
}

TEST(PromptNoLookAhead, FutureSpikeDoesNotChangeThePrompt) {
  const CoinData& d = Load("BTCUSDT");
  // 12:03: the 12:00 5m candle is still open, and the 4h candle that opened at 12:00 too.
  const UnixMs t = T("2025-10-20T12:03:00Z");
  market::CandleSeries m5 = WithSpikeAfter(d.m5, t);
  market::CandleSeries h4 = WithSpikeAfter(d.h4, t);
  PromptBuilder builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
  auto render = [&](const MarketSnapshot& s) {
    PromptState st;
    st.now = t;
    st.coins = std::span<const MarketSnapshot>(&s, 1);
    return builder.Build(st).user;
  };
  auto clean = BuildSnapshot("BTC", 1, d.m5, d.h4, t);
  auto spiked = BuildSnapshot("BTC", 1, m5, h4, t);
  ASSERT_TRUE(clean.ok() && spiked.ok());
  EXPECT_EQ(render(*clean), render(*spiked));
  // The precomputed form over the full (spiked) history sees no future either.
  auto features = CoinFeatures::Build("BTC", 1, m5, h4);
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(render(features->At(t).value()), render(*clean));
  // The newest candles used closed by t; the 4h context lags to the 12:00 close.
  EXPECT_EQ(clean->last_close_time, T("2025-10-20T12:00:00Z"));
  EXPECT_EQ(clean->h4_last_close_time, T("2025-10-20T12:00:00Z"));
  auto at_1159 = BuildSnapshot("BTC", 1, d.m5, d.h4, T("2025-10-20T11:59:59Z"));
  ASSERT_TRUE(at_1159.ok());
  EXPECT_EQ(at_1159->h4_last_close_time, T("2025-10-20T08:00:00Z"));
  EXPECT_EQ(at_1159->last_close_time, T("2025-10-20T11:55:00Z"));
  // Sanity: the spike is visible once its candle has closed.
  auto later = BuildSnapshot("BTC", 1, m5, h4, T("2025-10-20T12:05:00Z"));
  ASSERT_TRUE(later.ok());
  EXPECT_NE(later->current_price, clean->current_price);
}

// ---- formatting -------------------------------------------------------------------------

std::string Fixed(double v, int places) {
  std::string s;
  AppendFixed(s, v, places);
  return s;
}

TEST(PromptFormat, FixedDecimals) {
  EXPECT_EQ(Fixed(114113.2144, 3), "114113.214");
  EXPECT_EQ(Fixed(-14.21, 3), "-14.210");
  EXPECT_EQ(Fixed(0.19834512, 7), "0.1983451");
  EXPECT_EQ(Fixed(-0.0004, 3), "0.000");  // no "-0.000"
  EXPECT_EQ(Fixed(2.5, 0), "3");          // half away from zero
  EXPECT_EQ(Fixed(std::nan(""), 3), "n/a");
  EXPECT_EQ(Fixed(1e300, 2).substr(0, 5), "10000");
}

TEST(PromptFormat, PricesTimesAndPythonStrings) {
  std::string s;
  AppendPrice(s, Price::Parse("113975.5").value());
  s += ' ';
  AppendPrice(s, Price::Parse("-0.00001").value());
  s += ' ';
  AppendPrice(s, Price::Parse("110754").value());
  EXPECT_EQ(s, "113975.5 -0.00001 110754");
  std::string t;
  AppendUtcSeconds(t, T("2025-10-28T00:41:07.445Z"));
  EXPECT_EQ(t, "2025-10-28 00:41:07");
  std::string py;
  AppendPythonString(py, "If the price closes below 4000");
  AppendPythonString(py, "it's");
  AppendPythonString(py, "a'b\"c\n");
  EXPECT_EQ(py, "'If the price closes below 4000'\"it's\"'a\\'b\"c\\n'");
}

TEST(PromptFormat, PositionLineLikeNof1) {
  PositionInfo p;
  p.coin = "ETH";
  p.quantity = Quantity::Parse("5.74").value();
  p.entry_price = Price::Parse("4189.12").value();
  p.current_price = Price::Parse("4112.85").value();
  p.liquidation_price = Price::Parse("3849.46").value();
  p.unrealized_pnl = Money::Parse("-437.79").value();
  p.leverage = 10;
  p.profit_target = Price::Parse("4568.31").value();
  p.stop_loss = Price::Parse("4065.43").value();
  p.invalidation_condition = "If the price closes below 4000 on a 3-minute candle";
  p.confidence = 0.65;
  p.risk_usd = Money::Parse("722.78").value();
  p.notional_usd = Money::Parse("23607.76").value();
  std::string line;
  AppendPositionLine(line, p);
  EXPECT_EQ(line,
            "{'symbol': 'ETH', 'quantity': 5.74, 'entry_price': 4189.12, 'current_price': 4112.85, "
            "'liquidation_price': 3849.46, 'unrealized_pnl': -437.79, 'leverage': 10, 'exit_plan': {'profit_target': "
            "4568.31, 'stop_loss': 4065.43, 'invalidation_condition': 'If the price closes below 4000 on a 3-minute "
            "candle'}, 'confidence': 0.65, 'risk_usd': 722.78, 'sl_oid': -1, 'tp_oid': -1, 'wait_for_fill': False, "
            "'entry_oid': -1, 'notional_usd': 23607.76}");
}

TEST(PromptFormat, OptionalDataAndPositions) {
  MarketSnapshot s;
  s.coin = "XRP";
  s.price_decimals = 4;
  s.interval = 5 * kMinuteMs;
  s.current_price = Price::Parse("2.6123").value();
  s.ema20 = 2.61;
  s.macd = std::nan("");
  s.rsi7 = 50;
  s.open_interest_latest = 30025.08;
  s.open_interest_average = 30037.03;
  s.funding_rate = 1.25e-05;
  s.series_length = 1;
  s.mid_prices[0] = s.current_price;
  s.ema20_series[0] = 2.61;
  s.macd_series[0] = std::nan("");
  PositionInfo pos;
  pos.coin = "XRP";
  pos.quantity = Quantity::Parse("-100").value();
  PromptBuilder builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
  PromptState st;
  st.coins = std::span<const MarketSnapshot>(&s, 1);
  st.positions = std::span<const PositionInfo>(&pos, 1);
  st.account.sharpe = 0.4834;
  st.account.account_value = Money::FromUnits(11580);
  std::string u = builder.Build(st).user;
  EXPECT_NE(u.find("current_ema20 = 2.610000, current_macd = n/a"), std::string::npos) << u;
  EXPECT_NE(u.find("Open Interest: Latest: 30025.080  Average: 30037.030"), std::string::npos);
  EXPECT_NE(u.find("Funding Rate: 1.25e-05"), std::string::npos);
  EXPECT_NE(u.find("XRP mid prices: [2.6123]"), std::string::npos);
  EXPECT_NE(u.find("MACD indicators: [n/a]"), std::string::npos);
  EXPECT_NE(u.find("Longer-term context (4-hour timeframe):\n\nnot available"), std::string::npos);
  EXPECT_NE(u.find("Current Total Return (percent): 15.80%"), std::string::npos);
  EXPECT_NE(u.find("Current live positions & performance:\n{'symbol': 'XRP', 'quantity': -100.0,"), std::string::npos);
  EXPECT_NE(u.find("Sharpe Ratio: 0.483"), std::string::npos);
}

TEST(PromptTemplate, PlaceholdersAndVersions) {
  auto bad = SystemPromptTemplate::FromText("aa-test", "hello {{nope}}");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(SystemPromptTemplate::FromText("aa-test", "hello {{coins").ok());
  EXPECT_FALSE(SystemPromptTemplate::FromText("../etc/passwd", "x").ok());
  auto t = SystemPromptTemplate::FromText("aa-test", "{{version}}: {{coins}} x{{max_leverage}} {{taker_fee_pct}}% {{interval}}");
  ASSERT_TRUE(t.ok());
  PromptConfig c;
  c.coins = {"BTC", "ETH"};
  c.max_leverage = 25;  // clamped to the hard cap
  c.interval = 15 * kMinuteMs;
  auto b = PromptBuilder::Create(c, *t);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->system_prompt(), "aa-test: BTC, ETH x10 0.05% 15-minute");
  EXPECT_EQ(b->version(), "aa-test");
  EXPECT_EQ(SystemPromptTemplate::LoadDefault("aa-v0").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace aitrader::agent

namespace aitrader::agent {
namespace {

TEST(LiveFeatures, StreamingEqualsTheReferenceSnapshot) {
  const CoinData& d = Load("ETHUSDT");
  // Start both at the same row: the 4h history from its first candle, the 5m too.
  auto live = LiveCoinFeatures::Create("ETH", 2, d.m5.interval());
  ASSERT_TRUE(live.ok());
  PromptBuilder builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
  auto render = [&](const MarketSnapshot& s, UnixMs t) {
    PromptState st;
    st.now = t;
    st.coins = std::span<const MarketSnapshot>(&s, 1);
    return builder.Build(st).user;
  };
  std::size_t i5 = 0, i4 = 0;
  int checked = 0;
  for (UnixMs t = T("2025-09-01T00:00:00Z"); t <= T("2025-10-01T00:00:00Z"); t += 5 * kMinuteMs) {
    while (i5 < d.m5.size() && d.m5.open_time()[i5] + d.m5.interval() <= t) ASSERT_TRUE(live->AddIntraday(d.m5[i5++]).ok());
    while (i4 < d.h4.size() && d.h4.open_time()[i4] + d.h4.interval() <= t) ASSERT_TRUE(live->Add4h(d.h4[i4++]).ok());
    // Compare every 4h and 13 minutes-ish sample (a spread of states incl. warm-up).
    if (i5 == 0 || (t / (5 * kMinuteMs)) % 53 != 0) continue;
    MarketSnapshot a;
    ASSERT_TRUE(live->Snapshot(t, a).ok());
    auto b = BuildSnapshot("ETH", 2, d.m5, d.h4, t);
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(render(a, t), render(*b, t)) << FormatUtc(t);
    EXPECT_EQ(std::memcmp(&a.ema20, &b->ema20, sizeof(double)), 0);
    ++checked;
  }
  EXPECT_GT(checked, 100);
  // Feeding a candle that has not closed by t is refused at snapshot time; out of order at add.
  MarketSnapshot s;
  EXPECT_EQ(live->Snapshot(T("2025-09-15T00:00:00Z"), s).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(live->AddIntraday(d.m5[0]).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aitrader::agent
