// Router: the table of API routes — method, path pattern ("/api/bots/{id}/start"), whether
// the caller must be authenticated, and the handler (on a worker thread; a route may also have
// a fast path, run on the I/O thread, that answers from memory or declines). Finding a route tells 404 (no pattern
// matches the path) from 405 (a pattern matches, not with this method; the allowed methods
// are returned for the Allow header). Literal segments win over parameters.
// Thread safety: build it on one thread before the server starts; Find() is then read-only
// and may run on any number of threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"

namespace aitrader::api {

using Handler = std::function<ApiResponse(ApiRequest&)>;
// Runs on the connection's I/O thread after authentication: it must not block (no database,
// no venue, no lock held for long). An answer is written at once; nullopt hands the request to
// the route's Handler on a worker, as if there were no fast path.
using FastHandler = std::function<std::optional<ApiResponse>(ApiRequest&)>;

enum class RouteKind { kHttp, kWebSocket };

struct Route {
  std::string method;   // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string pattern;  // "/api/bots/{id}"
  bool auth = true;
  RouteKind kind = RouteKind::kHttp;
  Handler handler;      // empty for WebSocket routes (the server upgrades those)
  FastHandler fast;     // optional (HTTP routes)
  std::vector<std::string> segments;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, bool auth, Handler handler);
  // A route with a fast path (see FastHandler) before its handler.
  void AddWithFastPath(std::string method, std::string pattern, bool auth, FastHandler fast, Handler handler);
  void AddWebSocket(std::string pattern, bool auth);

  struct Match {
    const Route* route = nullptr;           // nullptr: 404 or 405
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;       // non-empty: the path exists with these methods (405)
  };
  Match Find(std::string_view method, std::string_view path) const;

  // (method, pattern) of every route, in the order added.
  std::vector<std::pair<std::string, std::string>> List() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace aitrader::api
