// The vendor wire formats against real recorded bodies (reference/llm/wire_formats.md).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "llm/wire/anthropic_wire.hpp"
#include "llm/wire/gemini_wire.hpp"
#include "llm/wire/openai_wire.hpp"

namespace aitrader::llm::wire {
namespace {
namespace json = boost::json;

// Real 200 body from the Anthropic SDK's recorded exchange (anthropic_c11eefc7-….json).
constexpr const char* kAnthropicBody = R"({
  "model": "claude-sonnet-4-5-20250929", "id": "msg_01Egs18hRzhru3uGon3qesbA", "type": "message",
  "role": "assistant",
  "content": [{"type": "text", "text": "{\"product_name\": \"Green Tea\", \"price\": 5.50, \"quantity\": 2}"}],
  "stop_reason": "end_turn", "stop_sequence": null,
  "usage": {"input_tokens": 249, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 26, "service_tier": "standard", "inference_geo": "not_available"}})";

// Real 429 body (anthropic_d743d628-….json), message shortened.
constexpr const char* kAnthropic429 = R"({"type": "error", "error": {"type": "rate_limit_error",
  "message": "This request would exceed your organization's rate limit of 20,000,000 prompt bytes per hour"},
  "request_id": "req_011CYK5mje9HkutJtmfPzzNC"})";

// The official OpenAI example response (openai_chat_completions_examples.json "Default").
constexpr const char* kOpenAiBody = R"({"id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion",
  "created": 1741569952, "model": "gpt-5.4",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I assist you today?",
               "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default"})";

// Real gemini-2.5-flash body (function-call turn) from the reference, plus a text part.
constexpr const char* kGeminiBody = R"({"candidates": [{"content": {"parts": [
      {"text": "weighing the trend", "thought": true},
      {"functionCall": {"name": "show_help", "args": {}}, "thoughtSignature": "CpYCAXLI2nzb"},
      {"text": "{\"a\":1}"}], "role": "model"},
    "finishReason": "STOP", "index": 0, "finishMessage": "Model generated function call(s)."}],
  "usageMetadata": {"promptTokenCount": 451, "candidatesTokenCount": 10, "totalTokenCount": 514,
                    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 451}], "thoughtsTokenCount": 53},
  "modelVersion": "gemini-2.5-flash", "responseId": "AQRPadfIDLCdkdUPv82l2Qw"})";

Request Sample(std::string model) {
  Request r;
  r.model = std::move(model);
  r.messages = {{Role::kSystem, "You are a trading assistant."}, {Role::kUser, "BTC 1h candles: ... Decide."}};
  r.temperature = 0.2;
  r.max_tokens = 1024;
  r.response_schema =
      R"({"type":"object","properties":{"action":{"type":"string","enum":["long","short","flat"]},)"
      R"("size_pct":{"type":"number"}},"required":["action","size_pct"],"additionalProperties":false})";
  return r;
}

TEST(AnthropicWire, ParsesTheRecordedResponse) {
  auto r = ParseAnthropicResponse(kAnthropicBody);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, R"({"product_name": "Green Tea", "price": 5.50, "quantity": 2})");
  EXPECT_EQ(r->model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(r->finish_reason, "end_turn");
  EXPECT_EQ(r->usage.input_tokens, 249);
  EXPECT_EQ(r->usage.output_tokens, 26);
  EXPECT_EQ(r->usage.cached_tokens, 0);
  auto e = ParseAnthropicError(kAnthropic429);
  EXPECT_EQ(e.type, "rate_limit_error");
  EXPECT_NE(e.message.find("rate limit"), std::string::npos);
}

TEST(AnthropicWire, CacheTokensCountAsInputAndThinkingIsReasoning) {
  auto r = ParseAnthropicResponse(R"({"model":"m","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
      {"type":"text","text":"{}"}],"stop_reason":"end_turn","usage":{"input_tokens":10,
      "cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":5}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "{}");
  EXPECT_EQ(r->reasoning, "hmm");
  EXPECT_EQ(r->usage.input_tokens, 1110);
  EXPECT_EQ(r->usage.cached_tokens, 1000);
}

TEST(AnthropicWire, RequestMatchesTheRecordedShape) {
  auto body = BuildAnthropicRequest(Sample("claude-sonnet-4-5"));
  ASSERT_TRUE(body.ok());
  json::value v = json::parse(*body);
  EXPECT_EQ(v.at("model"), "claude-sonnet-4-5");
  EXPECT_EQ(v.at("max_tokens"), 1024);
  EXPECT_EQ(v.at("system"), "You are a trading assistant.");
  ASSERT_EQ(v.at("messages").as_array().size(), 1u);
  EXPECT_EQ(v.at("messages").at(0).at("role"), "user");
  EXPECT_EQ(v.at("output_config").at("format").at("type"), "json_schema");
  EXPECT_EQ(v.at("output_config").at("format").at("schema").at("additionalProperties"), false);
  Request bad = Sample("m");
  bad.response_schema = "{not json";
  EXPECT_EQ(BuildAnthropicRequest(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenAiWire, ParsesTheOfficialExample) {
  auto r = ParseOpenAiResponse(kOpenAiBody);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "Hello! How can I assist you today?");
  EXPECT_EQ(r->model, "gpt-5.4");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->usage.input_tokens, 19);
  EXPECT_EQ(r->usage.output_tokens, 10);
}

TEST(OpenAiWire, DeepSeekReasonerWithKeepAliveLines) {
  const std::string body = std::string("\n\n: keep-alive\n\n") + R"({"id":"x","object":"chat.completion",
    "model":"deepseek-reasoner","choices":[{"index":0,"finish_reason":"stop","logprobs":null,
    "message":{"role":"assistant","content":"Paris","reasoning_content":"The user asks..."}}],
    "usage":{"prompt_tokens":13,"completion_tokens":120,"total_tokens":133,"prompt_cache_hit_tokens":8,
    "prompt_cache_miss_tokens":5,"completion_tokens_details":{"reasoning_tokens":115}}})";
  auto r = ParseOpenAiResponse(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "Paris");
  EXPECT_EQ(r->reasoning, "The user asks...");
  EXPECT_EQ(r->usage.input_tokens, 13);
  EXPECT_EQ(r->usage.cached_tokens, 8);
  EXPECT_EQ(r->usage.output_tokens, 120);
  EXPECT_EQ(r->usage.reasoning_tokens, 115);
}

TEST(OpenAiWire, RefusalsErrorsAndBadShapes) {
  auto refusal = ParseOpenAiResponse(R"({"model":"gpt-5","choices":[{"index":0,"finish_reason":"stop",
      "message":{"role":"assistant","content":null,"refusal":"I can't help with that."}}]})");
  ASSERT_TRUE(refusal.ok());
  EXPECT_EQ(refusal->text, "");
  EXPECT_EQ(refusal->finish_reason, "refusal");
  EXPECT_EQ(refusal->reasoning, "I can't help with that.");
  auto e = ParseOpenAiError(R"({"error":{"message":"quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
  EXPECT_EQ(e.code, "insufficient_quota");
  EXPECT_EQ(ParseOpenAiResponse(R"({"choices":{"index":0}})").status().code(), StatusCode::kParseError);
  EXPECT_EQ(ParseOpenAiResponse(R"({"choices":[{"message":{"content":{"a":1}}}]})").status().code(), StatusCode::kParseError);
  EXPECT_EQ(ParseOpenAiResponse(R"({"choices":[{"mess)").status().code(), StatusCode::kParseError);
  EXPECT_EQ(ParseOpenAiResponse("   ").status().code(), StatusCode::kParseError);
}

TEST(OpenAiWire, RequestModes) {
  OpenAiWireOptions openai;
  openai.json_mode = JsonMode::kJsonSchema;
  openai.system_role = "developer";
  openai.use_max_completion_tokens = true;
  json::value v = json::parse(BuildOpenAiRequest(Sample("gpt-5"), openai).value());
  EXPECT_EQ(v.at("messages").at(0).at("role"), "developer");
  EXPECT_EQ(v.at("messages").at(0).at("content"), "You are a trading assistant.");
  EXPECT_EQ(v.at("max_completion_tokens"), 1024);
  EXPECT_FALSE(v.as_object().contains("max_tokens"));
  EXPECT_EQ(v.at("response_format").at("type"), "json_schema");
  EXPECT_EQ(v.at("response_format").at("json_schema").at("name"), "trade_decision");
  EXPECT_EQ(v.at("response_format").at("json_schema").at("strict"), true);
  EXPECT_EQ(v.at("response_format").at("json_schema").at("schema").at("type"), "object");

  OpenAiWireOptions deepseek;
  deepseek.json_mode = JsonMode::kJsonObject;
  json::value d = json::parse(BuildOpenAiRequest(Sample("deepseek-chat"), deepseek).value());
  EXPECT_EQ(d.at("response_format").at("type"), "json_object");
  EXPECT_EQ(d.at("max_tokens"), 1024);
  const std::string system(d.at("messages").at(0).at("content").as_string());
  EXPECT_NE(system.find("JSON"), std::string::npos);
  EXPECT_NE(system.find("json"), std::string::npos);  // DeepSeek's JSON mode wants the word
  EXPECT_NE(system.find("\"size_pct\""), std::string::npos);
}

TEST(GeminiWire, ParsesTheRecordedResponse) {
  auto r = ParseGeminiResponse(kGeminiBody);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, R"({"a":1})");
  EXPECT_EQ(r->reasoning, "weighing the trend");
  EXPECT_EQ(r->model, "gemini-2.5-flash");
  EXPECT_EQ(r->finish_reason, "STOP");
  EXPECT_EQ(r->usage.input_tokens, 451);
  EXPECT_EQ(r->usage.output_tokens, 63);  // candidates 10 + thoughts 53
  EXPECT_EQ(r->usage.reasoning_tokens, 53);
  auto blocked = ParseGeminiResponse(R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":9}})");
  ASSERT_TRUE(blocked.ok());
  EXPECT_EQ(blocked->finish_reason, "PROMPT_BLOCKED:SAFETY");
  EXPECT_EQ(ParseGeminiResponse(R"({"candidates":{"content":{}}})").status().code(), StatusCode::kParseError);
  auto e = ParseGeminiError(R"({"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED",
      "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}})");
  EXPECT_EQ(e.type, "RESOURCE_EXHAUSTED");
  ASSERT_TRUE(e.retry_delay_ms.has_value());
  EXPECT_EQ(*e.retry_delay_ms, 17'000);
}

TEST(GeminiWire, SchemaIsConvertedToTheOpenApiSubset) {
  json::value schema = json::parse(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
    "$defs":{"Leg":{"type":"object","properties":{"px":{"type":["number","null"]}},"additionalProperties":false}},
    "properties":{"signal":{"type":"string","enum":["hold","close"]},"kind":{"const":"v1"},
                  "legs":{"type":"array","items":{"$ref":"#/$defs/Leg"}}},
    "required":["signal"],"additionalProperties":false})");
  auto g = ToGeminiSchema(schema);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const json::value expected = json::parse(R"({"type":"OBJECT","properties":{
    "signal":{"type":"STRING","enum":["hold","close"]},"kind":{"enum":["v1"]},
    "legs":{"type":"ARRAY","items":{"type":"OBJECT","properties":{"px":{"type":"NUMBER","nullable":true}}}}},
    "required":["signal"]})");
  EXPECT_EQ(*g, expected) << json::serialize(*g);
  EXPECT_FALSE(ToGeminiSchema(json::parse(R"({"$ref":"#/$defs/Missing"})")).ok());
  EXPECT_FALSE(ToGeminiSchema(json::parse(R"({"$defs":{"A":{"$ref":"#/$defs/A"}},"$ref":"#/$defs/A"})")).ok());
}

TEST(GeminiWire, RequestShape) {
  Request r = Sample("gemini-2.5-flash");
  r.messages.push_back({Role::kAssistant, "previous"});
  json::value v = json::parse(BuildGeminiRequest(r).value());
  EXPECT_EQ(v.at("systemInstruction").at("parts").at(0).at("text"), "You are a trading assistant.");
  EXPECT_EQ(v.at("contents").at(0).at("role"), "user");
  EXPECT_EQ(v.at("contents").at(1).at("role"), "model");
  const json::value& config = v.at("generationConfig");
  EXPECT_EQ(config.at("maxOutputTokens"), 1024);
  EXPECT_EQ(config.at("temperature"), 0.2);
  EXPECT_EQ(config.at("responseMimeType"), "application/json");
  EXPECT_EQ(config.at("responseSchema").at("type"), "OBJECT");
  EXPECT_FALSE(config.at("responseSchema").as_object().contains("additionalProperties"));
}

}  // namespace
}  // namespace aitrader::llm::wire

namespace aitrader::llm::wire {
namespace {

TEST(Wire, SchemaInPromptForModelsWithoutStructuredOutput) {
  Request r = Sample("claude-3-5-haiku");
  json::value a = json::parse(BuildAnthropicRequest(r, true).value());
  EXPECT_FALSE(a.as_object().contains("output_config"));
  EXPECT_NE(std::string(a.at("system").as_string()).find("\"size_pct\""), std::string::npos);
  json::value g = json::parse(BuildGeminiRequest(r, true).value());
  EXPECT_FALSE(g.at("generationConfig").as_object().contains("responseSchema"));
  EXPECT_EQ(g.at("generationConfig").at("responseMimeType"), "application/json");
  EXPECT_NE(std::string(g.at("systemInstruction").at("parts").at(0).at("text").as_string()).find("size_pct"),
            std::string::npos);
}

}  // namespace
}  // namespace aitrader::llm::wire

namespace aitrader::llm::wire {
namespace {

// Every prefix and a stream of byte mutations of each real body: the parsers return a value or
// an error, never crash (the corpus replay of the fuzzing principle, deterministic).
TEST(WireFuzz, PrefixesAndMutationsNeverCrash) {
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  for (const char* body : {kAnthropicBody, kAnthropic429, kOpenAiBody, kGeminiBody}) {
    const std::string text(body);
    for (std::size_t n = 0; n <= text.size(); ++n) {
      const std::string_view prefix(text.data(), n);
      (void)ParseAnthropicResponse(prefix);
      (void)ParseOpenAiResponse(prefix);
      (void)ParseGeminiResponse(prefix);
      (void)ParseAnthropicError(prefix);
      (void)ParseOpenAiError(prefix);
      (void)ParseGeminiError(prefix);
    }
    for (int i = 0; i < 2000; ++i) {
      std::string m = text;
      for (int k = 0; k < 3; ++k) m[next() % m.size()] = static_cast<char>(next() & 0xFF);
      (void)ParseAnthropicResponse(m);
      (void)ParseOpenAiResponse(m);
      (void)ParseGeminiResponse(m);
      (void)ParseGeminiError(m);
    }
  }
  // Type confusion in every field the parsers read.
  for (const char* odd : {R"({"content":[1,"x",null,{"type":7}],"usage":{"input_tokens":"9"}})",
                          R"({"choices":[null]})", R"({"choices":[{"message":null}]})",
                          R"({"candidates":[{"content":{"parts":[1,{"text":5,"thought":"yes"}]}}]})",
                          R"({"candidates":[null],"usageMetadata":[]})", R"([])", R"("text")", R"(null)"}) {
    (void)ParseAnthropicResponse(odd);
    (void)ParseOpenAiResponse(odd);
    (void)ParseGeminiResponse(odd);
  }
  SUCCEED();
}

}  // namespace
}  // namespace aitrader::llm::wire
