// The OpenAPI document and the router agree: every served route is documented, every
// documented operation not marked x-planned is served, and nothing marked x-planned is served
// (remove the mark when the route lands). Also: the document is valid JSON of OpenAPI 3.1,
// every $ref resolves, every operation documents its responses and the error envelope.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/api.hpp"
#include "api/openapi.hpp"

namespace aitrader::api {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

std::string ToUpperAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aitrader_openapi_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ServerConfig cfg;
    cfg.database = "sqlite:" + (dir_ / "t.db").string();
    cfg.jwt_secret_file = (dir_ / "jwt.secret").string();
    cfg.master_key_file = (dir_ / "master.key").string();
    cfg.workers = 1;
    auto api = Api::Create(cfg, "test", {});
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(*api);
    boost::system::error_code ec;
    doc_ = json::parse(OpenApiDocument(), ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  void TearDown() override {
    api_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<Api> api_;
  json::value doc_;
};

TEST_F(OpenApiTest, RouterServesExactlyTheDocumentedOperations) {
  std::set<std::string> documented, planned;
  for (const auto& [path, item] : doc_.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      std::string key = ToUpperAscii(std::string(method)) + " " + std::string(path);
      if (op.as_object().contains("x-planned")) planned.insert(key);
      else documented.insert(key);
    }
  }
  std::set<std::string> served;
  for (const auto& [method, pattern] : api_->router().List()) served.insert(method + " " + pattern);
  for (const auto& s : served) {
    EXPECT_TRUE(documented.count(s) == 1) << s << " is served but " << (planned.count(s) ? "marked x-planned" : "not documented");
  }
  for (const auto& d : documented) EXPECT_TRUE(served.count(d) == 1) << d << " is documented but not served";
  EXPECT_GE(documented.size() + planned.size(), 40u) << "every route of issue 10";
}

void CollectRefs(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) {
      if (k == "$ref" && x.is_string()) out.emplace_back(x.as_string());
      else CollectRefs(x, out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v.as_array()) CollectRefs(x, out);
  }
}

TEST_F(OpenApiTest, DocumentIsWellFormed) {
  EXPECT_EQ(doc_.at("openapi").as_string(), "3.1.0");
  const auto& schemas = doc_.at("components").at("schemas").as_object();
  std::vector<std::string> refs;
  CollectRefs(doc_, refs);
  ASSERT_FALSE(refs.empty());
  for (const auto& r : refs) {
    ASSERT_EQ(r.rfind("#/components/schemas/", 0), 0u) << r;
    EXPECT_TRUE(schemas.contains(r.substr(21))) << "unresolved " << r;
  }
  for (const auto& [path, item] : doc_.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      const auto& o = op.as_object();
      ASSERT_TRUE(o.contains("responses")) << method << " " << path;
      EXPECT_TRUE(o.contains("operationId")) << method << " " << path;
      bool has_error = false;
      for (const auto& [code, resp] : o.at("responses").as_object()) {
        if (code.size() == 3 && code[0] == '4') has_error = true;
      }
      const bool open = o.contains("security") && o.at("security").as_array().empty();
      if (!open) {
        EXPECT_TRUE(o.at("responses").as_object().contains("401")) << method << " " << path;
      }
      const bool plain = path == "/api/health" || path == "/api/openapi.json" || path == "/api/ready";
      if (!plain) {
        EXPECT_TRUE(has_error) << method << " " << path << " documents no error";
      }
    }
  }
}

TEST_F(OpenApiTest, ServedDocumentIsTheCheckedInFile) {
  std::ifstream in(std::string(AITRADER_SOURCE_DIR) + "/src/api/openapi.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), std::string(OpenApiDocument()));
}

}  // namespace
}  // namespace aitrader::api
