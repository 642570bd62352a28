#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "llm/mock/mock_server.hpp"

namespace aitrader::llm::mock {
namespace {
namespace json = boost::json;

TEST(MockFaults, ScriptParsing) {
  auto faults = ParseFaultScript(R"(# comment
rate_limit retry_after=3
rate_limit retry_after_ms=250 should_retry=true
overloaded repeat=2

slow delay_ms=1500
rate_limit retry_after_date=Wed, 21 Oct 2015 07:28:00 GMT
ok)");
  ASSERT_TRUE(faults.ok()) << faults.status().ToString();
  ASSERT_EQ(faults->size(), 7u);
  EXPECT_EQ((*faults)[0].kind, FaultKind::kRateLimit);
  EXPECT_EQ(*(*faults)[0].retry_after_s, 3);
  EXPECT_EQ(*(*faults)[1].retry_after_ms, 250);
  EXPECT_TRUE(*(*faults)[1].should_retry);
  EXPECT_EQ((*faults)[2].kind, FaultKind::kOverloaded);
  EXPECT_EQ((*faults)[3].kind, FaultKind::kOverloaded);
  EXPECT_EQ((*faults)[4].delay_ms, 1500);
  EXPECT_EQ((*faults)[5].retry_after_date, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ((*faults)[6].kind, FaultKind::kNone);
  auto bad = ParseFaultScript("ok\nexplode\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(ParseFaultScript("slow delay_ms=abc").ok());
}

TEST(MockWire, RoutesAndParsesEachVendor) {
  EXPECT_EQ(RouteVendor("/v1/messages")->first, Vendor::kAnthropic);
  EXPECT_EQ(RouteVendor("/chat/completions")->first, Vendor::kOpenAi);
  auto g = RouteVendor("/v1beta/models/gemini-2.5-pro:generateContent");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->second, "gemini-2.5-pro");
  EXPECT_FALSE(RouteVendor("/v1beta/models/:generateContent").has_value());
  EXPECT_FALSE(RouteVendor("/mock/requests").has_value());

  auto a = ParseVendorRequest(Vendor::kAnthropic, "", R"({"model":"claude-sonnet-4-5","max_tokens":9,
      "system":"sys","messages":[{"role":"user","content":[{"type":"text","text":"hello"}]}]})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->system, "sys");
  EXPECT_EQ(a->user, "hello");
  auto o = ParseVendorRequest(Vendor::kOpenAi, "", R"({"model":"gpt-5","messages":[{"role":"developer","content":"sys"},
      {"role":"user","content":"u1"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->system, "sys");
  EXPECT_EQ(o->schema, R"({"type":"object"})");
  auto gem = ParseVendorRequest(Vendor::kGemini, "gemini-2.5-flash", R"({"systemInstruction":{"parts":[{"text":"sys"}]},
      "contents":[{"role":"user","parts":[{"text":"u"}]}]})");
  ASSERT_TRUE(gem.ok());
  EXPECT_EQ(gem->model, "gemini-2.5-flash");
  EXPECT_EQ(gem->user, "u");
  EXPECT_FALSE(ParseVendorRequest(Vendor::kOpenAi, "", "{").ok());
}

TEST(MockWire, RepliesInEachVendorFormat) {
  MockRequest req;
  req.vendor = Vendor::kAnthropic;
  req.model = "claude-sonnet-4-5";
  req.system = std::string(400, 's');
  req.user = std::string(400, 'u');
  req.sequence = 1;
  const std::string text = DefaultHoldResponder(req);
  EXPECT_TRUE(json::parse(text).is_object());

  MockReply a = BuildVendorReply(req, text, Fault{}, "");
  json::value av = json::parse(a.body);
  EXPECT_EQ(std::string(av.at("content").at(0).at("text").as_string()), text);
  EXPECT_EQ(av.at("usage").at("input_tokens"), 200);

  Fault overloaded;
  overloaded.kind = FaultKind::kOverloaded;
  MockReply o = BuildVendorReply(req, text, overloaded, "");
  EXPECT_EQ(o.status, 529);
  EXPECT_EQ(json::parse(o.body).at("error").at("type"), "overloaded_error");

  Fault truncated;
  truncated.kind = FaultKind::kTruncated;
  boost::system::error_code ec;
  json::parse(BuildVendorReply(req, text, truncated, "").body, ec);
  EXPECT_TRUE(ec);

  req.vendor = Vendor::kOpenAi;
  req.model = "deepseek-reasoner";
  json::value ds = json::parse(BuildVendorReply(req, text, Fault{}, "").body);
  EXPECT_TRUE(ds.at("choices").at(0).at("message").as_object().contains("reasoning_content"));
  EXPECT_TRUE(ds.at("usage").as_object().contains("prompt_cache_hit_tokens"));

  Fault quota;
  quota.kind = FaultKind::kInsufficientQuota;
  req.model = "gpt-5";
  MockReply q = BuildVendorReply(req, text, quota, "");
  EXPECT_EQ(q.status, 429);
  EXPECT_EQ(json::parse(q.body).at("error").at("code"), "insufficient_quota");

  req.vendor = Vendor::kGemini;
  req.model = "gemini-2.5-flash";
  Fault reasoning;
  reasoning.kind = FaultKind::kReasoning;
  json::value gv = json::parse(BuildVendorReply(req, text, reasoning, "").body);
  EXPECT_EQ(gv.at("candidates").at(0).at("content").at("parts").at(0).at("thought"), true);
  EXPECT_TRUE(gv.at("usageMetadata").as_object().contains("thoughtsTokenCount"));
}

}  // namespace
}  // namespace aitrader::llm::mock
