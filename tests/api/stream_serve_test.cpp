// WebSocket streams against the real binary: authenticated upgrades (header or query
// token), ownership (404 before the upgrade), message shape with seq per bot, replay with
// ?since and the resume message — nothing lost or repeated across a reconnect — ping/pong,
// the message size limit, a client that does not read closed with 1008, and streams held
// within limits.max_connections.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "store/database.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

class StreamServeTest : public ::testing::Test {
 protected:
  void StartServer(double speed, std::string config = "") {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "stream-test-secret-stream-test-secret!"}};
    o.args = {"--speed", std::to_string(speed)};
    o.config_json = config;
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
    c_ = std::make_unique<HttpClient>(server_.port());
    alice_ = RegisterAndLogin(*c_, "alice@example.com");
    bob_ = RegisterAndLogin(*c_, "bob@example.com");
  }
  std::int64_t StartBot(const std::string& name, const TestUser& u) {
    auto r = c_->Post("/api/bots", json::object{{"name", name}}, u.access_token);
    EXPECT_EQ(r.status, 201) << r.body;
    const std::int64_t id = r.json.at("id").as_int64();
    EXPECT_EQ(c_->Post("/api/bots/" + std::to_string(id) + "/start", nullptr, u.access_token).status, 202);
    return id;
  }
  std::int64_t StoredEvents(std::int64_t bot_id) {
    auto db = store::OpenDatabase(server_.database());
    if (!db.ok()) return -1;
    auto n = (*db)->QueryInt("SELECT COALESCE(MAX(seq), 0) FROM bot_events WHERE bot_id = " + std::to_string(bot_id));
    return n.ok() ? *n : -1;
  }
  bool WaitForStored(std::int64_t bot_id, std::int64_t at_least) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (StoredEvents(bot_id) >= at_least) return true;
      std::this_thread::yield();
    }
    return false;
  }
  static json::value Parse(const std::string& s) { return json::parse(s); }
  std::map<std::string, std::string> Bearer(const TestUser& u) { return {{"Authorization", "Bearer " + u.access_token}}; }

  ServeProcess server_;
  std::unique_ptr<HttpClient> c_;
  TestUser alice_, bob_;
};

TEST_F(StreamServeTest, LiveMessagesCarrySeqPerBot) {
  StartServer(7200);
  const std::int64_t id = StartBot("live", alice_);
  WsClient ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/bots/" + std::to_string(id) + "/stream", Bearer(alice_), &refused)) << refused.status;
  std::int64_t last = 0;
  std::set<std::string> types;
  for (int i = 0; i < 20; ++i) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m) << "message " << i;
    json::value v = Parse(*m);
    const auto& o = v.as_object();
    for (const char* k : {"seq", "type", "bot_id", "at", "data"}) ASSERT_TRUE(o.contains(k)) << k << " in " << *m;
    EXPECT_EQ(o.at("bot_id").as_int64(), id);
    const std::int64_t seq = o.at("seq").as_int64();
    if (last > 0) {
      EXPECT_EQ(seq, last + 1) << "no gap, no repeat";
    }
    last = seq;
    types.insert(std::string(o.at("type").as_string()));
    EXPECT_TRUE(o.at("data").is_object());
  }
  EXPECT_TRUE(types.count("equity") == 1 || types.count("cycle") == 1) << "bar events arrive";
  ws.Close();
}

TEST_F(StreamServeTest, TokensAndOwnershipAreCheckedBeforeTheUpgrade) {
  StartServer(7200);
  const std::int64_t mine = StartBot("mine", alice_);
  const std::string path = "/api/bots/" + std::to_string(mine) + "/stream";
  {
    WsClient ws(server_.port());
    HttpResult refused;
    EXPECT_FALSE(ws.Connect(path, {}, &refused));
    EXPECT_EQ(refused.status, 401);
  }
  {
    WsClient ws(server_.port());
    HttpResult refused;
    EXPECT_FALSE(ws.Connect(path + "?access_token=forged.token.value", {}, &refused));
    EXPECT_EQ(refused.status, 401);
  }
  {
    WsClient ws(server_.port());
    HttpResult refused;
    EXPECT_TRUE(ws.Connect(path + "?access_token=" + alice_.access_token, {}, &refused)) << "query token";
    EXPECT_TRUE(ws.Read(std::chrono::seconds(30)).has_value());
    ws.Close();
  }
  for (const std::string& target : std::vector<std::string>{path, "/api/stream?bot=" + std::to_string(mine),
                                                             "/api/bots/999999/stream", "/api/bots/abc/stream"}) {
    WsClient ws(server_.port());
    HttpResult refused;
    EXPECT_FALSE(ws.Connect(target, Bearer(bob_), &refused)) << target;
    EXPECT_EQ(refused.status, 404) << target;
    EXPECT_EQ(refused.json.at("error").at("message").as_string(), "bot not found") << target;
  }
  {
    WsClient ws(server_.port());
    HttpResult refused;
    EXPECT_FALSE(ws.Connect("/api/stream?bot=1,x", Bearer(bob_), &refused));
    EXPECT_EQ(refused.status, 400);
    EXPECT_FALSE(ws.Connect("/api/stream?since=-3", Bearer(bob_), &refused));
  }
  auto r = c_->Get("/api/stream", alice_.access_token);
  EXPECT_EQ(r.status, 426) << "a stream without the upgrade";
  // Bob's all-bots stream carries only bob's bots.
  const std::int64_t his = StartBot("his", bob_);
  WsClient ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/stream", Bearer(bob_), &refused));
  for (int i = 0; i < 10; ++i) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m);
    EXPECT_EQ(Parse(*m).at("bot_id").as_int64(), his);
  }
  EXPECT_EQ(server_.Output().find(alice_.access_token), std::string::npos) << "the query token is never logged";
}

TEST_F(StreamServeTest, ReconnectWithSinceLosesAndRepeatsNothing) {
  StartServer(7200);
  const std::int64_t id = StartBot("resume", alice_);
  const std::string path = "/api/bots/" + std::to_string(id) + "/stream";
  std::int64_t last = 0;
  {
    WsClient ws(server_.port());
    HttpResult refused;
    ASSERT_TRUE(ws.Connect(path, Bearer(alice_), &refused));
    for (int i = 0; i < 5; ++i) {
      auto m = ws.Read(std::chrono::seconds(30));
      ASSERT_TRUE(m);
      last = Parse(*m).at("seq").as_int64();
    }
    ws.Close();
  }
  // Events happen while the client is away.
  ASSERT_TRUE(WaitForStored(id, last + 20));
  WsClient ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect(path + "?since=" + std::to_string(last), Bearer(alice_), &refused));
  const std::int64_t stored_now = StoredEvents(id);
  std::int64_t expect = last + 1;
  // The missed ones, then live ones, in order without a gap or a repeat, well past the switch.
  while (expect <= stored_now + 10) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m) << "waiting for seq " << expect;
    ASSERT_EQ(Parse(*m).at("seq").as_int64(), expect);
    ++expect;
  }
}

TEST_F(StreamServeTest, ResumeMessageReplaysFromTheStartThenGoesLive) {
  StartServer(7200);
  const std::int64_t id = StartBot("replay", alice_);
  ASSERT_TRUE(WaitForStored(id, 15));
  WsClient ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/stream?bot=" + std::to_string(id), Bearer(alice_), &refused));
  ASSERT_TRUE(ws.Write(R"({"type":"ping"})"));
  ASSERT_TRUE(ws.Write(R"({"type":"resume","since":0})"));
  bool pong = false;
  std::int64_t expect = 1;
  std::set<std::int64_t> live_before_resume;
  const std::int64_t target = StoredEvents(id) + 10;
  while (expect <= target) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m);
    json::value v = Parse(*m);
    if (v.at("type").as_string() == "pong") {
      pong = true;
      continue;
    }
    const std::int64_t seq = v.at("seq").as_int64();
    if (seq != expect && expect == 1) {
      // A live event that arrived before the resume was processed: it is sent again in order.
      live_before_resume.insert(seq);
      ASSERT_LE(live_before_resume.size(), 3u);
      continue;
    }
    ASSERT_EQ(seq, expect);
    ++expect;
  }
  EXPECT_TRUE(pong);
  ASSERT_TRUE(ws.Write(R"({"type":"resume"})"));
  while (true) {
    auto m = ws.Read(std::chrono::seconds(30));
    ASSERT_TRUE(m);
    json::value v = Parse(*m);
    if (v.at("type").as_string() == "error") {
      EXPECT_EQ(v.at("data").at("code").as_string(), "bad_message");
      break;
    }
  }
}

TEST_F(StreamServeTest, OversizedClientMessageClosesWith1009) {
  StartServer(7200, R"({"limits": {"ws_message_bytes": 256}})");
  const std::int64_t id = StartBot("big", alice_);
  WsClient ws(server_.port());
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/bots/" + std::to_string(id) + "/stream", Bearer(alice_), &refused));
  ASSERT_TRUE(ws.Write(std::string(1000, 'x')));
  while (ws.Read(std::chrono::seconds(30))) {
  }
  EXPECT_EQ(ws.close_code(), 1009);
}

TEST_F(StreamServeTest, AClientThatDoesNotReadIsClosedWith1008) {
  StartServer(72000, R"({"limits": {"ws_queue_messages": 4}})");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(StartBot("b" + std::to_string(i), alice_));
  WsClient ws(server_.port());
  ws.set_receive_buffer(4096);
  HttpResult refused;
  ASSERT_TRUE(ws.Connect("/api/stream", Bearer(alice_), &refused));
  // Not reading while thousands of events are published.
  ASSERT_TRUE(WaitForStored(ids.back(), StoredEvents(ids.back()) + 1500));
  int received = 0;
  while (ws.Read(std::chrono::seconds(30))) ++received;
  EXPECT_EQ(ws.close_code(), 1008) << "after " << received << " messages";
  HttpClient c(server_.port());
  EXPECT_EQ(c.Get("/api/health").status, 200) << "the server is fine";
}

TEST_F(StreamServeTest, StreamsCountTowardTheConnectionLimit) {
  StartServer(1, R"({"limits": {"max_connections": 3}})");  // c_ holds one of the three
  const std::int64_t id = StartBot("limit", alice_);
  const std::string target = "/api/bots/" + std::to_string(id) + "/stream";
  WsClient a(server_.port()), b(server_.port()), extra(server_.port());
  HttpResult refused;
  ASSERT_TRUE(a.Connect(target, Bearer(alice_), &refused)) << refused.status;
  ASSERT_TRUE(b.Connect(target, Bearer(alice_), &refused)) << refused.status;
  EXPECT_FALSE(extra.Connect(target, Bearer(alice_), &refused)) << "a fourth connection while two streams are open";
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.error_code(), "too_many_connections");
  // A closed stream gives its place back (once the server has seen the close).
  a.Close();
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (status != 200 && std::chrono::steady_clock::now() < until) {
    HttpClient later(server_.port());
    status = later.Get("/api/health").status;
    if (status != 200) std::this_thread::yield();
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace aitrader::testing
