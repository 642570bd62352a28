// Anthropic Messages API wire format (POST /v1/messages), per reference/llm/wire_formats.md §1:
// request body building, the 200 body and the error body. No transport, no retries here.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.hpp"
#include "llm/client.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm::wire {

// {"model", "max_tokens", "system"?, "messages":[{role, content}], "temperature"?,
//  "output_config": {"format": {"type": "json_schema", "schema": {...}}}?}
// `request` is already resolved (model, max_tokens, temperature final). A leading kSystem
// message becomes the top-level "system"; later system messages are appended to it.
// schema_in_prompt: models without structured outputs get the schema appended to "system"
// instead of output_config. Errors: kInvalidArgument (bad schema, no user message).
Result<std::string> BuildAnthropicRequest(const Request& request, bool schema_in_prompt = false);

// text = the text blocks concatenated; reasoning = thinking blocks; usage.input = input_tokens
// + cache_creation_input_tokens + cache_read_input_tokens, cached = cache_read_input_tokens.
// Errors: kParseError when the body is not a message object.
Result<Reply> ParseAnthropicResponse(std::string_view body);

// {"type":"error","error":{"type","message"}}; a body of another shape gives empty fields.
VendorError ParseAnthropicError(std::string_view body);

}  // namespace aitrader::llm::wire
