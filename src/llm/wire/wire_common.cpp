#include "llm/wire/wire_common.hpp"

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

}  // namespace aitrader::llm::wire
