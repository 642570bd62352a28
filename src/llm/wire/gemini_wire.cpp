#include "llm/wire/gemini_wire.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstdlib>

#include "core/strings.hpp"

namespace aitrader::llm::wire {
namespace json = boost::json;

namespace {

bool KeptKeyword(std::string_view k) {
  static constexpr std::string_view kKept[] = {
      "type",      "format",    "title",    "description", "nullable",      "enum",          "maxItems",
      "minItems",  "properties", "required", "minProperties", "maxProperties", "minLength",   "maxLength",
      "pattern",   "example",   "anyOf",    "propertyOrdering", "default",   "items",         "minimum",
      "maximum"};
  for (auto kept : kKept)
    if (kept == k) return true;
  return false;
}

Result<json::value> Convert(const json::value& node, const json::value& root, int depth) {
  if (depth > 32) return InvalidArgument("response_schema: nesting or $ref recursion too deep for Gemini");
  if (!node.is_object()) return node;
  const json::object& in = node.as_object();
  if (const json::value* ref = in.if_contains("$ref")) {
    if (!ref->is_string()) return InvalidArgument("response_schema: $ref must be a string");
    std::string_view path = ref->as_string();
    const json::value* target = nullptr;
    for (std::string_view prefix : {"#/$defs/", "#/definitions/"}) {
      if (StartsWith(path, prefix)) {
        const json::value* defs = Member(root, prefix == "#/$defs/" ? "$defs" : "definitions");
        if (defs != nullptr) target = Member(*defs, path.substr(prefix.size()));
      }
    }
    if (target == nullptr) return InvalidArgument("response_schema: cannot resolve $ref " + std::string(path));
    return Convert(*target, root, depth + 1);
  }
  json::object out;
  for (const auto& [key, value] : in) {
    if (key == "const") {
      out["enum"] = json::array{value};
      continue;
    }
    if (!KeptKeyword(key)) continue;
    if (key == "type") {
      if (value.is_string()) {
        out["type"] = ToUpper(value.as_string());
      } else if (value.is_array()) {  // ["string", "null"]
        for (const auto& t : value.as_array()) {
          if (!t.is_string()) continue;
          if (t.as_string() == "null") {
            out["nullable"] = true;
          } else {
            out["type"] = ToUpper(t.as_string());
          }
        }
      }
    } else if (key == "properties" && value.is_object()) {
      json::object props;
      for (const auto& [name, sub] : value.as_object()) {
        AITRADER_ASSIGN_OR_RETURN(props[name], Convert(sub, root, depth + 1));
      }
      out["properties"] = std::move(props);
    } else if (key == "items") {
      AITRADER_ASSIGN_OR_RETURN(out["items"], Convert(value, root, depth + 1));
    } else if (key == "anyOf" && value.is_array()) {
      json::array alts;
      for (const auto& sub : value.as_array()) {
        AITRADER_ASSIGN_OR_RETURN(json::value c, Convert(sub, root, depth + 1));
        alts.push_back(std::move(c));
      }
      out["anyOf"] = std::move(alts);
    } else {
      out[key] = value;
    }
  }
  return json::value(std::move(out));
}

json::object TextParts(const std::string& text) {
  return json::object{{"parts", json::array{json::object{{"text", text}}}}};
}

// "17s", "1.5s" → ms.
std::optional<std::int64_t> ParseDurationMs(std::string_view s) {
  if (!EndsWith(s, "s")) return std::nullopt;
  std::string num(s.substr(0, s.size() - 1));
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(v)) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v * 1000.0));
}

}  // namespace

Result<json::value> ToGeminiSchema(const json::value& json_schema) { return Convert(json_schema, json_schema, 0); }

Result<std::string> BuildGeminiRequest(const Request& request, bool schema_in_prompt) {
  json::object body;
  std::string system;
  json::array contents;
  for (const auto& m : request.messages) {
    if (m.role == Role::kSystem) {
      if (!system.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    json::object c = TextParts(m.content);
    c["role"] = m.role == Role::kUser ? "user" : "model";
    contents.push_back(std::move(c));
  }
  if (contents.empty()) return InvalidArgument("gemini: the request has no user message");
  if (schema_in_prompt && !request.response_schema.empty()) {
    AITRADER_RETURN_IF_ERROR(ParseSchema(request.response_schema).status());
    if (!system.empty()) system += "\n\n";
    system += SchemaInstruction(request.response_schema);
  }
  if (!system.empty()) body["systemInstruction"] = TextParts(system);
  body["contents"] = std::move(contents);
  json::object config;
  config["maxOutputTokens"] = request.max_tokens;
  if (request.temperature) config["temperature"] = *request.temperature;
  if (!request.response_schema.empty()) {
    config["responseMimeType"] = "application/json";
    if (!schema_in_prompt) {
      AITRADER_ASSIGN_OR_RETURN(json::value schema, ParseSchema(request.response_schema));
      AITRADER_ASSIGN_OR_RETURN(config["responseSchema"], ToGeminiSchema(schema));
    }
  }
  body["generationConfig"] = std::move(config);
  return json::serialize(body);
}

Result<Reply> ParseGeminiResponse(std::string_view body) {
  AITRADER_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  if (!v.is_object()) return ParseError("gemini: response is not an object");
  Reply r;
  r.model = StringOr(Member(v, "modelVersion"));
  if (const json::value* u = Member(v, "usageMetadata")) {
    const std::int64_t thoughts = IntOr(Member(*u, "thoughtsTokenCount"));
    r.usage.input_tokens = IntOr(Member(*u, "promptTokenCount"));
    r.usage.cached_tokens = IntOr(Member(*u, "cachedContentTokenCount"));
    r.usage.output_tokens = IntOr(Member(*u, "candidatesTokenCount")) + thoughts;
    r.usage.reasoning_tokens = thoughts;
  }
  const json::value* candidates = Member(v, "candidates");
  if (candidates == nullptr || (candidates->is_array() && candidates->as_array().empty())) {
    const json::value* feedback = Member(v, "promptFeedback");
    const std::string reason = feedback ? StringOr(Member(*feedback, "blockReason")) : "";
    if (reason.empty()) return ParseError("gemini: response has no candidates");
    r.finish_reason = "PROMPT_BLOCKED:" + reason;
    return r;
  }
  if (!candidates->is_array()) return ParseError("gemini: candidates is not an array");
  const json::value& first = candidates->as_array().front();
  r.finish_reason = StringOr(Member(first, "finishReason"));
  const json::value* content = Member(first, "content");
  const json::value* parts = content ? Member(*content, "parts") : nullptr;
  if (parts != nullptr && !parts->is_array()) return ParseError("gemini: content.parts is not an array");
  if (parts != nullptr) {
    for (const auto& part : parts->as_array()) {
      const json::value* thought = Member(part, "thought");
      const std::string text = StringOr(Member(part, "text"));
      if (thought != nullptr && thought->is_bool() && thought->as_bool()) {
        r.reasoning += text;
      } else {
        r.text += text;
      }
    }
  }
  return r;
}

VendorError ParseGeminiError(std::string_view body) {
  VendorError e;
  auto v = ParseBody(body);
  if (!v.ok()) return e;
  const json::value* err = Member(*v, "error");
  if (err == nullptr) return e;
  e.type = StringOr(Member(*err, "status"));
  if (const json::value* code = Member(*err, "code")) e.code = std::to_string(IntOr(code));
  e.message = StringOr(Member(*err, "message")).substr(0, 500);
  if (const json::value* details = Member(*err, "details"); details && details->is_array()) {
    for (const auto& d : details->as_array()) {
      if (auto delay = ParseDurationMs(StringOr(Member(d, "retryDelay")))) e.retry_delay_ms = delay;
    }
  }
  return e;
}

}  // namespace aitrader::llm::wire
