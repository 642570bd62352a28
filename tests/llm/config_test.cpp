#include <gtest/gtest.h>

#include <cstdlib>

#include "llm/config.hpp"
#include "llm/factory.hpp"
#include "llm/secret.hpp"

namespace aitrader::llm {
namespace {

constexpr const char* kKey = "sk-test-0123456789abcdefSECRET";

TEST(Secret, NeverPrinted) {
  SecretString s(kKey);
  EXPECT_EQ(s.ToString(), "[redacted]");
  EXPECT_EQ(SecretString().ToString(), "[not set]");
  ProviderConfig c;
  c.api_key = s;
  c.model = "claude-sonnet-4-5";
  EXPECT_EQ(c.Describe().find(kKey), std::string::npos);
  EXPECT_NE(c.Describe().find("api_key=[redacted]"), std::string::npos);
}

TEST(Secret, RedactScrubsTheKeyAndItsTail) {
  SecretString s(kKey);
  EXPECT_EQ(Redact(std::string("bad key ") + kKey + "!", s), "bad key [redacted]!");
  EXPECT_EQ(Redact("Incorrect API key provided: sk-test-***********efSECRET.", s),
            "Incorrect API key provided: sk-test-***********[redacted].");
  EXPECT_EQ(Redact("nothing here", SecretString()), "nothing here");
}

TEST(Config, KeyFromEnvironmentAndErrorsNameOnlyTheVariable) {
  ProviderConfig c;
  c.provider = "anthropic";
  c.api_key_env = "AITRADER_TEST_LLM_KEY";
  ::unsetenv("AITRADER_TEST_LLM_KEY");
  auto missing = ResolveApiKey(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("AITRADER_TEST_LLM_KEY"), std::string::npos);
  ::setenv("AITRADER_TEST_LLM_KEY", kKey, 1);
  auto key = ResolveApiKey(c);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->Reveal(), kKey);
  ::unsetenv("AITRADER_TEST_LLM_KEY");
  c.provider = "ollama";
  c.api_key_env.clear();
  EXPECT_TRUE(ResolveApiKey(c).ok());  // optional for compatible endpoints
}

TEST(Config, ParsesJsonAndRejectsUnknownFields) {
  auto c = ParseProviderConfig(R"({"provider":"deepseek","model":"deepseek-reasoner","api_key":"sk-json-key-1234567890",
      "temperature":0.3,"max_tokens":2000,"timeout_ms":30000,"requests_per_minute":20,"max_retries":3,
      "json_mode":"json_object","extra_headers":{"X-Title":"aitrader"}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->provider, "deepseek");
  EXPECT_EQ(c->model, "deepseek-reasoner");
  EXPECT_EQ(c->api_key.Reveal(), "sk-json-key-1234567890");
  EXPECT_EQ(*c->temperature, 0.3);
  EXPECT_EQ(*c->max_tokens, 2000);
  EXPECT_EQ(c->timeout_ms, 30000);
  EXPECT_EQ(c->requests_per_minute, 20);
  EXPECT_EQ(c->retry.max_retries, 3);
  EXPECT_EQ(c->json_mode, JsonMode::kJsonObject);
  ASSERT_EQ(c->extra_headers.size(), 1u);
  auto bad = ParseProviderConfig(R"({"provider":"openai","api_kye":"sk-typo-secret-123456"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("api_kye"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("sk-typo"), std::string::npos);
  EXPECT_FALSE(ParseProviderConfig(R"({"provider":"skynet"})").ok());
  EXPECT_FALSE(ParseProviderConfig(R"({"max_tokens":-1})").ok());
}

TEST(Factory, ValidatesTheConfig) {
  ProviderConfig c;
  c.provider = "openai-compatible";
  c.model = "llama3.1:8b";
  EXPECT_EQ(MakeClient(c).status().code(), StatusCode::kInvalidArgument);  // no base_url
  c.base_url = "ftp://x";
  EXPECT_EQ(MakeClient(c).status().code(), StatusCode::kInvalidArgument);
  c.base_url = "http://localhost:11434/v1";
  auto client = MakeClient(c);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->provider(), "openai-compatible");
  c.provider = "replay";
  EXPECT_EQ(MakeClient(c).status().code(), StatusCode::kInvalidArgument);  // no replay_file
  c.provider = "gemini";
  c.api_key = SecretString(kKey);
  auto gemini = MakeClient(c);
  ASSERT_TRUE(gemini.ok());
  EXPECT_EQ((*gemini)->provider(), "gemini");
}

}  // namespace
}  // namespace aitrader::llm
