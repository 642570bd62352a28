// Google Gemini generateContent wire format (POST {base}/v1beta/models/{model}:generateContent),
// per reference/llm/wire_formats.md §4. Request building (with the JSON Schema → Gemini
// responseSchema conversion), the 200 body and the error body.
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "core/status.hpp"
#include "llm/client.hpp"
#include "llm/wire/wire_common.hpp"

namespace aitrader::llm::wire {

// Converts plain JSON Schema to Gemini's OpenAPI-subset Schema: types upper-cased ("OBJECT"),
// ["string","null"] → type STRING + nullable, `const` → one-value enum, local $ref ("#/$defs/X",
// "#/definitions/X") inlined, and every keyword Gemini rejects (additionalProperties,
// $schema, $defs, $id, examples, ...) dropped. Errors: kInvalidArgument (unresolvable or
// too deeply nested $ref).
Result<boost::json::value> ToGeminiSchema(const boost::json::value& json_schema);

// {"systemInstruction"?: {"parts":[{"text"}]}, "contents":[{"role":"user"|"model","parts":[{"text"}]}],
//  "generationConfig": {"maxOutputTokens", "temperature"?, "responseMimeType"?, "responseSchema"?}}
// schema_in_prompt: keep responseMimeType application/json but put the schema in the system
// instruction instead of responseSchema (for schemas Gemini's subset cannot express).
Result<std::string> BuildGeminiRequest(const Request& request, bool schema_in_prompt = false);

// text = candidates[0].content.parts[].text without thought parts (those go to reasoning);
// usage: input = promptTokenCount, cached = cachedContentTokenCount, output =
// candidatesTokenCount + thoughtsTokenCount, reasoning = thoughtsTokenCount. A blocked prompt
// (no candidates, promptFeedback.blockReason) gives an empty text and finish_reason
// "PROMPT_BLOCKED:<reason>". Errors: kParseError.
Result<Reply> ParseGeminiResponse(std::string_view body);

// {"error":{"code","message","status","details":[{"@type":"...RetryInfo","retryDelay":"17s"}]}}.
VendorError ParseGeminiError(std::string_view body);

}  // namespace aitrader::llm::wire
