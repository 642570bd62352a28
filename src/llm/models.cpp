#include "llm/models.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace aitrader::llm {
namespace {

struct Allowance {
  std::string_view provider;  // "" = any provider (OpenAI-compatible gateways serve these too)
  std::string_view model_prefix;
  int tokens;
};

// Longest prefix first where prefixes overlap.
constexpr Allowance kAllowances[] = {
    {"", "gpt-5", 16384},             // GPT-5 family: reasoning effort medium by default
    {"", "o1", 16384},                // o-series reasoning models
    {"", "o3", 16384},
    {"", "o4", 16384},
    {"", "gemini-2.5-pro", 16384},    // thinks by default (dynamic budget, cannot be turned off)
    {"", "gemini-2.5-flash", 8192},   // thinks by default (dynamic budget)
    {"", "deepseek-reasoner", 28672}, // R1 line: chain of thought up to ~32K
};

}  // namespace

int ReasoningAllowance(std::string_view provider, std::string_view model) {
  for (const auto& a : kAllowances) {
    if (!a.provider.empty() && a.provider != provider) continue;
    if (StartsWith(ToLower(model), a.model_prefix)) return a.tokens;
  }
  return 0;
}

int OutputTokenBudget(std::string_view provider, std::string_view model, int answer_tokens) {
  const long long total = static_cast<long long>(std::max(answer_tokens, 0)) + ReasoningAllowance(provider, model);
  return static_cast<int>(std::min<long long>(total, 65536));
}

}  // namespace aitrader::llm
