// POST /api/bots/{id}/dry-run against the real binary: one real decision that places no
// order and leaves the bot as it was — on a fresh account before the bot ever ran, on its
// paper account once the runtime holds it; stored and listed as a dry run under the cycle it
// previews, while the bot's next real cycle keeps that number. With a model (the mock LLM
// server): the call runs off the runtime thread, with the bot's own prompt template; model
// failures are answers; the daily LLM budget applies and the cost is recorded. Ownership.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "store/database.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

// A template that keeps the answer format, with a marker to find it in what the model got.
constexpr const char* kMarker = "DRY-RUN-TEMPLATE-MARKER-7";
std::string TemplateText() {
  return std::string("You trade {{coins}} perpetual futures (") + kMarker +
         ", version {{version}}). Answer with one JSON object keyed by coin; each value is "
         "{\"trade_signal_args\": {\"coin\", \"signal\": buy_to_enter | sell_to_enter | hold | close_position, "
         "\"quantity\", \"leverage\" (1-{{max_leverage}}), \"profit_target\", \"stop_loss\", "
         "\"invalidation_condition\", \"confidence\", \"risk_usd\", \"justification\"}}.";
}

class DryRunServeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (mock_port_ > 0) mock_.Stop();
  }
  // The mock LLM vendor server (the baseline policy answers); returns its OpenAI base URL.
  std::string StartMock() {
    std::string why;
    EXPECT_TRUE(mock_.StartCommand({"mock-llm", "--port", "0"}, "/v1/messages", &why)) << why;
    const std::string marker = "mock LLM server on http://127.0.0.1:";
    const std::string out = mock_.Output();
    mock_port_ = std::atoi(out.c_str() + out.find(marker) + marker.size());
    EXPECT_GT(mock_port_, 0) << out;
    return "http://127.0.0.1:" + std::to_string(mock_port_) + "/v1";
  }
  void StartServer(double speed, const std::string& base_url = "", const std::string& from = "") {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "dry-run-test-secret-dry-run-test-secret!"}};
    o.args = {"--speed", std::to_string(speed)};
    if (!from.empty()) o.args.insert(o.args.end(), {"--from", from});
    if (!base_url.empty()) o.config_json = R"({"llm_base_url_allow": [")" + base_url + R"("]})";
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
    c_ = std::make_unique<HttpClient>(server_.port());
    alice_ = RegisterAndLogin(*c_, "alice@example.com");
    bob_ = RegisterAndLogin(*c_, "bob@example.com");
  }
  std::int64_t CreateBot(const json::object& spec, const TestUser& u) {
    auto r = c_->Post("/api/bots", spec, u.access_token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json.at("id").as_int64() : 0;
  }
  static std::string Bot(std::int64_t id) { return "/api/bots/" + std::to_string(id); }
  HttpResult DryRun(std::int64_t id, const TestUser& u, const std::string& query = "") {
    return c_->Post(Bot(id) + "/dry-run" + query, nullptr, u.access_token);
  }
  std::int64_t MarketTime() { return c_->Get("/api/health").json.at("market_time").as_int64(); }
  std::int64_t Count(const std::string& sql) {
    auto db = store::OpenDatabase(server_.database());
    if (!db.ok()) return -1;
    auto n = (*db)->QueryInt(sql);
    return n.ok() ? *n : -1;
  }
  // The decisions of a bot (all of them), newest first; `filter` e.g. "&dry_run=false".
  json::array Decisions(std::int64_t id, const std::string& filter = "") {
    auto r = c_->Get(Bot(id) + "/decisions?limit=1000" + filter, alice_.access_token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json.at("items").as_array() : json::array{};
  }
  std::size_t MockRequests() {
    HttpClient m(mock_port_);
    auto r = m.Get("/mock/requests");
    return r.status == 200 && r.json.is_array() ? r.json.as_array().size() : 0;
  }
  std::string LastMockRequestBody() {
    HttpClient m(mock_port_);
    auto r = m.Get("/mock/requests");
    if (r.status != 200 || !r.json.is_array() || r.json.as_array().empty()) return "";
    return std::string(r.json.as_array().back().at("body").as_string());
  }
  void MockFaults(const std::string& script) {
    HttpClient m(mock_port_);
    auto r = m.Request("POST", "/mock/faults", script, {{"Content-Type", "text/plain"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Tells the mock `faults`, sends a dry run of bot `id` from another thread (its own client,
  // `timeout`) into `out`, and waits (at most 30 s) until the mock has the model call; returns
  // the thread (join it) and whether the call is in flight.
  std::pair<std::thread, bool> DryRunInFlight(std::int64_t id, const std::string& faults, std::chrono::seconds timeout,
                                              HttpResult& out) {
    MockFaults(faults);
    const std::size_t before = MockRequests();
    std::thread waiting([this, id, timeout, &out] {
      HttpClient own(server_.port(), timeout);
      out = own.Post(Bot(id) + "/dry-run", nullptr, alice_.access_token);
    });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (MockRequests() == before && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    return {std::move(waiting), MockRequests() > before};
  }

  ServeProcess server_, mock_;
  int mock_port_ = 0;
  std::unique_ptr<HttpClient> c_;
  TestUser alice_, bob_;
};

TEST_F(DryRunServeTest, ABaselineDryRunPlacesNoOrderAndChangesNothing) {
  // The next bar is an hour away: nothing but the dry runs acts on the bot. At this market
  // time (bundled data) the baseline wants to enter: so "no order" below is a real check, not
  // a bot that had nothing to do.
  StartServer(1, "", "2025-09-23T21:00:00Z");
  const std::int64_t id = CreateBot(json::object{{"name", "dry"}}, alice_);
  const std::string bot_sql = " WHERE bot_id = " + std::to_string(id);
  const std::int64_t at = MarketTime();

  // Never started: a fresh account with the bot's capital.
  auto r = DryRun(id, alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.at("dry_run").as_bool());
  EXPECT_EQ(r.json.at("cycle").as_int64(), 1) << "the cycle it previews: the bot's first";
  EXPECT_EQ(r.json.at("decided_at").as_int64(), at) << "at the runtime's market time";
  EXPECT_EQ(r.json.at("prompt_version").as_string(), "baseline");
  const auto& verdicts = r.json.at("verdicts").as_array();
  ASSERT_EQ(verdicts.size(), 6u) << "one per coin: " << r.body;
  int would_enter = 0;
  for (const auto& v : verdicts) {
    const std::string action(v.at("action").as_string());
    EXPECT_TRUE(action == "would_enter" || action == "held" || action == "denied" || action == "skipped") << action;
    would_enter += action == "would_enter";
  }
  ASSERT_GT(would_enter, 0) << r.body;
  EXPECT_EQ(r.json.at("outcome").as_string(), "would_execute");
  const std::int64_t first = r.json.at("id").as_int64();

  // Listed as a dry run; filtered either way.
  auto all = Decisions(id);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].at("id").as_int64(), first);
  EXPECT_TRUE(all[0].at("dry_run").as_bool());
  EXPECT_EQ(all[0].at("verdicts"), r.json.at("verdicts")) << "the response is the stored decision";
  EXPECT_TRUE(Decisions(id, "&dry_run=false").empty());
  EXPECT_EQ(Decisions(id, "&dry_run=true").size(), 1u);
  EXPECT_EQ(c_->Get(Bot(id) + "/decisions?dry_run=maybe", alice_.access_token).status, 400);
  // Nothing else stored: no order, position, equity point or stream event; not the bot's
  // last decision.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders" + bot_sql), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM positions" + bot_sql), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM equity_snapshots" + bot_sql), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bot_events" + bot_sql), 0);
  r = c_->Get(Bot(id), alice_.access_token);
  EXPECT_EQ(r.json.at("status").as_string(), "created");
  EXPECT_TRUE(r.json.at("last_decision_at").is_null());
  EXPECT_EQ(r.json.at("equity").as_string(), "10000");

  // Started: the runtime holds the bot and its paper account; the dry run reads them and
  // changes neither.
  ASSERT_EQ(c_->Post(Bot(id) + "/start", nullptr, alice_.access_token).status, 202);
  const std::int64_t events = Count("SELECT COUNT(*) FROM bot_events" + bot_sql);
  const std::int64_t equity = Count("SELECT COUNT(*) FROM equity_snapshots" + bot_sql);
  r = DryRun(id, alice_, "?include=prompt");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("cycle").as_int64(), 1) << "the running bot's first cycle is still to come";
  EXPECT_TRUE(r.json.at("prompt").is_null()) << "the baseline sends no prompt";
  EXPECT_EQ(r.json.at("outcome").as_string(), "would_execute");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders" + bot_sql), 0) << "no order at the venue or in the store";
  EXPECT_TRUE(c_->Get(Bot(id) + "/orders", alice_.access_token).json.at("items").as_array().empty());
  EXPECT_TRUE(c_->Get(Bot(id) + "/positions", alice_.access_token).json.at("items").as_array().empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bot_events" + bot_sql), events) << "a dry run is not streamed";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM equity_snapshots" + bot_sql), equity);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions" + bot_sql + " AND dry_run = 0"), 0);
  EXPECT_EQ(c_->Get(Bot(id), alice_.access_token).json.at("status").as_string(), "running");
  EXPECT_EQ(c_->Get(Bot(id) + "/performance", alice_.access_token).json.at("trades").as_int64(), 0);

  // Someone else's bot, no bot, no token, a bad query; a bot the runtime cannot run.
  EXPECT_EQ(DryRun(id, bob_).status, 404);
  EXPECT_EQ(c_->Post("/api/bots/999999/dry-run", nullptr, alice_.access_token).status, 404);
  EXPECT_EQ(c_->Post("/api/bots/abc/dry-run", nullptr, alice_.access_token).status, 404);
  EXPECT_EQ(c_->Post(Bot(id) + "/dry-run", nullptr).status, 401);
  EXPECT_EQ(DryRun(id, alice_, "?include=everything").status, 422);
  const std::int64_t testnet = CreateBot(json::object{{"name", "t"}, {"mode", "testnet"}}, alice_);
  r = DryRun(testnet, alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_code(), "invalid_state");
  EXPECT_EQ(Decisions(id, "&dry_run=true").size(), 2u);
  EXPECT_EQ(server_.Stop(), 0);
}

// Dry runs between the cycles of a running bot: each previews the next cycle, and that cycle
// then comes with that number — the real cycles count 1, 2, 3… without a gap. They decide
// over the bot's account as it is: a coin the bot holds a position in is never entered again.
TEST_F(DryRunServeTest, TheNextRealCycleKeepsItsNumber) {
  StartServer(7200);  // a bar every half second
  const std::int64_t id = CreateBot(json::object{{"name", "cycles"}}, alice_);
  ASSERT_EQ(c_->Post(Bot(id) + "/start", nullptr, alice_.access_token).status, 202);
  auto held = [&] {
    std::vector<std::string> coins;
    const auto r = c_->Get(Bot(id) + "/positions", alice_.access_token);
    for (const auto& p : r.json.at("items").as_array()) {
      std::string symbol(p.at("symbol").as_string());
      coins.push_back(symbol.substr(0, symbol.size() - 4));  // BTCUSDT → BTC
    }
    std::sort(coins.begin(), coins.end());
    return coins;
  };
  std::vector<std::int64_t> previewed;
  int checked = 0;  // dry runs made while the bot held positions (the same before and after)
  for (int k = 0; k < 6; ++k) {
    const auto before = held();
    auto r = DryRun(id, alice_);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto after = held();
    if (!before.empty() && before == after) {
      ++checked;
      for (const auto& v : r.json.at("verdicts").as_array()) {
        const std::string coin(v.at("coin").as_string());
        if (std::binary_search(before.begin(), before.end(), coin)) {
          EXPECT_NE(v.at("action").as_string(), "would_enter") << coin << " is held: " << r.body;
        }
      }
    }
    const std::int64_t cycle = r.json.at("cycle").as_int64();
    previewed.push_back(cycle);
    // Until the real cycle it previewed has come.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool came = false;
    while (!came && std::chrono::steady_clock::now() < until) {
      for (const auto& d : Decisions(id, "&dry_run=false")) came = came || d.at("cycle").as_int64() >= cycle;
      if (!came) std::this_thread::yield();
    }
    ASSERT_TRUE(came) << "cycle " << cycle;
  }
  ASSERT_EQ(c_->Post(Bot(id) + "/stop", nullptr, alice_.access_token).status, 202);
  std::vector<std::int64_t> cycles;
  for (const auto& d : Decisions(id, "&dry_run=false")) cycles.push_back(d.at("cycle").as_int64());
  std::sort(cycles.begin(), cycles.end());
  ASSERT_FALSE(cycles.empty());
  for (std::size_t i = 0; i < cycles.size(); ++i) EXPECT_EQ(cycles[i], static_cast<std::int64_t>(i) + 1) << "no gap, no repeat";
  for (std::int64_t c : previewed) {
    EXPECT_TRUE(std::binary_search(cycles.begin(), cycles.end(), c)) << "the real cycle " << c << " came";
  }
  EXPECT_EQ(Decisions(id, "&dry_run=true").size(), previewed.size());
  EXPECT_GT(previewed.back(), previewed.front()) << "later dry runs preview later cycles";
  EXPECT_GT(checked, 0) << "the bot held positions during some dry run (it enters at its first cycles)";
}

// An LLM bot on the mock vendor server with the owner's prompt template: the preview, the dry
// run and the started bot all send the template; a failing model is an answer; the call runs
// on a worker (a command is answered while it is in flight); one dry run per bot at a time.
TEST_F(DryRunServeTest, TheModelRunsOffTheRuntimeThreadWithTheBotsTemplate) {
  const std::string base_url = StartMock();
  ASSERT_GT(mock_port_, 0);
  StartServer(7200, base_url);
  auto t = c_->Post("/api/prompts", json::object{{"name", "mine"}, {"text", TemplateText()}}, alice_.access_token);
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string version(t.json.at("id").as_string());
  const json::object spec{{"name", "llm"},
                          {"model", "llm"},
                          {"symbols", json::array{"BTC", "ETH"}},
                          {"prompt_version", version},
                          {"max_decision_retries", 0},
                          {"llm", json::object{{"provider", "openai-compatible"}, {"model", "mock"}, {"base_url", base_url},
                                               {"max_retries", 0}, {"timeout_ms", 60000}}}};
  const std::int64_t id = CreateBot(spec, alice_);

  auto p = c_->Post("/api/prompts/preview", json::object{{"bot", spec}}, alice_.access_token);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json.at("version").as_string(), version);
  EXPECT_NE(p.json.at("system").as_string().find(kMarker), std::string::npos) << p.body;
  EXPECT_NE(p.json.at("system").as_string().find("BTC, ETH"), std::string::npos) << "placeholders rendered";

  auto r = DryRun(id, alice_, "?include=prompt");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.at("dry_run").as_bool());
  EXPECT_EQ(r.json.at("prompt_version").as_string(), version);
  EXPECT_NE(r.json.at("prompt").as_string().find(kMarker), std::string::npos);
  EXPECT_FALSE(r.json.at("raw_answer").as_string().empty());
  EXPECT_GT(r.json.at("input_tokens").as_int64(), 0);
  EXPECT_TRUE(r.json.at("error").is_null()) << r.body;
  EXPECT_NE(LastMockRequestBody().find(kMarker), std::string::npos) << "the model got the template";
  EXPECT_EQ(MockRequests(), 1u);

  // A failing model: the decision records it (as a cycle would), it is no server error.
  MockFaults("server_error\n");
  r = DryRun(id, alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("outcome").as_string(), "llm_error");
  EXPECT_FALSE(r.json.at("error").is_null());
  EXPECT_TRUE(r.json.at("dry_run").as_bool());

  // A model that takes 15 s: the runtime keeps answering commands meanwhile (a runtime blocked
  // in the call would not answer the start within its 10 s: 503), and a second dry run of the
  // same bot is refused while the first runs.
  HttpResult slow;
  auto [waiting, in_flight] = DryRunInFlight(id, "slow delay_ms=15000\n", std::chrono::seconds(90), slow);
  EXPECT_TRUE(in_flight) << "the slow call is in flight";
  const std::int64_t other = CreateBot(json::object{{"name", "other"}}, alice_);
  auto started = c_->Post(Bot(other) + "/start", nullptr, alice_.access_token);
  EXPECT_EQ(started.status, 202) << started.body;
  auto again = DryRun(id, alice_);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "dry_run_in_progress");
  waiting.join();
  ASSERT_EQ(slow.status, 200) << slow.body;
  EXPECT_TRUE(slow.json.at("error").is_null()) << "the slow answer arrived: " << slow.body;
  EXPECT_EQ(Decisions(id, "&dry_run=true").size(), 3u);
  EXPECT_TRUE(Decisions(id, "&dry_run=false").empty());

  // Started, the bot's own cycles send the template too.
  ASSERT_EQ(c_->Post(Bot(id) + "/start", nullptr, alice_.access_token).status, 202);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  json::array real;
  while (real.empty() && std::chrono::steady_clock::now() < deadline) {
    real = Decisions(id, "&dry_run=false&include=prompt");
    if (real.empty()) std::this_thread::yield();
  }
  ASSERT_FALSE(real.empty());
  EXPECT_EQ(real.back().at("prompt_version").as_string(), version);
  EXPECT_NE(real.back().at("prompt").as_string().find(kMarker), std::string::npos);
  EXPECT_EQ(real.back().at("cycle").as_int64(), 1) << "three dry runs did not count as cycles";
  // A template a bot names is not deleted.
  auto del = c_->Delete("/api/prompts/" + version, alice_.access_token);
  EXPECT_EQ(del.status, 409);
  EXPECT_EQ(del.error_code(), "template_in_use");
  ASSERT_EQ(c_->Post(Bot(id) + "/stop", nullptr, alice_.access_token).status, 202);
}

// The bot's daily LLM budget: the first dry run's call is paid and recorded, and crossing the
// limit; the next one is refused before any call (budget_exhausted) — never a 500.
TEST_F(DryRunServeTest, TheDailyLlmBudgetAppliesAndTheCostIsRecorded) {
  const std::string base_url = StartMock();
  ASSERT_GT(mock_port_, 0);
  StartServer(1, base_url);
  ASSERT_EQ(c_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", "sk-test-0123456789abcd"}}, alice_.access_token)
                .status,
            204);
  const std::int64_t id = CreateBot(
      json::object{{"name", "priced"},
                   {"model", "llm"},
                   {"symbols", json::array{"BTC"}},
                   {"daily_budget_usd", "0.000001"},
                   {"max_decision_retries", 0},
                   {"llm", json::object{{"provider", "openai"}, {"model", "gpt-5-mini"}, {"base_url", base_url},
                                        {"max_retries", 0}}}},
      alice_);
  auto r = DryRun(id, alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.json.at("outcome").as_string(), "budget_exhausted") << r.body;
  EXPECT_NE(r.json.at("cost_usd").as_string(), "0") << "the call's cost is recorded";
  EXPECT_EQ(r.json.at("cost_usd").as_string().find('-'), std::string::npos);
  const std::size_t calls = MockRequests();
  EXPECT_EQ(calls, 1u);
  r = DryRun(id, alice_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("outcome").as_string(), "budget_exhausted") << r.body;
  EXPECT_EQ(r.json.at("cost_usd").as_string(), "0");
  EXPECT_EQ(MockRequests(), calls) << "no call past the budget";
  // Not trading: the arena does not charge the bot for its dry runs.
  auto arena = c_->Get("/api/arena", alice_.access_token);
  ASSERT_EQ(arena.status, 200);
  EXPECT_EQ(arena.json.at("items").as_array().front().at("llm_cost_usd").as_string(), "0");
}

// SIGTERM while a dry run waits on a model that never answers (the mock holds the answer
// until it stops; the bot's timeouts would let the call wait 10 minutes): the server does not
// wait for it. The call is cancelled, stored as the bot's failed dry-run decision as a timeout
// is, the caller gets a 503 saying the server is shutting down, and the server exits cleanly —
// well inside the bounded wait, which it could not do had it waited for the model. What was
// committed before stays.
TEST_F(DryRunServeTest, ShutdownCancelsADryRunWaitingOnAModelThatNeverAnswers) {
  const std::string base_url = StartMock();
  ASSERT_GT(mock_port_, 0);
  StartServer(1, base_url);  // the next bar is minutes away: only the dry runs call the model
  const std::int64_t id = CreateBot(
      json::object{{"name", "hung"},
                   {"model", "llm"},
                   {"symbols", json::array{"BTC"}},
                   {"max_decision_retries", 0},
                   {"llm", json::object{{"provider", "openai-compatible"}, {"model", "mock"}, {"base_url", base_url},
                                        {"max_retries", 0}, {"timeout_ms", 600000}}}},
      alice_);
  // One committed dry run first.
  auto first = DryRun(id, alice_);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(first.json.at("error").is_null()) << first.body;
  const std::int64_t first_id = first.json.at("id").as_int64();

  HttpResult hung;
  auto [waiting, in_flight] = DryRunInFlight(id, "hold\n", std::chrono::seconds(300), hung);
  ASSERT_TRUE(in_flight) << "the held call is in flight";

  // A model that never answers and a 10-minute budget for it: a server that waited for the
  // call would not exit within these 120 s (the mock holds the answer until it is stopped).
  const int exit_status = server_.Stop(std::chrono::seconds(120));
  waiting.join();
  EXPECT_EQ(exit_status, 0) << server_.Output();
  EXPECT_NE(server_.Output().find("stopped"), std::string::npos) << server_.Output();
  EXPECT_EQ(hung.status, 503) << hung.error << " " << hung.body;
  EXPECT_EQ(hung.error_code(), "not_ready") << hung.body;
  EXPECT_NE(hung.body.find("shutting down"), std::string::npos) << hung.body;
  EXPECT_NE(hung.body.find("stored as the failed dry-run decision"), std::string::npos) << hung.body;

  // Stored: the first dry run as it was, and the cancelled call as a failed dry-run decision
  // (as a timeout stores it) — no real cycle.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE bot_id = " + std::to_string(id)), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE dry_run = 1 AND error IS NULL AND id = " +
                  std::to_string(first_id)),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE dry_run = 1 AND outcome = 'llm_error' AND "
                  "error IS NOT NULL AND bot_id = " + std::to_string(id) + " AND id <> " + std::to_string(first_id)),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM llm_decisions WHERE dry_run = 0"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bots WHERE id = " + std::to_string(id)), 1);
}

}  // namespace
}  // namespace aitrader::testing
