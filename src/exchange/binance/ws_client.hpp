// WsClient: one WebSocket connection that reconnects by itself. ws:// (the fake) and wss://
// (Binance, TLS via OpenSSL with certificate and host-name verification). Runs its own io thread;
// every received text message goes to on_message, every (re)connection to on_open, every loss
// to on_close — all called on the io thread, one at a time.
//
// Heartbeat: Beast's client timeouts (pings every idle period; a peer that stays silent past
// the idle timeout is a dead connection), answering Binance's server pings with pongs.
// Reconnect: after a loss, waits reconnect_delay_ms (doubling up to max_reconnect_delay_ms)
// and connects again; the URL may be changed between attempts (a new listen key).
// Messages over max_message_bytes close the connection.
// Thread safety: Start/Stop/SetUrl/connected may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.hpp"

namespace aitrader::exchange::binance {

struct WsOptions {
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t idle_timeout_ms = 60'000;   // ping after half of it; dead after all of it
  std::int64_t reconnect_delay_ms = 200;
  std::int64_t max_reconnect_delay_ms = 10'000;
  std::size_t max_message_bytes = 4u << 20;
  std::string ca_file;
};

struct WsCallbacks {
  std::function<void()> on_open;
  std::function<void(const std::string&)> on_message;
  std::function<void(const std::string& why)> on_close;
};

class WsClient {
 public:
  WsClient(std::string url, WsOptions options, WsCallbacks callbacks);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Checks the URL and starts connecting; kInvalidArgument for a URL that is not ws:// or wss://.
  Status Start();
  void Stop();
  // The URL of the next connection attempt; with reconnect_now the current connection is closed.
  void SetUrl(std::string url, bool reconnect_now);
  bool connected() const;
  std::int64_t connects() const;  // successful handshakes so far

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Splits "wss://host:port/path?q" (port defaults to 443 / 80). false when malformed.
struct ParsedUrl {
  bool tls = false;
  std::string host, port, target;
};
bool ParseWsUrl(const std::string& url, ParsedUrl* out);

}  // namespace aitrader::exchange::binance
