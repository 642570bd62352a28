// POST/GET /api/backtests against the real binary: a baseline backtest runs to done with the
// full report, is listed for its owner only (another user's is 404); the failures (period
// outside the data, missing or mistyped fields, bot and bot_id together, another user's
// bot_id, an invalid spec, a paid model without confirm_cost) and the concurrency limit
// (429 with Retry-After while a backtest on a slow mock model runs).
#include <gtest/gtest.h>

#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "core/time.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

// Polls GET /api/backtests/{id} until its status is one of `want` (deadline); the last answer.
HttpResult WaitForStatus(HttpClient& c, std::int64_t id, const TestUser& u, const std::vector<std::string>& want) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  HttpResult r;
  while (std::chrono::steady_clock::now() < until) {
    r = c.Get("/api/backtests/" + std::to_string(id), u.access_token);
    if (r.status != 200) return r;
    const std::string s(r.json.at("status").as_string());
    for (const auto& w : want) {
      if (s == w) return r;
    }
    std::this_thread::yield();
  }
  return r;
}

class BacktestServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "backtest-test-secret-backtest-test-secret"}};
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
    c_ = std::make_unique<HttpClient>(server_.port());
    alice_ = RegisterAndLogin(*c_, "alice@example.com");
    bob_ = RegisterAndLogin(*c_, "bob@example.com");
    now_ = c_->Get("/api/health").json.at("market_time").as_int64();
  }
  void TearDown() override { EXPECT_EQ(server_.Stop(), 0); }
  json::object Spec() { return json::object{{"name", "bt"}, {"symbols", json::array{"BTC", "ETH"}}}; }
  ServeProcess server_;
  std::unique_ptr<HttpClient> c_;
  TestUser alice_, bob_;
  std::int64_t now_ = 0;
};

TEST_F(BacktestServeTest, ABaselineBacktestRunsToDoneWithTheReportForItsOwnerOnly) {
  auto r = c_->Post("/api/backtests", json::object{{"bot", Spec()}, {"from", now_ - 3 * kDayMs}, {"to", now_}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::int64_t id = r.json.at("id").as_int64();
  r = WaitForStatus(*c_, id, alice_, {"done", "failed"});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("status").as_string(), "done") << r.body;
  EXPECT_EQ(r.json.at("progress").to_number<double>(), 1.0);
  const auto& report = r.json.at("report").as_object();
  EXPECT_EQ(report.at("from").as_string(), FormatUtc(now_ - 3 * kDayMs));
  EXPECT_EQ(report.at("to").as_string(), FormatUtc(now_));
  EXPECT_EQ(r.json.at("from").as_int64(), now_ - 3 * kDayMs);
  ASSERT_EQ(report.at("bots").as_array().size(), 1u);
  EXPECT_EQ(report.at("bots").as_array()[0].at("name").as_string(), "bt");
  EXPECT_GT(report.at("cycles").as_int64(), 0);

  // The list: alice's only, without reports; bob sees none and gets 404 for alice's.
  r = c_->Get("/api/backtests", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(r.json.at("items").as_array()[0].at("id").as_int64(), id);
  EXPECT_FALSE(r.json.at("items").as_array()[0].as_object().contains("report"));
  EXPECT_TRUE(r.json.at("next_cursor").is_null());
  r = c_->Get("/api/backtests", bob_.access_token);
  EXPECT_TRUE(r.json.at("items").as_array().empty()) << r.body;
  r = c_->Get("/api/backtests/" + std::to_string(id), bob_.access_token);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(c_->Get("/api/backtests/" + std::to_string(id)).status, 401);
  EXPECT_EQ(c_->Get("/api/backtests/999999", alice_.access_token).status, 404);
}

// Progress on the stream: the owner's `/api/stream` gets `backtest` events (seq 0, bot_id null)
// from running to done, progress never going back; another user's stream gets none of them.
TEST_F(BacktestServeTest, ProgressArrivesOnTheOwnersStream) {
  WsClient alice_ws(server_.port());
  WsClient bob_ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(alice_ws.Connect("/api/stream", {{"Authorization", "Bearer " + alice_.access_token}}, &refused))
      << refused.status;
  ASSERT_TRUE(bob_ws.Connect("/api/stream", {{"Authorization", "Bearer " + bob_.access_token}}, &refused))
      << refused.status;
  auto r = c_->Post("/api/backtests", json::object{{"bot", Spec()}, {"from", now_ - 5 * kDayMs}, {"to", now_}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::int64_t id = r.json.at("id").as_int64();
  double last = -1;
  int running = 0;
  bool done = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!done && std::chrono::steady_clock::now() < until) {
    auto m = alice_ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m) << "the stream stays open";
    json::value v = json::parse(*m);
    const auto& o = v.as_object();
    if (o.at("type").as_string() != "backtest") continue;  // the caught-up marker, bot events
    EXPECT_EQ(o.at("seq").as_int64(), 0);
    EXPECT_TRUE(o.at("bot_id").is_null()) << *m;
    const auto& d = o.at("data").as_object();
    EXPECT_EQ(d.at("id").as_int64(), id);
    const double p = d.at("progress").to_number<double>();
    EXPECT_GE(p, last) << "progress never goes back";
    last = p;
    if (d.at("status").as_string() == "running") ++running;
    done = d.at("status").as_string() == "done";
  }
  EXPECT_TRUE(done) << "the done event arrives";
  EXPECT_GE(running, 2) << "running events while it runs";
  EXPECT_EQ(last, 1.0);
  // Bob's stream: nothing about alice's backtest.
  while (auto m = bob_ws.Read(std::chrono::milliseconds(300))) {
    EXPECT_EQ(m->find("\"backtest\""), std::string::npos) << *m;
  }
}

TEST_F(BacktestServeTest, AStoredBotRunsByIdAndAnotherUsersBotIs404) {
  auto r = c_->Post("/api/bots", Spec(), alice_.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::int64_t bot = r.json.at("id").as_int64();
  r = c_->Post("/api/backtests", json::object{{"bot_id", bot}, {"from", now_ - 2 * kDayMs}, {"to", now_}},
               bob_.access_token);
  EXPECT_EQ(r.status, 404) << r.body;
  r = c_->Post("/api/backtests", json::object{{"bot_id", bot}, {"from", now_ - 2 * kDayMs}, {"to", now_}},
               alice_.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  r = WaitForStatus(*c_, r.json.at("id").as_int64(), alice_, {"done", "failed"});
  EXPECT_EQ(r.json.at("status").as_string(), "done") << r.body;
}

TEST_F(BacktestServeTest, BadRequestsNameTheField) {
  struct Case {
    json::object body;
    int status;
    std::string field;
  };
  const std::int64_t far_future = now_ + 3650 * kDayMs;
  std::vector<Case> cases = {
      {{{"bot", Spec()}, {"from", 0}, {"to", now_}}, 422, "from"},
      {{{"bot", Spec()}, {"from", now_ - kDayMs}, {"to", far_future}}, 422, "to"},
      {{{"bot", Spec()}, {"from", now_ - 2 * kHourMs}, {"to", now_ - kHourMs}}, 422, "to"},  // fewer than two bars
      {{{"bot", Spec()}, {"to", now_}}, 400, "from"},
      {{{"bot", Spec()}, {"from", "yesterday"}, {"to", now_}}, 400, "from"},
      {{{"bot", Spec()}, {"bot_id", 1}, {"from", now_ - kDayMs}, {"to", now_}}, 422, "bot_id"},
      {{{"from", now_ - kDayMs}, {"to", now_}}, 422, "bot"},
      {{{"bot", "x"}, {"from", now_ - kDayMs}, {"to", now_}}, 400, "bot"},
      {{{"bot", json::object{{"name", "bt"}, {"capital", "-5"}}}, {"from", now_ - kDayMs}, {"to", now_}}, 422,
       "bot.capital"},
      {{{"bot", Spec()}, {"from", now_ - kDayMs}, {"to", now_}, {"confirm_cost", "yes"}}, 400, "confirm_cost"},
      {{{"bot", Spec()}, {"from", now_ - kDayMs}, {"to", now_}, {"speed", 2}}, 422, "speed"},
  };
  for (const auto& k : cases) {
    auto r = c_->Post("/api/backtests", k.body, alice_.access_token);
    EXPECT_EQ(r.status, k.status) << json::serialize(k.body) << " → " << r.body;
    EXPECT_EQ(r.error_field(), k.field) << json::serialize(k.body) << " → " << r.body;
  }
  // A paid model: the estimate, and nothing runs without confirm_cost.
  json::object paid{{"name", "paid"},
                    {"model", "llm"},
                    {"llm", json::object{{"provider", "anthropic"}, {"model", "claude-sonnet-4-5"}}}};
  auto r = c_->Post("/api/backtests", json::object{{"bot", paid}, {"from", now_ - 9 * kDayMs}, {"to", now_}},
                    alice_.access_token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_code(), "cost_not_confirmed") << r.body;
  EXPECT_EQ(r.error_field(), "confirm_cost");
  EXPECT_NE(r.body.find("$"), std::string::npos) << r.body;
  // Confirmed, but alice stored no key and the server does not lend its own: 409, not a run.
  r = c_->Post("/api/backtests",
               json::object{{"bot", paid}, {"from", now_ - 9 * kDayMs}, {"to", now_}, {"confirm_cost", true}},
               alice_.access_token);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.error_code(), "missing_credential");
  EXPECT_TRUE(c_->Get("/api/backtests", alice_.access_token).json.at("items").as_array().empty());
}

// One backtest per user at a time: while alice's backtest on a slow model runs, her second is
// 429 (with Retry-After) and bob's is accepted; the server still stops cleanly.
TEST(BacktestLimits, ASecondBacktestOfTheSameUserIs429WhileTheFirstRuns) {
  ServeProcess mock;
  std::string why;
  ASSERT_TRUE(mock.StartCommand({"mock-llm", "--port", "0", "--latency-ms", "3000..3000"}, "/v1/messages", &why)) << why;
  const std::string marker = "mock LLM server on http://127.0.0.1:";
  const std::string out = mock.Output();
  const int mock_port = std::atoi(out.c_str() + out.find(marker) + marker.size());
  ASSERT_GT(mock_port, 0) << out;
  const std::string base_url = "http://127.0.0.1:" + std::to_string(mock_port) + "/v1";
  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "limit-test-secret-limit-test-secret-limit"}};
  o.config_json = R"({"llm_base_url_allow": [")" + base_url + R"("], "limits": {"backtests_per_user": 1}})";
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser alice = RegisterAndLogin(c, "alice@example.com");
  TestUser bob = RegisterAndLogin(c, "bob@example.com");
  const std::int64_t now = c.Get("/api/health").json.at("market_time").as_int64();
  json::object slow{{"name", "slow"},
                    {"model", "llm"},
                    {"symbols", json::array{"BTC"}},
                    {"llm", json::object{{"provider", "openai-compatible"}, {"model", "mock"}, {"base_url", base_url},
                                         {"timeout_ms", 60000}}}};
  json::object body{{"bot", slow}, {"from", now - 2 * kDayMs}, {"to", now}};
  auto r = c.Post("/api/backtests", body, alice.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::int64_t first = r.json.at("id").as_int64();
  // Every cycle takes 3 s: the first backtest is still running.
  r = WaitForStatus(c, first, alice, {"running", "done", "failed"});
  ASSERT_EQ(r.json.at("status").as_string(), "running") << r.body;
  r = c.Post("/api/backtests", body, alice.access_token);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.error_code(), "too_many_backtests");
  EXPECT_FALSE(r.header("retry-after").empty());
  r = c.Post("/api/backtests", body, bob.access_token);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(server.Stop(), 0) << server.Output();
  mock.Stop();
}

// A backtest on one of the caller's prompt templates prompts the model (the mock vendor
// server) in every cycle, by spec and by bot_id, with exactly the system prompt a bot on the
// template sends (its dry run's call through the runtime: the template as the preview renders
// it, then the client's answer-format text), and its report names the template as the prompt
// version. Another user's template, a deleted one and one
// that never existed are the same 422 (bot.prompt_version), and call no model.
TEST(BacktestTemplates, ABacktestPromptsWithTheCallersTemplateAndOnlyTheirs) {
  ServeProcess mock;
  std::string why;
  ASSERT_TRUE(mock.StartCommand({"mock-llm", "--port", "0"}, "/v1/messages", &why)) << why;
  const std::string marker = "mock LLM server on http://127.0.0.1:";
  const std::string out = mock.Output();
  const int mock_port = std::atoi(out.c_str() + out.find(marker) + marker.size());
  ASSERT_GT(mock_port, 0) << out;
  const std::string base_url = "http://127.0.0.1:" + std::to_string(mock_port) + "/v1";
  // The system prompts the mock received, in order (the OpenAI wire: messages with role system).
  auto systems = [mock_port] {
    HttpClient m(mock_port);
    std::vector<std::string> found;
    auto r = m.Get("/mock/requests");
    if (r.status != 200 || !r.json.is_array()) return found;
    for (const auto& q : r.json.as_array()) {
      json::value body = json::parse(q.at("body").as_string());
      std::string system;
      for (const auto& msg : body.at("messages").as_array()) {
        if (msg.at("role").as_string() == "system") system += std::string(msg.at("content").as_string());
      }
      found.push_back(std::move(system));
    }
    return found;
  };

  ServeProcess server;
  ServeProcess::Options o;
  o.env = {{"AITRADER_JWT_SECRET", "template-test-secret-template-test-secret"}};
  o.config_json = R"({"llm_base_url_allow": [")" + base_url + R"("]})";
  ASSERT_TRUE(server.Start(o, &why)) << why;
  HttpClient c(server.port());
  TestUser alice = RegisterAndLogin(c, "alice@example.com");
  TestUser bob = RegisterAndLogin(c, "bob@example.com");
  const std::int64_t now = c.Get("/api/health").json.at("market_time").as_int64();

  constexpr const char* kMarker = "BACKTEST-TEMPLATE-MARKER-3";
  const std::string text = std::string("You trade {{coins}} perpetual futures (") + kMarker +
                           ", version {{version}}, {{interval}} bars, at most {{max_leverage}}x). Answer with one "
                           "JSON object keyed by coin; each value is {\"trade_signal_args\": {\"coin\", \"signal\": "
                           "buy_to_enter | sell_to_enter | hold | close_position, \"quantity\", \"leverage\", "
                           "\"profit_target\", \"stop_loss\", \"invalidation_condition\", \"confidence\", "
                           "\"risk_usd\", \"justification\"}}.";
  auto t = c.Post("/api/prompts", json::object{{"name", "mine"}, {"text", text}}, alice.access_token);
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string version(t.json.at("id").as_string());
  auto spec_with = [&](const std::string& prompt_version) {
    return json::object{{"name", "tmpl"},
                        {"model", "llm"},
                        {"symbols", json::array{"BTC"}},
                        {"cadence", "1h"},
                        {"prompt_version", prompt_version},
                        {"max_decision_retries", 0},
                        {"llm", json::object{{"provider", "openai-compatible"}, {"model", "mock"},
                                             {"base_url", base_url}, {"max_retries", 0}}}};
  };
  const json::object spec = spec_with(version);
  // The template rendered for this bot (the preview).
  auto preview = c.Post("/api/prompts/preview", json::object{{"bot", spec}}, alice.access_token);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const std::string want(preview.json.at("system").as_string());
  ASSERT_NE(want.find(kMarker), std::string::npos) << want;
  ASSERT_NE(want.find("version " + version), std::string::npos) << "placeholders rendered: " << want;

  // What a bot on the template sends the model: its dry run's call (the runtime's bot path;
  // the system prompt as the preview renders it, plus the client's answer-format instructions).
  auto b = c.Post("/api/bots", spec, alice.access_token);
  ASSERT_EQ(b.status, 201) << b.body;
  const std::int64_t bot_id = b.json.at("id").as_int64();
  auto dry = c.Post("/api/bots/" + std::to_string(bot_id) + "/dry-run", nullptr, alice.access_token);
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto sent = systems();
  ASSERT_EQ(sent.size(), 1u);
  const std::string live = sent[0];
  ASSERT_EQ(live.substr(0, want.size()), want) << live;

  auto run = [&](const json::object& body) {
    auto r = c.Post("/api/backtests", body, alice.access_token);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return r;
    return WaitForStatus(c, r.json.at("id").as_int64(), alice, {"done", "failed"});
  };
  // By spec: every cycle's call carries exactly that system prompt.
  auto r = run(json::object{{"bot", spec}, {"from", now - kDayMs}, {"to", now}});
  ASSERT_EQ(r.json.at("status").as_string(), "done") << r.body;
  const auto& report = r.json.at("report").as_object();
  ASSERT_EQ(report.at("bots").as_array().size(), 1u);
  EXPECT_EQ(report.at("bots").as_array()[0].at("prompt_version").as_string(), version) << r.body;
  const std::int64_t cycles = report.at("cycles").as_int64();
  EXPECT_GT(cycles, 0);
  sent = systems();
  EXPECT_EQ(static_cast<std::int64_t>(sent.size()), 1 + cycles) << "one model call per cycle";
  for (const auto& s : sent) EXPECT_EQ(s, live);

  // By bot_id: the stored bot on the template, the same.
  r = run(json::object{{"bot_id", bot_id}, {"from", now - kDayMs}, {"to", now}});
  ASSERT_EQ(r.json.at("status").as_string(), "done") << r.body;
  EXPECT_EQ(r.json.at("report").at("bots").as_array()[0].at("prompt_version").as_string(), version);
  sent = systems();
  EXPECT_EQ(static_cast<std::int64_t>(sent.size()), 1 + 2 * cycles) << "the same period: as many calls again";
  for (const auto& s : sent) EXPECT_EQ(s, live);
  const std::size_t calls = sent.size();

  // Refused alike: bob naming alice's template, a template that never existed, a deleted one.
  json::object body{{"bot", spec}, {"from", now - kDayMs}, {"to", now}};
  auto theirs = c.Post("/api/backtests", body, bob.access_token);
  EXPECT_EQ(theirs.status, 422) << theirs.body;
  EXPECT_EQ(theirs.error_code(), "invalid_value");
  EXPECT_EQ(theirs.error_field(), "bot.prompt_version");
  body["bot"] = spec_with("user:999999");
  auto unknown = c.Post("/api/backtests", body, bob.access_token);
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(unknown.error_field(), "bot.prompt_version");
  auto message = [](const HttpResult& h, const std::string& id) {
    std::string m(h.json.at("error").at("message").as_string());
    const auto at = m.find(id);
    return at == std::string::npos ? m : m.replace(at, id.size(), "ID");
  };
  EXPECT_EQ(message(theirs, version), message(unknown, "user:999999")) << "nothing tells them apart";
  auto gone = c.Post("/api/prompts", json::object{{"name", "gone"}, {"text", text}}, alice.access_token);
  ASSERT_EQ(gone.status, 201) << gone.body;
  const std::string gone_id(gone.json.at("id").as_string());
  ASSERT_EQ(c.Delete("/api/prompts/" + gone_id, alice.access_token).status, 204);
  body["bot"] = spec_with(gone_id);
  auto deleted = c.Post("/api/backtests", body, alice.access_token);
  EXPECT_EQ(deleted.status, 422) << deleted.body;
  EXPECT_EQ(deleted.error_code(), "invalid_value");
  EXPECT_EQ(deleted.error_field(), "bot.prompt_version");
  EXPECT_EQ(systems().size(), calls) << "no model call for a refused backtest";
  EXPECT_EQ(c.Get("/api/backtests", bob.access_token).json.at("items").as_array().size(), 0u);

  EXPECT_EQ(server.Stop(), 0) << server.Output();
  mock.Stop();
}

}  // namespace
}  // namespace aitrader::testing
