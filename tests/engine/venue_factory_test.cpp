// engine/venue_factory: a bot's venue from its mode — paper, testnet (BinanceExchange on the
// testnet URLs, against the fake Binance), live refused without allow_live or a long enough
// paper/testnet record, and no secret in any refusal.
#include <gtest/gtest.h>

#include <map>

#include "engine/venue_factory.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::engine {
namespace {

namespace bn = exchange::binance;
constexpr UnixMs kNow = 1'767'225'600'000;

bn::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(LivePromotion, RefusedWithoutAllowLive) {
  Status s = CheckLivePromotion(false, kNow - 30 * kDayMs, kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("allow_live"), std::string::npos) << s.message();
}

TEST(LivePromotion, RefusedWithoutARecord) {
  Status s = CheckLivePromotion(true, std::nullopt, kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("no paper or testnet record"), std::string::npos) << s.message();
}

TEST(LivePromotion, RefusedWithAShortRecordAndSaysHowShort) {
  Status s = CheckLivePromotion(true, kNow - 3 * kDayMs - 5, kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("3 of the 7 days"), std::string::npos) << s.message();
  // One millisecond short of the threshold is still short; the threshold itself passes.
  EXPECT_FALSE(CheckLivePromotion(true, kNow - 7 * kDayMs + 1, kNow).ok());
  EXPECT_TRUE(CheckLivePromotion(true, kNow - 7 * kDayMs, kNow).ok());
  EXPECT_FALSE(CheckLivePromotion(true, kNow - 13 * kDayMs, kNow, 14).ok());
  EXPECT_FALSE(CheckLivePromotion(true, kNow + kDayMs, kNow).ok()) << "a record from the future";
}

TEST(VenueFactory, LiveRefusedBeforeAnyConnection) {
  SimulatedClock clock(kNow);
  testing::FakeBinance fake(clock);
  ASSERT_TRUE(fake.Start().ok());
  VenueRequest r;
  r.mode = TradingMode::kLive;
  r.binance.rest_url = fake.rest_url();
  r.binance.ws_url = fake.ws_url();
  r.credentials = bn::BinanceCredentials{fake.options().api_key, bn::Secret(fake.options().api_secret)};
  r.now = kNow;
  r.first_trade_time = kNow - 2 * kDayMs;
  r.allow_live = true;
  auto v = MakeVenue(r, clock);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("2 of the 7 days"), std::string::npos) << v.status().message();
  EXPECT_EQ(v.status().message().find(fake.options().api_secret), std::string::npos);
  r.allow_live = false;
  r.first_trade_time = kNow - 30 * kDayMs;
  v = MakeVenue(r, clock);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("allow_live"), std::string::npos);
  EXPECT_EQ(fake.requests(), 0) << "a refused promotion never reaches the venue";
  // Both conditions met: the live path connects (here to the fake on the live URLs).
  r.allow_live = true;
  v = MakeVenue(r, clock);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_NE(v->binance, nullptr);
  EXPECT_GT(fake.requests(), 0);
}

TEST(VenueFactory, TestnetUsesTheTestnetUrlsAndKeys) {
  SimulatedClock clock(kNow);
  testing::FakeBinance fake(clock);
  ASSERT_TRUE(fake.Start().ok());
  VenueRequest r;
  r.mode = TradingMode::kTestnet;
  // The live URLs point nowhere: a testnet venue must not use them.
  r.binance.rest_url = "https://127.0.0.1:1";
  r.binance.ws_url = "wss://127.0.0.1:1";
  r.binance.testnet_rest_url = fake.rest_url();
  r.binance.testnet_ws_url = fake.ws_url();
  r.env = Env({{"BINANCE_TESTNET_API_KEY", fake.options().api_key},
               {"BINANCE_TESTNET_API_SECRET", fake.options().api_secret},
               {"BINANCE_API_KEY", "live-key-must-not-be-used"},
               {"BINANCE_API_SECRET", "live-secret-must-not-be-used"}});
  auto v = MakeVenue(r, clock);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_NE(v->binance, nullptr);
  ASSERT_NE(v->instruments(), nullptr);
  EXPECT_NE(v->instruments()->Find("BTCUSDT"), nullptr);
  auto bal = v->exchange->FetchBalance();  // signed with the testnet keys (the fake checks them)
  ASSERT_TRUE(bal.ok()) << bal.status().ToString();
  EXPECT_EQ(fake.listen_keys_created(), 1) << "the user-data stream was opened with the testnet key";
}

TEST(VenueFactory, TestnetWithoutKeysNamesTheVariables) {
  SimulatedClock clock(kNow);
  VenueRequest r;
  r.mode = TradingMode::kTestnet;
  r.env = Env({{"BINANCE_API_KEY", "k"}, {"BINANCE_API_SECRET", "s"}});
  auto v = MakeVenue(r, clock);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("BINANCE_TESTNET_API_KEY"), std::string::npos) << v.status().message();
}

TEST(VenueFactory, TestnetWithWrongKeysFailsWithoutLeakingTheSecret) {
  SimulatedClock clock(kNow);
  testing::FakeBinance fake(clock);
  ASSERT_TRUE(fake.Start().ok());
  VenueRequest r;
  r.mode = TradingMode::kTestnet;
  r.binance.testnet_rest_url = fake.rest_url();
  r.binance.testnet_ws_url = fake.ws_url();
  r.credentials = bn::BinanceCredentials{fake.options().api_key, bn::Secret("wrong-secret-xyz-123")};
  auto v = MakeVenue(r, clock);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().find("wrong-secret-xyz-123"), std::string::npos) << v.status().message();
  EXPECT_GT(fake.requests(), 0) << "refused by the venue, not before: " << v.status().message();
  EXPECT_NE(v.status().message().find("binance testnet"), std::string::npos) << v.status().message();
}

TEST(VenueFactory, PaperIsANewAccountOnTheRunsSimulator) {
  SimulatedClock clock(kNow);
  auto instruments = InstrumentTable::LoadDefault();
  ASSERT_TRUE(instruments.ok());
  exchange::paper::SimulatorConfig sc;
  sc.symbols = {"BTCUSDT"};
  auto sim = exchange::paper::PaperSimulator::Create(clock, *instruments, sc);
  ASSERT_TRUE(sim.ok());
  VenueRequest r;
  r.mode = TradingMode::kPaper;
  EXPECT_FALSE(MakeVenue(r, clock).ok()) << "paper without a simulator";
  r.simulator = sim->get();
  r.paper_account.deposit = Money::FromUnits(2500);
  auto v = MakeVenue(r, clock);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->binance, nullptr);
  ASSERT_TRUE(v->paper_account.has_value());
  auto bal = v->exchange->FetchBalance();
  ASSERT_TRUE(bal.ok());
  EXPECT_EQ(bal->wallet_balance, Money::FromUnits(2500));
}

}  // namespace
}  // namespace aitrader::engine
