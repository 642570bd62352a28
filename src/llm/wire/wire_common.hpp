// Shared pieces of the vendor wire formats: the normalised reply every vendor parser returns,
// the vendor error fields, and lenient-where-the-vendors-need-it JSON helpers.
// These are wire DTO helpers only; the client logic (retries, limits, cost) lives in llm/.
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "llm/client.hpp"

namespace aitrader::llm::wire {

// A parsed 200 answer, vendor-neutral.
struct Reply {
  std::string text;
  std::string reasoning;
  std::string model;
  std::string finish_reason;
  Usage usage;
};

// The error fields of a non-2xx body, whichever vendor (all may be empty).
struct VendorError {
  std::string type;     // Anthropic error.type, OpenAI error.type, Gemini error.status
  std::string code;     // OpenAI error.code ("insufficient_quota"), Gemini error.code
  std::string message;  // the vendor's message, truncated to 500 characters
  std::optional<std::int64_t> retry_delay_ms;  // Gemini RetryInfo.retryDelay
};

// Parses a response body. Leading whitespace and keep-alive lines (DeepSeek sends blank lines,
// SSE-style ": keep-alive" comments) are skipped. Errors: kParseError "invalid JSON (...)"
// naming the byte offset and body size, never quoting the body.
Result<boost::json::value> ParseBody(std::string_view body);

// Parses a schema text into JSON. Errors: kInvalidArgument.
Result<boost::json::value> ParseSchema(std::string_view schema_text);

// Small accessors: the member or nullptr / fallback.
const boost::json::value* Member(const boost::json::value& v, std::string_view key);
std::string StringOr(const boost::json::value* v, std::string_view fallback = "");
std::int64_t IntOr(const boost::json::value* v, std::int64_t fallback = 0);

// The structured-output subset a vendor accepts (reference/llm/structured_output_limits.md).
// Bounds a vendor refuses are dropped from the schema and restated in the property's
// "description" ("minimum 1, maximum 10") so the model still reads them; the caller enforces
// them after parsing (agent::ValidateDecisions does).
//  - Anthropic: drops minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
//    minLength, maxLength, maxItems, uniqueItems, minProperties, maxProperties and $schema;
//    closes every object ("additionalProperties": false).
//  - OpenAI strict: drops numeric/string bounds (and pattern, $schema); closes every object
//    and lists every property in "required" (a property that was optional becomes nullable).
boost::json::value AnthropicSchemaSubset(const boost::json::value& schema);
boost::json::value OpenAiStrictSchemaSubset(const boost::json::value& schema);

// The schema instruction added to the system prompt where a vendor has no schema feature.
std::string SchemaInstruction(std::string_view schema_text);

}  // namespace aitrader::llm::wire
