// The REST client against the fake Binance: signing as the venue checks it, keep-alive, -1021
// resync, 429/418 backoff, pre-emptive throttling, unknown outcomes, no secrets in errors.
#include <gtest/gtest.h>

#include "exchange/binance/rest_client.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::exchange::binance {
namespace {

using testing::FakeBinance;
using testing::FakeFault;
using testing::FakeFaultSpec;

constexpr UnixMs kStart = 1'767'225'600'000;  // 2026-01-01, a minute boundary

struct Env {
  SimulatedClock clock{kStart};
  FakeBinance fake;
  explicit Env(testing::FakeBinanceOptions o = {}) : fake(clock, std::move(o)) { EXPECT_TRUE(fake.Start().ok()); }
  std::unique_ptr<RestClient> Client(std::string secret = "", std::int64_t timeout_ms = 5000) {
    RestOptions o;
    o.base_url = fake.rest_url();
    o.http.timeout_ms = timeout_ms;
    return std::make_unique<RestClient>(o, fake.options().api_key,
                                        Secret(secret.empty() ? fake.options().api_secret : secret), MakeCurlTransport(), clock);
  }
};

RestRequest Account() {
  RestRequest r;
  r.path = "/fapi/v2/account";
  r.security = Security::kSigned;
  r.weight = 5;
  return r;
}

TEST(BinanceRest, SignedCallsOnOneKeptAliveConnection) {
  Env env;
  auto client = env.Client();
  for (int i = 0; i < 5; ++i) {
    auto body = client->Call(Account());
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    auto acct = ParseAccount(*body);
    ASSERT_TRUE(acct.ok()) << acct.status().ToString();
    EXPECT_EQ(acct->total_wallet_balance, Money::FromUnits(10'000));
  }
  EXPECT_EQ(env.fake.connections_accepted(), 1);
  EXPECT_EQ(client->connections_opened(), 1);
  EXPECT_EQ(client->rate_state().used_weight_1m, 25);  // read from X-MBX-USED-WEIGHT-1M
}

TEST(BinanceRest, BadSignatureIsRefusedAndNoSecretLeaks) {
  Env env;
  auto client = env.Client("not-the-secret-xyz");
  auto body = client->Call(Account());
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(body.status().message().find("-1022"), std::string::npos) << body.status().message();
  EXPECT_EQ(body.status().message().find("not-the-secret-xyz"), std::string::npos);
  EXPECT_EQ(body.status().message().find(env.fake.options().api_key), std::string::npos);
  EXPECT_EQ(body.status().message().find("signature="), std::string::npos);
  // A POST whose parameters travel in the body is signed the same way and accepted.
  auto good = env.Client();
  RestRequest lev;
  lev.method = "POST";
  lev.path = "/fapi/v1/leverage";
  lev.security = Security::kSigned;
  lev.params.Add("symbol", "BTCUSDT").Add("leverage", "7");
  auto r = good->Call(lev);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(env.fake.Leverage("BTCUSDT"), 7);
}

TEST(BinanceRest, SkewedClockResyncsOnceOnMinus1021) {
  Env env;
  env.fake.SetServerSkewMs(7'000);  // the server is 7 s ahead of us: outside recvWindow 5000
  auto client = env.Client();
  auto body = client->Call(Account());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(client->rate_state().time_syncs, 1);
  EXPECT_EQ(client->rate_state().time_offset_ms, 7'000);
  EXPECT_EQ(env.fake.requests_on("GET", "/fapi/v2/account"), 2);
  // Ahead of the server by more than 1000 ms: also -1021, also fixed by the sync.
  env.fake.SetServerSkewMs(-3'000);
  ASSERT_TRUE(client->Call(Account()).ok());
  EXPECT_EQ(client->rate_state().time_offset_ms, -3'000);
  // A -1021 that persists after the sync is reported, not retried forever.
  env.fake.PushFault(FakeFaultSpec{FakeFault::k1021, "GET", "/fapi/v2/account"});
  env.fake.PushFault(FakeFaultSpec{FakeFault::k1021, "GET", "/fapi/v2/account"});
  auto failed = client->Call(Account());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("-1021"), std::string::npos);
  EXPECT_EQ(env.fake.requests_on("GET", "/fapi/v2/account"), 4 + 2);
}

TEST(BinanceRest, Http429BacksOffForRetryAfter) {
  Env env;
  auto client = env.Client();
  env.fake.PushFault(FakeFaultSpec{FakeFault::k429, "GET", "/fapi/v2/account", 5});
  auto r = client->Call(Account());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("retry after 5 s"), std::string::npos) << r.status().message();
  const auto sent = env.fake.requests();
  env.clock.AdvanceMs(4'000);
  auto again = client->Call(Account());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("backing off"), std::string::npos);
  EXPECT_EQ(env.fake.requests(), sent);  // nothing reached the venue: no 418 earned
  env.clock.AdvanceMs(1'000);
  ASSERT_TRUE(client->Call(Account()).ok());
}

TEST(BinanceRest, Http418BanIsHonoured) {
  Env env;
  auto client = env.Client();
  env.fake.PushFault(FakeFaultSpec{FakeFault::k418, "GET", "/fapi/v2/account", 120});
  auto r = client->Call(Account());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("banned"), std::string::npos);
  const auto sent = env.fake.requests();
  env.clock.AdvanceMs(119'000);
  EXPECT_FALSE(client->Call(Account()).ok());
  EXPECT_EQ(env.fake.requests(), sent);
  env.clock.AdvanceMs(1'000);
  EXPECT_TRUE(client->Call(Account()).ok());
}

TEST(BinanceRest, PreemptiveThrottleKeepsUnderTheVenueLimit) {
  testing::FakeBinanceOptions o;
  o.weight_limit_1m = 20;
  Env env(o);
  auto client = env.Client();
  RestRequest info;
  info.path = "/fapi/v1/exchangeInfo";
  auto body = client->Call(info);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  client->SetRateLimits(ParseExchangeInfo(*body)->rate_limits);  // 20 per minute → throttle at 18
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->Call(Account()).ok());  // 1 + 15 = 16
  auto refused = client->Call(Account());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("throttled"), std::string::npos) << refused.status().message();
  EXPECT_EQ(env.fake.requests(), 4);  // the venue never saw the fifth
  RestRequest exempt = Account();
  exempt.exempt = true;  // e.g. a cancel: lowers exposure, sent anyway
  exempt.weight = 1;
  exempt.path = "/fapi/v1/openOrders";
  exempt.params.Add("symbol", "BTCUSDT");  // without a symbol it weighs 40
  auto sent = client->Call(exempt);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  env.clock.AdvanceMs(60'000);  // the next minute's window
  EXPECT_TRUE(client->Call(Account()).ok());
}

// The fake enforces the venue's limit itself: a client that ignores the weight gets 429 with
// Retry-After, and one that keeps sending after it gets the 418 ban.
TEST(BinanceRest, FakeEnforcesWeightWith429Then418) {
  testing::FakeBinanceOptions o;
  o.weight_limit_1m = 12;
  Env env(o);
  RestOptions ro;
  ro.base_url = env.fake.rest_url();
  ro.throttle_percent = 1000;  // pre-emptive throttling off
  RestClient careless(ro, env.fake.options().api_key, Secret(env.fake.options().api_secret), MakeCurlTransport(), env.clock);
  ASSERT_TRUE(careless.Call(Account()).ok());
  ASSERT_TRUE(careless.Call(Account()).ok());
  auto limited = careless.Call(Account());  // 15 > 12
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("HTTP 429"), std::string::npos) << limited.status().message();
  EXPECT_NE(limited.status().message().find("retry after 60 s"), std::string::npos) << limited.status().message();
  RestClient other(ro, env.fake.options().api_key, Secret(env.fake.options().api_secret), MakeCurlTransport(), env.clock);
  auto banned = other.Call(Account());  // same IP, keeps sending
  ASSERT_FALSE(banned.ok());
  EXPECT_NE(banned.status().message().find("HTTP 418"), std::string::npos) << banned.status().message();
}

TEST(BinanceRest, OrderCountThrottle) {
  testing::FakeBinanceOptions o;
  o.order_limit_10s = 3;
  Env env(o);
  auto client = env.Client();
  RestOptions ro;
  client->SetRateLimits({RateLimitRule{"ORDERS", "SECOND", 10, 3}});
  RestRequest order;
  order.method = "POST";
  order.path = "/fapi/v1/order";
  order.security = Security::kSigned;
  order.is_order = true;
  order.weight = 0;
  order.params.Add("symbol", "BTCUSDT").Add("side", "BUY").Add("type", "MARKET").Add("quantity", "0.01");
  ASSERT_TRUE(client->Call(order).ok());
  ASSERT_TRUE(client->Call(order).ok());  // 2 of 3 (90 % of 3 → 2)
  auto refused = client->Call(order);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("per 10 s"), std::string::npos) << refused.status().message();
  EXPECT_EQ(env.fake.requests_on("POST", "/fapi/v1/order"), 2);
}

TEST(BinanceRest, UnknownOutcomesAreDistinguishedFromFailures) {
  Env env;
  auto client = env.Client("", 300);
  RestRequest lev;
  lev.method = "POST";
  lev.path = "/fapi/v1/leverage";
  lev.security = Security::kSigned;
  lev.params.Add("symbol", "BTCUSDT").Add("leverage", "3");

  env.fake.PushFault(FakeFaultSpec{FakeFault::kUnknown503AfterAccept, "POST", "/fapi/v1/leverage"});
  auto a = client->Call(lev);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(IsUnknownOutcome(a.status())) << a.status().ToString();

  env.fake.PushFault(FakeFaultSpec{FakeFault::k1007AfterAccept, "POST", "/fapi/v1/leverage"});
  auto b = client->Call(lev);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(IsUnknownOutcome(b.status())) << b.status().ToString();

  env.fake.PushFault(FakeFaultSpec{FakeFault::kSlowAfterAccept, "POST", "/fapi/v1/leverage", 0, 2000});
  auto c = client->Call(lev);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsUnknownOutcome(c.status())) << c.status().ToString();

  env.fake.PushFault(FakeFaultSpec{FakeFault::k503Unavailable, "POST", "/fapi/v1/leverage"});
  auto d = client->Call(lev);
  ASSERT_FALSE(d.ok());
  EXPECT_FALSE(IsUnknownOutcome(d.status()));
  EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);

  // A venue reject is kRejected with the code.
  RestRequest bad = lev;
  bad.params = Params();
  bad.params.Add("symbol", "NOPEUSDT").Add("leverage", "3");
  auto e = client->Call(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kRejected);
  EXPECT_NE(e.status().message().find("[-1121]"), std::string::npos);

  // Nothing listening: certainly not sent.
  RestOptions o;
  o.base_url = "http://127.0.0.1:1";
  RestClient nowhere(o, "k", Secret("s"), MakeCurlTransport(), env.clock);
  auto f = nowhere.Call(lev);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kUnavailable) << f.status().ToString();
}

}  // namespace
}  // namespace aitrader::exchange::binance
