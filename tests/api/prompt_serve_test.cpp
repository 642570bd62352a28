// POST /api/prompts/preview against the real binary: the prompt is the one `aitrader prompt`
// renders for a fresh bot with the same coins, interval, capital and time (the runtime's
// market time), with a token estimate; and its failures. Users' prompt templates (POST, GET,
// DELETE /api/prompts): validated as the engine validates system prompt templates and kept to
// the answer format; the owner's only; named by bots as "user:<id>".
#include <gtest/gtest.h>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "core/time.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

TEST(PromptPreview, IsThePromptAFreshBotSendsAtTheMarketTime) {
  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "preview-test-secret-preview-test-secret"}};
  std::string why;
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser u = RegisterAndLogin(c, "preview@example.com");
  json::object spec{{"name", "p"}, {"symbols", json::array{"BTC", "SOL"}}, {"capital", "2500"}};
  auto r = c.Post("/api/prompts/preview", json::object{{"bot", spec}}, u.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::int64_t at = r.json.at("at").as_int64();
  EXPECT_GT(at, 0);
  EXPECT_FALSE(r.json.at("sent_to_model").as_bool());  // the baseline sends none
  const std::string system(r.json.at("system").as_string()), user(r.json.at("user").as_string());
  EXPECT_EQ(r.json.at("token_estimate").as_int64(),
            static_cast<std::int64_t>((system.size() + 3) / 4 + (user.size() + 3) / 4));

  // The same prompt from the CLI (a fresh bot at that time, 1h candles, capital 2500).
  std::string out;
  ASSERT_EQ(ServeProcess::RunToExit({"prompt", "--at", FormatUtc(at), "--symbols", "BTC,SOL", "--interval", "1h",
                                     "--capital", "2500", "--only", "user"},
                                    &out),
            0)
      << out;
  EXPECT_EQ(user, out);
  out.clear();
  ASSERT_EQ(ServeProcess::RunToExit({"prompt", "--at", FormatUtc(at), "--symbols", "BTC,SOL", "--interval", "1h",
                                     "--capital", "2500", "--only", "system"},
                                    &out),
            0)
      << out;
  EXPECT_EQ(system, out);
  EXPECT_EQ(user.find("ETH"), std::string::npos) << "only the bot's coins";

  // Failures name the field.
  r = c.Post("/api/prompts/preview", json::object{}, u.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "bot");
  r = c.Post("/api/prompts/preview", json::object{{"bot", 3}}, u.access_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "bot");
  r = c.Post("/api/prompts/preview", json::object{{"bot", json::object{{"name", "p"}, {"symbols", json::array{"NOPE"}}}}},
             u.access_token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_field().rfind("bot.symbols", 0), 0u) << r.body;
  r = c.Post("/api/prompts/preview", json::object{{"bot", spec}, {"at", 5}}, u.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "at");
  EXPECT_EQ(c.Post("/api/prompts/preview", json::object{{"bot", spec}}).status, 401);
  EXPECT_EQ(server.Stop(), 0);
}

std::string ValidTemplate(const std::string& marker) {
  return "You trade {{coins}} (" + marker + "). Answer with one JSON object: per coin {\"trade_signal_args\": "
         "{coin, signal (buy_to_enter, sell_to_enter, hold or close_position), quantity, leverage up to "
         "{{max_leverage}}, profit_target, stop_loss, invalidation_condition, confidence, risk_usd, justification}}.";
}

TEST(PromptTemplates, AreTheOwnersValidatedAndNamedByBots) {
  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "template-test-secret-template-test-secr"}};
  o.args = {"--speed", "1"};
  std::string why;
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser alice = RegisterAndLogin(c, "alice@example.com");
  TestUser bob = RegisterAndLogin(c, "bob@example.com");

  auto r = c.Post("/api/prompts", json::object{{"name", "cautious"}, {"text", ValidTemplate("ALICE-1")}}, alice.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id(r.json.at("id").as_string());
  EXPECT_EQ(id.rfind("user:", 0), 0u) << id;
  EXPECT_EQ(r.header("location"), "/api/prompts/" + id);
  EXPECT_EQ(r.json.at("kind").as_string(), "template");
  EXPECT_EQ(r.json.at("name").as_string(), "cautious");
  EXPECT_FALSE(r.json.at("default").as_bool());
  EXPECT_GT(r.json.at("created_at").as_int64(), 0);

  // Listed for alice after the system prompts; never for bob.
  r = c.Get("/api/prompts", alice.access_token);
  ASSERT_EQ(r.status, 200);
  const auto& items = r.json.at("items").as_array();
  ASSERT_GE(items.size(), 2u);
  EXPECT_EQ(items.front().at("kind").as_string(), "system");
  EXPECT_EQ(items.back().at("id").as_string(), id);
  EXPECT_NE(items.back().at("text").as_string().find("ALICE-1"), std::string::npos);
  r = c.Get("/api/prompts", bob.access_token);
  for (const auto& p : r.json.at("items").as_array()) EXPECT_EQ(p.at("kind").as_string(), "system") << "not alice's";

  // Refusals name the field and say what is wrong.
  std::string dropped = ValidTemplate("X");
  dropped.replace(dropped.find("stop_loss, "), 11, "");
  r = c.Post("/api/prompts", json::object{{"name", "no-stop"}, {"text", dropped}}, alice.access_token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_field(), "text");
  EXPECT_NE(r.body.find("stop_loss"), std::string::npos) << "names what is missing: " << r.body;
  r = c.Post("/api/prompts", json::object{{"name", "no-format"}, {"text", "You are a trader. Trade well."}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "text");
  EXPECT_NE(r.body.find("profit_target"), std::string::npos) << r.body;
  r = c.Post("/api/prompts", json::object{{"name", "typo"}, {"text", ValidTemplate("Y") + " {{coin_list}}"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "text");
  EXPECT_NE(r.body.find("coin_list"), std::string::npos) << "the engine's placeholder check: " << r.body;
  r = c.Post("/api/prompts", json::object{{"name", "open"}, {"text", ValidTemplate("Y") + " {{coins"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "text");
  r = c.Post("/api/prompts", json::object{{"name", "big"}, {"text", ValidTemplate("Z") + std::string(40000, ' ')}},
             alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "text");
  r = c.Post("/api/prompts", json::object{{"text", ValidTemplate("Z")}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "name");
  r = c.Post("/api/prompts", json::object{{"name", "no-text"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "text");
  r = c.Post("/api/prompts", json::object{{"name", std::string(65, 'n')}, {"text", ValidTemplate("Z")}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "name");
  r = c.Post("/api/prompts", json::object{{"name", "typed"}, {"text", 5}}, alice.access_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "text");
  r = c.Post("/api/prompts", json::object{{"name", "x"}, {"text", ValidTemplate("Z")}, {"kind", "system"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "kind");
  r = c.Post("/api/prompts", json::object{{"name", "cautious"}, {"text", ValidTemplate("AGAIN")}}, alice.access_token);
  EXPECT_EQ(r.status, 409) << "one name per user";
  EXPECT_EQ(r.error_field(), "name");
  EXPECT_EQ(c.Post("/api/prompts", json::object{{"name", "cautious"}, {"text", ValidTemplate("BOB")}}, bob.access_token).status,
            201)
      << "bob's names are his own";
  EXPECT_EQ(c.Post("/api/prompts", json::object{{"name", "n"}, {"text", ValidTemplate("Z")}}).status, 401);
  EXPECT_EQ(c.Get("/api/prompts").status, 401);

  // Bots name it: alice's bot may, bob's may not; an unknown system prompt is refused too.
  json::object spec{{"name", "templated"}, {"symbols", json::array{"BTC"}}, {"prompt_version", id}};
  r = c.Post("/api/bots", spec, alice.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string bot = "/api/bots/" + std::to_string(r.json.at("id").as_int64());
  r = c.Post("/api/bots", spec, bob.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "prompt_version");
  r = c.Post("/api/bots", json::object{{"name", "v9"}, {"prompt_version", "aa-v9"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "prompt_version");
  r = c.Send("PATCH", bot, json::object{{"prompt_version", "user:999999"}}, alice.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "prompt_version");
  r = c.Post("/api/prompts/preview", json::object{{"bot", spec}}, bob.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "bot.prompt_version");
  // Backtests too: the owner's (tests/api/backtest_serve_test.cpp, BacktestTemplates, checks
  // what the model gets), not bob's.
  const json::object period_body{{"bot", spec}, {"from", 1758672000000LL}, {"to", 1758758400000LL}};
  r = c.Post("/api/backtests", period_body, bob.access_token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_field(), "bot.prompt_version");
  r = c.Post("/api/backtests", period_body, alice.access_token);
  EXPECT_EQ(r.status, 202) << r.body;

  // Deleting: not bob; not while a bot names it; not a system prompt; then gone.
  EXPECT_EQ(c.Delete("/api/prompts/" + id, bob.access_token).status, 404);
  r = c.Delete("/api/prompts/" + id, alice.access_token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code(), "template_in_use");
  EXPECT_EQ(c.Delete("/api/prompts/aa-v1", alice.access_token).status, 404);
  EXPECT_EQ(c.Delete("/api/prompts/" + id).status, 401);
  ASSERT_EQ(c.Send("PATCH", bot, json::object{{"prompt_version", nullptr}}, alice.access_token).status, 200);
  EXPECT_EQ(c.Delete("/api/prompts/" + id, alice.access_token).status, 204);
  EXPECT_EQ(c.Delete("/api/prompts/" + id, alice.access_token).status, 404);
  r = c.Get("/api/prompts", alice.access_token);
  for (const auto& p : r.json.at("items").as_array()) EXPECT_NE(p.at("id").as_string(), id);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace aitrader::testing
