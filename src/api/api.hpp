// Api: the routes of `aitrader serve` and what they need — the server configuration, the
// database connections of the handler threads, authentication, and (when set) the engine
// service that runs the bots. Each route file (routes_*.cpp) adds its group of routes.
// The contract of every route is src/api/openapi.json; docs/api-reference.md explains it.
// Thread safety: built on one thread; then handlers run concurrently on the server's
// worker threads (each leases its own database connection).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/db_pool.hpp"
#include "api/http_types.hpp"
#include "api/router.hpp"
#include "api/server_config.hpp"
#include "core/time.hpp"
#include "engine/config.hpp"
#include "engine/service.hpp"

namespace boost::json {
class object;
}
namespace aitrader::store {
class SecretBox;
}
namespace aitrader::engine {
class Service;
struct BacktestOptions;
}

namespace aitrader::api {

class Auth;
class StreamHub;

struct ApiHooks {
  // The runtime's current market time (ms), or nullopt while it is not running.
  std::function<std::optional<std::int64_t>()> market_time;
  // True once the runtime is up (GET /api/ready).
  std::function<bool()> runtime_ready;
  // The candle interval of the market feed: bots trade on it (their "interval").
  UnixMs feed_interval = 60 * kMinuteMs;
  // The runtime that runs the bots; nullptr: command and market routes answer 503.
  engine::Service* service = nullptr;
};

class Api {
 public:
  // Opens the database pool (migrating the schema). Errors: database and key-file failures.
  static Result<std::unique_ptr<Api>> Create(const ServerConfig& config, std::string version, ApiHooks hooks);
  ~Api();

  const Router& router() const { return router_; }
  StreamHub& streams() { return *streams_; }
  DbPool& db() { return *db_; }
  const ServerConfig& config() const { return config_; }

  // A bearer token's user id, or the 401 to answer.
  std::variant<std::int64_t, ApiError> VerifyAccessToken(std::string_view token) const;
  // What the runtime needs to run a stored bot, exactly as a start through the API builds it
  // (the stored spec validated again, the owner's key opened): the runtime's recovery after a
  // restart uses it (engine::Service::Recover). Errors: kFailedPrecondition saying why.
  Result<engine::Service::BotSpec> StoredBotSpec(const store::BotRecord& r);

 private:
  Api(const ServerConfig& config, std::string version, ApiHooks hooks);
  void AddSystemRoutes();  // routes_system.cpp
  void AddAuthRoutes();    // routes_auth.cpp
  void AddBotRoutes();     // routes_bots.cpp
  void AddCredentialRoutes();  // routes_credentials.cpp
  void AddRuntimeRoutes();     // routes_runtime.cpp
  void AddPromptRoutes();      // routes_prompts.cpp
  void AddBacktestRoutes();    // routes_backtests.cpp
  // The worker of one backtest (its own thread): runs it, stores progress and the outcome.
  void RunOneBacktest(std::int64_t id, std::int64_t user_id, engine::BacktestOptions& opts, std::atomic<bool>& done);
  void ReapBacktests();  // joins the workers that finished
  void StopBacktests();  // cancels the running backtests and joins their workers
  engine::BotConfig BotDefaults() const;
  // A bot spec checked as the config loader checks it, plus the API's own restrictions.
  std::variant<engine::BotConfig, ApiError> ValidateBotSpec(const boost::json::object& spec) const;
  // A bot's prompt_version must name a prompt: a system prompt (data/prompts) or one of the
  // user's templates ("user:<id>"). The 422 naming `field` otherwise (500 when the database fails).
  std::optional<ApiError> CheckPromptVersion(store::Database& db, std::int64_t user_id, const std::string& version,
                                             const std::string& field) const;
  // A stored bot's config ready for the runtime (start, dry run): its spec validated as at
  // creation (409 invalid_state naming the field otherwise), with the owner's stored key for
  // an LLM provider (409 missing_credential without one, unless the operator allows the
  // server's keys).
  // A testnet/live bot's key pair from the owner's stored credentials ("binance-testnet",
  // "binance"); nullopt for paper; 409 missing_credential when none is stored.
  std::variant<std::optional<exchange::binance::BinanceCredentials>, ApiError> VenueCredentials(store::Database& db,
                                                                                                 std::int64_t user_id,
                                                                                                 TradingMode mode);
  std::variant<engine::BotConfig, ApiError> RunnableConfig(store::Database& db, std::int64_t user_id,
                                                           const std::string& config_json);
  // The bot as the API shows it (nullopt when the database fails).
  std::optional<boost::json::object> BotJson(store::Database& db, const store::BotRecord& r);
  // 200 {access_token, token_type, expires_in, refresh_token} with a new refresh token of `family`.
  ApiResponse TokenPair(store::Database& db, std::int64_t user_id, const std::string& family, UnixMs now);
  static UnixMs Now();

  ServerConfig config_;
  std::string version_;
  ApiHooks hooks_;
  std::unique_ptr<DbPool> db_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<store::SecretBox> secret_box_;
  std::unique_ptr<StreamHub> streams_;
  Router router_;

  struct BacktestThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex bt_mu_;
  std::map<std::int64_t, int> bt_per_user_;  // queued or running, per user
  int bt_running_ = 0;
  std::vector<BacktestThread> bt_threads_;
  std::atomic<bool> bt_stopping_{false};
  // Dry runs waiting for their decision (each holds a handler thread): at most
  // max(1, workers / 2) at once, so the other handlers keep answering.
  std::atomic<int> dry_runs_{0};
  // GET /api/bots/{id}/positions from memory (routes_runtime.cpp): the last answer per bot,
  // current while the runtime has not committed (Service::CommitVersion) and no bot was deleted
  // (bots_epoch_) since it was built, and for at most a second (a writer in another process,
  // `aitrader bots delete`). Hits are answered on the I/O thread (Router::AddWithFastPath).
  struct CachedPositions {
    std::uint64_t commit = 0, epoch = 0;
    std::int64_t user_id = 0;  // the bot's owner: anyone else gets 404
    std::chrono::steady_clock::time_point at;
    std::string body;
  };
  std::mutex positions_mu_;
  std::unordered_map<std::int64_t, CachedPositions> positions_cache_;
  std::atomic<std::uint64_t> bots_epoch_{0};
};

}  // namespace aitrader::api
