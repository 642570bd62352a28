// Per-model facts the client needs beyond the wire format: how many output tokens a model may
// spend reasoning before it writes the answer, and which finish reasons mean "cut off".
//
// Reasoning models (OpenAI GPT-5 and the o-series, Gemini 2.5, deepseek-reasoner) count their
// hidden reasoning against the same output budget as the answer: with a 4,096-token budget
// they can spend it all thinking and return empty or half JSON. ReasoningAllowance() is the
// extra budget added on top of the answer budget the caller asks for (docs/llm-integration.md
// has the table and why).
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "llm/client.hpp"

namespace aitrader::llm {

// Extra output tokens for a model's reasoning (0 for models that do not reason unasked).
// Matched by provider and model-name prefix.
int ReasoningAllowance(std::string_view provider, std::string_view model);

// The output budget actually sent: answer_tokens + ReasoningAllowance, capped at 65,536.
int OutputTokenBudget(std::string_view provider, std::string_view model, int answer_tokens);

// IsTruncatedFinish (a cut-off answer's finish reason) is in llm/client.hpp.

}  // namespace aitrader::llm
