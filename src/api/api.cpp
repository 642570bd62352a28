#include "api/api.hpp"

namespace aitrader::api {

Api::Api(const ServerConfig& config, std::string version, ApiHooks hooks)
    : config_(config), version_(std::move(version)), hooks_(std::move(hooks)) {}

Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(const ServerConfig& config, std::string version, ApiHooks hooks) {
  auto api = std::unique_ptr<Api>(new Api(config, std::move(version), std::move(hooks)));
  auto pool = DbPool::Open(config.database, config.workers);
  if (!pool.ok()) return pool.status();
  api->db_ = std::move(*pool);
  api->AddSystemRoutes();
  return api;
}

std::variant<std::int64_t, ApiError> Api::VerifyAccessToken(std::string_view) const {
  return ApiError{401, "invalid_token", "the access token is not valid", ""};
}

}  // namespace aitrader::api
