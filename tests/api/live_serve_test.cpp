// `aitrader serve --market binance` against the fake Binance (issue 12), the real binary: the
// live feed (history over REST, then the kline stream) drives a paper bot and a testnet bot
// with the same baseline policy. Both take the same decisions on the same bars; the testnet
// bot's entry, stop-loss and take-profit are orders AT THE VENUE (the fake), the paper bot's
// are on the paper simulator. A crafted candle then crashes through both stops: each venue
// closes its position on its own (the fake triggers its conditional order and pushes the
// fill on the user-data stream), both closes are recorded once, with the exchange's reason,
// and the testnet bot's take-profit is cancelled at the venue. A kill -9 and restart resumes
// the testnet bot on the venue with no order placed twice; the emergency stop is flat at the
// venue.
//
// The fake's clock runs 48 hours ahead of the candles it has closed, so every candle the test
// closes is "closed" by the venue's clock (Binance serves only closed klines as history).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <filesystem>
#include <map>
#include <unistd.h>
#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "core/instrument.hpp"
#include "core/io.hpp"
#include "market/data_dir.hpp"
#include "store/database.hpp"
#include "support/fake_binance.hpp"
#include "support/test_keys.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

constexpr UnixMs kHour = 3'600'000;
const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};

class OffsetClock final : public Clock {
 public:
  UnixMs NowMs() const override { return system_.NowMs() + offset_.load(); }
  void PinTo(UnixMs t) { offset_.store(t - system_.NowMs()); }

 private:
  SystemClock system_;
  std::atomic<UnixMs> offset_{0};
};

class LiveServeTest : public ::testing::Test {
 public:
  void SetUp() override {
    auto table = InstrumentTable::LoadDefault();
    ASSERT_TRUE(table.ok()) << table.status().message();
    market::DataDir dir(DataDir() + "/binance-usdm");
    FakeBinanceOptions fo;
    fo.symbols.clear();
    fo.kline_interval_ms = kHour;
    fo.wallet = Money::FromUnits(10'000);
    fo.weight_limit_1m = 100'000;  // the history fetches of two starts
    for (const auto& sym : kSymbols) {
      const Instrument* ins = table->Find(sym);
      ASSERT_NE(ins, nullptr) << sym;
      FakeSymbolSpec s;
      s.symbol = sym;
      s.base = ins->base;
      s.tick_size = ins->tick_size;
      s.step_size = ins->step_size;
      s.min_qty = ins->min_qty;
      s.min_notional = ins->min_notional;
      s.max_qty = *Quantity::Parse("100000000");
      fo.symbols.push_back(s);
      auto series = dir.LoadCandles(sym, kHour);
      ASSERT_TRUE(series.ok()) << series.status().message();
      std::vector<market::Candle> all;
      for (std::size_t i = 0; i < series->size(); ++i) all.push_back((*series)[i]);
      candles_[sym] = std::move(all);
    }
    // The history ends at the same open time for every symbol; the rest is "the future".
    UnixMs end = INT64_MAX;
    for (const auto& [sym, c] : candles_) end = std::min(end, c.back().open_time);
    history_end_ = end - 200 * kHour;
    fake_ = std::make_unique<FakeBinance>(clock_, fo);
    clock_.PinTo(history_end_ + 48 * kHour);
    ASSERT_TRUE(fake_->Start().ok());
    for (const auto& sym : kSymbols) {
      std::vector<market::Candle> h;
      for (const auto& c : candles_[sym]) {
        if (c.open_time <= history_end_) h.push_back(c);
      }
      fake_->AddHistory(sym, h);
    }
    next_open_ = history_end_ + kHour;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (fake_) fake_->Stop();
  }

  void StartServer(bool keep_dir = false) {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "live-test-secret-live-test-secret-0123"},
             {"AITRADER_BINANCE_REST_URL", fake_->rest_url()},
             {"AITRADER_BINANCE_WS_URL", fake_->ws_url()},
             {"AITRADER_BINANCE_TESTNET_REST_URL", fake_->rest_url()},
             {"AITRADER_BINANCE_TESTNET_WS_URL", fake_->ws_url()}};
    o.args = {"--market", "binance"};
    if (keep_dir) {
      o.keep_dir = true;
      o.dir = dir_;
    }
    auto s = std::make_unique<ServeProcess>();
    std::string why;
    ASSERT_TRUE(s->Start(o, &why)) << why;
    dir_ = s->dir();
    server_ = std::move(s);
    c_ = std::make_unique<HttpClient>(server_->port());
  }
  // The next bar, closed at the venue for every symbol (`crash`: a candle that falls 25% from
  // its open, through any long's stop). Waits until the server's market time is its close.
  void CloseBar(bool crash = false) {
    const UnixMs open = next_open_;
    for (const auto& sym : kSymbols) fake_->CloseCandle(sym, crash ? CrashCandle(sym, open) : Find(sym, open));
    next_open_ += kHour;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (MarketTime() >= open + kHour) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the server did not process the bar of " << open << "; output:\n" << server_->Output();
  }
  Price RoundDown(const std::string& sym, Price p) {
    auto table = InstrumentTable::LoadDefault();
    const Price tick = table->Find(sym)->tick_size;
    return Price::FromRaw(p.raw() / tick.raw() * tick.raw());
  }
  market::Candle Find(const std::string& sym, UnixMs open) {
    for (const auto& c : candles_[sym]) {
      if (c.open_time == open) return c;
    }
    ADD_FAILURE() << "no candle " << sym << " " << open;
    return {};
  }
  std::int64_t MarketTime() {
    auto r = c_->Get("/api/health");
    if (r.status != 200 || !r.json.as_object().at("market_time").is_int64()) return 0;
    return r.json.at("market_time").as_int64();
  }
  std::int64_t CreateBot(const json::object& spec) {
    auto r = c_->Post("/api/bots", spec, alice_.access_token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json.at("id").as_int64() : 0;
  }
  HttpResult Command(std::int64_t id, const std::string& cmd) {
    return c_->Post("/api/bots/" + std::to_string(id) + "/" + cmd, nullptr, alice_.access_token);
  }
  json::array Items(const std::string& target) {
    auto r = c_->Get(target, alice_.access_token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? r.json.at("items").as_array() : json::array{};
  }
  std::int64_t Count(const std::string& sql) {
    auto db = store::OpenDatabase(server_->database());
    if (!db.ok()) return -1;
    auto n = (*db)->QueryInt(sql);
    return n.ok() ? *n : -1;
  }
  // Closes bars until `pred` holds (at most `max_bars`); true when it did.
  template <class Pred>
  bool BarsUntil(Pred pred, int max_bars) {
    for (int i = 0; i < max_bars; ++i) {
      if (pred()) return true;
      CloseBar();
      if (::testing::Test::HasFailure()) return false;
    }
    return pred();
  }
  // A bot's open positions from the API: symbol → (side, quantity).
  std::map<std::string, std::pair<std::string, std::string>> PositionsOf(const std::string& id) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (const auto& p : Items("/api/bots/" + id + "/positions")) {
      out[std::string(p.at("symbol").as_string())] = {std::string(p.at("side").as_string()),
                                                       std::string(p.at("quantity").as_string())};
    }
    return out;
  }
  // The testnet bot's fills come over the venue's user-data stream, a moment after the paper
  // bot's (same bar): waits (bounded) until both bots hold the same, then returns the testnet's.
  std::map<std::string, std::pair<std::string, std::string>> SamePositions(const std::string& tn, const std::string& pp) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto a = PositionsOf(tn), b = PositionsOf(pp);
    while (a != b && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      a = PositionsOf(tn);
      b = PositionsOf(pp);
    }
    EXPECT_EQ(a, b) << "the same decisions on the same bars";
    return a;
  }
  FakeBinance& fake() { return *fake_; }
  // The next bar's candles closed at the venue (pushed on the market stream); its open time.
  UnixMs CloseNextAtVenue() {
    const UnixMs open = next_open_;
    for (const auto& sym : kSymbols) fake_->CloseCandle(sym, Find(sym, open));
    next_open_ += kHour;
    return open;
  }
  // The candle of `open` falling 25% from its open (through any long's stop, any short's target).
  market::Candle CrashCandle(const std::string& sym, UnixMs open) {
    market::Candle c = Find(sym, open);
    c.high = c.open;
    c.low = RoundDown(sym, ApplyRatio(c.open, *Ratio::Parse("0.75")));
    c.close = RoundDown(sym, ApplyRatio(c.open, *Ratio::Parse("0.76")));
    return c;
  }
  // Every client id the fake accepted at most once.
  void ExpectNoOrderTwice() {
    std::map<std::string, int> seen;
    for (const auto& o : fake_->Orders()) ++seen[o.client_id];
    for (const auto& [cid, n] : seen) EXPECT_EQ(n, 1) << cid << " placed " << n << " times at the venue";
  }

  OffsetClock clock_;
  std::unique_ptr<FakeBinance> fake_;
  std::map<std::string, std::vector<market::Candle>> candles_;
  UnixMs history_end_ = 0, next_open_ = 0;
  std::unique_ptr<ServeProcess> server_, killed_;
  std::string dir_;
  std::unique_ptr<HttpClient> c_;
  TestUser alice_;
};

TEST_F(LiveServeTest, PaperAndTestnetBotsTradeTheLiveFeedAndTheVenueClosesAreRecorded) {
  StartServer();
  auto health = c_->Get("/api/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json.at("market").as_string(), "binance");
  EXPECT_EQ(health.json.at("market_time").as_int64(), history_end_ + kHour) << "the newest closed bar is processed at once";
  alice_ = RegisterAndLogin(*c_, "alice@example.com");

  const std::int64_t paper = CreateBot(json::object{{"name", "paper-live"}});
  const std::int64_t testnet = CreateBot(json::object{{"name", "testnet"}, {"mode", "testnet"}});
  auto r = Command(testnet, "start");
  EXPECT_EQ(r.status, 409) << "no key pair stored yet: " << r.body;
  EXPECT_EQ(r.error_code(), "missing_credential");
  r = c_->Send("PUT", "/api/credentials/binance-testnet",
               json::object{{"api_key", fake_->options().api_key}, {"api_secret", fake_->options().api_secret}},
               alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = Command(paper, "start");
  ASSERT_EQ(r.status, 202) << r.body;
  r = Command(testnet, "start");
  ASSERT_EQ(r.status, 202) << r.body << "\n" << server_->Output();
  EXPECT_EQ(fake_->listen_keys_created(), 1) << "the testnet venue opened its user-data stream";

  // Bars until both bots hold a position (the same policy on the same bars).
  const std::string tn = std::to_string(testnet), pp = std::to_string(paper);
  ASSERT_TRUE(BarsUntil(
      [&] {
        return Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + tn) > 0 &&
               Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + pp) > 0;
      },
      60))
      << server_->Output();
  // The same positions on both venues; the testnet ones held at the fake with their brackets.
  auto held = SamePositions(tn, pp);  // symbol → (side, quantity)
  for (const auto& [sym, pos] : held) {
    const Quantity venue_qty = fake_->PositionAmt(sym);
    EXPECT_EQ(venue_qty.Abs().ToString(), pos.second) << sym << " is held at the venue";
    EXPECT_EQ(venue_qty.IsNegative(), pos.first == "SHORT") << sym;
    int algo_open = 0;
    for (const auto& o : fake_->Orders()) {
      if (o.algo && o.symbol == sym && o.status == "NEW") ++algo_open;
    }
    EXPECT_EQ(algo_open, 2) << sym << ": stop-loss and take-profit wait at the venue as conditional orders";
  }

  // Kill -9; two bars close while the server is down; restart: the testnet bot continues on
  // the venue, the first missed bar is caught up (no decision on it), the newest is decided on.
  server_->Kill();
  killed_ = std::move(server_);  // keeps the folder
  const UnixMs missed_close = next_open_ + kHour;
  for (const auto& sym : kSymbols) fake_->CloseCandle(sym, Find(sym, next_open_));
  for (const auto& sym : kSymbols) fake_->CloseCandle(sym, Find(sym, next_open_ + kHour));
  next_open_ += 2 * kHour;
  StartServer(/*keep_dir=*/true);
  auto login = c_->Post("/api/auth/login", json::object{{"email", "alice@example.com"}, {"password", "correct horse 1"}});
  ASSERT_EQ(login.status, 200);
  alice_.access_token = std::string(login.json.at("access_token").as_string());
  EXPECT_NE(server_->Output().find("1 bar(s) closed while the server was down are caught up"), std::string::npos)
      << server_->Output();
  const auto until_caught_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until_caught_up && MarketTime() < missed_close + kHour) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(MarketTime(), missed_close + kHour) << server_->Output();
  auto bot = c_->Get("/api/bots/" + tn, alice_.access_token);
  ASSERT_EQ(bot.status, 200);
  EXPECT_EQ(bot.json.at("status").as_string(), "running") << server_->Output();
  for (const std::string& id : {tn, pp}) {
    EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + id + " AND decided_at = " +
                    std::to_string(missed_close)),
              0)
        << "no decision on a bar caught up after the restart";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + id + " AND decided_at = " +
                    std::to_string(missed_close + kHour)),
              1)
        << "the newest bar is decided on";
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND bot_id = " + tn), 0)
      << "the venue and the store agree";
  ExpectNoOrderTwice();
  ASSERT_TRUE(BarsUntil(
      [&] { return Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + tn) > 0; }, 60));
  held = SamePositions(tn, pp);


  // The crash: both stops trigger, each at its own venue.
  const UnixMs crash_close = next_open_ + kHour;
  CloseBar(/*crash=*/true);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until &&
         (Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id IN (" + tn + "," + pp + ")") > 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& [sym, pos] : held) {
    EXPECT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym << ": the venue's conditional order closed it";
    // A long's stop and a short's target are below the entry: the crash hits both.
    const std::string reason = pos.first == "LONG" ? "stop_loss" : "take_profit";
    for (const std::string& id : {tn, pp}) {
      EXPECT_EQ(Count("SELECT COUNT(*) FROM positions WHERE exit_reason = '" + reason + "' AND symbol = '" + sym +
                      "' AND bot_id = " + id + " AND closed_at >= " + std::to_string(crash_close)),
                1)
          << "bot " << id << " " << sym << ": the " << reason << " close, once, with its reason\n"
          << server_->Output();
      EXPECT_EQ(Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND symbol = '" + sym + "' AND bot_id = " + id), 0)
          << "nothing left open";
    }
    int still_open = 0;
    for (const auto& o : fake_->Orders()) {
      if (o.symbol == sym && (o.status == "NEW" || o.status == "PARTIALLY_FILLED")) ++still_open;
    }
    EXPECT_EQ(still_open, 0) << sym << ": the sibling was cancelled when the first leg filled";
  }
  ExpectNoOrderTwice();
  if (std::getenv("LIVE_TEST_VERBOSE")) {
    std::printf("held %zu position(s):", held.size());
    for (const auto& [sym, pos] : held) std::printf(" %s %s %s;", sym.c_str(), pos.first.c_str(), pos.second.c_str());
    std::printf("\nvenue orders %zu\n%s\n", fake_->Orders().size(), server_->Output().c_str());
  }

  // More bars, then the emergency stop: flat at the venue.
  BarsUntil([&] { return Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + tn) > 0; }, 20);
  r = c_->Post("/api/emergency-stop", nullptr, alice_.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  for (const auto& sym : kSymbols) EXPECT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym << " flat at the venue";
  for (const auto& o : fake_->Orders()) {
    EXPECT_NE(o.status, "NEW") << o.client_id << " still working after the emergency stop";
  }
  ExpectNoOrderTwice();
}

// A testnet bot's positions close AT THE VENUE while the server is down (a crash candle
// triggers every long's stop-loss and every short's take-profit at the fake, and nobody
// listens). After the restart the adapter looks the stored bracket legs up by their client
// ids: each close is recorded as a trade with the venue's own fills (price, commission,
// realized PnL from /fapi/v1/userTrades), announced by an info alert, and the sibling leg is
// cancelled. The ledger check is independent of the engine: the venue's wallet moved by
// exactly the sum of the recorded trades' realized PnL minus their fees.
// The bot signs with an Ed25519 API key (the PEM private key stored as its secret, the public
// key registered at the fake), through the restart.
TEST_F(LiveServeTest, ATestnetCloseWhileTheServerIsDownIsRecordedWithTheVenuesFills) {
  const TestKeyPair key = GenerateEd25519();
  const std::string api_key = "ed25519-api-key-0123456789abcdef";
  ASSERT_TRUE(fake_->RegisterApiKey(api_key, key.public_pem).ok());
  StartServer();
  alice_ = RegisterAndLogin(*c_, "alice@example.com");
  const std::int64_t testnet = CreateBot(json::object{{"name", "testnet"}, {"mode", "testnet"}});
  auto r = c_->Send("PUT", "/api/credentials/binance-testnet",
                    json::object{{"api_key", api_key}, {"api_secret", key.private_pem}}, alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = Command(testnet, "start");
  ASSERT_EQ(r.status, 202) << r.body << "\n" << server_->Output();
  const std::string tn = std::to_string(testnet);
  auto open_count = [&] { return Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + tn); };
  ASSERT_TRUE(BarsUntil([&] { return open_count() > 0; }, 60)) << server_->Output();
  // The testnet fills arrive over the user stream a moment after the bar: wait until every
  // position the venue holds is in the store.
  auto venue_held = [&] {
    int n = 0;
    for (const auto& sym : kSymbols) n += fake_->PositionAmt(sym).IsZero() ? 0 : 1;
    return n;
  };
  const auto settle = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < settle && open_count() != venue_held()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto held = PositionsOf(tn);
  ASSERT_FALSE(held.empty());
  ASSERT_EQ(static_cast<int>(held.size()), venue_held());

  server_->Kill();
  killed_ = std::move(server_);
  // The crash closes while the server is down: the fake fills the conditional orders itself.
  for (const auto& sym : kSymbols) fake_->CloseCandle(sym, CrashCandle(sym, next_open_));
  const UnixMs crash_close = next_open_ + kHour;
  next_open_ += kHour;
  for (const auto& [sym, pos] : held) ASSERT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym << " closed at the venue";

  StartServer(/*keep_dir=*/true);
  auto login = c_->Post("/api/auth/login", json::object{{"email", "alice@example.com"}, {"password", "correct horse 1"}});
  ASSERT_EQ(login.status, 200);
  alice_.access_token = std::string(login.json.at("access_token").as_string());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until && MarketTime() < crash_close) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& [sym, pos] : held) {
    const std::string reason = pos.first == "LONG" ? "stop_loss" : "take_profit";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM positions WHERE exit_reason = '" + reason + "' AND symbol = '" + sym +
                    "' AND bot_id = " + tn + " AND closed_at IS NOT NULL"),
              1)
        << sym << ": closed by its " << reason << " while the server was down, recorded once\n"
        << server_->Output();
    int still_open = 0;
    for (const auto& o : fake_->Orders()) {
      if (o.symbol == sym && (o.status == "NEW" || o.status == "PARTIALLY_FILLED")) ++still_open;
    }
    EXPECT_EQ(still_open, 0) << sym << ": the sibling leg was cancelled";
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND severity = 'info' AND bot_id = " + tn),
            static_cast<std::int64_t>(held.size()))
      << "one alert per close found after the restart";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND severity <> 'info' AND bot_id = " + tn), 0)
      << "nothing the reconciliation could not explain";
  // The ledger: every fill the venue made is a trade with the venue's commission and PnL.
  Money realized, fees;
  int closes = 0;
  for (const auto& t : Items("/api/bots/" + tn + "/trades?limit=1000")) {
    const Money fee = *Money::Parse(t.at("fee").as_string());
    const Money pnl = *Money::Parse(t.at("realized_pnl").as_string());
    EXPECT_TRUE(fee.IsPositive()) << "every fill paid its commission: " << json::serialize(t);
    realized += pnl;
    fees += fee;
    if (!pnl.IsZero()) ++closes;
  }
  EXPECT_EQ(closes, static_cast<int>(held.size()))
      << "each close carries the venue's realized PnL: "
      << json::serialize(Items("/api/bots/" + tn + "/trades?limit=1000")) << "\n" << server_->Output();
  EXPECT_EQ((fake_->WalletBalance() - Money::FromUnits(10'000)).ToString(), (realized - fees).ToString())
      << "the venue's wallet moved by the recorded trades' PnL minus fees";
  ExpectNoOrderTwice();
}

// A command on one bot re-reads only that bot's venue for the positions snapshot: a paper
// bot's pause, resume and stop make no request to a testnet bot's venue (so a slow venue never
// delays another bot's command); the testnet bot's own command reads its venue.
TEST_F(LiveServeTest, ACommandReadsOnlyItsOwnBotsVenue) {
  StartServer();
  alice_ = RegisterAndLogin(*c_, "alice@example.com");
  const std::int64_t paper = CreateBot(json::object{{"name", "paper"}});
  const std::int64_t testnet = CreateBot(json::object{{"name", "testnet"}, {"mode", "testnet"}});
  auto r = c_->Send("PUT", "/api/credentials/binance-testnet",
                    json::object{{"api_key", fake_->options().api_key}, {"api_secret", fake_->options().api_secret}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  ASSERT_EQ(Command(testnet, "start").status, 202);
  ASSERT_EQ(Command(paper, "start").status, 202);
  const std::int64_t before = fake_->requests_on("GET", "/fapi/v2/positionRisk");
  for (const char* cmd : {"pause", "resume", "stop"}) {
    r = Command(paper, cmd);
    EXPECT_EQ(r.status, 202) << cmd << ": " << r.body;
    EXPECT_EQ(fake_->requests_on("GET", "/fapi/v2/positionRisk"), before) << "the paper bot's " << cmd << " read the testnet venue";
  }
  ASSERT_EQ(Command(testnet, "pause").status, 202);
  EXPECT_GT(fake_->requests_on("GET", "/fapi/v2/positionRisk"), before) << "its own command reads its venue";
}

TEST_F(LiveServeTest, AReplayDatabaseIsRefusedByTheLiveFeedAndTestnetBotsByTheReplay) {
  // A replay server refuses a testnet bot with the reason.
  ServeProcess replay;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "live-test-secret-live-test-secret-0123"}};
  std::string why;
  ASSERT_TRUE(replay.Start(o, &why)) << why;
  HttpClient c(replay.port());
  TestUser u = RegisterAndLogin(c, "bob@example.com");
  auto r = c.Post("/api/bots", json::object{{"name", "tn"}, {"mode", "testnet"}}, u.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = std::to_string(r.json.at("id").as_int64());
  r = c.Send("PUT", "/api/credentials/binance-testnet", json::object{{"api_key", "k-0123456789"}, {"api_secret", "s"}},
             u.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = c.Post("/api/bots/" + id + "/start", nullptr, u.access_token);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("--market binance"), std::string::npos) << r.body;
  const std::string dir = replay.dir();
  replay.Stop();

  // The same database under the live feed: refused, naming both feeds.
  ServeProcess::Options lo;
  lo.env = {{"AITRADER_JWT_SECRET", "live-test-secret-live-test-secret-0123"},
            {"AITRADER_BINANCE_REST_URL", fake_->rest_url()},
            {"AITRADER_BINANCE_WS_URL", fake_->ws_url()}};
  lo.args = {"--market", "binance"};
  lo.keep_dir = true;
  lo.dir = dir;
  ServeProcess live;
  EXPECT_FALSE(live.Start(lo, &why, std::chrono::seconds(30)));
  EXPECT_NE(live.Output().find("replayed candles"), std::string::npos) << live.Output();
}


// Waits (bounded) until `pred` holds; returns its last answer.
bool WaitUntil(const std::function<bool()>& pred, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until && !pred()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return pred();
}

// `aitrader run --market binance` against the fixture's fake: a folder with the run's config
// (1h bars, `bots_json` the bots array), its SQLite database, the command line, the environment
// (the fake's URLs for the market data and the testnet; add the key pair with Keys()) and
// readers of what the run stored.
class HeadlessRun {
 public:
  HeadlessRun(LiveServeTest& t, const std::string& name, const std::string& bots_json)
      : t_(t), dir(::testing::TempDir() + "aitrader-live-run-" + name + "-" + std::to_string(::getpid())) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string config = dir + "/run.json";
    WriteBots(bots_json);
    db = "sqlite:" + dir + "/run.db";
    args = {"run", "--config", config, "--database", db, "--market", "binance"};
    env = {{"AITRADER_BINANCE_REST_URL", t.fake().rest_url()},
           {"AITRADER_BINANCE_WS_URL", t.fake().ws_url()},
           {"AITRADER_BINANCE_TESTNET_REST_URL", t.fake().rest_url()},
           {"AITRADER_BINANCE_TESTNET_WS_URL", t.fake().ws_url()}};
  }
  ~HeadlessRun() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
  }
  void WriteBots(const std::string& bots_json) {
    EXPECT_TRUE(WriteFileAtomic(dir + "/run.json", R"({"interval": "1h", "cadence": "1h", "capital": "10000", "bots": )" +
                                                       bots_json + "}")
                    .ok());
  }
  void Keys() {
    env.emplace_back("BINANCE_TESTNET_API_KEY", t_.fake().options().api_key);
    env.emplace_back("BINANCE_TESTNET_API_SECRET", std::string(t_.fake().options().api_secret));
  }
  std::int64_t Count(const std::string& sql) const {
    auto d = store::OpenDatabase(db);
    if (!d.ok()) return -1;
    auto n = (*d)->QueryInt(sql);
    return n.ok() ? *n : -1;
  }
  std::string BotId(const std::string& name) const {
    return std::to_string(Count("SELECT id FROM bots WHERE name = '" + name + "'"));
  }
  std::int64_t LastBar() const { return Count("SELECT value FROM run_state WHERE name = 'last_bar'"); }
  std::int64_t OpenPositions(const std::string& bot) const {
    return Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + bot);
  }
  // symbol → side of a bot's open positions in the store
  std::map<std::string, std::string> Sides(const std::string& bot) const {
    std::map<std::string, std::string> out;
    auto d = store::OpenDatabase(db);
    if (!d.ok()) return out;
    auto rows = (*d)->Query("SELECT symbol, side FROM positions WHERE closed_at IS NULL AND bot_id = " + bot);
    if (!rows.ok()) return out;
    for (const auto& r : *rows) out[r.Text(0)] = r.Text(1);
    return out;
  }
  // The testnet bot's store holds exactly what the venue holds (its fills come over the
  // user-data stream a moment after the bar).
  bool VenueAgrees(const std::string& bot) const {
    auto d = store::OpenDatabase(db);
    if (!d.ok()) return false;
    for (const auto& sym : kSymbols) {
      auto q = (*d)->QueryInt("SELECT COALESCE(SUM(CASE side WHEN 'LONG' THEN quantity ELSE -quantity END), 0) FROM "
                              "positions WHERE closed_at IS NULL AND bot_id = " + bot + " AND symbol = '" + sym + "'");
      if (!q.ok() || *q != t_.fake().PositionAmt(sym).raw()) return false;
    }
    return true;
  }
  // The next bar closed at the venue for every symbol; waits until the run committed it.
  bool CloseBar() {
    const UnixMs open = t_.CloseNextAtVenue();
    return WaitUntil([&] { return LastBar() >= open + kHour; }, std::chrono::seconds(60));
  }

 private:
  LiveServeTest& t_;

 public:
  const std::string dir;
  std::string db;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
};

TEST_F(LiveServeTest, AHeadlessRunTradesTheLiveFeedAndCatchesUpAfterARestart) {
  HeadlessRun h(*this, "paper", R"([{"name": "base", "model": "baseline"}])");
  auto decisions_at = [&](UnixMs t) {
    return h.Count("SELECT COUNT(*) FROM llm_decisions WHERE decided_at = " + std::to_string(t));
  };
  auto wait_for_bar = [&](UnixMs close) {
    WaitUntil([&] { return h.LastBar() >= close; }, std::chrono::seconds(60));
    return h.LastBar() == close;
  };
  {
    ServeProcess run;
    std::string why;
    ASSERT_TRUE(run.StartCommand(h.args, "live feed binance: 1 closed bar(s)", &why, std::chrono::seconds(60), h.env))
        << why;
    ASSERT_TRUE(wait_for_bar(history_end_ + kHour)) << run.Output();
    for (int i = 0; i < 3; ++i) {
      const UnixMs open = CloseNextAtVenue();
      ASSERT_TRUE(wait_for_bar(open + kHour)) << run.Output();
      EXPECT_EQ(decisions_at(open + kHour), 1) << "the bot decides on each live bar";
    }
    EXPECT_EQ(run.Stop(), 0) << run.Output();
    EXPECT_NE(run.Output().find("done: 4 bars"), std::string::npos) << run.Output();
  }
  // Two bars close while the run is down: the first is caught up, the second decided on.
  const UnixMs missed = next_open_ + kHour;
  for (int i = 0; i < 2; ++i) CloseNextAtVenue();
  ServeProcess again;
  std::string why;
  ASSERT_TRUE(again.StartCommand(h.args, "caught up", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(wait_for_bar(missed + kHour)) << again.Output();
  EXPECT_EQ(decisions_at(missed), 0) << "no decision on a caught-up bar";
  EXPECT_EQ(decisions_at(missed + kHour), 1) << "the newest bar is decided on";
  EXPECT_EQ(again.Stop(), 0) << again.Output();
}


// `aitrader run --market binance` with a paper bot and a testnet bot side by side, the testnet
// key pair from the environment (BINANCE_TESTNET_API_KEY / _SECRET). Without the keys the run
// is refused naming the variables. With them the testnet bot trades AT THE VENUE (the fake):
// entries held there with their stop-loss and take-profit as conditional orders, the same
// symbols and sides as the paper bot. A kill -9 and restart reconnects it (the store and the
// venue agree: no reconcile alert, no order placed twice); a crash candle's exchange-side
// closes are recorded once with their reason; `aitrader bots emergency-stop` from another
// process is applied between bars (no bar closes meanwhile) and is flat at the venue.
TEST_F(LiveServeTest, AHeadlessRunTradesATestnetBotOnTheVenueAndReconnectsAfterAKill) {
  HeadlessRun h(*this, "reconnect", R"([{"name": "paper", "model": "baseline"}, {"name": "tn", "model": "baseline", "mode": "testnet"}])");
  std::string tn, pp;  // the bots' ids, once the run created them
  auto venue_agrees = [&] { return h.VenueAgrees(tn); };

  {
    std::string out;
    EXPECT_EQ(ServeProcess::RunToExit(h.args, &out, h.env), 1) << out;
    EXPECT_NE(out.find("bot 'tn'"), std::string::npos) << out;
    EXPECT_NE(out.find("BINANCE_TESTNET_API_KEY"), std::string::npos) << "the refusal names the variables: " << out;
    EXPECT_EQ(fake_->Orders().size(), 0u) << "nothing traded";
  }
  h.Keys();
  auto run = std::make_unique<ServeProcess>();
  std::string why;
  ASSERT_TRUE(run->StartCommand(h.args, "live feed binance:", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(WaitUntil([&] { return h.LastBar() == history_end_ + kHour; }, std::chrono::seconds(60))) << run->Output();
  EXPECT_NE(run->Output().find("bot 'tn' trades on the testnet venue"), std::string::npos) << run->Output();
  EXPECT_EQ(fake_->listen_keys_created(), 1) << "the testnet venue opened its user-data stream";
  EXPECT_EQ(run->Output().find(fake_->options().api_key), std::string::npos) << "the key is never printed";
  tn = h.BotId("tn");
  pp = h.BotId("paper");
  for (int i = 0; i < 60 && (h.OpenPositions(tn) <= 0 || h.OpenPositions(pp) <= 0); ++i) {
    ASSERT_TRUE(h.CloseBar()) << run->Output();
  }
  ASSERT_GT(h.OpenPositions(tn), 0) << run->Output();
  ASSERT_TRUE(WaitUntil(venue_agrees, std::chrono::seconds(20))) << run->Output();
  // Before any close the two bots are alike (later, the venue's close times — the fake's clock
  // runs 48 h ahead of the candles — start cool-downs the paper bot does not have).
  EXPECT_EQ(h.Sides(tn), h.Sides(pp)) << "the same decisions on the same bars";
  const auto held = h.Sides(tn);
  auto d = store::OpenDatabase(h.db);
  ASSERT_TRUE(d.ok());
  for (const auto& [sym, side] : held) {
    const Quantity venue_qty = fake_->PositionAmt(sym);
    auto stored = (*d)->QueryInt("SELECT quantity FROM positions WHERE closed_at IS NULL AND bot_id = " + tn +
                                 " AND symbol = '" + sym + "'");
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(venue_qty.Abs().raw(), *stored) << sym << ": the store holds what the venue holds";
    EXPECT_EQ(venue_qty.IsNegative(), side == "SHORT") << sym;
    int algo_open = 0;
    for (const auto& o : fake_->Orders()) {
      if (o.algo && o.symbol == sym && o.status == "NEW") ++algo_open;
    }
    EXPECT_EQ(algo_open, 2) << sym << ": stop-loss and take-profit wait at the venue as conditional orders";
  }
  d->reset();

  // Kill -9; two bars close meanwhile; restart: reconnected, the first missed bar caught up.
  run->Kill();
  const UnixMs missed = next_open_ + kHour;
  for (int i = 0; i < 2; ++i) CloseNextAtVenue();
  run = std::make_unique<ServeProcess>();
  ASSERT_TRUE(run->StartCommand(h.args, "caught up", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(WaitUntil([&] { return h.LastBar() == missed + kHour; }, std::chrono::seconds(60))) << run->Output();
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + tn + " AND decided_at = " + std::to_string(missed)), 0);
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + tn + " AND decided_at = " +
                  std::to_string(missed + kHour)),
            1)
      << "the newest bar is decided on";
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND bot_id = " + tn), 0)
      << "the venue and the store agree\n" << run->Output();
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM bots WHERE status = 'running' AND id = " + tn), 1);
  ExpectNoOrderTwice();

  // A crash candle (25% down from its open) at the venue while its market stream stays silent:
  // the venue's conditional orders close the testnet positions mid-bar, and the run records
  // the closes between bars, as the user-data stream brings them.
  for (int i = 0; i < 20 && h.OpenPositions(tn) <= 0; ++i) ASSERT_TRUE(h.CloseBar());
  ASSERT_GT(h.OpenPositions(tn), 0);
  ASSERT_TRUE(WaitUntil(venue_agrees, std::chrono::seconds(20))) << run->Output();
  const std::map<std::string, std::map<std::string, std::string>> before_crash = {{tn, h.Sides(tn)}, {pp, h.Sides(pp)}};
  const UnixMs crash_close = next_open_ + kHour;
  const std::int64_t bar_before_crash = h.LastBar();
  for (const auto& sym : kSymbols) fake_->CloseCandleSilently(sym, CrashCandle(sym, next_open_));
  next_open_ += kHour;
  EXPECT_TRUE(WaitUntil([&] { return h.OpenPositions(tn) == 0; }, std::chrono::seconds(30))) << run->Output();
  EXPECT_EQ(h.LastBar(), bar_before_crash) << "the venue's closes are recorded between bars";
  // The next bar brings the crash candle to the feed too (back-filled over REST): the paper
  // bot's stops trigger on the simulator.
  ASSERT_TRUE(h.CloseBar()) << run->Output();
  for (const auto& [id, held_then] : before_crash) {
    for (const auto& [sym, side] : held_then) {
      if (id == tn) {
        EXPECT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym;
      }
      // A long's stop and a short's target are below the entry: the crash hits both.
      const std::string reason = side == "LONG" ? "stop_loss" : "take_profit";
      EXPECT_EQ(h.Count("SELECT COUNT(*) FROM positions WHERE exit_reason = '" + reason + "' AND symbol = '" + sym +
                      "' AND bot_id = " + id + " AND closed_at >= " + std::to_string(crash_close)),
                1)
          << "bot " << id << " " << sym << ": the " << reason << " close, once, with its reason";
    }
  }
  ExpectNoOrderTwice();

  // The emergency stop from another process, applied between bars: flat at the venue.
  for (int i = 0; i < 20 && h.OpenPositions(tn) <= 0; ++i) ASSERT_TRUE(h.CloseBar());
  ASSERT_GT(h.OpenPositions(tn), 0);
  ASSERT_TRUE(WaitUntil(venue_agrees, std::chrono::seconds(20))) << run->Output();
  const std::int64_t bar_before = h.LastBar();
  std::string out;
  ASSERT_EQ(ServeProcess::RunToExit({"bots", "--database", h.db, "emergency-stop", "--user", "local@aitrader"}, &out), 0)
      << out;
  EXPECT_TRUE(WaitUntil([&] { return h.Count("SELECT COUNT(*) FROM bot_commands WHERE done_at IS NULL") == 0; },
                         std::chrono::seconds(20)))
      << run->Output();
  EXPECT_TRUE(WaitUntil([&] { return h.OpenPositions(tn) == 0 && h.OpenPositions(pp) == 0; }, std::chrono::seconds(20)))
      << run->Output();
  EXPECT_EQ(h.LastBar(), bar_before) << "applied between bars, not at the next one";
  for (const auto& sym : kSymbols) EXPECT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym << " flat at the venue";
  for (const auto& o : fake_->Orders()) EXPECT_NE(o.status, "NEW") << o.client_id << " still working after the emergency stop";
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM bots WHERE status = 'running'"), 0);
  ExpectNoOrderTwice();
  EXPECT_EQ(run->Stop(), 0) << run->Output();
}


// A headless testnet bot's positions close AT THE VENUE while the run is down (a crash candle
// nobody listens to). After the restart the adapter finds the bracket legs that filled by their
// client ids: each close is recorded once with its reason and an info alert, the sibling leg is
// cancelled at the venue, and nothing is left that the reconciliation cannot explain.
TEST_F(LiveServeTest, AHeadlessTestnetCloseWhileTheRunIsDownIsRecordedAfterTheRestart) {
  HeadlessRun h(*this, "down", R"([{"name": "tn", "model": "baseline", "mode": "testnet"}])");
  h.Keys();
  auto run = std::make_unique<ServeProcess>();
  std::string why;
  ASSERT_TRUE(run->StartCommand(h.args, "live feed binance:", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(WaitUntil([&] { return h.LastBar() == history_end_ + kHour; }, std::chrono::seconds(60))) << run->Output();
  const std::string tn = h.BotId("tn");
  for (int i = 0; i < 60 && h.OpenPositions(tn) <= 0; ++i) ASSERT_TRUE(h.CloseBar()) << run->Output();
  ASSERT_GT(h.OpenPositions(tn), 0) << run->Output();
  ASSERT_TRUE(WaitUntil([&] { return h.VenueAgrees(tn); }, std::chrono::seconds(20))) << run->Output();
  const auto held = h.Sides(tn);
  std::vector<std::string> brackets;  // the legs waiting at the venue
  for (const auto& o : fake_->Orders()) {
    if (o.algo && o.status == "NEW") brackets.push_back(o.client_id);
  }
  ASSERT_EQ(brackets.size(), 2 * held.size());

  run->Kill();
  for (const auto& sym : kSymbols) fake_->CloseCandle(sym, CrashCandle(sym, next_open_));
  next_open_ += kHour;
  const UnixMs crash_close = next_open_;
  for (const auto& [sym, side] : held) ASSERT_TRUE(fake_->PositionAmt(sym).IsZero()) << sym << " closed at the venue";

  run = std::make_unique<ServeProcess>();
  ASSERT_TRUE(run->StartCommand(h.args, "resumed the run", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(WaitUntil([&] { return h.LastBar() == crash_close; }, std::chrono::seconds(60))) << run->Output();
  for (const auto& [sym, side] : held) {
    const std::string reason = side == "LONG" ? "stop_loss" : "take_profit";
    EXPECT_EQ(h.Count("SELECT COUNT(*) FROM positions WHERE exit_reason = '" + reason + "' AND symbol = '" + sym +
                      "' AND bot_id = " + tn + " AND closed_at IS NOT NULL"),
              1)
        << sym << ": closed by its " << reason << " while the run was down, recorded once\n" << run->Output();
  }
  for (const auto& o : fake_->Orders()) {
    if (std::find(brackets.begin(), brackets.end(), o.client_id) != brackets.end()) {
      EXPECT_NE(o.status, "NEW") << o.symbol << " " << o.client_id << ": one leg filled, its sibling was cancelled";
    }
  }
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND severity = 'info' AND bot_id = " + tn),
            static_cast<std::int64_t>(held.size()))
      << "one alert per close found after the restart";
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM alerts WHERE kind = 'reconcile' AND severity <> 'info' AND bot_id = " + tn), 0)
      << "nothing the reconciliation could not explain";
  ExpectNoOrderTwice();
  EXPECT_EQ(run->Stop(), 0) << run->Output();
}


// A headless bot's venue follows its configured mode only from flat: holding paper positions,
// the run configured for testnet is refused naming them (nothing placed at the venue); once
// flat (the emergency stop), the bot moves, and resumed it trades at the venue.
TEST_F(LiveServeTest, AHeadlessBotMovesFromPaperToTestnetOnlyWhenFlat) {
  const std::string paper = R"([{"name": "b", "model": "baseline"}])";
  const std::string testnet = R"([{"name": "b", "model": "baseline", "mode": "testnet"}])";
  HeadlessRun h(*this, "move", paper);
  h.Keys();
  auto run = std::make_unique<ServeProcess>();
  std::string why, out;
  ASSERT_TRUE(run->StartCommand(h.args, "live feed binance:", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_TRUE(WaitUntil([&] { return h.LastBar() == history_end_ + kHour; }, std::chrono::seconds(60))) << run->Output();
  const std::string b = h.BotId("b");
  for (int i = 0; i < 60 && h.OpenPositions(b) <= 0; ++i) ASSERT_TRUE(h.CloseBar()) << run->Output();
  const std::int64_t held = h.OpenPositions(b);
  ASSERT_GT(held, 0);
  EXPECT_EQ(run->Stop(), 0) << run->Output();

  h.WriteBots(testnet);
  EXPECT_EQ(ServeProcess::RunToExit(h.args, &out, h.env), 1) << out;
  EXPECT_NE(out.find("bot 'b' holds " + std::to_string(held) + " open position(s) on its paper venue"), std::string::npos)
      << out;
  EXPECT_EQ(fake_->Orders().size(), 0u) << "nothing placed at the venue";
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM bots WHERE mode = 'paper' AND id = " + b), 1);

  // Flat on paper first.
  h.WriteBots(paper);
  run = std::make_unique<ServeProcess>();
  ASSERT_TRUE(run->StartCommand(h.args, "resumed the run", &why, std::chrono::seconds(60), h.env)) << why;
  ASSERT_EQ(ServeProcess::RunToExit({"bots", "--database", h.db, "emergency-stop", "--bot", "b"}, &out), 0) << out;
  EXPECT_TRUE(WaitUntil([&] { return h.OpenPositions(b) == 0; }, std::chrono::seconds(20))) << run->Output();
  EXPECT_EQ(run->Stop(), 0) << run->Output();

  h.WriteBots(testnet);
  run = std::make_unique<ServeProcess>();
  ASSERT_TRUE(run->StartCommand(h.args, "bot 'b' moves from the paper venue to testnet", &why, std::chrono::seconds(60),
                                h.env))
      << why;
  ASSERT_EQ(ServeProcess::RunToExit({"bots", "--database", h.db, "resume", "--bot", "b"}, &out), 0) << out;
  EXPECT_TRUE(WaitUntil([&] { return h.Count("SELECT COUNT(*) FROM bots WHERE status = 'running' AND id = " + b) == 1; },
                        std::chrono::seconds(20)))
      << run->Output();
  auto at_venue = [&] {
    return std::any_of(kSymbols.begin(), kSymbols.end(), [&](const auto& sym) { return !fake_->PositionAmt(sym).IsZero(); });
  };
  for (int i = 0; i < 60 && !at_venue(); ++i) ASSERT_TRUE(h.CloseBar()) << run->Output();
  EXPECT_TRUE(at_venue()) << "the bot trades at the venue now\n" << run->Output();
  EXPECT_TRUE(WaitUntil([&] { return h.VenueAgrees(b); }, std::chrono::seconds(20))) << run->Output();
  EXPECT_EQ(h.Count("SELECT COUNT(*) FROM bots WHERE mode = 'testnet' AND id = " + b), 1);
  ExpectNoOrderTwice();
  EXPECT_EQ(run->Stop(), 0) << run->Output();
}

}  // namespace
}  // namespace aitrader::testing
