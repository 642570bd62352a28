// OpenAI Chat Completions wire format (POST {base}/chat/completions), also spoken by DeepSeek
// and by the OpenAI-compatible servers (Ollama, vLLM, llama.cpp, OpenRouter, LM Studio); see
// reference/llm/wire_formats.md §2–3. Request building, the 200 body and the error body.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"
#include "llm/client.hpp"
#include "llm/config.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm::wire {

struct OpenAiWireOptions {
  // How to ask for JSON when the request has a schema (kAuto is not allowed here).
  JsonMode json_mode = JsonMode::kJsonSchema;
  // "developer" (OpenAI's current name) or "system" (DeepSeek, compatible servers).
  std::string system_role = "system";
  // max_completion_tokens (OpenAI; required by reasoning models) or max_tokens (others).
  bool use_max_completion_tokens = false;
};

// {"model", "messages":[{role, content}], "max_completion_tokens"|"max_tokens",
//  "temperature"?, "response_format"?}. With kJsonObject/kNone the schema is appended to the
// system message (DeepSeek's JSON mode needs the word "json" and an example in the prompt).
// Errors: kInvalidArgument (bad schema, no messages).
Result<std::string> BuildOpenAiRequest(const Request& request, const OpenAiWireOptions& options);

// text = choices[0].message.content (a refusal leaves text empty, puts the refusal in reasoning
// and finish_reason "refusal"); reasoning = message.reasoning_content (DeepSeek) or
// message.reasoning (vLLM, OpenRouter); usage: prompt_tokens, completion_tokens,
// completion_tokens_details.reasoning_tokens, cached = prompt_tokens_details.cached_tokens or
// DeepSeek's prompt_cache_hit_tokens. Errors: kParseError.
Result<Reply> ParseOpenAiResponse(std::string_view body);

// {"error":{"message","type","param","code"}}.
VendorError ParseOpenAiError(std::string_view body);

}  // namespace aitrader::llm::wire
