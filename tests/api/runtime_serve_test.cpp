// The runtime through the API, against the real binary: bots started mid-run trade from the
// current market time; commands are applied at once (not at the next bar); a stopped or
// emergency-stopped bot places no further order; trading data and market routes; ownership.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "core/instrument.hpp"
#include "market/data_dir.hpp"
#include "market/funding.hpp"
#include "store/database.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

class RuntimeServeTest : public ::testing::Test {
 protected:
  // speed: bars of 1h at speed 7200 come every 0.5 s; at speed 1 every hour (a command that
  // waited for the next bar would time out).
  void StartServer(double speed) {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "runtime-test-secret-runtime-test-secret"}};
    o.args = {"--speed", std::to_string(speed)};
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
    c_ = std::make_unique<HttpClient>(server_.port());
    alice_ = RegisterAndLogin(*c_, "alice@example.com");
    bob_ = RegisterAndLogin(*c_, "bob@example.com");
  }
  std::int64_t CreateBot(const json::object& spec, const TestUser& u) {
    auto r = c_->Post("/api/bots", spec, u.access_token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json.at("id").as_int64() : 0;
  }
  HttpResult Command(std::int64_t id, const std::string& cmd, const TestUser& u) {
    return c_->Post("/api/bots/" + std::to_string(id) + "/" + cmd, nullptr, u.access_token);
  }
  std::int64_t MarketTime() { return c_->Get("/api/health").json.at("market_time").as_int64(); }
  // Waits (deadline) until the market clock has moved `bars` bars past `from`.
  bool WaitForBars(std::int64_t from, int bars) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (MarketTime() >= from + bars * 3'600'000LL) return true;
      std::this_thread::yield();
    }
    return false;
  }
  std::int64_t Count(const std::string& sql) {
    auto db = store::OpenDatabase(server_.database());
    if (!db.ok()) return -1;
    auto n = (*db)->QueryInt(sql);
    return n.ok() ? *n : -1;
  }
  ServeProcess server_;
  std::unique_ptr<HttpClient> c_;
  TestUser alice_, bob_;
};

TEST_F(RuntimeServeTest, ABotStartedMidRunTradesFromTheCurrentMarketTime) {
  StartServer(7200);
  const std::int64_t id = CreateBot(json::object{{"name", "base"}}, alice_);
  ASSERT_TRUE(WaitForBars(MarketTime(), 2)) << "the replay advances";
  const std::int64_t started = MarketTime();
  auto r = Command(id, "start", alice_);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("status").as_string(), "running");
  ASSERT_TRUE(WaitForBars(started, 3));
  r = c_->Get("/api/bots/" + std::to_string(id) + "/decisions", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  const auto& items = r.json.at("items").as_array();
  ASSERT_FALSE(items.empty()) << "the bot decides on its cadence";
  for (const auto& d : items) EXPECT_GT(d.at("decided_at").as_int64(), started) << "no decision before its start";
  r = c_->Get("/api/bots/" + std::to_string(id), alice_.access_token);
  EXPECT_EQ(r.json.at("status").as_string(), "running");
  EXPECT_FALSE(r.json.at("last_decision_at").is_null());
  r = c_->Get("/api/bots/" + std::to_string(id) + "/equity?limit=2", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.json.at("items").as_array().empty());
  if (!r.json.at("next_cursor").is_null()) {
    auto next = c_->Get("/api/bots/" + std::to_string(id) + "/equity?limit=2&cursor=" +
                            std::string(r.json.at("next_cursor").as_string()),
                        alice_.access_token);
    ASSERT_EQ(next.status, 200);
    EXPECT_GT(next.json.at("items").as_array().front().at("at").as_int64(),
              r.json.at("items").as_array().back().at("at").as_int64());
  }
  r = c_->Get("/api/bots/" + std::to_string(id) + "/performance", alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("initial_equity").as_string(), "10000");
  EXPECT_GT(r.json.at("equity_points").as_int64(), 0);
}

TEST_F(RuntimeServeTest, CommandsApplyAtOnceNotAtTheNextBar) {
  StartServer(1);  // the next bar is an hour away
  const std::int64_t id = CreateBot(json::object{{"name", "slow"}}, alice_);
  auto r = Command(id, "start", alice_);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("status").as_string(), "running");
  r = Command(id, "pause", alice_);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("status").as_string(), "paused");
  EXPECT_EQ(c_->Get("/api/bots/" + std::to_string(id), alice_.access_token).json.at("status").as_string(), "paused")
      << "stored before it was answered";
  r = Command(id, "pause", alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code(), "invalid_state");
  r = Command(id, "start", alice_);
  EXPECT_EQ(r.status, 409) << "paused: resume, not start";
  r = Command(id, "resume", alice_);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.json.at("status").as_string(), "running");
  r = Command(id, "resume", alice_);
  EXPECT_EQ(r.status, 409);
  r = Command(id, "start", alice_);
  EXPECT_EQ(r.status, 409) << "running already";
  r = Command(id, "stop", alice_);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.json.at("status").as_string(), "stopped");
  r = Command(id, "pause", alice_);
  EXPECT_EQ(r.status, 409);
  r = Command(id, "start", alice_);
  ASSERT_EQ(r.status, 202) << "a stopped bot starts again";
  EXPECT_EQ(r.json.at("status").as_string(), "running");
  // A running bot can be neither edited nor deleted.
  EXPECT_EQ(c_->Send("PATCH", "/api/bots/" + std::to_string(id), json::object{{"label", "x"}}, alice_.access_token).status, 409);
  EXPECT_EQ(c_->Delete("/api/bots/" + std::to_string(id), alice_.access_token).status, 409);
  r = Command(id, "emergency-stop", alice_);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.json.at("status").as_string(), "stopped");
  EXPECT_EQ(c_->Delete("/api/bots/" + std::to_string(id), alice_.access_token).status, 204);
}

TEST_F(RuntimeServeTest, StoppedAndEmergencyStoppedBotsPlaceNoFurtherOrder) {
  StartServer(7200);
  const std::int64_t a = CreateBot(json::object{{"name", "a"}}, alice_);
  const std::int64_t b = CreateBot(json::object{{"name", "b"}, {"close_on_stop", false}}, alice_);
  ASSERT_EQ(Command(a, "start", alice_).status, 202);
  ASSERT_EQ(Command(b, "start", alice_).status, 202);
  // Wait until both hold positions.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto open = [&](std::int64_t id) {
    return c_->Get("/api/bots/" + std::to_string(id) + "/positions", alice_.access_token).json.at("items").as_array().size();
  };
  while ((open(a) == 0 || open(b) == 0) && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  ASSERT_GT(open(a), 0u);
  ASSERT_GT(open(b), 0u);
  auto positions = c_->Get("/api/bots/" + std::to_string(a) + "/positions", alice_.access_token);
  const auto& p = positions.json.at("items").as_array().front().as_object();
  EXPECT_FALSE(p.at("mark_price").is_null()) << "live from the venue";
  EXPECT_FALSE(p.at("stop_loss").is_null()) << "the exit plan from the store";

  auto r = Command(a, "emergency-stop", alice_);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(open(a), 0u) << "flat when the answer arrives";
  r = c_->Post("/api/emergency-stop", nullptr, alice_.access_token);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.json.at("bots").as_int64(), 2);
  EXPECT_EQ(open(b), 0u);
  const std::string orders_sql = "SELECT COUNT(*) FROM orders WHERE bot_id IN (" + std::to_string(a) + "," + std::to_string(b) + ")";
  const std::int64_t orders = Count(orders_sql);
  ASSERT_GT(orders, 0);
  ASSERT_TRUE(WaitForBars(MarketTime(), 4));
  EXPECT_EQ(Count(orders_sql), orders) << "no order after the stop";
  EXPECT_EQ(c_->Get("/api/bots/" + std::to_string(a), alice_.access_token).json.at("status").as_string(), "stopped");
  auto alerts = c_->Get("/api/alerts", alice_.access_token);
  ASSERT_EQ(alerts.status, 200);
  EXPECT_FALSE(alerts.json.at("items").as_array().empty()) << "an emergency stop raises an alert";
  EXPECT_TRUE(c_->Get("/api/alerts", bob_.access_token).json.at("items").as_array().empty());
}

// The emergency stop of 100 bots: when POST /api/emergency-stop answers, every bot is stopped
// and flat — no open position, no working order — in the store the API reads and at the venue
// (each bot re-reads the venue after flattening and raises a critical alert naming anything
// still open), and nothing is placed afterwards. (The answer's latency is printed, not
// asserted: docs/benchmarks.md.)
TEST_F(RuntimeServeTest, EmergencyStopOfAHundredBotsIsFlatWhenItAnswers) {
  StartServer(7200);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 100; ++i) {
    ids.push_back(CreateBot(json::object{{"name", "e" + std::to_string(i)}}, alice_));
    ASSERT_EQ(Command(ids.back(), "start", alice_).status, 202);
  }
  const std::string open_positions = "SELECT COUNT(DISTINCT bot_id) FROM positions WHERE closed_at IS NULL";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (Count(open_positions) < 50 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(Count(open_positions), 50) << "most bots hold positions before the stop";
  const auto sent = std::chrono::steady_clock::now();
  auto r = c_->Post("/api/emergency-stop", nullptr, alice_.access_token);
  const auto answered = std::chrono::steady_clock::now();
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("bots").as_int64(), 100);
  std::printf("emergency stop of 100 bots answered in %.1f ms\n",
              std::chrono::duration<double, std::milli>(answered - sent).count());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM positions WHERE closed_at IS NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders WHERE status IN ('NEW', 'PARTIALLY_FILLED', 'TRIGGERED')"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bots WHERE status <> 'stopped'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM alerts WHERE message LIKE '%still open%'"), 0);
  for (std::int64_t id : ids) {
    r = c_->Get("/api/bots/" + std::to_string(id) + "/positions", alice_.access_token);
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.json.at("items").as_array().empty()) << "bot " << id << ": " << r.body;
  }
  const std::int64_t orders = Count("SELECT COUNT(*) FROM orders");
  ASSERT_TRUE(WaitForBars(MarketTime(), 3));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), orders) << "no order after the stop";
}

// POST /api/alerts/{id}/ack: the owner's alerts only, once (a second time keeps the first
// time); GET /api/alerts shows acknowledged_at and filters the unacknowledged ones.
TEST_F(RuntimeServeTest, AlertsAreAcknowledgedByTheirOwnerOnce) {
  StartServer(1);
  const std::int64_t id = CreateBot(json::object{{"name", "alerting"}}, alice_);
  ASSERT_EQ(Command(id, "start", alice_).status, 202);
  ASSERT_EQ(Command(id, "emergency-stop", alice_).status, 202);  // raises a critical alert
  auto r = c_->Get("/api/alerts?unacknowledged=true", alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_FALSE(r.json.at("items").as_array().empty());
  const auto alert = r.json.at("items").as_array().front().as_object();
  EXPECT_FALSE(alert.at("acknowledged").as_bool());
  EXPECT_TRUE(alert.at("acknowledged_at").is_null());
  const std::int64_t alert_id = alert.at("id").as_int64();
  const std::string ack = "/api/alerts/" + std::to_string(alert_id) + "/ack";

  EXPECT_EQ(c_->Post(ack, nullptr, bob_.access_token).status, 404) << "not bob's";
  EXPECT_EQ(c_->Post(ack, nullptr).status, 401);
  EXPECT_EQ(c_->Post("/api/alerts/999999/ack", nullptr, alice_.access_token).status, 404);
  EXPECT_EQ(c_->Post("/api/alerts/x/ack", nullptr, alice_.access_token).status, 404);
  r = c_->Get("/api/alerts?unacknowledged=true", alice_.access_token);
  EXPECT_EQ(r.json.at("items").as_array().front().at("id").as_int64(), alert_id) << "bob's try changed nothing";

  r = c_->Post(ack, nullptr, alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("id").as_int64(), alert_id);
  EXPECT_TRUE(r.json.at("acknowledged").as_bool());
  ASSERT_TRUE(r.json.at("acknowledged_at").is_int64());
  const std::int64_t when = r.json.at("acknowledged_at").as_int64();
  r = c_->Post(ack, nullptr, alice_.access_token);
  ASSERT_EQ(r.status, 200) << "idempotent";
  EXPECT_EQ(r.json.at("acknowledged_at").as_int64(), when) << "the first acknowledgement's time stays";

  r = c_->Get("/api/alerts?unacknowledged=true", alice_.access_token);
  for (const auto& a : r.json.at("items").as_array()) EXPECT_NE(a.at("id").as_int64(), alert_id);
  r = c_->Get("/api/alerts?unacknowledged=false", alice_.access_token);
  bool listed = false;
  for (const auto& a : r.json.at("items").as_array()) {
    if (a.at("id").as_int64() != alert_id) continue;
    listed = true;
    EXPECT_EQ(a.at("acknowledged_at").as_int64(), when);
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(c_->Get("/api/alerts?unacknowledged=maybe", alice_.access_token).status, 400);
  EXPECT_TRUE(c_->Get("/api/alerts", bob_.access_token).json.at("items").as_array().empty());
}

TEST_F(RuntimeServeTest, AnotherUsersBotIsNotFoundOnEveryRoute) {
  StartServer(7200);
  const std::int64_t id = CreateBot(json::object{{"name", "mine"}}, alice_);
  ASSERT_EQ(Command(id, "start", alice_).status, 202);
  const std::string base = "/api/bots/" + std::to_string(id);
  for (const char* cmd : {"start", "pause", "resume", "stop", "emergency-stop"}) {
    auto r = Command(id, cmd, bob_);
    EXPECT_EQ(r.status, 404) << cmd;
  }
  for (const char* sub : {"/positions", "/trades", "/orders", "/decisions", "/equity", "/performance"}) {
    auto r = c_->Get(base + sub, bob_.access_token);
    EXPECT_EQ(r.status, 404) << sub;
    EXPECT_EQ(c_->Get(base + sub, alice_.access_token).status, 200) << sub;
    EXPECT_EQ(c_->Get(base + sub).status, 401) << sub;
  }
  EXPECT_EQ(c_->Post(base + "/dry-run", nullptr, bob_.access_token).status, 404);
  EXPECT_EQ(c_->Post(base + "/dry-run", nullptr).status, 401);
  auto r = c_->Post("/api/emergency-stop", nullptr, bob_.access_token);
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(r.json.at("bots").as_int64(), 0) << "bob's emergency stop touches only bob's bots";
  EXPECT_EQ(c_->Get(base, alice_.access_token).json.at("status").as_string(), "running");
}

// GET /positions answers a repeat from memory (api.hpp CachedPositions): such an answer is
// the owner's only, follows every runtime commit (an emergency stop's closes are seen in the
// very next answer) and ends with the bot's deletion.
TEST_F(RuntimeServeTest, PositionsFromMemoryAreTheOwnersAndCurrent) {
  StartServer(7200);
  const std::int64_t a = CreateBot(json::object{{"name", "a"}}, alice_);
  ASSERT_EQ(Command(a, "start", alice_).status, 202);
  const std::string base = "/api/bots/" + std::to_string(a) + "/positions";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (c_->Get(base, alice_.access_token).json.at("items").as_array().empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::yield();
  }
  ASSERT_EQ(Command(a, "pause", alice_).status, 202);
  for (int i = 0; i < 3; ++i) {
    auto mine = c_->Get(base, alice_.access_token);
    ASSERT_EQ(mine.status, 200);
    EXPECT_FALSE(mine.json.at("items").as_array().empty());
    EXPECT_EQ(c_->Get(base, bob_.access_token).status, 404) << "another user's bot, after its owner's answer";
    EXPECT_EQ(c_->Get(base).status, 401);
    EXPECT_EQ(c_->Get(base + "?limit=0", alice_.access_token).status, 422) << "the query is checked on every answer";
  }
  ASSERT_EQ(Command(a, "emergency-stop", alice_).status, 202);
  auto flat = c_->Get(base, alice_.access_token);
  ASSERT_EQ(flat.status, 200);
  EXPECT_TRUE(flat.json.at("items").as_array().empty()) << "the answer after the stop's commit: " << flat.body;
  EXPECT_EQ(c_->Get(base, alice_.access_token).json.at("items").as_array().size(), 0u);
  ASSERT_EQ(c_->Delete("/api/bots/" + std::to_string(a), alice_.access_token).status, 204);
  EXPECT_EQ(c_->Get(base, alice_.access_token).status, 404) << "a deleted bot";
}

// The replay's paper venue settles funding at the data's rates. Independent of the engine:
// for every closed position, each 8-hour settlement T it was held over (opened at or before
// T, closed after it) pays −quantity × mark × rate, the mark being the close of the bar that
// ends at T and the rate the bundled funding event at T (±1 minute; else Binance's default
// 0.01%), rounded half-even to 1e-8; the stored funding is their sum. At least one position's
// funding differs from what the default rate alone would give, so the check can tell.
TEST_F(RuntimeServeTest, ThePaperVenueSettlesFundingAtTheDatasRates) {
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "runtime-test-secret-runtime-test-secret"}};
  o.args = {"--speed", "36000", "--from", "2026-02-01"};
  std::string why;
  ASSERT_TRUE(server_.Start(o, &why)) << why;
  c_ = std::make_unique<HttpClient>(server_.port());
  alice_ = RegisterAndLogin(*c_, "alice@example.com");
  const std::int64_t id = CreateBot(json::object{{"name", "funding"}}, alice_);
  ASSERT_EQ(Command(id, "start", alice_).status, 202);
  const std::string closed_sql =
      "SELECT COUNT(*) FROM positions WHERE closed_at IS NOT NULL AND bot_id = " + std::to_string(id);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Count(closed_sql) < 8 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(Command(id, "pause", alice_).status, 202);
  ASSERT_GE(Count(closed_sql), 8);

  constexpr UnixMs kHour = 3'600'000, kEight = 8 * kHour;
  const std::string data = DataDir() + "/binance-usdm";
  market::DataDir dir(data);
  std::map<std::string, std::map<UnixMs, Price>> close_of;  // symbol → bar open → close
  std::map<std::string, market::FundingSeries> funding;
  auto db = store::OpenDatabase(server_.database());
  ASSERT_TRUE(db.ok());
  auto rows = (*db)->Query("SELECT symbol, side, quantity, funding, opened_at, closed_at FROM positions WHERE "
                           "closed_at IS NOT NULL AND bot_id = " + std::to_string(id));
  ASSERT_TRUE(rows.ok());
  int checked = 0, differs_from_default = 0;
  for (const auto& r : *rows) {
    const std::string sym = r.Text(0);
    if (!close_of.count(sym)) {
      auto series = dir.LoadCandles(sym, kHour);
      ASSERT_TRUE(series.ok()) << series.status().message();
      for (std::size_t i = 0; i < series->size(); ++i) close_of[sym][(*series)[i].open_time] = (*series)[i].close;
      auto f = market::LoadFundingCsv(data + "/funding/" + sym + "_8h_2026.csv.gz");
      ASSERT_TRUE(f.ok()) << f.status().message();
      funding.emplace(sym, std::move(*f));
    }
    const __int128 q = (r.Text(1) == "LONG" ? 1 : -1) * static_cast<__int128>(r.Int(2));
    const UnixMs opened = r.Int(4), closed = r.Int(5);
    // One settlement's amount (Money raw, 1e-9) at `rate` (Ratio raw): −q × mark × rate, to 1e-8.
    auto amount = [&](std::int64_t mark, std::int64_t rate) {
      const __int128 x = q * mark * rate;  // scale 1e27
      const __int128 unit = static_cast<__int128>(10'000'000'000'000'000'000ULL);  // 1e19: to 1e-8
      __int128 whole = x / unit, rest = x % unit;
      if (rest < 0) {
        rest += unit;
        whole -= 1;
      }
      if (rest * 2 > unit || (rest * 2 == unit && whole % 2 != 0)) whole += 1;
      return -static_cast<std::int64_t>(whole) * 10;
    };
    std::int64_t expected = 0, at_default = 0;
    for (UnixMs t = (opened + kEight - 1) / kEight * kEight; t < closed; t += kEight) {
      auto mark = close_of[sym].find(t - kHour);
      ASSERT_NE(mark, close_of[sym].end()) << sym << " bar " << t - kHour;
      std::int64_t rate = 100'000;  // 0.01%
      const auto& f = funding.at(sym);
      for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i].funding_time >= t - 60'000 && f[i].funding_time <= t + 60'000) rate = f[i].rate.raw();
      }
      expected += amount(mark->second.raw(), rate);
      at_default += amount(mark->second.raw(), 100'000);
    }
    EXPECT_EQ(r.Int(3), expected) << sym << " " << r.Text(1) << " " << opened << " → " << closed;
    ++checked;
    if (expected != at_default) ++differs_from_default;
  }
  EXPECT_GE(checked, 8);
  EXPECT_GT(differs_from_default, 0) << "every position's funding matched the default rate too";
}

TEST_F(RuntimeServeTest, StartRefusalsAndQueryErrors) {
  StartServer(7200);
  const std::int64_t testnet = CreateBot(json::object{{"name", "t"}, {"mode", "testnet"}}, alice_);
  auto r = Command(testnet, "start", alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("testnet and live bots need the live feed"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("--market binance"), std::string::npos) << r.body;
  // Real money: the paper-first rule says why it refuses (here: live trading not enabled).
  const std::int64_t live = CreateBot(json::object{{"name", "m"}, {"mode", "live"}}, alice_);
  r = Command(live, "start", alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code(), "live_refused") << r.body;
  EXPECT_EQ(r.error_field(), "mode");
  EXPECT_NE(r.body.find("allow_live"), std::string::npos) << r.body;
  const std::int64_t llm = CreateBot(
      json::object{{"name", "l"}, {"model", "llm"}, {"llm", json::object{{"provider", "anthropic"}, {"model", "claude-sonnet-4-5"}}}},
      alice_);
  r = Command(llm, "start", alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code(), "missing_credential");
  const std::int64_t id = CreateBot(json::object{{"name", "q"}}, alice_);
  const std::string base = "/api/bots/" + std::to_string(id);
  EXPECT_EQ(c_->Get(base + "/decisions?include=everything", alice_.access_token).status, 422);
  EXPECT_EQ(c_->Get(base + "/decisions?include=prompt", alice_.access_token).status, 200);
  EXPECT_EQ(c_->Get(base + "/orders?open=maybe", alice_.access_token).status, 400);
  EXPECT_EQ(c_->Get(base + "/trades?limit=5000", alice_.access_token).status, 422);
  EXPECT_EQ(c_->Get(base + "/equity?from=yesterday", alice_.access_token).status, 400);
  EXPECT_EQ(Command(id, "pause", alice_).status, 409) << "never started";
  r = Command(id, "stop", alice_);
  EXPECT_EQ(r.status, 202) << "stopping what does not run is a no-op";
}

TEST_F(RuntimeServeTest, MarketSymbolsAndCandlesNeverPastMarketTime) {
  StartServer(7200);
  auto r = c_->Get("/api/market/symbols", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json.at("items").as_array().size(), 6u);
  EXPECT_EQ(r.json.at("items").as_array().front().at("symbol").as_string(), "BTCUSDT");
  EXPECT_EQ(c_->Get("/api/market/symbols").status, 401);
  r = c_->Get("/api/market/BTC/candles?limit=3", alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& items = r.json.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  const std::int64_t now = MarketTime();
  EXPECT_LE(items.back().at("open_time").as_int64() + 3'600'000, now + 3'600'000 * 2) << "close to the market time";
  for (const auto& c : items) EXPECT_LE(c.at("open_time").as_int64() + 3'600'000, MarketTime()) << "closed candles only";
  EXPECT_TRUE(items[0].at("close").is_string()) << "prices are exact decimal strings";
  r = c_->Get("/api/market/BTCUSDT/candles?to=1&limit=5", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json.at("items").as_array().empty());
  EXPECT_EQ(c_->Get("/api/market/PEPE/candles", alice_.access_token).status, 404);
  EXPECT_EQ(c_->Get("/api/market/BTC/candles?interval=4h", alice_.access_token).status, 422);
  EXPECT_EQ(c_->Get("/api/market/BTC/candles?interval=fortnight", alice_.access_token).status, 400);
  EXPECT_EQ(c_->Get("/api/market/BTC/candles?limit=0", alice_.access_token).status, 422);
  EXPECT_EQ(c_->Get("/api/market/BTC/candles?from=abc", alice_.access_token).status, 400);
}

TEST_F(RuntimeServeTest, ArenaRanksTheCallersBotsNetOfLlmCost) {
  StartServer(7200);
  const std::int64_t a = CreateBot(json::object{{"name", "a"}, {"label", "Alpha"}}, alice_);
  const std::int64_t b = CreateBot(json::object{{"name", "b"}, {"risk", json::object{{"max_leverage", 2}}}}, alice_);
  ASSERT_EQ(Command(a, "start", alice_).status, 202);
  ASSERT_EQ(Command(b, "start", alice_).status, 202);
  ASSERT_TRUE(WaitForBars(MarketTime(), 4));
  auto r = c_->Get("/api/arena", alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& items = r.json.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("rank").as_int64(), 1);
  EXPECT_EQ(items[1].at("rank").as_int64(), 2);
  auto net = [](const json::value& e) { return std::stod(std::string(e.at("net_pnl").as_string())); };
  EXPECT_GE(net(items[0]), net(items[1]));
  for (const auto& e : items) {
    EXPECT_EQ(e.at("llm_cost_usd").as_string(), "0") << "baseline bots cost nothing";
    EXPECT_EQ(e.at("net_pnl").as_string(), e.at("pnl").as_string());
    if (e.at("bot_id").as_int64() == a) {
      EXPECT_EQ(e.at("label").as_string(), "Alpha");
    }
  }
  EXPECT_TRUE(c_->Get("/api/arena", bob_.access_token).json.at("items").as_array().empty());
  EXPECT_EQ(c_->Get("/api/arena").status, 401);
}

TEST_F(RuntimeServeTest, PromptsListTheVersionedSystemPrompts) {
  StartServer(1);
  auto r = c_->Get("/api/prompts", alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& items = r.json.at("items").as_array();
  ASSERT_FALSE(items.empty());
  bool found_default = false;
  for (const auto& p : items) {
    EXPECT_EQ(p.at("kind").as_string(), "system");
    EXPECT_FALSE(p.at("text").as_string().empty());
    if (p.at("default").as_bool()) {
      found_default = true;
      EXPECT_EQ(p.at("id").as_string(), "aa-v1");
    }
  }
  EXPECT_TRUE(found_default);
  EXPECT_EQ(c_->Get("/api/prompts").status, 401);
}

// An LLM bot whose model takes 20 s to answer: the call runs on a worker, so pause and
// emergency stop are applied at once (a runtime blocked in the call would not answer within
// its 10 s and the command would be 503), and the late answer places no order.
TEST(RuntimeLlm, CommandsActWhileADecisionIsInFlightAndTheLateAnswerIsDiscarded) {
  ServeProcess mock;
  std::string why;
  ASSERT_TRUE(mock.StartCommand({"mock-llm", "--port", "0", "--latency-ms", "20000..20000"}, "/v1/messages", &why)) << why;
  const std::string marker = "mock LLM server on http://127.0.0.1:";
  const std::string out = mock.Output();
  const int mock_port = std::atoi(out.c_str() + out.find(marker) + marker.size());
  ASSERT_GT(mock_port, 0) << out;
  const std::string base_url = "http://127.0.0.1:" + std::to_string(mock_port) + "/v1";
  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "llm-test-secret-llm-test-secret-llm-t!"}};
  o.args = {"--speed", "7200"};
  o.config_json = R"({"llm_base_url_allow": [")" + base_url + R"("]})";
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser u = RegisterAndLogin(c, "llm@example.com");
  auto r = c.Post("/api/bots",
                  json::object{{"name", "slow-model"}, {"model", "llm"},
                               {"llm", json::object{{"provider", "openai-compatible"}, {"model", "mock"}, {"base_url", base_url},
                                                    {"timeout_ms", 60000}}}},
                  u.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string bot = "/api/bots/" + std::to_string(r.json.at("id").as_int64());
  const std::int64_t start = c.Get("/api/health").json.at("market_time").as_int64();
  ASSERT_EQ(c.Post(bot + "/start", nullptr, u.access_token).status, 202);
  // Two bars later the first decision is in flight (it takes 20 s).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (c.Get("/api/health").json.at("market_time").as_int64() < start + 2 * 3'600'000 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::yield();
  }
  r = c.Post(bot + "/pause", nullptr, u.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("status").as_string(), "paused");
  r = c.Post(bot + "/emergency-stop", nullptr, u.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json.at("status").as_string(), "stopped");
  ASSERT_TRUE(server.WaitForOutput("discarded the late decision", std::chrono::seconds(60))) << server.Output();
  r = c.Get(bot + "/orders", u.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json.at("items").as_array().empty()) << "the late answer placed no order: " << r.body;
  EXPECT_TRUE(c.Get(bot + "/decisions", u.access_token).json.at("items").as_array().empty());
  EXPECT_EQ(server.Stop(), 0);
  mock.Stop();
}

// Restart recovery: the database alone brings the bots back.
class RuntimeRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    o_.env = {{"AITRADER_JWT_SECRET", "restart-test-secret-restart-test-secret"}};
    o_.args = {"--speed", "7200"};
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::int64_t Count(const std::string& database, const std::string& sql) {
    auto db = store::OpenDatabase(database);
    if (!db.ok()) return -1;
    auto n = (*db)->QueryInt(sql);
    return n.ok() ? *n : -1;
  }
  // Creates and starts baseline bots: "run" keeps running, "paused" is paused, "stopped" is
  // stopped once it has traded; waits until "run" has orders at the venue.
  void Populate(ServeProcess& server, TestUser& u, std::map<std::string, std::int64_t>& ids) {
    HttpClient c(server.port());
    u = RegisterAndLogin(c, "restart@example.com");
    for (const char* name : {"run", "paused", "stopped"}) {
      auto r = c.Post("/api/bots", json::object{{"name", name}}, u.access_token);
      ASSERT_EQ(r.status, 201) << r.body;
      ids[name] = r.json.at("id").as_int64();
      ASSERT_EQ(c.Post("/api/bots/" + std::to_string(ids[name]) + "/start", nullptr, u.access_token).status, 202);
    }
    const std::string run_orders = "SELECT COUNT(*) FROM orders WHERE bot_id = " + std::to_string(ids["run"]);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (Count(server.database(), run_orders) < 2 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_GE(Count(server.database(), run_orders), 2) << "the baseline trades within the deadline";
    ASSERT_EQ(c.Post("/api/bots/" + std::to_string(ids["paused"]) + "/pause", nullptr, u.access_token).status, 202);
    ASSERT_EQ(c.Post("/api/bots/" + std::to_string(ids["stopped"]) + "/stop", nullptr, u.access_token).status, 202);
  }
  // What must hold after a restart whatever the moment of the kill. The database is reopened
  // twice: first at speed 1 (no bar for an hour of wall time: the venue is seen exactly as
  // rebuilt, before any bar could reconcile anything away), then at full speed (trading goes on).
  void CheckRecovered(const TestUser& u, std::map<std::string, std::int64_t>& ids, std::int64_t last_bar_before,
                      std::int64_t orders_before, const std::string& rebuilt = "rebuilt the paper venue") {
    const std::string id = std::to_string(ids["run"]);
    const std::string run = "/api/bots/" + id;
    std::string why;
    ServeProcess::Options o = o_;
    o.keep_dir = true;
    o.dir = dir_;
    o.args = {"--speed", "1"};
    std::string db;
    {
      ServeProcess second;
      ASSERT_TRUE(second.Start(o, &why)) << why;
      db = second.database();
      HttpClient c(second.port());
      auto r = c.Get(run, u.access_token);
      ASSERT_EQ(r.status, 200) << second.Output();
      EXPECT_EQ(r.json.at("status").as_string(), "running") << "a running bot resumes";
      EXPECT_EQ(c.Get("/api/bots/" + std::to_string(ids["paused"]), u.access_token).json.at("status").as_string(),
                "paused");
      EXPECT_EQ(c.Get("/api/bots/" + std::to_string(ids["stopped"]), u.access_token).json.at("status").as_string(),
                "stopped");
      // The market run continues from the stored bar, not from its start.
      EXPECT_EQ(c.Get("/api/health").json.at("market_time").as_int64(), last_bar_before);
      // The rebuilt venue holds every position the store says is open: the venue's mark and
      // unrealized PnL are on a position only when the venue has it, and its PnL has the
      // sign of (mark − entry) for a long, the opposite for a short.
      for (const char* name : {"run", "paused", "stopped"}) {
        const std::string bot = std::to_string(ids[name]);
        r = c.Get("/api/bots/" + bot + "/positions", u.access_token);
        ASSERT_EQ(r.status, 200);
        const auto& items = r.json.at("items").as_array();
        EXPECT_EQ(static_cast<std::int64_t>(items.size()),
                  Count(db, "SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " + bot));
        for (const auto& p : items) {
          ASSERT_FALSE(p.at("mark_price").is_null()) << name << ": the rebuilt venue lost " << p;
          const double mark = std::stod(std::string(p.at("mark_price").as_string()));
          const double entry = std::stod(std::string(p.at("entry_price").as_string()));
          const double upnl = std::stod(std::string(p.at("unrealized_pnl").as_string()));
          const double dir = p.at("side").as_string() == "LONG" ? 1.0 : -1.0;
          EXPECT_GE(upnl * dir * (mark - entry), 0.0) << p;
        }
      }
      EXPECT_EQ(second.Stop(), 0) << second.Output();
      EXPECT_NE(second.Output().find(rebuilt), std::string::npos) << second.Output();
    }
    o.args = o_.args;
    ServeProcess third;
    ASSERT_TRUE(third.Start(o, &why)) << why;
    // The bot trades on: decisions continue after the restart.
    const std::string later = "SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + id + " AND decided_at > " +
                              std::to_string(last_bar_before + 3 * 3'600'000LL);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (Count(db, later) == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GT(Count(db, later), 0) << "the resumed bot keeps deciding";
    ASSERT_EQ(third.Stop(), 0) << third.Output();
    // Nothing doubled: one decision per cycle and per bar, no order filled beyond its
    // quantity, and every order from before the kill still stored.
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM (SELECT cycle FROM llm_decisions WHERE bot_id = " + id +
                            " GROUP BY cycle HAVING COUNT(*) > 1) d"),
              0);
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM (SELECT decided_at FROM llm_decisions WHERE bot_id = " + id +
                            " GROUP BY decided_at HAVING COUNT(*) > 1) d"),
              0);
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM (SELECT o.id FROM orders o JOIN trades f ON f.order_id = o.id WHERE o.quantity > 0 "
                        "GROUP BY o.id, o.quantity HAVING SUM(f.quantity) > o.quantity) x"),
              0);
    EXPECT_GE(Count(db, "SELECT COUNT(*) FROM orders"), orders_before);
    EXPECT_GE(Count(db, "SELECT COUNT(*) FROM alerts WHERE kind = 'server_restart' AND severity = 'info'"), 2)
        << "the running and the paused bot were resumed with a note";
  }
  ServeProcess::Options o_;
  std::string dir_;
};

TEST_F(RuntimeRestart, AKillNineResumesEveryBotAndDoublesNothing) {
  ServeProcess first;
  std::string why;
  ASSERT_TRUE(first.Start(o_, &why)) << why;
  dir_ = first.dir();
  TestUser u;
  std::map<std::string, std::int64_t> ids;
  Populate(first, u, ids);
  if (HasFatalFailure()) return;
  // Killed while "run" holds a position (so the rebuilt venue has one to prove).
  const std::string open = "SELECT COUNT(*) FROM positions WHERE closed_at IS NULL AND bot_id = " +
                           std::to_string(ids["run"]);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Count(first.database(), open) == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  first.Kill();
  ASSERT_GT(Count(first.database(), open), 0) << "the baseline opened a position within the deadline";
  const std::int64_t last_bar = Count(first.database(), "SELECT value FROM run_state WHERE name = 'serve.last_bar'");
  const std::int64_t orders = Count(first.database(), "SELECT COUNT(*) FROM orders");
  ASSERT_GT(last_bar, 0);
  CheckRecovered(u, ids, last_bar, orders);
}

TEST_F(RuntimeRestart, AKillHalfwayThroughABarRedoesThatBarOnly) {
  ServeProcess first;
  std::string why;
  ServeProcess::Options crashing = o_;
  // The process kills itself while its 40th bar is half processed (the venue moved, nothing
  // of the bar committed).
  crashing.env.push_back({"AITRADER_CRASH_AT", "bar:40"});
  ASSERT_TRUE(first.Start(crashing, &why)) << why;
  dir_ = first.dir();
  TestUser u;
  std::map<std::string, std::int64_t> ids;
  Populate(first, u, ids);
  if (HasFatalFailure()) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (HttpClient(first.port(), std::chrono::milliseconds(500)).Get("/api/health").status == 200 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(HttpClient(first.port(), std::chrono::milliseconds(500)).Get("/api/health").status, 200)
      << "the crash point was reached";
  first.Kill();
  const std::int64_t last_bar = Count(first.database(), "SELECT value FROM run_state WHERE name = 'serve.last_bar'");
  const std::int64_t orders = Count(first.database(), "SELECT COUNT(*) FROM orders");
  // 39 committed 1h bars span a market midnight: the venue comes back from that day's
  // checkpoint, replaying only the bars after it.
  ASSERT_GT(Count(first.database(), "SELECT COUNT(*) FROM paper_checkpoints"), 0);
  CheckRecovered(u, ids, last_bar, orders, "from the checkpoint of");
}

TEST_F(RuntimeRestart, AnUnreadableCheckpointFallsBackToTheFullReplay) {
  ServeProcess first;
  std::string why;
  ASSERT_TRUE(first.Start(o_, &why)) << why;
  dir_ = first.dir();
  TestUser u;
  std::map<std::string, std::int64_t> ids;
  Populate(first, u, ids);
  if (HasFatalFailure()) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Count(first.database(), "SELECT COUNT(*) FROM paper_checkpoints") == 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  first.Kill();
  ASSERT_GT(Count(first.database(), "SELECT COUNT(*) FROM paper_checkpoints"), 0);
  {
    // Every checkpoint damaged: one not base64, the others valid base64 of garbage.
    auto db = store::OpenDatabase(first.database());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("UPDATE paper_checkpoints SET data = 'QUlUUlBTSU0AAAAA'").ok());
    ASSERT_TRUE((*db)->Execute("UPDATE paper_checkpoints SET data = '%not base64%' WHERE bar_time = "
                               "(SELECT MAX(bar_time) FROM paper_checkpoints)").ok());
  }
  const std::int64_t last_bar = Count(first.database(), "SELECT value FROM run_state WHERE name = 'serve.last_bar'");
  const std::int64_t orders = Count(first.database(), "SELECT COUNT(*) FROM orders");
  CheckRecovered(u, ids, last_bar, orders, "rebuilding the paper venue from the start");
}

TEST_F(RuntimeRestart, ABotWhoseKeyIsGoneIsStoppedWithAnAlertSayingWhy) {
  // An LLM bot needs its owner's stored key to run; deleted while the server was down, the
  // bot cannot resume: it is stopped and the alert says why. Its history stays. At speed 1
  // the first 1h bar is an hour away: no model is ever called (nothing leaves loopback).
  o_.args = {"--speed", "1"};
  ServeProcess first;
  std::string why;
  ASSERT_TRUE(first.Start(o_, &why)) << why;
  dir_ = first.dir();
  std::int64_t id = 0;
  TestUser u;
  {
    HttpClient c(first.port());
    u = RegisterAndLogin(c, "keys@example.com");
    ASSERT_EQ(c.Send("PUT", "/api/credentials/openai", json::object{{"api_key", "sk-test-1234567890"}}, u.access_token).status,
              204);
    auto r = c.Post("/api/bots",
                    json::object{{"name", "llm"}, {"model", "llm"}, {"llm", json::object{{"provider", "openai"}, {"model", "gpt-4o"}}}},
                    u.access_token);
    ASSERT_EQ(r.status, 201) << r.body;
    id = r.json.at("id").as_int64();
    r = c.Post("/api/bots/" + std::to_string(id) + "/start", nullptr, u.access_token);
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_EQ(c.Delete("/api/credentials/openai", u.access_token).status, 204);
  }
  first.Kill();
  ServeProcess second;
  ServeProcess::Options o = o_;
  o.keep_dir = true;
  o.dir = dir_;
  ASSERT_TRUE(second.Start(o, &why)) << why;
  HttpClient c(second.port());
  auto r = c.Get("/api/bots/" + std::to_string(id), u.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("status").as_string(), "stopped");
  r = c.Get("/api/alerts", u.access_token);
  bool found = false;
  for (const auto& a : r.json.at("items").as_array()) {
    found = found || (a.at("kind").as_string() == "server_restart" &&
                      std::string(a.at("message").as_string()).find("credentials/openai") != std::string::npos);
  }
  EXPECT_TRUE(found) << r.body;
  EXPECT_EQ(second.Stop(), 0);
}

}  // namespace
}  // namespace aitrader::testing
