#include "api/server_config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace aitrader::api {
namespace {

TEST(ServerConfig, DefaultsAndValues) {
  auto c = ParseServerConfig(R"({"port": 9000, "limits": {"body_bytes": 2048, "max_connections": 3},
                                 "cors_origins": ["http://localhost:5173"], "from": "2025-10-27"})",
                             "server.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->limits.body_bytes, 2048u);
  EXPECT_EQ(c->limits.max_connections, 3);
  EXPECT_EQ(c->limits.header_bytes, 16u * 1024);
  EXPECT_EQ(c->cors_origins, std::vector<std::string>{"http://localhost:5173"});
  ASSERT_TRUE(c->from.has_value());
  EXPECT_EQ(*c->from, *ParseUtc("2025-10-27"));
  auto d = ParseServerConfig("{}", "x");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->limits.body_bytes, 1u << 20);
  EXPECT_EQ(d->access_token_ttl_s, 900);
  EXPECT_TRUE(d->cors_origins.empty());
  EXPECT_FALSE(d->allow_live) << "real money is off unless the operator turns it on";
  EXPECT_EQ(d->live_min_record_days, 7);
  auto live = ParseServerConfig(R"({"allow_live": true, "live_min_record_days": 14})", "s");
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_TRUE(live->allow_live);
  EXPECT_EQ(live->live_min_record_days, 14);
  auto bad = ParseServerConfig(R"({"live_min_record_days": 0})", "s");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("live_min_record_days"), std::string::npos);
}

TEST(ServerConfig, UnknownKeysNameTheirPath) {
  auto c = ParseServerConfig(R"({"prot": 1})", "server.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "server.json: prot: unknown key");
  c = ParseServerConfig(R"({"limits": {"body_byte": 1}})", "server.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "server.json: limits.body_byte: unknown key");
  c = ParseServerConfig(R"({"login_throttle": {"per_acount": 1}})", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "s: login_throttle.per_acount: unknown key");
}

TEST(ServerConfig, BadValuesNameTheirPath) {
  auto c = ParseServerConfig(R"({"port": "80"})", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("s: port: must be an integer"), std::string::npos);
  c = ParseServerConfig(R"({"limits": {"body_bytes": 10}})", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("limits.body_bytes"), std::string::npos);
  c = ParseServerConfig(R"({"jwt_secret": "short"})", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("jwt_secret: must be at least 32 bytes"), std::string::npos);
  EXPECT_EQ(c.status().message().find("short"), std::string::npos) << "a secret is never echoed";
  c = ParseServerConfig("{", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kParseError);
  c = ParseServerConfig(R"({"cors_origins": [1]})", "s");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cors_origins[0]"), std::string::npos);
}

std::map<std::string, std::string>* g_env = nullptr;
const char* FakeEnv(const char* name) {
  auto it = g_env->find(name);
  return it == g_env->end() ? nullptr : it->second.c_str();
}

TEST(ServerConfig, EnvironmentOverrides) {
  std::map<std::string, std::string> env = {{"AITRADER_DATABASE_URL", "postgresql://u@127.0.0.1:5/db"},
                                            {"AITRADER_PORT", "8123"},
                                            {"AITRADER_JWT_SECRET", std::string(40, 'k')}};
  g_env = &env;
  ServerConfig c;
  ASSERT_TRUE(ApplyEnvironment(c, &FakeEnv).ok());
  EXPECT_EQ(c.database, "postgresql://u@127.0.0.1:5/db");
  EXPECT_EQ(c.port, 8123);
  EXPECT_EQ(c.jwt_secret, std::string(40, 'k'));
  env["AITRADER_PORT"] = "80x";
  Status s = ApplyEnvironment(c, &FakeEnv);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("AITRADER_PORT"), std::string::npos);
  env["AITRADER_PORT"] = "8123";
  env["AITRADER_JWT_SECRET"] = "tooshort";
  s = ApplyEnvironment(c, &FakeEnv);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("tooshort"), std::string::npos);
  g_env = nullptr;
}

TEST(ServerConfig, MarketFeedAndBinanceVenues) {
  auto d = ParseServerConfig("{}", "s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->market, "replay");
  EXPECT_EQ(d->binance.rest_url, "https://fapi.binance.com");
  EXPECT_EQ(d->binance.testnet_rest_url, "https://demo-fapi.binance.com");
  auto c = ParseServerConfig(R"({"market": "binance", "exchange": {"binance": {"testnet_rest_url": "http://127.0.0.1:9",
      "recv_window_ms": 3000}}})", "s");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->market, "binance");
  EXPECT_EQ(c->binance.testnet_rest_url, "http://127.0.0.1:9");
  EXPECT_EQ(c->binance.recv_window_ms, 3000);
  auto bad = ParseServerConfig(R"({"market": "kraken"})", "s");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("market"), std::string::npos);
  bad = ParseServerConfig(R"({"exchange": {"binance": {"rest_ur": "x"}}})", "s");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("exchange.binance.rest_ur: unknown key"), std::string::npos) << bad.status().message();
  bad = ParseServerConfig(R"({"exchange": {"kraken": {}}})", "s");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("exchange.kraken"), std::string::npos) << bad.status().message();
  bad = ParseServerConfig(R"({"exchange": {"binance": {"rest_url": "http://fapi.binance.com"}}})", "s");
  ASSERT_FALSE(bad.ok()) << "keys never travel in clear text to a remote host";
  EXPECT_NE(bad.status().message().find("exchange.binance.rest_url"), std::string::npos);

  std::map<std::string, std::string> env = {{"AITRADER_MARKET", "binance"},
                                            {"AITRADER_BINANCE_WS_URL", "ws://127.0.0.1:7"},
                                            {"AITRADER_BINANCE_TESTNET_REST_URL", "http://127.0.0.1:8"}};
  g_env = &env;
  ServerConfig e;
  ASSERT_TRUE(ApplyEnvironment(e, &FakeEnv).ok());
  EXPECT_EQ(e.market, "binance");
  EXPECT_EQ(e.binance.ws_url, "ws://127.0.0.1:7");
  EXPECT_EQ(e.binance.testnet_rest_url, "http://127.0.0.1:8");
  env["AITRADER_MARKET"] = "live";
  EXPECT_FALSE(ApplyEnvironment(e, &FakeEnv).ok());
  env["AITRADER_MARKET"] = "binance";
  env["AITRADER_BINANCE_REST_URL"] = "http://example.com";
  Status s = ApplyEnvironment(e, &FakeEnv);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rest_url"), std::string::npos);
  g_env = nullptr;
}

}  // namespace
}  // namespace aitrader::api
