// Bots and credentials over HTTP against the real binary: the config loader's validation
// with the API's statuses, ids, pagination, ownership (another user's bot is 404 everywhere),
// and write-only credentials sealed at rest.
#include <gtest/gtest.h>

#include "api/serve_process.hpp"
#include "api/test_users.hpp"
#include "store/database.hpp"
#include "support/test_keys.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

class BotsServeTest : public ::testing::Test {
 protected:
  void StartServer(std::string config = "") {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", "bots-test-secret-bots-test-secret-0123"}};
    o.config_json = config;
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
    client_ = std::make_unique<HttpClient>(server_.port());
    alice_ = RegisterAndLogin(*client_, "alice@example.com");
    bob_ = RegisterAndLogin(*client_, "bob@example.com");
  }
  HttpResult Create(const json::value& spec, const TestUser& u) { return client_->Post("/api/bots", spec, u.access_token); }

  ServeProcess server_;
  std::unique_ptr<HttpClient> client_;
  TestUser alice_, bob_;
};

TEST_F(BotsServeTest, CreateGetListPatchDelete) {
  StartServer();
  auto r = Create(json::object{{"name", "trend"}, {"symbols", json::array{"BTC", "ETH"}}, {"capital", "2500"}}, alice_);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::int64_t id = r.json.at("id").as_int64();
  EXPECT_EQ(r.header("location"), "/api/bots/" + std::to_string(id));
  const auto& b = r.json.as_object();
  EXPECT_EQ(b.at("name").as_string(), "trend");
  EXPECT_EQ(b.at("label").as_string(), "trend");
  EXPECT_EQ(b.at("status").as_string(), "created");
  EXPECT_EQ(b.at("mode").as_string(), "paper");
  EXPECT_EQ(b.at("provider").as_string(), "baseline");
  EXPECT_EQ(b.at("capital").as_string(), "2500");
  EXPECT_EQ(b.at("equity").as_string(), "2500");
  EXPECT_EQ(b.at("pnl").as_string(), "0");
  EXPECT_EQ(b.at("open_positions").as_int64(), 0);
  EXPECT_TRUE(b.at("last_decision_at").is_null());
  EXPECT_EQ(b.at("symbols"), (json::array{"BTCUSDT", "ETHUSDT"}));
  EXPECT_EQ(b.at("spec").at("capital").as_string(), "2500");

  r = client_->Get("/api/bots/" + std::to_string(id), alice_.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("id").as_int64(), id);

  r = client_->Send("PATCH", "/api/bots/" + std::to_string(id), json::object{{"label", "Trend v2"}, {"capital", nullptr}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("label").as_string(), "Trend v2");
  EXPECT_EQ(r.json.at("capital").as_string(), "10000") << "null removes the key: back to the default";
  r = client_->Send("PATCH", "/api/bots/" + std::to_string(id), json::object{{"risk", json::object{{"max_leverage", 99}}}},
                    alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "risk.max_leverage");

  r = client_->Delete("/api/bots/" + std::to_string(id), alice_.access_token);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(client_->Get("/api/bots/" + std::to_string(id), alice_.access_token).status, 404);
  EXPECT_EQ(client_->Delete("/api/bots/" + std::to_string(id), alice_.access_token).status, 404);
  r = Create(json::object{{"name", "trend"}}, alice_);
  EXPECT_EQ(r.status, 201) << "a deleted bot's name is free again";
  EXPECT_NE(r.json.at("id").as_int64(), id);
}

TEST_F(BotsServeTest, PaginationWithCursor) {
  StartServer();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Create(json::object{{"name", "b" + std::to_string(i)}}, alice_).status, 201);
  std::vector<std::string> names;
  std::string cursor;
  int pages = 0;
  while (true) {
    auto r = client_->Get("/api/bots?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), alice_.access_token);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    for (const auto& b : r.json.at("items").as_array()) names.emplace_back(b.at("name").as_string());
    if (r.json.at("next_cursor").is_null()) break;
    cursor = std::string(r.json.at("next_cursor").as_string());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"}));
  auto r = client_->Get("/api/bots?limit=0", alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "limit");
  r = client_->Get("/api/bots?limit=1001", alice_.access_token);
  EXPECT_EQ(r.status, 422);
  r = client_->Get("/api/bots?limit=ten", alice_.access_token);
  EXPECT_EQ(r.status, 400);
  r = client_->Get("/api/bots?cursor=xyz", alice_.access_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "cursor");
  r = client_->Get("/api/bots", bob_.access_token);
  EXPECT_TRUE(r.json.at("items").as_array().empty()) << "bob sees none of alice's bots";
}

TEST_F(BotsServeTest, ValidationFollowsTheConfigLoader) {
  StartServer();
  struct Case {
    json::value spec;
    int status;
    std::string field;
  };
  std::vector<Case> cases = {
      {json::object{{"name", "a"}, {"risk", json::object{{"max_leverage", 50}}}}, 422, "risk.max_leverage"},
      {json::object{{"name", "a"}, {"risk", json::object{{"max_leverage", "5"}}}}, 400, "risk.max_leverage"},
      {json::object{{"name", 5}}, 400, "name"},
      {json::object{{"label", "x"}}, 422, "name"},
      {json::object{{"name", ""}}, 422, "name"},
      {json::object{{"name", "a"}, {"colour", "red"}}, 422, "colour"},
      {json::object{{"name", "a"}, {"symbols", json::array{"PEPE"}}}, 422, "symbols[0]"},
      {json::object{{"name", "a"}, {"symbols", "BTC"}}, 400, "symbols"},
      {json::object{{"name", "a"}, {"capital", "abc"}}, 422, "capital"},
      {json::object{{"name", "a"}, {"capital", json::object{}}}, 400, "capital"},
      {json::object{{"name", "a"}, {"capital", "-1"}}, 422, "capital"},
      {json::object{{"name", "a"}, {"close_on_stop", "yes"}}, 400, "close_on_stop"},
      {json::object{{"name", "a"}, {"model", "llm"}}, 422, "llm"},
      {json::object{{"name", "a"}, {"model", "gpt"}}, 422, "model"},
      {json::object{{"name", "a"}, {"mode", "real"}}, 422, "mode"},
      {json::object{{"name", "a"}, {"interval", "4h"}}, 422, "interval"},
      {json::object{{"name", "a"}, {"cadence", "90m"}}, 422, "cadence"},
      {json::object{{"name", "a"}, {"model", "llm"}, {"llm", json::object{{"provider", "anthropic"}, {"model", "m"}, {"api_key_env", "HOME"}}}},
       422, "llm.api_key_env"},
      {json::object{{"name", "a"}, {"model", "llm"}, {"llm", json::object{{"provider", "anthropic"}, {"model", "m"}, {"record_file", "/tmp/x"}}}},
       422, "llm.record_file"},
      {json::object{{"name", "a"}, {"model", "llm"}, {"llm", json::object{{"provider", "replay"}, {"model", "m"}}}}, 422, "llm.provider"},
      {json::object{{"name", "a"}, {"model", "llm"},
                    {"llm", json::object{{"provider", "openai-compatible"}, {"model", "m"}, {"base_url", "http://169.254.169.254/v1"}}}},
       422, "llm.base_url"},
  };
  for (const auto& c : cases) {
    auto r = Create(c.spec, alice_);
    EXPECT_EQ(r.status, c.status) << json::serialize(c.spec) << " → " << r.body;
    EXPECT_EQ(r.error_field(), c.field) << json::serialize(c.spec) << " → " << r.body;
    EXPECT_FALSE(r.json.at("error").at("message").as_string().empty());
  }
  auto r = Create(json::object{{"name", "dup"}}, alice_);
  ASSERT_EQ(r.status, 201);
  r = Create(json::object{{"name", "dup"}}, alice_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_field(), "name");
  EXPECT_EQ(Create(json::object{{"name", "dup"}}, bob_).status, 201) << "names are per user";
  r = client_->Request("POST", "/api/bots", "{\"name\":", {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + alice_.access_token}});
  EXPECT_EQ(r.status, 400);
  r = client_->Request("POST", "/api/bots", "name=a", {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + alice_.access_token}});
  EXPECT_EQ(r.status, 415);
  r = client_->Post("/api/bots", json::object{{"name", "x"}});
  EXPECT_EQ(r.status, 401);
  r = Create(json::object{{"name", "llm"}, {"model", "llm"}, {"llm", json::object{{"provider", "anthropic"}, {"model", "claude-sonnet-4-5"}}}}, alice_);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("provider").as_string(), "anthropic");
  EXPECT_EQ(r.json.at("model").as_string(), "claude-sonnet-4-5");
}

TEST_F(BotsServeTest, BaseUrlOnlyFromTheAllowList) {
  StartServer(R"({"llm_base_url_allow": ["http://127.0.0.1:11434/v1"]})");
  auto spec = [](const std::string& url) {
    return json::object{{"name", "local" + std::to_string(url.size())}, {"model", "llm"},
                        {"llm", json::object{{"provider", "openai-compatible"}, {"model", "qwen"}, {"base_url", url}}}};
  };
  EXPECT_EQ(Create(spec("http://127.0.0.1:11434/v1"), alice_).status, 201);
  auto r = Create(spec("http://127.0.0.1:11434/v1/../admin"), alice_);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "llm.base_url");
}

TEST_F(BotsServeTest, AnotherUsersBotIsNotFoundEverywhere) {
  StartServer();
  auto r = Create(json::object{{"name", "mine"}}, alice_);
  ASSERT_EQ(r.status, 201);
  const std::string path = "/api/bots/" + std::to_string(r.json.at("id").as_int64());
  auto g = client_->Get(path, bob_.access_token);
  EXPECT_EQ(g.status, 404);
  EXPECT_EQ(g.json.at("error").at("message").as_string(), "bot not found");
  EXPECT_EQ(client_->Send("PATCH", path, json::object{{"label", "stolen"}}, bob_.access_token).status, 404);
  EXPECT_EQ(client_->Delete(path, bob_.access_token).status, 404);
  // The same answer as for an id that does not exist, or is not an id.
  auto none = client_->Get("/api/bots/999999", bob_.access_token);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, g.body);
  EXPECT_EQ(client_->Get("/api/bots/abc", bob_.access_token).status, 404);
  EXPECT_EQ(client_->Get("/api/bots/-1", bob_.access_token).status, 404);
  r = client_->Get(path, alice_.access_token);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("label").as_string(), "mine");
}

TEST_F(BotsServeTest, CredentialsAreWriteOnlyAndSealed) {
  StartServer();
  const std::string key = "sk-ant-api03-very-secret-key-WXYZ";
  auto r = client_->Send("PUT", "/api/credentials/anthropic", json::object{{"api_key", key}}, alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = client_->Send("PUT", "/api/credentials/binance", json::object{{"api_key", "binance-key-0123456789"}, {"api_secret", "binance-secret-abc"}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = client_->Get("/api/credentials", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("very-secret"), std::string::npos);
  EXPECT_EQ(r.body.find("binance-secret"), std::string::npos);
  const auto& items = r.json.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name").as_string(), "anthropic");
  EXPECT_EQ(items[0].at("last4").as_string(), "WXYZ");
  EXPECT_FALSE(items[0].at("has_secret").as_bool());
  EXPECT_EQ(items[1].at("name").as_string(), "binance");
  EXPECT_TRUE(items[1].at("has_secret").as_bool());
  EXPECT_TRUE(client_->Get("/api/credentials", bob_.access_token).json.at("items").as_array().empty());

  // At rest: sealed, neither value in the database file's rows.
  {
    auto db = store::OpenDatabase(server_.database());
    ASSERT_TRUE(db.ok());
    auto rows = (*db)->Query("SELECT api_key_enc, api_secret_enc FROM exchange_credentials");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    for (const auto& row : *rows) {
      EXPECT_EQ(row.Text(0).rfind("v1:", 0), 0u);
      EXPECT_EQ(row.Text(0).find("secret"), std::string::npos);
      EXPECT_EQ(row.Text(1).find("secret"), std::string::npos);
    }
  }

  r = client_->Send("PUT", "/api/credentials/binance-testnet", json::object{{"api_key", "k-0123456789ab"}}, alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "api_secret");
  r = client_->Send("PUT", "/api/credentials/Bad%20Name", json::object{{"api_key", "k"}}, alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "name");
  r = client_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", "k"}, {"note", "x"}}, alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "note");
  r = client_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", 1}}, alice_.access_token);
  EXPECT_EQ(r.status, 400);
  r = client_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", ""}}, alice_.access_token);
  EXPECT_EQ(r.status, 422);
  r = client_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", "short"}}, alice_.access_token);
  EXPECT_EQ(r.status, 204);
  r = client_->Get("/api/credentials", alice_.access_token);
  EXPECT_EQ(r.body.find("hort"), std::string::npos) << "a short key shows no hint";

  EXPECT_EQ(client_->Delete("/api/credentials/anthropic", bob_.access_token).status, 404) << "not bob's";
  EXPECT_EQ(client_->Delete("/api/credentials/anthropic", alice_.access_token).status, 204);
  EXPECT_EQ(client_->Delete("/api/credentials/anthropic", alice_.access_token).status, 404);
  EXPECT_EQ(client_->Get("/api/credentials").status, 401);
  EXPECT_EQ(server_.Output().find("very-secret"), std::string::npos);
}

// Binance's Ed25519 / RSA API keys: the PEM private key is the api_secret; it is checked at PUT
// time (422 api_secret saying why, never showing it) and sealed like any secret.
TEST_F(BotsServeTest, BinancePrivateKeysAreCheckedWhenStored) {
  StartServer();
  const auto ed = testing::GenerateEd25519();
  const auto rsa = testing::GenerateRsa(4096);  // the largest Binance makes: ~3.3 KB of PEM
  ASSERT_GT(rsa.private_pem.size(), 3000u);
  const std::string api_key = "ed25519-api-key-from-binance-KEY1";
  auto r = client_->Send("PUT", "/api/credentials/binance-testnet", json::object{{"api_key", api_key}, {"api_secret", ed.private_pem}},
                         alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = client_->Send("PUT", "/api/credentials/binance", json::object{{"api_key", "rsa-api-key-from-binance-KEY2"}, {"api_secret", rsa.private_pem}},
                    alice_.access_token);
  ASSERT_EQ(r.status, 204) << r.body;
  r = client_->Get("/api/credentials", alice_.access_token);
  ASSERT_EQ(r.status, 200);
  const auto& items = r.json.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name").as_string(), "binance");
  EXPECT_EQ(items[0].at("last4").as_string(), "KEY2");
  EXPECT_TRUE(items[0].at("has_secret").as_bool());
  EXPECT_EQ(items[1].at("name").as_string(), "binance-testnet");
  EXPECT_EQ(items[1].at("last4").as_string(), "KEY1");
  EXPECT_TRUE(items[1].at("has_secret").as_bool());
  EXPECT_EQ(r.body.find("PRIVATE KEY"), std::string::npos);
  {
    auto db = store::OpenDatabase(server_.database());
    ASSERT_TRUE(db.ok());
    auto rows = (*db)->Query("SELECT api_secret_enc FROM exchange_credentials");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    for (const auto& row : *rows) {
      EXPECT_EQ(row.Text(0).rfind("v1:", 0), 0u);
      EXPECT_EQ(row.Text(0).find("PRIVATE KEY"), std::string::npos) << "sealed";
    }
  }

  // Unusable keys: 422 on api_secret, the reason in the message, no key material anywhere.
  const std::string pkcs1 = testing::Pkcs1Pem(rsa);
  const std::string encrypted = testing::EncryptedPkcs8Pem(ed);
  struct Bad {
    std::string secret, says;
  };
  const std::vector<Bad> bad = {
      {pkcs1, "PKCS#1"},
      {encrypted, "encrypted PKCS#8"},
      {ed.public_pem, "a public key"},
      {testing::GenerateEcP256().private_pem, "type EC"},
      {"-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQoLDA0ODw==\n-----END PRIVATE KEY-----\n", "not valid PKCS#8"},
      {"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI", "damaged PEM"},
  };
  for (const auto& b : bad) {
    r = client_->Send("PUT", "/api/credentials/binance-testnet", json::object{{"api_key", "k-0123456789ab"}, {"api_secret", b.secret}},
                      alice_.access_token);
    EXPECT_EQ(r.status, 422) << b.says << ": " << r.body;
    EXPECT_EQ(r.error_field(), "api_secret") << b.says;
    EXPECT_NE(r.body.find(b.says), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("BEGIN PRIVATE KEY"), std::string::npos) << "names the expected format: " << r.body;
    const std::string piece = b.secret.substr(std::min<std::size_t>(b.secret.size(), 40), 16);
    if (piece.size() == 16) {
      EXPECT_EQ(r.body.find(piece), std::string::npos) << "key material in " << r.body;
    }
  }
  // The stored testnet key is still the good one (a refused PUT changes nothing).
  r = client_->Get("/api/credentials", alice_.access_token);
  EXPECT_EQ(r.json.at("items").as_array()[1].at("last4").as_string(), "KEY1");
  // Too large for any key: the limit stays.
  r = client_->Send("PUT", "/api/credentials/binance-testnet",
                    json::object{{"api_key", "k-0123456789ab"}, {"api_secret", std::string(4097, 'a')}}, alice_.access_token);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "api_secret");
  // Other providers' secrets are not Binance keys: not parsed.
  r = client_->Send("PUT", "/api/credentials/openai", json::object{{"api_key", "sk-0123456789abcdef"}, {"api_secret", pkcs1}},
                    alice_.access_token);
  EXPECT_EQ(r.status, 204) << r.body;

  const std::string output = server_.Output();
  for (const std::string* pem : {&ed.private_pem, &rsa.private_pem, &pkcs1, &encrypted}) {
    EXPECT_EQ(output.find(pem->substr(40, 16)), std::string::npos) << "key material in the server's output";
  }
}

TEST(MasterKey, AnInvalidKeyStopsTheStart) {
  ServeProcess s;
  ServeProcess::Options o;
  o.env = {{"AITRADER_MASTER_KEY", "not-base64-of-32-bytes"}};
  std::string why;
  EXPECT_FALSE(s.Start(o, &why, std::chrono::seconds(20)));
  EXPECT_NE(s.Output().find("master key"), std::string::npos) << s.Output();
  EXPECT_EQ(s.Output().find("not-base64-of-32-bytes"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::testing
