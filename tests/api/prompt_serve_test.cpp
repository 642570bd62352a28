// POST /api/prompts/preview against the real binary: the prompt is the one `aitrader prompt`
// renders for a fresh bot with the same coins, interval, capital and time (the runtime's
// market time), with a token estimate; and its failures.
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

}  // namespace
}  // namespace aitrader::testing
