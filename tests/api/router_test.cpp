#include "api/router.hpp"

#include <gtest/gtest.h>

namespace aitrader::api {
namespace {

ApiResponse Named(const std::string& name) {
  ApiResponse r;
  r.body = name;
  return r;
}

Router Make() {
  Router r;
  r.Add("GET", "/api/bots", true, [](ApiRequest&) { return Named("list"); });
  r.Add("POST", "/api/bots", true, [](ApiRequest&) { return Named("create"); });
  r.Add("GET", "/api/bots/{id}", true, [](ApiRequest&) { return Named("get"); });
  r.Add("DELETE", "/api/bots/{id}", true, [](ApiRequest&) { return Named("delete"); });
  r.Add("POST", "/api/bots/{id}/start", true, [](ApiRequest&) { return Named("start"); });
  r.Add("GET", "/api/market/symbols", true, [](ApiRequest&) { return Named("symbols"); });
  r.Add("GET", "/api/market/{symbol}", true, [](ApiRequest&) { return Named("symbol"); });
  return r;
}

TEST(Router, FindsRoutesAndParameters) {
  Router r = Make();
  auto m = r.Find("GET", "/api/bots/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/bots/{id}");
  EXPECT_EQ(m.params.at("id"), "42");
  ApiRequest req;
  EXPECT_EQ(m.route->handler(req).body, "get");
  m = r.Find("POST", "/api/bots/7/start");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "7");
}

TEST(Router, UnknownPathIsNotFoundAndWrongMethodListsAllowed) {
  Router r = Make();
  auto m = r.Find("GET", "/api/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  m = r.Find("PUT", "/api/bots/3");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "DELETE"}));
  m = r.Find("GET", "/api/bots/");  // an empty parameter matches nothing
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  m = r.Find("GET", "/api/bots/1/start/extra");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router r = Make();
  auto m = r.Find("GET", "/api/market/symbols");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/market/symbols");
  m = r.Find("GET", "/api/market/BTCUSDT");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("symbol"), "BTCUSDT");
  // POST on the literal path: 405 with the literal route's methods only.
  m = r.Find("POST", "/api/market/symbols");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET"}));
}

TEST(Router, HeadIsServedByGet) {
  Router r = Make();
  auto m = r.Find("HEAD", "/api/bots");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(PercentDecode, RejectsMalformedEscapesAndNul) {
  EXPECT_EQ(*PercentDecode("/a%20b", false), "/a b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
  EXPECT_FALSE(PercentDecode("a%00b", false));
  auto q = ParseQuery("limit=5&cursor=abc%3D&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("limit"), "5");
  EXPECT_EQ(q->at("cursor"), "abc=");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_FALSE(ParseQuery("a=%"));
}

}  // namespace
}  // namespace aitrader::api
