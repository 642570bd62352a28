// Binance's asymmetric API keys end to end at the fake Binance: an API key registered with an
// Ed25519 or RSA public key, BinanceExchange signing with the private key (start-up, a market
// entry with a bracket stop, a resting LIMIT order fetched and cancelled, the user-data stream),
// the wrong private key refused with -1022, a signature sent without its percent-encoding
// refused as Binance refuses it, and an unusable secret stopping the start with a clear
// message that holds no key material.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/rest_client.hpp"
#include "support/fake_binance.hpp"
#include "support/test_keys.hpp"

namespace aitrader::exchange::binance {
namespace {

using testing::FakeBinance;
using testing::TestKeyPair;

constexpr UnixMs kStart = 1'767'225'600'000;

struct Env {
  SimulatedClock clock{kStart};
  FakeBinance fake{clock};
  Env() { EXPECT_TRUE(fake.Start().ok()); }
  ~Env() { fake.Stop(); }
  BinanceExchangeOptions Options() const {
    BinanceExchangeOptions o;
    o.rest.base_url = fake.rest_url();
    o.rest.http.timeout_ms = 5000;
    o.ws_url = fake.ws_url();
    o.ws.reconnect_delay_ms = 20;
    o.ws.max_reconnect_delay_ms = 100;
    return o;
  }
};

OrderRequest Order(const std::string& cid, OrderType type, Side side, std::string_view qty) {
  OrderRequest r;
  r.client_id = ClientOrderId(cid);
  r.symbol = "BTCUSDT";
  r.side = side;
  r.type = type;
  r.quantity = *Quantity::Parse(qty);
  return r;
}

bool WaitForEvent(BinanceExchange& ex, EventKind kind, const std::string& cid) {
  std::vector<ExecutionEvent> events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    ex.PollEvents(events, 1000);
    for (const auto& e : events) {
      if (e.kind == kind && e.client_id.value() == cid) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

void TradesWith(const TestKeyPair& key, const std::string& kind) {
  Env env;
  const std::string api_key = "asym-" + kind + "-api-key-0123456789";
  ASSERT_TRUE(env.fake.RegisterApiKey(api_key, key.public_pem).ok());
  BinanceExchange ex(env.Options(), api_key, Secret(key.private_pem), env.clock);
  EXPECT_EQ(ex.rest().key_kind(), kind);
  Status s = ex.Start();
  ASSERT_TRUE(s.ok()) << kind << ": " << s.ToString();

  // Market entry (POST body) + a bracket stop on the algo endpoint, looked up by id (GET query).
  auto entry = ex.CreateOrder(Order("k-" + kind + "-e", OrderType::kMarket, Side::kBuy, "0.010"));
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->status, OrderStatus::kFilled);
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), *Quantity::Parse("0.01"));
  OrderRequest stop = Order("k-" + kind + "-sl", OrderType::kStopMarket, Side::kSell, "0");
  stop.quantity = Quantity();
  stop.stop_price = *Price::Parse("49000");
  stop.close_position = true;
  auto sl = ex.CreateOrder(stop);
  ASSERT_TRUE(sl.ok()) << sl.status().ToString();
  EXPECT_EQ(sl->status, OrderStatus::kNew);

  // A resting LIMIT: placed, queried, cancelled (DELETE), the stream's NEW event received.
  OrderRequest limit = Order("k-" + kind + "-l", OrderType::kLimit, Side::kBuy, "0.010");
  limit.price = *Price::Parse("48000");
  auto placed = ex.CreateOrder(limit);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->status, OrderStatus::kNew);
  auto fetched = ex.FetchOrder("BTCUSDT", limit.client_id);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->status, OrderStatus::kNew);
  EXPECT_EQ(fetched->price, *Price::Parse("48000"));
  EXPECT_TRUE(WaitForEvent(ex, EventKind::kOrderAccepted, limit.client_id.value()));
  auto canceled = ex.CancelOrder("BTCUSDT", limit.client_id);
  ASSERT_TRUE(canceled.ok()) << canceled.status().ToString();
  EXPECT_EQ(canceled->status, OrderStatus::kCanceled);
  EXPECT_EQ(env.fake.OrdersWithClientId(limit.client_id.value()), 1);
  auto balance = ex.FetchBalance();
  ASSERT_TRUE(balance.ok()) << balance.status().ToString();
  ex.Stop();
}

TEST(BinanceKeys, Ed25519KeyTradesAtTheFake) { TradesWith(testing::GenerateEd25519(), "ed25519"); }

TEST(BinanceKeys, RsaKeyTradesAtTheFake) { TradesWith(testing::GenerateRsa(2048), "rsa-2048"); }

TEST(BinanceKeys, TheWrongPrivateKeyIsRefusedWith1022) {
  for (const auto& [registered, used] :
       {std::pair{testing::GenerateEd25519(), testing::GenerateEd25519()}, std::pair{testing::GenerateRsa(2048), testing::GenerateRsa(2048)}}) {
    Env env;
    ASSERT_TRUE(env.fake.RegisterApiKey("asym-api-key-0123456789", registered.public_pem).ok());
    BinanceExchange ex(env.Options(), "asym-api-key-0123456789", Secret(used.private_pem), env.clock);
    Status s = ex.Start();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_NE(s.message().find("[-1022] Signature for this request is not valid."), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(used.private_pem.substr(28, 20)), std::string::npos);
    // An HMAC secret on an asymmetric key's API key is just as wrong.
    RestOptions ro;
    ro.base_url = env.fake.rest_url();
    RestClient hmac(ro, "asym-api-key-0123456789", Secret(env.fake.options().api_secret), MakeCurlTransport(), env.clock);
    RestRequest acct;
    acct.path = "/fapi/v2/account";
    acct.security = Security::kSigned;
    auto r = hmac.Call(acct);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("-1022"), std::string::npos) << r.status().message();
  }
}

TEST(BinanceKeys, AnUnregisteredApiKeyIs2015) {
  Env env;
  const auto key = testing::GenerateEd25519();
  BinanceExchange ex(env.Options(), "never-registered-key-0123", Secret(key.private_pem), env.clock);
  Status s = ex.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("-2015"), std::string::npos) << s.message();
}

// The fake checks the signature as Binance does: the base64 is read after the parameters'
// percent-decoding, so a '+' sent raw arrives as ' ' and the signature is invalid.
TEST(BinanceKeys, ASignatureSentWithoutPercentEncodingIsRefused) {
  Env env;
  const auto key = testing::GenerateRsa(2048);
  ASSERT_TRUE(env.fake.RegisterApiKey("rsa-api-key-0123456789", key.public_pem).ok());
  auto signer = Signer::Create(Secret(key.private_pem));
  ASSERT_TRUE(signer.ok());
  auto transport = MakeCurlTransport();
  int with_plus = 0;
  for (int i = 0; i < 50 && with_plus < 2; ++i) {
    const std::string payload = "recvWindow=5000&timestamp=" + std::to_string(kStart - i);
    auto sig = signer->Sign(payload);
    ASSERT_TRUE(sig.ok());
    for (bool encoded : {true, false}) {
      HttpCall call;
      call.url = env.fake.rest_url() + "/fapi/v2/account?" + payload + "&signature=" + (encoded ? PercentEncode(*sig) : *sig);
      call.headers.emplace_back("X-MBX-APIKEY", "rsa-api-key-0123456789");
      auto reply = transport->Send(call, HttpLimits{});
      ASSERT_TRUE(reply.ok()) << reply.status().ToString();
      const bool breaks = sig->find('+') != std::string::npos;
      if (encoded || !breaks) {
        EXPECT_EQ(reply->status, 200) << reply->body;
      } else {
        EXPECT_EQ(reply->status, 400);
        EXPECT_NE(reply->body.find("-1022"), std::string::npos) << reply->body;
        ++with_plus;
      }
    }
  }
  EXPECT_EQ(with_plus, 2) << "no signature with a '+' in 50 tries";
}

TEST(BinanceKeys, AnUnusableSecretStopsTheStartWithoutShowingIt) {
  Env env;
  const auto key = testing::GenerateRsa(2048);
  ASSERT_TRUE(env.fake.RegisterApiKey("rsa-api-key-0123456789", key.public_pem).ok());
  const std::string pkcs1 = testing::Pkcs1Pem(key);
  BinanceExchange ex(env.Options(), "rsa-api-key-0123456789", Secret(pkcs1), env.clock);
  EXPECT_FALSE(ex.rest().key_status().ok());
  Status s = ex.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("PKCS#1"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(pkcs1.substr(32, 24)), std::string::npos);
}

TEST(BinanceKeys, RegisterApiKeyTakesOnlyPublicKeys) {
  Env env;
  const auto ed = testing::GenerateEd25519();
  EXPECT_FALSE(env.fake.RegisterApiKey("k-0123456789", ed.private_pem).ok()) << "a private key";
  EXPECT_FALSE(env.fake.RegisterApiKey("k-0123456789", testing::GenerateEcP256().public_pem).ok()) << "EC";
  EXPECT_FALSE(env.fake.RegisterApiKey("k-0123456789", "garbage").ok());
  EXPECT_FALSE(env.fake.RegisterApiKey(env.fake.options().api_key, ed.public_pem).ok()) << "the HMAC key's name";
  EXPECT_TRUE(env.fake.RegisterApiKey("k-0123456789", ed.public_pem).ok());
}

}  // namespace
}  // namespace aitrader::exchange::binance
