#include "llm/pricing.hpp"

#include <gtest/gtest.h>

namespace aitrader::llm {
namespace {

Money M(std::string_view s) { return Money::Parse(s).value(); }

TEST(PriceTable, DefaultTableHasTheCurrentModels) {
  auto table = PriceTable::LoadDefault();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  for (auto [provider, model] : std::initializer_list<std::pair<const char*, const char*>>{
           {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-opus-4-1"}, {"anthropic", "claude-haiku-4-5"},
           {"openai", "gpt-5"}, {"openai", "gpt-5-mini"}, {"openai", "gpt-4.1"}, {"deepseek", "deepseek-chat"},
           {"deepseek", "deepseek-reasoner"}, {"gemini", "gemini-2.5-pro"}, {"gemini", "gemini-2.5-flash"}}) {
    EXPECT_TRUE(table->Find(provider, model).has_value()) << provider << " " << model;
  }
  // The dated name a vendor answers with matches its alias pattern.
  auto sonnet = table->Find("anthropic", "claude-sonnet-4-5-20250929");
  ASSERT_TRUE(sonnet.has_value());
  EXPECT_EQ(sonnet->output_per_mtok, M("15"));
  // Longest pattern wins: gpt-5-mini is not priced as gpt-5.
  EXPECT_EQ(table->Find("openai", "gpt-5-mini")->input_per_mtok, M("0.25"));
  EXPECT_EQ(table->Find("openai", "gpt-5")->input_per_mtok, M("1.25"));
  EXPECT_EQ(table->Find("gemini", "gemini-2.5-flash-lite")->input_per_mtok, M("0.1"));
  EXPECT_FALSE(table->Find("openai-compatible", "llama3.1:8b").has_value());
}

TEST(PriceTable, CostIsExactFixedPoint) {
  PriceTable table({{"anthropic", "claude-sonnet-4-5*", M("3"), M("0.3"), M("15")}});
  Usage u;
  u.input_tokens = 1000;
  u.cached_tokens = 200;
  u.output_tokens = 500;
  // 800 × 3 + 200 × 0.3 + 500 × 15 = 9960 USD per million → 0.00996
  EXPECT_EQ(table.Cost("anthropic", "claude-sonnet-4-5", u), M("0.00996"));
  EXPECT_EQ(table.Cost("anthropic", "unknown-model", u), Money::Zero());
  // One token of a $0.028/M price is 2.8e-8 USD: representable exactly in 1e-9 units.
  PriceTable ds({{"deepseek", "deepseek-chat", M("0.28"), M("0.028"), M("0.42")}});
  Usage one;
  one.input_tokens = 1;
  one.cached_tokens = 1;
  EXPECT_EQ(ds.Cost("deepseek", "deepseek-chat", one), M("0.000000028"));
  // A million calls of it add up with no drift.
  Money total;
  for (int i = 0; i < 1'000'000; ++i) total += ds.Cost("deepseek", "deepseek-chat", one);
  EXPECT_EQ(total, M("0.028"));
}

TEST(PriceTable, CsvErrorsNameTheLine) {
  auto bad = PriceTable::ParseCsv("provider,model_pattern,a,b,c\nopenai,gpt-5,1.25,x,10\n", "p.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("p.csv:2"), std::string::npos);
  EXPECT_FALSE(PriceTable::ParseCsv("openai,gpt-5,1,1,1\n").ok());
  EXPECT_FALSE(PriceTable::ParseCsv("provider,model_pattern,a,b,c\nopenai,gpt-5,-1,0,0\n").ok());
}

}  // namespace
}  // namespace aitrader::llm
