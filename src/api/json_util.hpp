// Helpers for reading API request bodies and query parameters: every failure is an ApiError
// with the status of the API contract — 415 when the body is not declared as JSON, 400 for
// malformed JSON or a value of the wrong type (naming the field), 422 for a well-typed
// value that is not acceptable.
// Thread safety: pure functions.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <variant>

#include "api/http_types.hpp"

namespace aitrader::api {

// The body as a JSON object (415 / 400 otherwise). Depth is limited to 16.
std::variant<boost::json::object, ApiError> ParseJsonObject(const ApiRequest& req);

// A required or optional string member: 400 when present with another type.
std::optional<ApiError> GetString(const boost::json::object& o, std::string_view key, std::string& out, bool required);

// ?limit= (default 100, 1..1000) and ?cursor= (an opaque id from next_cursor).
struct PageRequest {
  int limit = 100;
  std::optional<std::int64_t> cursor;
};
std::variant<PageRequest, ApiError> ParsePage(const ApiRequest& req);

// An integer query parameter; 400 naming it when not an integer.
std::variant<std::optional<std::int64_t>, ApiError> QueryInt(const ApiRequest& req, const std::string& name);

// A path parameter that must be a positive id: nullopt (→ 404) otherwise.
std::optional<std::int64_t> PathId(const ApiRequest& req, const std::string& name = "id");

inline ApiError BadField(std::string field, std::string message, unsigned status = 400) {
  return ApiError{status, status == 400 ? "invalid_type" : "invalid_value", std::move(message), std::move(field)};
}

}  // namespace aitrader::api
