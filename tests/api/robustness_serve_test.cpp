// Never a 500 for a client's mistake: seeded mutations of valid bodies (byte flips,
// truncations, inserted bytes, values swapped for other JSON types, deep nesting) sent to
// every route that takes a body. Each answer must be a client-error status in the JSON
// envelope, and the server must keep serving.
#include <gtest/gtest.h>

#include <random>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

std::string Mutate(const std::string& s, std::mt19937& rng) {
  std::string out = s;
  std::uniform_int_distribution<int> kind(0, 5);
  auto pos = [&](std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  switch (kind(rng)) {
    case 0:  // flip a byte
      if (!out.empty()) out[pos(out.size())] = static_cast<char>(rng() & 0xff);
      break;
    case 1:  // truncate
      out.resize(pos(out.size() + 1));
      break;
    case 2:  // insert a structural character
      out.insert(pos(out.size() + 1), 1, "{}[]\",:\\0-e"[rng() % 11]);
      break;
    case 3: {  // replace a value by another JSON type
      static const char* kValues[] = {"null", "true", "1e999", "-0", "[]", "{}", "\"\"", "18446744073709551616",
                                      "\"\\u0000\"", "\"\\ud800\"", "0.0000000001"};
      auto colon = out.find(':', pos(out.size()));
      if (colon != std::string::npos) {
        auto end = out.find_first_of(",}", colon);
        if (end != std::string::npos) out = out.substr(0, colon + 1) + kValues[rng() % 11] + out.substr(end);
      }
      break;
    }
    case 4:  // deep nesting
      out = std::string(64, '[') + out + std::string(64, ']');
      break;
    default:  // invalid UTF-8 inside a string
      if (auto q = out.find('"'); q != std::string::npos) out.insert(q + 1, "\xc3\x28\xff");
      break;
  }
  return out;
}

TEST(Robustness, MutatedBodiesNeverGiveA500) {
  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "robust-test-secret-robust-test-secret!"}};
  o.args = {"--speed", "1"};
  std::string why;
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser u = RegisterAndLogin(c, "robust@example.com");
  auto bot = c.Post("/api/bots", json::object{{"name", "r"}}, u.access_token);
  ASSERT_EQ(bot.status, 201);
  const std::string bot_path = "/api/bots/" + std::to_string(bot.json.at("id").as_int64());
  struct Target {
    std::string method, path, body;
    bool auth;
  };
  const std::vector<Target> targets = {
      {"POST", "/api/auth/register", R"({"email":"x@example.com","password":"0123456789"})", false},
      {"POST", "/api/auth/login", R"({"email":"robust@example.com","password":"wrong-password"})", false},
      {"POST", "/api/auth/refresh", R"({"refresh_token":"rt_abc"})", false},
      {"POST", "/api/auth/logout", R"({"refresh_token":"rt_abc"})", false},
      {"POST", "/api/bots",
       R"({"name":"m","symbols":["BTC","ETH"],"capital":"100","risk":{"max_leverage":3,"min_reward_risk":"1.5"},"model":"llm","llm":{"provider":"openai","model":"gpt"}})",
       true},
      {"PATCH", bot_path, R"({"label":"x","cadence":"2h","risk":{"max_open_positions":2}})", true},
      {"PUT", "/api/credentials/openai", R"({"api_key":"sk-0123456789abcdef","api_secret":"s"})", true},
      {"POST", "/api/backtests", R"({"bot":{"name":"b","symbols":["BTC"]},"from":1,"to":2,"confirm_cost":false})", true},
      {"POST", "/api/prompts/preview", R"({"bot":{"name":"p","symbols":["BTC","ETH"],"capital":"100"}})", true},
      {"POST", "/api/prompts",
       R"({"name":"t","text":"{{coins}} JSON signal buy_to_enter sell_to_enter hold close_position quantity leverage profit_target stop_loss invalidation_condition confidence risk_usd justification"})",
       true},
  };
  std::mt19937 rng(20261201);
  int answered = 0;
  for (int round = 0; round < 60; ++round) {
    for (const auto& t : targets) {
      const std::string body = Mutate(t.body, rng);
      std::map<std::string, std::string> h = {{"Content-Type", "application/json"}};
      if (t.auth) h["Authorization"] = "Bearer " + u.access_token;
      auto r = c.Request(t.method, t.path, body, h);
      ASSERT_NE(r.status, 0) << t.path << " " << body << ": " << r.error;
      // 429: the login throttle (a client's doing, too).
      const bool client_error = r.status >= 400 && r.status < 500;
      const bool ok = r.status == 200 || r.status == 201 || r.status == 202 || r.status == 204;
      EXPECT_TRUE(client_error || ok) << t.method << " " << t.path << " " << body << " → " << r.status << " " << r.body;
      if (client_error) {
        EXPECT_FALSE(r.error_code().empty()) << body << " → " << r.body;
      }
      ++answered;
    }
  }
  EXPECT_EQ(answered, 60 * static_cast<int>(targets.size()));
  EXPECT_EQ(c.Get("/api/health").status, 200);
  EXPECT_EQ(server.Stop(), 0) << "a clean exit after all of it";
}

}  // namespace
}  // namespace aitrader::testing
