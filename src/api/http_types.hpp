// The API's request and response values, independent of Beast, and the JSON error envelope
// every failure uses: {"error": {"code": "snake_case", "message": "...", "field": "path"}}.
// Handlers take an ApiRequest and return an ApiResponse; the server turns them into HTTP.
// Thread safety: plain values.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aitrader::api {

struct ApiRequest {
  std::string method;                          // "GET", "POST", …
  std::string path;                            // percent-decoded, without the query
  std::map<std::string, std::string> query;    // percent-decoded; the last value of a repeated key
  std::map<std::string, std::string> params;   // from the route pattern ("{id}")
  std::string body;
  std::string content_type;
  std::string authorization;                   // the header's value (never logged)
  std::string remote_address;
  std::int64_t user_id = 0;                    // the authenticated caller, when the route needs auth
  // WebSocket upgrades: the connection's place in limits.max_connections, given back when
  // the last copy goes; the acceptor keeps a copy for as long as the stream lives.
  std::shared_ptr<void> connection;
};

struct ApiResponse {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After, Location…)
  bool close = false;                                        // close the connection after this response
};

// A client error or a server failure, as the envelope shows it.
struct ApiError {
  unsigned status = 400;
  std::string code;
  std::string message;
  std::string field;  // empty: no single field at fault
};

ApiResponse JsonResponse(unsigned status, const boost::json::value& body);
ApiResponse ErrorResponse(const ApiError& e);
inline ApiResponse ErrorResponse(unsigned status, std::string code, std::string message, std::string field = {}) {
  return ErrorResponse(ApiError{status, std::move(code), std::move(message), std::move(field)});
}

// Percent-decoding of a path or query component ('+' is a space only in queries). Returns
// nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> PercentDecode(std::string_view s, bool query);
// Splits "a=1&b=x%20y" into decoded pairs. Returns nullopt for a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view q);

}  // namespace aitrader::api
