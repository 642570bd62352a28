#include <gtest/gtest.h>

#include <map>

#include "exchange/binance/config.hpp"

namespace aitrader::exchange::binance {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(BinanceConfig, DefaultsFileAndEnvironment) {
  auto d = LoadBinanceConfig("", Env({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rest_url, "https://fapi.binance.com");
  EXPECT_EQ(d->testnet_rest_url, "https://demo-fapi.binance.com");
  EXPECT_EQ(d->testnet_ws_url, "wss://fstream.binancefuture.com");
  EXPECT_EQ(d->recv_window_ms, 5000);

  auto f = LoadBinanceConfig(R"({"database":"x","exchange":{"binance":{"testnet_rest_url":"http://127.0.0.1:9000",
      "testnet_ws_url":"ws://127.0.0.1:9000","recv_window_ms":3000}}})",
                             Env({{"AITRADER_BINANCE_WS_URL", "wss://fstream.example"}}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->testnet_rest_url, "http://127.0.0.1:9000");
  EXPECT_EQ(f->ws_url, "wss://fstream.example");
  EXPECT_EQ(f->recv_window_ms, 3000);
  auto o = OptionsFor(*f, TradingMode::kTestnet);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->rest.base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(o->ws_url, "ws://127.0.0.1:9000");
  EXPECT_EQ(o->rest.recv_window_ms, 3000);
  EXPECT_EQ(OptionsFor(*f, TradingMode::kLive)->rest.base_url, "https://fapi.binance.com");
  EXPECT_FALSE(OptionsFor(*f, TradingMode::kPaper).ok());
}

TEST(BinanceConfig, ErrorsNameThePath) {
  auto unknown = LoadBinanceConfig(R"({"exchange":{"binance":{"rest_ur":"https://x"}}})", Env({}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("exchange.binance.rest_ur"), std::string::npos);
  auto window = LoadBinanceConfig(R"({"exchange":{"binance":{"recv_window_ms":70000}}})", Env({}));
  ASSERT_FALSE(window.ok());
  EXPECT_NE(window.status().message().find("recv_window_ms"), std::string::npos);
  // Keys must not travel in clear text to a remote host.
  auto clear = LoadBinanceConfig("", Env({{"AITRADER_BINANCE_REST_URL", "http://fapi.binance.com"}}));
  ASSERT_FALSE(clear.ok());
  EXPECT_NE(clear.status().message().find("https://"), std::string::npos);
  EXPECT_FALSE(LoadBinanceConfig("", Env({{"AITRADER_BINANCE_TESTNET_WS_URL", "ws://127.0.0.1.evil.com"}})).ok());
  EXPECT_FALSE(LoadBinanceConfig("{", Env({})).ok());
}

TEST(BinanceConfig, CredentialsFromTheEnvironment) {
  auto none = CredentialsFromEnv(TradingMode::kTestnet, Env({}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("BINANCE_TESTNET_API_KEY"), std::string::npos);
  auto t = CredentialsFromEnv(TradingMode::kTestnet, Env({{"BINANCE_TESTNET_API_KEY", "tk"}, {"BINANCE_TESTNET_API_SECRET", "ts"},
                                                          {"BINANCE_API_KEY", "lk"}, {"BINANCE_API_SECRET", "ls"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->api_key, "tk");
  EXPECT_EQ(t->api_secret.reveal(), "ts");
  auto l = CredentialsFromEnv(TradingMode::kLive, Env({{"BINANCE_API_KEY", "lk"}, {"BINANCE_API_SECRET", "ls"}}));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->api_key, "lk");
  EXPECT_FALSE(CredentialsFromEnv(TradingMode::kPaper, Env({})).ok());
}

}  // namespace
}  // namespace aitrader::exchange::binance
