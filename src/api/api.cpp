#include "api/api.hpp"

#include <boost/json.hpp>

#include <cstdlib>

#include "api/auth.hpp"
#include "api/key_files.hpp"
#include "api/stream.hpp"
#include "store/secret_box.hpp"
#include "core/clock.hpp"

namespace aitrader::api {

Api::Api(const ServerConfig& config, std::string version, ApiHooks hooks)
    : config_(config), version_(std::move(version)), hooks_(std::move(hooks)) {}

Api::~Api() { StopBacktests(); }

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
  // The credentials master key: AITRADER_MASTER_KEY, else the key file (generated, 0600).
  std::string key_text;
  if (const char* k = std::getenv("AITRADER_MASTER_KEY"); k != nullptr && *k != '\0') {
    key_text = k;
  } else {
    auto file = ReadOrCreateSecretFile(config.master_key_file, [] { return store::SecretBox::GenerateKeyBase64(); });
    if (!file.ok()) return file.status();
    key_text = std::move(*file);
  }
  auto box = store::SecretBox::FromKeyBase64(key_text);
  if (!box.ok()) return box.status().WithContext("the credentials master key");
  api->secret_box_ = std::make_unique<store::SecretBox>(std::move(*box));
  api->AddSystemRoutes();
  api->AddAuthRoutes();
  api->AddBotRoutes();
  api->AddCredentialRoutes();
  api->AddRuntimeRoutes();
  api->AddPromptRoutes();
  api->AddBacktestRoutes();
  api->streams_ = std::make_unique<StreamHub>(*api->db_, config.limits);
  api->router_.AddWebSocket("/api/stream", true);
  api->router_.AddWebSocket("/api/bots/{id}/stream", true);
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
