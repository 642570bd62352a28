// GET /api/health, /api/ready, /api/openapi.json: unauthenticated.
#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/openapi.hpp"

namespace aitrader::api {
namespace json = boost::json;

void Api::AddSystemRoutes() {
  router_.Add("GET", "/api/health", false, [this](ApiRequest&) {
    json::object o;
    o["status"] = "ok";
    o["version"] = version_;
    auto t = hooks_.market_time ? hooks_.market_time() : std::nullopt;
    if (t) o["market_time"] = *t;
    else o["market_time"] = nullptr;
    o["market"] = hooks_.service != nullptr ? json::value(hooks_.service->feed()) : json::value(nullptr);
    return JsonResponse(200, o);
  });
  router_.Add("GET", "/api/ready", false, [this](ApiRequest&) {
    bool database = false;
    {
      auto lease = db_->Acquire();
      database = lease->db().QueryInt("SELECT 1").ok();
    }
    const bool runtime = hooks_.runtime_ready ? hooks_.runtime_ready() : false;
    json::object o;
    o["ready"] = database && runtime;
    o["database"] = database;
    o["runtime"] = runtime;
    return JsonResponse(database && runtime ? 200 : 503, o);
  });
  router_.Add("GET", "/api/openapi.json", false, [](ApiRequest&) {
    ApiResponse r;
    r.body = std::string(OpenApiDocument());
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  });
}

}  // namespace aitrader::api
