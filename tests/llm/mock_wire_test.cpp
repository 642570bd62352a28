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


// The mock refuses what each vendor refuses, with the vendor's own 400 shape.
TEST(MockWire, SchemaIsCheckedAsStrictlyAsEachVendor) {
  const std::string bounded = R"({"type":"object","additionalProperties":false,"required":["leverage"],)"
                              R"("properties":{"leverage":{"type":"integer","minimum":1,"maximum":10}}})";
  const std::string open_object = R"({"type":"object","required":["a"],"properties":{"a":{"type":"string"}}})";
  const std::string clean = R"({"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"}}})";
  auto anthropic = [](const std::string& schema) {
    return R"({"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"u"}],)"
           R"("output_config":{"format":{"type":"json_schema","schema":)" + schema + "}}}";
  };
  auto a = ParseVendorRequest(Vendor::kAnthropic, "", anthropic(bounded));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->schema_rejection, "output_format.schema: For 'integer' type, property 'minimum' is not supported");
  MockReply reply = BuildVendorReply(*a, "{}", Fault{}, "k");
  EXPECT_EQ(reply.status, 400);
  json::value body = json::parse(reply.body);
  EXPECT_EQ(body.at("type").as_string(), "error");
  EXPECT_EQ(body.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_NE(ParseVendorRequest(Vendor::kAnthropic, "", anthropic(open_object))->schema_rejection.find("additionalProperties"),
            std::string::npos);
  EXPECT_EQ(ParseVendorRequest(Vendor::kAnthropic, "", anthropic(clean))->schema_rejection, "");

  auto openai = [](const std::string& schema, const char* type = "json_schema") {
    return std::string(R"({"model":"gpt-5","messages":[{"role":"user","content":"u"}],"response_format":{"type":")") +
           type + R"(","json_schema":{"name":"trade_decision","strict":true,"schema":)" + schema + "}}}";
  };
  auto o = ParseVendorRequest(Vendor::kOpenAi, "", openai(open_object));
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o->schema_rejection.find("Invalid schema for response_format 'trade_decision'"), std::string::npos);
  EXPECT_NE(o->schema_rejection.find("additionalProperties"), std::string::npos);
  const std::string missing = R"({"type":"object","additionalProperties":false,"required":[],"properties":{"a":{"type":"string"}}})";
  EXPECT_NE(ParseVendorRequest(Vendor::kOpenAi, "", openai(missing))->schema_rejection.find("Missing 'a'"), std::string::npos);
  EXPECT_NE(ParseVendorRequest(Vendor::kOpenAi, "", openai(bounded))->schema_rejection.find("'minimum' is not permitted"),
            std::string::npos);
  EXPECT_EQ(ParseVendorRequest(Vendor::kOpenAi, "", openai(clean))->schema_rejection, "");
  MockReply oreply = BuildVendorReply(*o, "{}", Fault{}, "k");
  EXPECT_EQ(oreply.status, 400);
  EXPECT_EQ(json::parse(oreply.body).at("error").at("param").as_string(), "response_format");
  // A local server that has no json_schema support at all.
  SchemaStrictness local;
  local.reject_json_schema = true;
  EXPECT_NE(ParseVendorRequest(Vendor::kOpenAi, "", openai(clean), local)->schema_rejection, "");
  EXPECT_EQ(ParseVendorRequest(Vendor::kOpenAi, "", R"({"model":"m","messages":[{"role":"user","content":"u"}],"response_format":{"type":"json_object"}})",
                               local)
                ->schema_rejection,
            "");

  auto gemini = [](const std::string& schema) {
    return R"({"contents":[{"role":"user","parts":[{"text":"u"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":)" +
           schema + "}}";
  };
  auto g = ParseVendorRequest(Vendor::kGemini, "gemini-2.5-pro", gemini(clean));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->schema_rejection,
            "Invalid JSON payload received. Unknown name \"additional_properties\" at "
            "'generation_config.response_schema': Cannot find field.");
  MockReply greply = BuildVendorReply(*g, "{}", Fault{}, "k");
  EXPECT_EQ(greply.status, 400);
  EXPECT_EQ(json::parse(greply.body).at("error").at("status").as_string(), "INVALID_ARGUMENT");
  EXPECT_EQ(ParseVendorRequest(Vendor::kGemini, "m", gemini(R"({"type":"OBJECT","properties":{"l":{"type":"INTEGER","minimum":1}},"required":["l"]})"))
                ->schema_rejection,
            "");
}

TEST(MockWire, MaxTokensCutsTheAnswerWithEachVendorsReason) {
  Fault f;
  f.kind = FaultKind::kMaxTokens;
  const std::string text = DefaultHoldResponder({});
  MockRequest a;
  a.vendor = Vendor::kAnthropic;
  EXPECT_EQ(json::parse(BuildVendorReply(a, text, f, "").body).at("stop_reason").as_string(), "max_tokens");
  MockRequest o;
  o.vendor = Vendor::kOpenAi;
  json::value ob = json::parse(BuildVendorReply(o, text, f, "").body);
  EXPECT_EQ(ob.at("choices").at(0).at("finish_reason").as_string(), "length");
  EXPECT_LT(ob.at("choices").at(0).at("message").at("content").as_string().size(), text.size());
  MockRequest g;
  g.vendor = Vendor::kGemini;
  EXPECT_EQ(json::parse(BuildVendorReply(g, text, f, "").body).at("candidates").at(0).at("finishReason").as_string(),
            "MAX_TOKENS");
}

}  // namespace
}  // namespace aitrader::llm::mock
