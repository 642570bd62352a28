// ServerConfig: the settings of `aitrader serve`, from a JSON file (all keys optional), then
// AITRADER_* environment variables, then command-line flags (the app applies those last).
// {
//   "host": "127.0.0.1", "port": 8080,
//   "database": "sqlite:var/aitrader.db",        // or postgresql://…
//   "data": "",                                  // candle folder; empty = the bundled data
//   "speed": 60, "from": "2025-10-27",           // replay of the market feed
//   "web": "",                                   // dashboard build folder (static files)
//   "threads": 2, "workers": 4,                  // I/O threads; handler (database) threads
//   "jwt_secret": "",                            // ≥ 32 bytes; else jwt_secret_file
//   "jwt_secret_file": "var/jwt.secret",         // generated (0600) on first start
//   "master_key_file": "var/master.key",         // generated (0600) on first start
//   "access_token_ttl_s": 900, "refresh_token_ttl_s": 2592000,
//   "limits": {"body_bytes": 1048576, "header_bytes": 16384, "request_timeout_ms": 10000,
//              "idle_timeout_ms": 60000, "max_connections": 1024, "ws_message_bytes": 65536,
//              "ws_queue_messages": 1024, "backtests_per_user": 2, "backtests_total": 4},
//   "login_throttle": {"per_account": 5, "per_address": 20, "window_s": 60},
//   "cors_origins": [],                          // CORS is off unless origins are listed
//   "llm_base_url_allow": [],                    // llm.base_url values users may set
//   "allow_server_llm_keys": false,              // LLM bots may use the server's environment keys
//   "allow_live": false, "live_min_record_days": 7,  // real money: see below
//   "market": "replay",                          // or "binance": the live feed (docs/binance.md)
//   "exchange": {"binance": {"rest_url": …, "ws_url": …, "testnet_rest_url": …,
//                            "testnet_ws_url": …, "recv_window_ms": 5000}}  // exchange/binance/config.hpp
// }
// Unknown keys are errors naming their path ("limits.body_byte: unknown key").
// Environment: AITRADER_DATABASE_URL, AITRADER_PORT, AITRADER_HOST, AITRADER_JWT_SECRET,
// AITRADER_MASTER_KEY (read where the key is loaded, see auth.hpp / secret_box.hpp),
// AITRADER_MARKET, AITRADER_BINANCE_REST_URL, AITRADER_BINANCE_WS_URL,
// AITRADER_BINANCE_TESTNET_REST_URL, AITRADER_BINANCE_TESTNET_WS_URL.
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "core/time.hpp"
#include "exchange/binance/config.hpp"

namespace aitrader::api {

struct ServerLimits {
  std::size_t body_bytes = 1 << 20;
  std::size_t header_bytes = 16 * 1024;
  std::int64_t request_timeout_ms = 10'000;
  std::int64_t idle_timeout_ms = 60'000;
  int max_connections = 1024;
  std::size_t ws_message_bytes = 64 * 1024;
  std::size_t ws_queue_messages = 1024;
  int backtests_per_user = 2;   // backtests queued or running per user (POST /api/backtests: 429 beyond)
  int backtests_total = 4;      // … and over all users
};

struct LoginThrottle {
  int per_account = 5;   // failed logins per account per window
  int per_address = 20;  // failed logins per client address per window
  std::int64_t window_s = 60;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string database = "sqlite:var/aitrader.db";
  std::string data_dir;
  double speed = 60;
  std::optional<UnixMs> from;
  std::string web_dir;
  int threads = 2;
  int workers = 4;
  std::string jwt_secret;  // never logged
  std::string jwt_secret_file = "var/jwt.secret";
  std::string master_key_file = "var/master.key";
  std::int64_t access_token_ttl_s = 900;
  std::int64_t refresh_token_ttl_s = 30 * 24 * 3600;
  ServerLimits limits;
  LoginThrottle login_throttle;
  std::vector<std::string> cors_origins;
  std::vector<std::string> llm_base_url_allow;
  bool allow_server_llm_keys = false;
  // Real-money trading: refused unless allow_live is set AND the bot has a paper or testnet
  // record of at least live_min_record_days (engine::CheckLivePromotion).
  bool allow_live = false;
  int live_min_record_days = 7;
  // The market feed: "replay" (the candle files, at `speed` from `from`) or "binance" (Binance's
  // live market data at exchange.binance.rest_url / ws_url).
  std::string market = "replay";
  exchange::binance::BinanceConfig binance;
};

// Parses the JSON text (source_name prefixes every error). Errors: ParseError for bad JSON,
// InvalidArgument naming the path for unknown keys and bad values.
Result<ServerConfig> ParseServerConfig(std::string_view json_text, std::string_view source_name);
Result<ServerConfig> LoadServerConfig(const std::string& path);

// Applies AITRADER_DATABASE_URL, AITRADER_PORT, AITRADER_HOST and AITRADER_JWT_SECRET.
// `getenv` is injectable for tests. Errors name the variable (e.g. a port that is not a number).
using GetEnv = const char* (*)(const char*);
Status ApplyEnvironment(ServerConfig& cfg, GetEnv getenv_fn);

}  // namespace aitrader::api
