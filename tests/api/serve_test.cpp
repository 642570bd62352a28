// `aitrader serve` for real: the binary on a loopback port with a temporary SQLite file,
// driven by a Beast HTTP client. Server skeleton: health, errors, limits, headers, static
// files, shutdown.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/serve_process.hpp"

namespace aitrader::testing {
namespace {
namespace json = boost::json;

class ServeTest : public ::testing::Test {
 protected:
  void StartServer(ServeProcess::Options o = {}) {
    std::string why;
    ASSERT_TRUE(server_.Start(o, &why)) << why;
  }
  ServeProcess server_;
};

TEST_F(ServeTest, HealthAndReady) {
  StartServer();
  HttpClient c(server_.port());
  auto r = c.Get("/api/health");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.json.at("status").as_string(), "ok");
  EXPECT_EQ(r.json.at("version").as_string(), "0.1.0");
  EXPECT_TRUE(r.json.as_object().contains("market_time"));
  EXPECT_EQ(r.header("content-type"), "application/json");
  r = c.Get("/api/ready");
  ASSERT_TRUE(r.status == 200 || r.status == 503);
  EXPECT_TRUE(r.json.at("database").as_bool());
}

TEST_F(ServeTest, SecurityHeadersAndNoServerVersion) {
  StartServer();
  HttpClient c(server_.port());
  for (const char* target : {"/api/health", "/api/nothing"}) {
    auto r = c.Get(target);
    ASSERT_NE(r.status, 0) << r.error;
    EXPECT_NE(r.header("content-security-policy").find("default-src 'self'"), std::string::npos) << target;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_FALSE(r.has("server"));
    EXPECT_FALSE(r.has("access-control-allow-origin")) << "CORS is off unless configured";
  }
  auto r = c.Request("GET", "/api/health", "", {{"Origin", "http://evil.example"}});
  EXPECT_FALSE(r.has("access-control-allow-origin"));
}

TEST_F(ServeTest, CorsOnlyForConfiguredOrigins) {
  ServeProcess::Options o;
  o.config_json = R"({"cors_origins": ["http://localhost:5173"]})";
  StartServer(o);
  HttpClient c(server_.port());
  auto r = c.Request("GET", "/api/health", "", {{"Origin", "http://localhost:5173"}});
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:5173");
  r = c.Request("OPTIONS", "/api/bots", "",
                {{"Origin", "http://localhost:5173"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_NE(r.header("access-control-allow-headers").find("Authorization"), std::string::npos);
  r = c.Request("GET", "/api/health", "", {{"Origin", "http://evil.example"}});
  EXPECT_FALSE(r.has("access-control-allow-origin"));
  r = c.Request("OPTIONS", "/api/bots", "", {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_NE(r.status, 204);
}

TEST_F(ServeTest, NotFoundAndMethodNotAllowedInTheEnvelope) {
  StartServer();
  HttpClient c(server_.port());
  auto r = c.Get("/api/no/such/route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_code(), "not_found");
  r = c.Post("/api/health", json::object{});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.error_code(), "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "GET");
  r = c.Get("/not-api-and-no-web-folder");
  EXPECT_EQ(r.status, 404);
  r = c.Get("/api/%zz");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "bad_request");
}

TEST_F(ServeTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  HttpClient c(server_.port());
  for (int i = 0; i < 20; ++i) {
    auto r = c.Get("/api/health");
    ASSERT_EQ(r.status, 200) << i << " " << r.error;
    ASSERT_TRUE(c.connected()) << "the connection stays open";
  }
}

TEST_F(ServeTest, OversizedBodyAndHeadersAreRefused) {
  ServeProcess::Options o;
  o.config_json = R"({"limits": {"body_bytes": 2048, "header_bytes": 2048}})";
  StartServer(o);
  {
    HttpClient c(server_.port());
    auto r = c.Request("POST", "/api/health", std::string(4096, 'x'), {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error_code(), "body_too_large");
  }
  {
    // A chunked body has no Content-Length: the limit applies while reading.
    HttpClient c(server_.port());
    std::string chunk(1500, 'y');
    char len[16];
    std::snprintf(len, sizeof len, "%zx", chunk.size());
    std::string raw = "POST /api/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) raw += std::string(len) + "\r\n" + chunk + "\r\n";
    raw += "0\r\n\r\n";
    auto r = c.Raw(raw);
    EXPECT_EQ(r.status, 413);
  }
  {
    HttpClient c(server_.port());
    auto r = c.Request("GET", "/api/health", "", {{"X-Filler", std::string(4096, 'h')}});
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(r.error_code(), "headers_too_large");
  }
  HttpClient c(server_.port());
  EXPECT_EQ(c.Get("/api/health").status, 200) << "the server lives on";
}

TEST_F(ServeTest, MalformedRequestIs400) {
  StartServer();
  HttpClient c(server_.port());
  auto r = c.Raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  HttpClient c2(server_.port());
  EXPECT_EQ(c2.Get("/api/health").status, 200);
}

TEST_F(ServeTest, IdleConnectionsAreClosed) {
  ServeProcess::Options o;
  o.config_json = R"({"limits": {"idle_timeout_ms": 300}})";
  StartServer(o);
  HttpClient c(server_.port());
  ASSERT_EQ(c.Get("/api/health").status, 200);
  EXPECT_TRUE(c.WaitForClose(std::chrono::seconds(10))) << "the server closes an idle keep-alive connection";
}

TEST_F(ServeTest, ConnectionsBeyondTheLimitGet503) {
  ServeProcess::Options o;
  o.config_json = R"({"limits": {"max_connections": 2}})";
  StartServer(o);
  HttpClient a(server_.port()), b(server_.port()), extra(server_.port());
  ASSERT_EQ(a.Get("/api/health").status, 200);
  ASSERT_EQ(b.Get("/api/health").status, 200);
  auto r = extra.Get("/api/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error_code(), "too_many_connections");
  EXPECT_EQ(a.Get("/api/health").status, 200);
}

TEST_F(ServeTest, OpenApiDocumentIsServed) {
  StartServer();
  HttpClient c(server_.port());
  auto r = c.Get("/api/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(r.json.at("paths").as_object().contains("/api/bots/{id}/positions"));
}

TEST_F(ServeTest, StaticFilesStayInsideTheWebFolder) {
  ServeProcess::Options o;
  auto web = std::filesystem::temp_directory_path() / ("aitrader_web_" + std::to_string(::getpid()));
  std::filesystem::create_directories(web / "dist" / "assets");
  std::ofstream(web / "dist" / "index.html") << "<html>dashboard</html>";
  std::ofstream(web / "dist" / "assets" / "app-1a2b3c4d.js") << "console.log(1)";
  std::ofstream(web / "secret.txt") << "top secret";
  o.args = {"--web", (web / "dist").string()};
  StartServer(o);
  HttpClient c(server_.port());
  auto r = c.Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>dashboard</html>");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  r = c.Get("/assets/app-1a2b3c4d.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.header("content-type"), "text/javascript; charset=utf-8");
  r = c.Get("/bots/3");
  EXPECT_EQ(r.body, "<html>dashboard</html>") << "SPA fallback";
  for (const char* t : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"}) {
    HttpClient one(server_.port());
    r = one.Get(t);
    EXPECT_EQ(r.status, 404) << t;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << t;
  }
  r = c.Get("/api/unknown");
  EXPECT_EQ(r.status, 404) << "/api is never the SPA";
  EXPECT_EQ(r.error_code(), "not_found");
  std::filesystem::remove_all(web);
}

TEST_F(ServeTest, SigtermStopsGracefully) {
  StartServer();
  HttpClient c(server_.port());
  ASSERT_EQ(c.Get("/api/health").status, 200);
  int status = server_.Stop();
  ASSERT_TRUE(WIFEXITED(status)) << server_.Output();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(server_.Output().find("stopped"), std::string::npos);
}

TEST(ServeCli, HelpListsEveryFlag) {
  std::string out;
  ASSERT_EQ(ServeProcess::RunToExit({"serve", "--help"}, &out), 0);
  for (const char* f : {"--config", "--host", "--port", "--database", "--data", "--speed", "--from", "--web"}) {
    EXPECT_NE(out.find(f), std::string::npos) << f;
  }
}

TEST(ServeCli, BadConfigNamesThePath) {
  auto path = std::filesystem::temp_directory_path() / ("aitrader_badcfg_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"limits": {"max_conections": 5}})";
  std::string out;
  EXPECT_EQ(ServeProcess::RunToExit({"serve", "--config", path.string()}, &out), 2);
  EXPECT_NE(out.find("limits.max_conections: unknown key"), std::string::npos) << out;
  std::filesystem::remove(path);
  out.clear();
  EXPECT_EQ(ServeProcess::RunToExit({"serve", "--port", "0"}, &out, {{"AITRADER_PORT", "eighty"}}), 2);
  EXPECT_NE(out.find("AITRADER_PORT"), std::string::npos) << out;
}

}  // namespace
}  // namespace aitrader::testing
