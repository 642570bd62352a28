#include "llm/wire/openai_wire.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace aitrader::llm::wire {
namespace json = boost::json;

namespace {

// OpenAI's schema name rule: [a-zA-Z0-9_-]{1,64}.
std::string SafeSchemaName(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
    if (out.size() == 64) break;
  }
  return out.empty() ? "response" : out;
}

}  // namespace

Result<std::string> BuildOpenAiRequest(const Request& request, const OpenAiWireOptions& options) {
  json::object body;
  body["model"] = request.model;
  json::array messages;
  std::string system;
  for (const auto& m : request.messages) {
    if (m.role == Role::kSystem) {
      if (!system.empty()) system += "\n\n";
      system += m.content;
    }
  }
  const bool schema_in_prompt = !request.response_schema.empty() && options.json_mode != JsonMode::kJsonSchema;
  if (schema_in_prompt) {
    if (!system.empty()) system += "\n\n";
    system += SchemaInstruction(request.response_schema);
  }
  if (!system.empty()) messages.push_back(json::object{{"role", options.system_role}, {"content", system}});
  for (const auto& m : request.messages) {
    if (m.role == Role::kSystem) continue;
    messages.push_back(json::object{{"role", m.role == Role::kUser ? "user" : "assistant"}, {"content", m.content}});
  }
  if (messages.empty()) return InvalidArgument("chat completions: the request has no messages");
  body["messages"] = std::move(messages);
  body[options.use_max_completion_tokens ? "max_completion_tokens" : "max_tokens"] = request.max_tokens;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (!request.response_schema.empty()) {
    if (options.json_mode == JsonMode::kJsonSchema) {
      AITRADER_ASSIGN_OR_RETURN(json::value schema, ParseSchema(request.response_schema));
      body["response_format"] = json::object{
          {"type", "json_schema"},
          {"json_schema",
           json::object{{"name", SafeSchemaName(request.schema_name)},
                        {"strict", true},
                        {"schema", OpenAiStrictSchemaSubset(schema)}}}};
    } else if (options.json_mode == JsonMode::kJsonObject) {
      body["response_format"] = json::object{{"type", "json_object"}};
    }
  }
  return json::serialize(body);
}

Result<Reply> ParseOpenAiResponse(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  const json::value* choices = Member(v, "choices");
  if (choices == nullptr || !choices->is_array()) return ParseError("chat completions: response has no choices array");
  if (choices->as_array().empty()) return ParseError("chat completions: response has no choices");
  const json::value& choice = choices->as_array().front();
  const json::value* message = Member(choice, "message");
  if (message == nullptr || !message->is_object()) return ParseError("chat completions: choice has no message object");
  Reply r;
  const json::value* content = Member(*message, "content");
  if (content != nullptr && !content->is_string() && !content->is_null()) {
    return ParseError("chat completions: message.content is not a string");
  }
  r.text = StringOr(content);
  r.reasoning = StringOr(Member(*message, "reasoning_content"));
  if (r.reasoning.empty()) r.reasoning = StringOr(Member(*message, "reasoning"));
  r.finish_reason = StringOr(Member(choice, "finish_reason"));
  const std::string refusal = StringOr(Member(*message, "refusal"));
  if (!refusal.empty() && r.text.empty()) {
    r.reasoning = refusal;
    r.finish_reason = "refusal";
  }
  r.model = StringOr(Member(v, "model"));
  const json::value* usage = Member(v, "usage");
  if (usage != nullptr && usage->is_object()) {
    r.usage.input_tokens = IntOr(Member(*usage, "prompt_tokens"));
    r.usage.output_tokens = IntOr(Member(*usage, "completion_tokens"));
    if (const json::value* d = Member(*usage, "completion_tokens_details"))
      r.usage.reasoning_tokens = IntOr(Member(*d, "reasoning_tokens"));
    std::int64_t cached = 0;
    if (const json::value* d = Member(*usage, "prompt_tokens_details")) cached = IntOr(Member(*d, "cached_tokens"));
    cached = std::max(cached, IntOr(Member(*usage, "prompt_cache_hit_tokens")));
    r.usage.cached_tokens = cached;
  }
  return r;
}

VendorError ParseOpenAiError(std::string_view body) {
  VendorError e;
  auto v = ParseBody(body);
  if (!v.ok()) return e;
  const json::value* err = Member(*v, "error");
  if (err == nullptr) return e;
  if (err->is_string()) {  // some compatible servers: {"error": "message"}
    e.message = std::string(err->as_string()).substr(0, 500);
    return e;
  }
  e.type = StringOr(Member(*err, "type"));
  const json::value* code = Member(*err, "code");
  if (code != nullptr && code->is_string()) e.code = std::string(code->as_string());
  if (code != nullptr && (code->is_int64() || code->is_uint64())) e.code = std::to_string(IntOr(code));
  e.message = StringOr(Member(*err, "message")).substr(0, 500);
  return e;
}

}  // namespace aitrader::llm::wire
