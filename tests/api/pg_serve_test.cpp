// The API on PostgreSQL: the same binary against a throwaway PostgreSQL 15 server on a
// loopback port (tests/support/postgres_server.*) — accounts and refresh rotation, bots,
// credentials, the runtime's per-bar transactions and the stream replay from bot_events,
// prompt templates, dry runs (migration 7's partial unique index) and alert acknowledgement.
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
  // A dry run of the running bot: stored beside the real cycles under the cycle it previews,
  // which then comes as a real cycle too.
  r = c.Post("/api/bots/" + std::to_string(id) + "/dry-run", nullptr, alice.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.at("dry_run").as_bool());
  const std::int64_t previewed = r.json.at("cycle").as_int64();
  EXPECT_EQ(c.Post("/api/bots/" + std::to_string(id) + "/dry-run", nullptr, bob.access_token).status, 404);
  bool came = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!came && std::chrono::steady_clock::now() < until) {
    auto d = c.Get("/api/bots/" + std::to_string(id) + "/decisions?dry_run=false&limit=5", alice.access_token);
    for (const auto& x : d.json.at("items").as_array()) came = came || x.at("cycle").as_int64() == previewed;
    if (!came) std::this_thread::yield();
  }
  EXPECT_TRUE(came) << "the real cycle " << previewed << " after its dry run";
  r = c.Get("/api/bots/" + std::to_string(id) + "/decisions?dry_run=true", alice.access_token);
  ASSERT_EQ(r.json.at("items").as_array().size(), 1u);
  // Prompt templates: the owner's.
  r = c.Post("/api/prompts",
             json::object{{"name", "pg"},
                          {"text", "Trade {{coins}}. Answer in JSON: coin, signal (buy_to_enter, sell_to_enter, hold, "
                                   "close_position), quantity, leverage, profit_target, stop_loss, invalidation_condition, "
                                   "confidence, risk_usd, justification."}},
             alice.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string tmpl(r.json.at("id").as_string());
  EXPECT_EQ(c.Delete("/api/prompts/" + tmpl, bob.access_token).status, 404);
  EXPECT_EQ(c.Get("/api/prompts", alice.access_token).json.at("items").as_array().back().at("id").as_string(), tmpl);
  EXPECT_EQ(c.Delete("/api/prompts/" + tmpl, alice.access_token).status, 204);
  r = c.Post("/api/bots/" + std::to_string(id) + "/emergency-stop", nullptr, alice.access_token);
  ASSERT_EQ(r.status, 202);
  EXPECT_TRUE(c.Get("/api/bots/" + std::to_string(id) + "/positions", alice.access_token).json.at("items").as_array().empty());
  // The emergency stop's alert, acknowledged once.
  r = c.Get("/api/alerts?unacknowledged=true", alice.access_token);
  ASSERT_FALSE(r.json.at("items").as_array().empty()) << r.body;
  const std::string ack = "/api/alerts/" + std::to_string(r.json.at("items").as_array().front().at("id").as_int64()) + "/ack";
  EXPECT_EQ(c.Post(ack, nullptr, bob.access_token).status, 404);
  r = c.Post(ack, nullptr, alice.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::int64_t when = r.json.at("acknowledged_at").as_int64();
  EXPECT_EQ(c.Post(ack, nullptr, alice.access_token).json.at("acknowledged_at").as_int64(), when);
  EXPECT_EQ(c.Get("/api/ready").status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace aitrader::testing
