#include "llm/wire/anthropic_wire.hpp"

#include <boost/json.hpp>

namespace aitrader::llm::wire {
namespace json = boost::json;

Result<std::string> BuildAnthropicRequest(const Request& request, bool schema_in_prompt) {
  json::object body;
  body["model"] = request.model;
  body["max_tokens"] = request.max_tokens;
  std::string system;
  json::array messages;
  for (const auto& m : request.messages) {
    if (m.role == Role::kSystem) {
      if (!system.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    messages.push_back(json::object{{"role", m.role == Role::kUser ? "user" : "assistant"}, {"content", m.content}});
  }
  if (messages.empty()) return InvalidArgument("anthropic: the request has no user message");
  if (schema_in_prompt && !request.response_schema.empty()) {
    AITRADER_RETURN_IF_ERROR(ParseSchema(request.response_schema).status());
    if (!system.empty()) system += "\n\n";
    system += SchemaInstruction(request.response_schema);
  }
  if (!system.empty()) body["system"] = system;
  body["messages"] = std::move(messages);
  if (request.temperature) body["temperature"] = *request.temperature;
  if (!request.response_schema.empty() && !schema_in_prompt) {
    AITRADER_ASSIGN_OR_RETURN(json::value schema, ParseSchema(request.response_schema));
    // Only the subset Anthropic accepts: bounds it rejects with a 400 are dropped (and
    // enforced after parsing), every object is closed.
    body["output_config"] =
        json::object{{"format", json::object{{"type", "json_schema"}, {"schema", AnthropicSchemaSubset(schema)}}}};
  }
  return json::serialize(body);
}

Result<Reply> ParseAnthropicResponse(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  const json::value* content = Member(v, "content");
  if (content == nullptr || !content->is_array()) {
    return ParseError("anthropic: response has no content array");
  }
  Reply r;
  for (const auto& block : content->as_array()) {
    const std::string type = StringOr(Member(block, "type"));
    if (type == "text") {
      r.text += StringOr(Member(block, "text"));
    } else if (type == "thinking") {
      if (!r.reasoning.empty()) r.reasoning += "\n";
      r.reasoning += StringOr(Member(block, "thinking"));
    } else if (type == "tool_use") {
      // A forced tool answers in `input`: treat it as the JSON answer.
      if (const json::value* input = Member(block, "input")) r.text += json::serialize(*input);
    }
  }
  r.model = StringOr(Member(v, "model"));
  r.finish_reason = StringOr(Member(v, "stop_reason"));
  const json::value* usage = Member(v, "usage");
  if (usage == nullptr || !usage->is_object()) return ParseError("anthropic: response has no usage object");
  const std::int64_t cache_read = IntOr(Member(*usage, "cache_read_input_tokens"));
  r.usage.input_tokens =
      IntOr(Member(*usage, "input_tokens")) + IntOr(Member(*usage, "cache_creation_input_tokens")) + cache_read;
  r.usage.cached_tokens = cache_read;
  r.usage.output_tokens = IntOr(Member(*usage, "output_tokens"));
  return r;
}

VendorError ParseAnthropicError(std::string_view body) {
  VendorError e;
  auto v = ParseBody(body);
  if (!v.ok()) return e;
  if (const json::value* err = Member(*v, "error")) {
    e.type = StringOr(Member(*err, "type"));
    e.message = StringOr(Member(*err, "message")).substr(0, 500);
  }
  return e;
}

}  // namespace aitrader::llm::wire
