// Auth over HTTP against the real binary: register, login, refresh rotation and reuse,
// logout, /me, throttling, forged tokens, and the secret file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "api/jwt_forge.hpp"
#include "api/serve_process.hpp"
#include "api/test_users.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

const std::string kSecret = "test-secret-test-secret-test-secret-0123";

class AuthServeTest : public ::testing::Test {
 protected:
  void StartServer(std::string config = "") {
    ServeProcess::Options o;
    o.env = {{"AITRADER_JWT_SECRET", kSecret}};
    o.config_json = config;
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
  }
  ServeProcess server_;
};

TEST_F(AuthServeTest, RegisterValidatesAndRefusesDuplicates) {
  StartServer();
  HttpClient c(server_.port());
  auto r = c.Post("/api/auth/register", json::object{{"email", "Alice@Example.com"}, {"password", "0123456789"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("email").as_string(), "alice@example.com");
  EXPECT_GT(r.json.at("id").as_int64(), 0);
  EXPECT_FALSE(r.json.as_object().contains("password_hash"));
  r = c.Post("/api/auth/register", json::object{{"email", "alice@example.com"}, {"password", "0123456789"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_field(), "email");
  r = c.Post("/api/auth/register", json::object{{"email", "not-an-email"}, {"password", "0123456789"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "email");
  r = c.Post("/api/auth/register", json::object{{"email", "bob@example.com"}, {"password", "012345678"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "password");
  r = c.Post("/api/auth/register", json::object{{"email", 5}, {"password", "0123456789"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "email");
  r = c.Post("/api/auth/register", json::object{{"password", "0123456789"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "email");
  r = c.Post("/api/auth/register", json::object{{"email", "c@example.com"}, {"password", "0123456789"}, {"admin", true}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "admin");
  r = c.Request("POST", "/api/auth/register", "{\"email\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "malformed_json");
  r = c.Request("POST", "/api/auth/register", "[1,2]", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  r = c.Request("POST", "/api/auth/register", "email=a", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415);
  std::string deep(100, '[');
  r = c.Request("POST", "/api/auth/register", deep, {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400) << "nesting is bounded";
}

TEST_F(AuthServeTest, LoginMeAndBadCredentials) {
  StartServer();
  HttpClient c(server_.port());
  TestUser u = RegisterAndLogin(c, "carol@example.com");
  ASSERT_FALSE(u.access_token.empty());
  auto r = c.Post("/api/auth/login", json::object{{"email", "carol@example.com"}, {"password", u.password}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("token_type").as_string(), "bearer");
  EXPECT_EQ(r.json.at("expires_in").as_int64(), 900);
  r = c.Get("/api/auth/me", u.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("email").as_string(), "carol@example.com");
  EXPECT_EQ(r.json.at("id").as_int64(), u.id);
  r = c.Post("/api/auth/login", json::object{{"email", "carol@example.com"}, {"password", "wrong password"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.error_code(), "invalid_credentials");
  r = c.Post("/api/auth/login", json::object{{"email", "nobody@example.com"}, {"password", "wrong password"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.error_code(), "invalid_credentials") << "the same answer for an unknown account";
  r = c.Get("/api/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  r = c.Request("GET", "/api/auth/me", "", {{"Authorization", "Basic " + u.access_token}});
  EXPECT_EQ(r.status, 401);
  // Nothing secret in the server's output.
  const std::string out = server_.Output();
  EXPECT_EQ(out.find(u.password), std::string::npos);
  EXPECT_EQ(out.find(u.access_token), std::string::npos);
  EXPECT_EQ(out.find(kSecret), std::string::npos);
}

TEST_F(AuthServeTest, ForgedNoneExpiredAndTamperedTokensAre401) {
  StartServer();
  HttpClient c(server_.port());
  TestUser u = RegisterAndLogin(c, "dave@example.com");
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  auto payload = [&](std::int64_t exp) {
    return "{\"sub\":\"" + std::to_string(u.id) + "\",\"iat\":" + std::to_string(now - 10) +
           ",\"exp\":" + std::to_string(exp) + "}";
  };
  // A correct hand-made token works (the forge is right) ...
  auto r = c.Get("/api/auth/me", ForgeJwt(R"({"alg":"HS256","typ":"JWT"})", payload(now + 600), kSecret, "HS256"));
  ASSERT_EQ(r.status, 200) << r.body;
  // ... and every variation of it does not.
  std::vector<std::pair<std::string, std::string>> forged = {
      {"alg none", ForgeJwt(R"({"alg":"none","typ":"JWT"})", payload(now + 600), kSecret, "none")},
      {"HS512", ForgeJwt(R"({"alg":"HS512","typ":"JWT"})", payload(now + 600), kSecret, "HS512")},
      {"wrong key", ForgeJwt(R"({"alg":"HS256","typ":"JWT"})", payload(now + 600), "another-secret-another-secret-000", "HS256")},
      {"expired", ForgeJwt(R"({"alg":"HS256","typ":"JWT"})", payload(now - 1), kSecret, "HS256")},
      {"malformed", "not.a.token"},
      {"garbage", "%%%"},
  };
  std::string tampered = u.access_token;
  auto d1 = tampered.find('.');
  tampered[d1 + 3] = tampered[d1 + 3] == 'A' ? 'B' : 'A';
  forged.emplace_back("tampered", tampered);
  std::string resigned = u.access_token;
  resigned.back() = resigned.back() == 'A' ? 'B' : 'A';
  forged.emplace_back("signature flipped", resigned);
  for (const auto& [what, token] : forged) {
    r = c.Get("/api/auth/me", token);
    EXPECT_EQ(r.status, 401) << what;
    EXPECT_EQ(r.error_code(), "invalid_token") << what;
  }
}

TEST_F(AuthServeTest, RefreshRotatesAndReuseRevokesTheFamily) {
  StartServer();
  HttpClient c(server_.port());
  TestUser u = RegisterAndLogin(c, "erin@example.com");
  auto r = c.Post("/api/auth/refresh", json::object{{"refresh_token", u.refresh_token}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string second(r.json.at("refresh_token").as_string());
  EXPECT_NE(second, u.refresh_token);
  EXPECT_EQ(c.Get("/api/auth/me", std::string(r.json.at("access_token").as_string())).status, 200);
  // The first token again: reuse. The whole family goes, the second token too.
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", u.refresh_token}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.error_code(), "token_reused");
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", second}});
  EXPECT_EQ(r.status, 401);
  // Another login is another family, untouched.
  TestUser again;
  r = c.Post("/api/auth/login", json::object{{"email", u.email}, {"password", u.password}});
  ASSERT_EQ(r.status, 200);
  const std::string third(r.json.at("refresh_token").as_string());
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", third}});
  EXPECT_EQ(r.status, 200);
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", "rt_unknown"}});
  EXPECT_EQ(r.status, 401);
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", 12}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_field(), "refresh_token");
}

TEST_F(AuthServeTest, LogoutRevokesTheFamily) {
  StartServer();
  HttpClient c(server_.port());
  TestUser u = RegisterAndLogin(c, "frank@example.com");
  auto r = c.Post("/api/auth/refresh", json::object{{"refresh_token", u.refresh_token}});
  ASSERT_EQ(r.status, 200);
  const std::string current(r.json.at("refresh_token").as_string());
  r = c.Post("/api/auth/logout", json::object{{"refresh_token", current}});
  EXPECT_EQ(r.status, 204);
  r = c.Post("/api/auth/refresh", json::object{{"refresh_token", current}});
  EXPECT_EQ(r.status, 401);
  r = c.Post("/api/auth/logout", json::object{{"refresh_token", "rt_nothing"}});
  EXPECT_EQ(r.status, 401);
}

TEST_F(AuthServeTest, LoginIsThrottledPerAccountAndPerAddress) {
  StartServer(R"({"login_throttle": {"per_account": 3, "per_address": 6, "window_s": 600}})");
  HttpClient c(server_.port());
  TestUser u = RegisterAndLogin(c, "gina@example.com");
  for (int i = 0; i < 3; ++i) {
    auto r = c.Post("/api/auth/login", json::object{{"email", u.email}, {"password", "wrong password"}});
    EXPECT_EQ(r.status, 401) << i;
  }
  auto r = c.Post("/api/auth/login", json::object{{"email", u.email}, {"password", u.password}});
  EXPECT_EQ(r.status, 429) << "even the right password while throttled";
  EXPECT_EQ(r.error_code(), "too_many_attempts");
  ASSERT_TRUE(r.has("retry-after"));
  EXPECT_GT(std::stoi(r.header("retry-after")), 0);
  // Per address: other accounts from the same address run into the address limit.
  for (int i = 0; i < 3; ++i) {
    r = c.Post("/api/auth/login", json::object{{"email", "x" + std::to_string(i) + "@example.com"}, {"password", "wrong password"}});
    EXPECT_EQ(r.status, 401);
  }
  r = c.Post("/api/auth/login", json::object{{"email", "someone-else@example.com"}, {"password", "whatever12"}});
  EXPECT_EQ(r.status, 429);
}

TEST(AuthSecretFile, GeneratedOnFirstStartPrivateAndKept) {
  ServeProcess first;
  ServeProcess::Options o;  // no AITRADER_JWT_SECRET: the file is generated
  std::string why;
  ASSERT_TRUE(first.Start(o, &why)) << why;
  const std::string dir = first.dir();
  const std::string file = dir + "/jwt.secret";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0) << "generated";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string token;
  {
    HttpClient c(first.port());
    token = RegisterAndLogin(c, "hank@example.com").access_token;
    ASSERT_EQ(c.Get("/api/auth/me", token).status, 200);
  }
  ASSERT_EQ(first.Stop(), 0);
  ServeProcess second;
  o.keep_dir = true;
  o.dir = dir;
  ASSERT_TRUE(second.Start(o, &why)) << why;
  HttpClient c(second.port());
  EXPECT_EQ(c.Get("/api/auth/me", token).status, 200) << "the same secret after a restart";
  ASSERT_EQ(second.Stop(), 0);
  ::chmod(file.c_str(), 0644);
  std::string out;
  int code = ServeProcess::RunToExit(
      {"serve", "--port", "0", "--database", "sqlite:" + dir + "/aitrader.db", "--config", dir + "/server.json"}, &out);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("chmod 600"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader::testing
