// The real decision schema (DecisionJsonSchema) through every vendor adapter against the mock
// vendor server, which refuses any schema keyword the real vendor refuses (issue 9 item 2:
// Anthropic refused minimum/maximum with a 400, so Claude bots always held).
#include <gtest/gtest.h>

#include "agent/decision.hpp"
#include "llm/factory.hpp"
#include "llm/mock/mock_server.hpp"

namespace aitrader::agent {
namespace {

TEST(DecisionVendors, EveryVendorAcceptsTheDecisionSchemaAndTheAnswerIsAccepted) {
  llm::mock::MockServer server;
  ASSERT_TRUE(server.Start().ok());
  const std::vector<std::string> coins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};
  ValidationContext ctx;
  for (const auto& c : coins) ctx.coins.push_back({c, Price::FromUnits(100), Quantity::Zero()});
  struct Case {
    const char* provider;
    const char* model;
    const char* suffix;
  };
  for (const Case& c : {Case{"anthropic", "claude-sonnet-4-5", ""}, Case{"openai", "gpt-5", "/v1"},
                        Case{"gemini", "gemini-2.5-pro", ""}, Case{"deepseek", "deepseek-chat", ""},
                        Case{"openai-compatible", "llama3.1:8b", "/v1"}}) {
    SCOPED_TRACE(c.provider);
    server.ClearRequests();
    llm::ProviderConfig pc;
    pc.provider = c.provider;
    pc.model = c.model;
    pc.base_url = server.BaseUrl() + c.suffix;
    pc.api_key = llm::SecretString("mock-key");
    pc.timeout_ms = 5000;
    auto client = llm::MakeClient(pc);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    llm::Request req;
    req.max_tokens = 2048;
    req.response_schema = DecisionJsonSchema(coins, 10);
    req.messages = {{llm::Role::kSystem, "Answer in JSON."}, {llm::Role::kUser, "Decide."}};
    DecisionOutcome out = DecideWithRetries(**client, req, ctx, RetryPolicy{0}, "aa-v1");
    ASSERT_EQ(out.attempts.size(), 1u);
    EXPECT_TRUE(out.attempts[0].transport.ok()) << out.attempts[0].transport.ToString();
    EXPECT_FALSE(out.fell_back_to_hold) << out.fallback_reason;
    ASSERT_EQ(server.Requests().size(), 1u);
    EXPECT_EQ(server.Requests()[0].status, 200) << server.Requests()[0].body.substr(0, 300);
  }
}


// A reasoning model that spends its budget thinking returns a cut-off answer: recorded as its
// own outcome (truncated, reason truncated_answer), everyone holds, and it is not retried (the
// same budget would be cut off again) — not a parse failure with a retry.
TEST(DecisionVendors, ATruncatedAnswerIsItsOwnOutcome) {
  llm::mock::MockServer server;
  ASSERT_TRUE(server.Start().ok());
  ValidationContext ctx;
  ctx.coins.push_back({"BTC", Price::FromUnits(100000), Quantity::Zero()});
  struct Case {
    const char* provider;
    const char* model;
    const char* suffix;
  };
  for (const Case& c : {Case{"anthropic", "claude-sonnet-4-5", ""}, Case{"openai", "gpt-5", "/v1"},
                        Case{"gemini", "gemini-2.5-pro", ""}, Case{"deepseek", "deepseek-reasoner", ""}}) {
    SCOPED_TRACE(c.provider);
    server.ClearRequests();
    llm::mock::Fault f;
    f.kind = llm::mock::FaultKind::kMaxTokens;
    server.PushFault(f);
    llm::ProviderConfig pc;
    pc.provider = c.provider;
    pc.model = c.model;
    pc.base_url = server.BaseUrl() + c.suffix;
    pc.api_key = llm::SecretString("mock-key");
    auto client = llm::MakeClient(pc);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    llm::Request req;
    req.max_tokens = 4096;
    req.response_schema = DecisionJsonSchema(std::vector<std::string>{"BTC"}, 10);
    req.messages = {{llm::Role::kSystem, "Answer in JSON."}, {llm::Role::kUser, "Decide."}};
    DecisionOutcome out = DecideWithRetries(**client, req, ctx, RetryPolicy{1}, "aa-v1");
    EXPECT_TRUE(out.truncated);
    EXPECT_TRUE(out.fell_back_to_hold);
    EXPECT_EQ(out.fallback_reason.rfind("truncated:", 0), 0u) << out.fallback_reason;
    ASSERT_EQ(out.attempts.size(), 1u);
    EXPECT_TRUE(out.attempts[0].truncated);
    ASSERT_EQ(out.attempts[0].issues.size(), 1u);
    EXPECT_EQ(out.attempts[0].issues[0].reason, DecisionReason::kTruncatedAnswer);
    EXPECT_EQ(server.RequestCount(), 1u);  // not retried
    for (const Decision& d : out.decisions) EXPECT_EQ(d.signal, Signal::kHold);
  }
}

}  // namespace
}  // namespace aitrader::agent
