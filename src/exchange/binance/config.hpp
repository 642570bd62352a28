// Binance configuration: the server config's `exchange.binance` object, environment overrides
// and API keys for headless runs (docs/binance.md).
//
//   "exchange": {"binance": {
//     "rest_url": "https://fapi.binance.com",             // live REST
//     "ws_url": "wss://fstream.binance.com",              // live WebSocket base (/market/…, /private/…)
//     "testnet_rest_url": "https://demo-fapi.binance.com",
//     "testnet_ws_url": "wss://fstream.binancefuture.com",
//     "recv_window_ms": 5000                              // 1..60000
//   }}
//
// Overrides (win over the file): AITRADER_BINANCE_REST_URL, AITRADER_BINANCE_WS_URL,
// AITRADER_BINANCE_TESTNET_REST_URL, AITRADER_BINANCE_TESTNET_WS_URL.
// Keys: BINANCE_API_KEY / BINANCE_API_SECRET (live), BINANCE_TESTNET_API_KEY /
// BINANCE_TESTNET_API_SECRET (testnet) — for headless runs; the server uses the user's stored
// credentials ("binance", "binance-testnet") instead, which the integrator passes in. The
// secret is an HMAC secret or the PEM text of an Ed25519/RSA private key (signing.hpp); instead
// of the PEM text, BINANCE_API_PRIVATE_KEY_FILE / BINANCE_TESTNET_API_PRIVATE_KEY_FILE name a
// PEM file (not both).
//
// Unknown keys are errors naming the path; URLs must be https:// / wss:// except to loopback
// (the fake Binance), so keys never travel in clear text.
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/enums.hpp"
#include "core/status.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/signing.hpp"

namespace aitrader::exchange::binance {

struct BinanceConfig {
  std::string rest_url = "https://fapi.binance.com";
  std::string ws_url = "wss://fstream.binance.com";
  std::string testnet_rest_url = "https://demo-fapi.binance.com";
  std::string testnet_ws_url = "wss://fstream.binancefuture.com";
  std::int64_t recv_window_ms = 5000;
};

struct BinanceCredentials {
  std::string api_key;
  Secret api_secret;
};

// Reads a variable; nullopt when unset (tests pass a map, production std::getenv).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// `config_json` is the whole server config document (other keys are left to their owners);
// absent `exchange.binance` means the defaults.
Result<BinanceConfig> LoadBinanceConfig(std::string_view config_json, const EnvLookup& env);
// The AITRADER_BINANCE_* overrides on a config already read, then the URL checks.
Status ApplyBinanceEnvironment(BinanceConfig& config, const EnvLookup& env);
// The key pair for a mode (kTestnet or kLive) from the environment: the API key, and the
// secret from *_API_SECRET or read from the file *_API_PRIVATE_KEY_FILE names. kNotFound naming
// the variables when unset; kInvalidArgument for kPaper, for both a secret and a file, or for a
// secret that is not a usable key (naming the variable, never the content); kIoError for a
// file that cannot be read, kFailedPrecondition for one group or others may read (naming the
// variable and the path).
Result<BinanceCredentials> CredentialsFromEnv(TradingMode mode, const EnvLookup& env);
// Adapter options for a mode: the testnet or live URLs and the receive window.
Result<BinanceExchangeOptions> OptionsFor(const BinanceConfig& config, TradingMode mode);

}  // namespace aitrader::exchange::binance
