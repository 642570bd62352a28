#include "llm/wire/wire_common.hpp"

#include <algorithm>
#include <span>

#include <boost/json.hpp>

namespace aitrader::llm::wire {
namespace json = boost::json;

Result<json::value> ParseBody(std::string_view body) {
  std::size_t pos = 0;
  // Skip whitespace and whole lines that start with ':' (keep-alive comments).
  while (pos < body.size()) {
    const char c = body[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == ':') {
      const auto eol = body.find('\n', pos);
      pos = eol == std::string_view::npos ? body.size() : eol + 1;
    } else {
      break;
    }
  }
  if (pos == body.size()) return ParseError("empty response body");
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::string_view rest = body.substr(pos);
  const std::size_t used = parser.write_some(rest.data(), rest.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return ParseError("invalid JSON in response body (" + ec.message() + " at byte " + std::to_string(pos + used) +
                      " of " + std::to_string(body.size()) + ")");
  }
  return parser.release();
}

Result<json::value> ParseSchema(std::string_view schema_text) {
  boost::system::error_code ec;
  json::value v = json::parse(schema_text, ec);
  if (ec) return InvalidArgument("response_schema is not valid JSON: " + ec.message());
  if (!v.is_object()) return InvalidArgument("response_schema must be a JSON object");
  return v;
}

const json::value* Member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::string StringOr(const json::value* v, std::string_view fallback) {
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return std::string(v->as_string());
}

std::int64_t IntOr(const json::value* v, std::int64_t fallback) {
  if (v == nullptr) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return fallback;
}

std::string SchemaInstruction(std::string_view schema_text) {
  return "Respond with a single JSON object (json only, no prose) that follows this JSON Schema:\n" +
         std::string(schema_text);
}

namespace {

std::string BoundText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

// Drops `dropped` keywords (restating them in "description"), closes objects, and (require_all)
// lists every property in "required".
json::value Subset(const json::value& node, std::span<const std::string_view> dropped, bool require_all, int depth) {
  if (!node.is_object() || depth > 64) return node;
  const json::object& in = node.as_object();
  json::object out;
  std::string bounds;
  for (const auto& [key, value] : in) {
    const std::string_view k = key;
    if (k == "$schema") continue;
    if (std::find(dropped.begin(), dropped.end(), k) != dropped.end()) {
      if (!bounds.empty()) bounds += ", ";
      bounds += std::string(k) + " " + BoundText(value);
      continue;
    }
    if (k == "properties" && value.is_object()) {
      json::object props;
      for (const auto& [name, sub] : value.as_object()) props[name] = Subset(sub, dropped, require_all, depth + 1);
      out[key] = std::move(props);
    } else if ((k == "$defs" || k == "definitions") && value.is_object()) {
      json::object defs;
      for (const auto& [name, sub] : value.as_object()) defs[name] = Subset(sub, dropped, require_all, depth + 1);
      out[key] = std::move(defs);
    } else if (k == "items") {
      out[key] = Subset(value, dropped, require_all, depth + 1);
    } else if ((k == "anyOf" || k == "allOf" || k == "oneOf") && value.is_array()) {
      json::array alts;
      for (const auto& sub : value.as_array()) alts.push_back(Subset(sub, dropped, require_all, depth + 1));
      out[key] = std::move(alts);
    } else {
      out[key] = value;
    }
  }
  if (!bounds.empty()) {
    std::string d = out.contains("description") && out["description"].is_string()
                        ? std::string(out["description"].as_string()) + " (" + bounds + ")"
                        : bounds;
    out["description"] = d;
  }
  const json::value* type = out.if_contains("type");
  const bool is_object = (type != nullptr && type->is_string() && type->as_string() == "object") ||
                         (type == nullptr && out.contains("properties"));
  if (is_object) {
    out["additionalProperties"] = false;
    if (require_all) {
      json::array required;
      if (const json::value* r = out.if_contains("required"); r != nullptr && r->is_array()) required = r->as_array();
      if (json::value* props = out.if_contains("properties"); props != nullptr && props->is_object()) {
        for (auto& [name, sub] : props->as_object()) {
          bool listed = false;
          for (const auto& r : required) listed = listed || (r.is_string() && r.as_string() == name);
          if (listed) continue;
          required.push_back(json::string(name));
          // Was optional: strict mode expresses that as "may be null".
          sub = json::object{{"anyOf", json::array{sub, json::object{{"type", "null"}}}}};
        }
      }
      out["required"] = std::move(required);
    }
  }
  return out;
}

}  // namespace

json::value AnthropicSchemaSubset(const json::value& schema) {
  static constexpr std::string_view kDropped[] = {"minimum",     "maximum",     "exclusiveMinimum", "exclusiveMaximum",
                                                  "multipleOf",  "minLength",   "maxLength",        "maxItems",
                                                  "uniqueItems", "minProperties", "maxProperties"};
  return Subset(schema, kDropped, /*require_all=*/false, 0);
}

json::value OpenAiStrictSchemaSubset(const json::value& schema) {
  static constexpr std::string_view kDropped[] = {"minimum",    "maximum",   "exclusiveMinimum", "exclusiveMaximum",
                                                  "multipleOf", "minLength", "maxLength",        "pattern"};
  return Subset(schema, kDropped, /*require_all=*/true, 0);
}

}  // namespace aitrader::llm::wire
