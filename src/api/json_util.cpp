#include "api/json_util.hpp"

#include <charconv>

#include "core/strings.hpp"

namespace aitrader::api {
namespace json = boost::json;

std::variant<json::object, ApiError> ParseJsonObject(const ApiRequest& req) {
  std::string_view ct = Trim(std::string_view(req.content_type).substr(0, req.content_type.find(';')));
  if (!EqualsIgnoreCase(ct, "application/json")) {
    return ApiError{415, "unsupported_media_type", "the body must be application/json", ""};
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) return ApiError{400, "malformed_json", "the body is not valid JSON: " + ec.message(), ""};
  if (!v.is_object()) return ApiError{400, "invalid_type", "the body must be a JSON object", ""};
  return std::move(v.as_object());
}

std::optional<ApiError> GetString(const json::object& o, std::string_view key, std::string& out, bool required) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return ApiError{422, "missing_field", std::string(key) + " is required", std::string(key)};
    return std::nullopt;
  }
  if (!v->is_string()) return BadField(std::string(key), std::string(key) + " must be a string");
  out = std::string(v->as_string());
  return std::nullopt;
}

namespace {
std::optional<std::int64_t> ToInt(std::string_view s) {
  std::int64_t x = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return x;
}
}  // namespace

std::variant<PageRequest, ApiError> ParsePage(const ApiRequest& req) {
  PageRequest p;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    auto n = ToInt(it->second);
    if (!n) return BadField("limit", "limit must be an integer");
    if (*n < 1 || *n > 1000) return BadField("limit", "limit must be in 1..1000", 422);
    p.limit = static_cast<int>(*n);
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    auto n = ToInt(it->second);
    if (!n || *n <= 0) return BadField("cursor", "cursor is not one this server handed out");
    p.cursor = *n;
  }
  return p;
}

std::variant<std::optional<std::int64_t>, ApiError> QueryInt(const ApiRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::optional<std::int64_t>{};
  auto n = ToInt(it->second);
  if (!n) return BadField(name, name + " must be an integer");
  return std::optional<std::int64_t>(*n);
}

std::optional<std::int64_t> PathId(const ApiRequest& req, const std::string& name) {
  auto it = req.params.find(name);
  if (it == req.params.end()) return std::nullopt;
  auto n = ToInt(it->second);
  if (!n || *n <= 0) return std::nullopt;
  return n;
}

}  // namespace aitrader::api
