#include "api/api.hpp"

#include "api/auth.hpp"
#include "core/clock.hpp"

namespace aitrader::api {

Api::Api(const ServerConfig& config, std::string version, ApiHooks hooks)
    : config_(config), version_(std::move(version)), hooks_(std::move(hooks)) {}

Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(const ServerConfig& config, std::string version, ApiHooks hooks) {
  auto api = std::unique_ptr<Api>(new Api(config, std::move(version), std::move(hooks)));
  auto pool = DbPool::Open(config.database, config.workers);
  if (!pool.ok()) return pool.status();
  api->db_ = std::move(*pool);
  auto secret = Auth::LoadSecret(config.jwt_secret, config.jwt_secret_file);
  if (!secret.ok()) return secret.status();
  Auth::Options ao;
  ao.jwt_secret = std::move(*secret);
  ao.access_ttl_s = config.access_token_ttl_s;
  ao.refresh_ttl_s = config.refresh_token_ttl_s;
  ao.throttle = config.login_throttle;
  api->auth_ = std::make_unique<Auth>(std::move(ao));
  api->AddSystemRoutes();
  api->AddAuthRoutes();
  return api;
}

UnixMs Api::Now() {
  static const SystemClock clock;
  return clock.NowMs();
}

std::variant<std::int64_t, ApiError> Api::VerifyAccessToken(std::string_view token) const {
  return auth_->VerifyAccessToken(token, Now());
}

}  // namespace aitrader::api
