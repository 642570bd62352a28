// The API on PostgreSQL: the same binary against a throwaway PostgreSQL 15 server on a
// loopback port (tests/support/postgres_server.*) — accounts and refresh rotation, bots,
// credentials, the runtime's per-bar transactions and the stream replay from bot_events.
#include <gtest/gtest.h>

#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "support/postgres_server.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

TEST(ServeOnPostgres, TheMainFlowsWork) {
  std::string why;
  PostgresServer* pg = PostgresServer::Shared(&why);
  if (pg == nullptr) GTEST_SKIP() << "no PostgreSQL: " << why;
  const std::string url = pg->CreateDatabase(&why);
  ASSERT_FALSE(url.empty()) << why;
  ServeProcess server;
  ServeProcess::Options o;
  o.database = url;
  o.env = {{"AITRADER_JWT_SECRET", "pg-test-secret-pg-test-secret-pg-test!!"}};
  o.args = {"--speed", "7200"};
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser alice = RegisterAndLogin(c, "alice@example.com");
  TestUser bob = RegisterAndLogin(c, "bob@example.com");
  EXPECT_EQ(c.Post("/api/auth/register", json::object{{"email", "alice@example.com"}, {"password", "0123456789"}}).status, 409);
  auto r = c.Post("/api/auth/refresh", json::object{{"refresh_token", alice.refresh_token}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(c.Post("/api/auth/refresh", json::object{{"refresh_token", alice.refresh_token}}).status, 401);

  r = c.Post("/api/bots", json::object{{"name", "pg"}}, alice.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::int64_t id = r.json.at("id").as_int64();
  EXPECT_EQ(c.Post("/api/bots", json::object{{"name", "pg"}}, alice.access_token).status, 409);
  EXPECT_EQ(c.Get("/api/bots/" + std::to_string(id), bob.access_token).status, 404);
  ASSERT_EQ(c.Send("PUT", "/api/credentials/openai", json::object{{"api_key", "sk-proj-0123456789abcd"}}, alice.access_token).status, 204);
  EXPECT_EQ(c.Get("/api/credentials", alice.access_token).json.at("items").as_array().front().at("last4").as_string(), "abcd");

  ASSERT_EQ(c.Post("/api/bots/" + std::to_string(id) + "/start", nullptr, alice.access_token).status, 202);
  WsClient ws(server.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/bots/" + std::to_string(id) + "/stream?since=0", {{"Authorization", "Bearer " + alice.access_token}}, &refused));
  for (std::int64_t expect = 1; expect <= 25; ++expect) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m) << expect;
    ASSERT_EQ(json::parse(*m).at("seq").as_int64(), expect);
  }
  r = c.Get("/api/bots/" + std::to_string(id) + "/decisions", alice.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.json.at("items").as_array().empty());
  r = c.Post("/api/bots/" + std::to_string(id) + "/emergency-stop", nullptr, alice.access_token);
  ASSERT_EQ(r.status, 202);
  EXPECT_TRUE(c.Get("/api/bots/" + std::to_string(id) + "/positions", alice.access_token).json.at("items").as_array().empty());
  EXPECT_EQ(c.Get("/api/ready").status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace aitrader::testing
