// Server: the HTTP/1.1 + WebSocket front of `aitrader serve`, on Boost.Beast/Asio.
//
// A listener accepts connections (beyond limits.max_connections a connection gets 503 and
// is closed); each connection is a session on its own strand that reads one request at a
// time (keep-alive), with the header size, body size, idle and request timeouts of
// ServerLimits. Requests under /api go to the Router: 404/405 in the JSON error envelope,
// 401 when a route needs a bearer token and the TokenVerifier refuses it; handlers run on a
// worker pool (they may block on the database) and their response is written back on the
// session's strand. Other GET requests are static files from --web (StaticFiles). Every
// response carries the security headers (CSP 'self', nosniff, no-referrer, frame denial,
// no Server header); CORS headers only for origins listed in the configuration. A handler
// that throws answers 500 internal_error without details (a server bug, never a client's).
// WebSocket upgrades on a WebSocket route are authenticated the same way (Authorization
// header or access_token query parameter) and handed to the WebSocketAcceptor; a stream
// counts toward limits.max_connections until it ends (ApiRequest::connection).
//
// Thread safety: Create/Start/Stop from one thread; Stop() may also be called from another
// thread than the one that called Start (not from a signal handler: use a signal_set).
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/http_types.hpp"
#include "api/router.hpp"
#include "api/server_config.hpp"
#include "api/static_files.hpp"
#include "core/status.hpp"

namespace aitrader::api {

// Checks a bearer token: the caller's user id, or the 401 to answer.
using TokenVerifier = std::function<std::variant<std::int64_t, ApiError>(std::string_view token)>;

// Takes over an authenticated WebSocket upgrade (the request's route params and query are
// set, user_id is the caller). It runs on a worker thread and may refuse with an ApiError
// (answered as HTTP before the upgrade); on success it owns the stream and completes the
// handshake itself.
using WebSocketAcceptor = std::function<std::optional<ApiError>(
    ApiRequest& req, boost::beast::tcp_stream& stream,
    boost::beast::http::request<boost::beast::http::string_body>& upgrade)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see Server::port())
  ServerLimits limits;
  int threads = 2;  // I/O threads
  int workers = 4;  // handler threads
  std::vector<std::string> cors_origins;
  std::optional<StaticFiles> web;
};

class Server {
 public:
  // Binds and listens (not yet accepting). Errors: Unavailable when the address is in use
  // or cannot be bound.
  static Result<std::unique_ptr<Server>> Create(ServerOptions options, const Router& router, TokenVerifier verify,
                                                WebSocketAcceptor ws = nullptr);
  ~Server();

  int port() const;
  // Starts accepting on the I/O threads; returns at once.
  void Start();
  // Stops accepting, closes every idle connection, waits for the handlers in flight — each
  // one's response is still written (with Connection: close), then its connection closes —
  // and joins (a peer that does not read its response is cut off after a grace period).
  void Stop();
  // Connections currently open (for tests and health).
  int connections() const;

  struct Impl;

 private:
  explicit Server(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// The security headers of every response (name, value).
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

}  // namespace aitrader::api
