#include "api/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/strings.hpp"

namespace aitrader::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  };
  return kHeaders;
}

class Session;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  ServerOptions options;
  const Router* router = nullptr;
  TokenVerifier verify;
  WebSocketAcceptor ws;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};  // backs off after a failed accept (EMFILE: no spinning)
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> threads;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
  int port = 0;

  void Accept();
};

namespace {

std::string_view BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  if (authorization.size() > 7 && EqualsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
    return Trim(authorization.substr(7));
  }
  return {};
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  // The connection counted by Accept is given back when the last holder of slot_ goes: this
  // session, or the stream a WebSocket upgrade hands it to.
  Session(tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        server_(std::move(server)),
        slot_(nullptr, [impl = std::weak_ptr<Server::Impl>(server_)](void*) {
          if (auto s = impl.lock()) s->connections.fetch_sub(1);
        }) {}

  void Run(bool reject) {
    asio::dispatch(executor_, [self = shared_from_this(), reject] {
      if (reject) {
        ApiResponse r = ErrorResponse(503, "too_many_connections", "the server has too many open connections");
        r.close = true;
        r.headers.emplace_back("Retry-After", "1");
        self->Write(std::move(r), 11, false, {});
      } else {
        self->Read();
      }
    });
  }

  void Close() {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->handed_over_.load()) return;
      beast::error_code ec;
      self->closing_ = true;
      // A request on a worker is answered first: Write closes the connection after that
      // response (the server is stopping), so the caller gets it rather than a reset.
      if (self->in_handler_) return;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void Read() {
    if (server_->stopping.load() || closing_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.limits.header_bytes));
    parser_->body_limit(server_->options.limits.body_bytes);
    stream_.expires_after(std::chrono::milliseconds(server_->options.limits.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void Fail(unsigned status, std::string code, std::string message) {
    ApiResponse r = ErrorResponse(status, std::move(code), std::move(message));
    r.close = true;
    Write(std::move(r), 11, false, {});
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Shutdown();
    }
    if (ec == http::error::header_limit) {
      return Fail(431, "headers_too_large", "the request's headers exceed " +
                                                std::to_string(server_->options.limits.header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return Fail(413, "body_too_large",
                  "the request body exceeds " + std::to_string(server_->options.limits.body_bytes) + " bytes");
    }
    if (ec) return Fail(400, "bad_request", "malformed HTTP request");
    if (auto len = parser_->content_length(); len && *len > server_->options.limits.body_bytes) {
      return Fail(413, "body_too_large",
                  "the request body exceeds " + std::to_string(server_->options.limits.body_bytes) + " bytes");
    }
    stream_.expires_after(std::chrono::milliseconds(server_->options.limits.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == beast::error::timeout) {
      return Fail(408, "request_timeout", "the request was not received in time");
    }
    if (ec == http::error::body_limit) {
      return Fail(413, "body_too_large",
                  "the request body exceeds " + std::to_string(server_->options.limits.body_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return Shutdown();
    }
    if (ec) return Fail(400, "bad_request", "malformed HTTP request");
    stream_.expires_never();
    Dispatch();
  }

  void Dispatch() {
    auto& msg = parser_->get();
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive();
    const std::string origin(msg[http::field::origin]);
    auto req = std::make_shared<ApiRequest>();
    req->method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    std::string_view raw_path = target.substr(0, target.find('?'));
    std::string_view raw_query = target.size() > raw_path.size() ? target.substr(raw_path.size() + 1) : std::string_view{};
    auto path = PercentDecode(raw_path, false);
    auto query = ParseQuery(raw_query);
    if (!path || !query || raw_path.empty() || raw_path.front() != '/') {
      ApiResponse r = ErrorResponse(400, "bad_request", "the request target is malformed");
      return Write(std::move(r), version, keep_alive, origin);
    }
    req->path = std::move(*path);
    req->query = std::move(*query);
    req->content_type = std::string(msg[http::field::content_type]);
    req->authorization = std::string(msg[http::field::authorization]);
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    req->remote_address = ec ? std::string("unknown") : ep.address().to_string();

    const auto& cors = server_->options.cors_origins;
    const bool cors_allowed = !origin.empty() && std::find(cors.begin(), cors.end(), origin) != cors.end();
    if (req->method == "OPTIONS" && cors_allowed && msg.count(http::field::access_control_request_method) > 0) {
      ApiResponse r;
      r.status = 204;
      r.content_type.clear();
      r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
      r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
      return Write(std::move(r), version, keep_alive, origin);
    }

    const bool is_api = req->path == "/api" || StartsWith(req->path, "/api/");
    if (!is_api) {
      if ((req->method == "GET" || req->method == "HEAD") && server_->options.web) {
        // Static files are read on a worker (disk I/O).
        auto self = shared_from_this();
        in_handler_ = true;
        return asio::post(*server_->workers, [self, req, version, keep_alive, origin] {
          auto r = self->server_->options.web->Serve(req->path);
          ApiResponse resp = r ? std::move(*r) : ErrorResponse(404, "not_found", "no such file");
          if (req->method == "HEAD") resp.body.clear();
          asio::post(self->executor_, [self, resp = std::move(resp), version, keep_alive, origin]() mutable {
            self->in_handler_ = false;
            self->Write(std::move(resp), version, keep_alive, origin);
          });
        });
      }
      return Write(ErrorResponse(404, "not_found", "no such route"), version, keep_alive, origin);
    }

    auto match = server_->router->Find(req->method, req->path);
    if (match.route == nullptr) {
      if (match.allowed.empty()) {
        return Write(ErrorResponse(404, "not_found", "no such route"), version, keep_alive, origin);
      }
      ApiResponse r = ErrorResponse(405, "method_not_allowed", req->method + " is not allowed on this route");
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.headers.emplace_back("Allow", allow);
      return Write(std::move(r), version, keep_alive, origin);
    }
    req->params = std::move(match.params);
    const Route* route = match.route;

    const bool upgrade = beast::websocket::is_upgrade(msg);
    if (route->kind == RouteKind::kWebSocket && !upgrade) {
      ApiResponse r = ErrorResponse(426, "upgrade_required", "this route is a WebSocket stream");
      r.headers.emplace_back("Upgrade", "websocket");
      return Write(std::move(r), version, keep_alive, origin);
    }
    if (route->kind == RouteKind::kWebSocket && !server_->ws) {
      return Write(ErrorResponse(503, "unavailable", "streams are not available"), version, keep_alive, origin);
    }
    if (route->kind == RouteKind::kHttp) req->body = std::move(msg.body());

    auto self = shared_from_this();
    bool authenticated = false;
    if (route->fast && route->kind == RouteKind::kHttp) {
      // The fast path answers here, on the I/O thread, without a hand-over to a worker and
      // back (the token check is in memory once a token was seen: Auth's cache).
      ApiResponse resp;
      std::optional<ApiError> denied;
      try {
        denied = Authenticate(*req, *route);
        if (!denied) {
          auto quick = route->fast(*req);
          if (quick) resp = std::move(*quick);
          else authenticated = true;  // the handler's turn, on a worker
        }
      } catch (const std::exception&) {
        resp = ErrorResponse(500, "internal_error", "the server failed to answer this request");
      }
      if (denied) {
        resp = ErrorResponse(*denied);
        if (denied->status == 401) resp.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
      if (!authenticated) {
        if (req->method == "HEAD") resp.body.clear();
        return Write(std::move(resp), version, keep_alive, origin);
      }
    }
    in_handler_ = true;
    asio::post(*server_->workers, [self, req, route, version, keep_alive, origin, authenticated] {
      ApiResponse resp;
      bool handed_over = false;
      try {
        std::optional<ApiError> denied;
        if (!authenticated) denied = self->Authenticate(*req, *route);
        if (denied) {
          resp = ErrorResponse(*denied);
          if (denied->status == 401) resp.headers.emplace_back("WWW-Authenticate", "Bearer");
        } else if (route->kind == RouteKind::kWebSocket) {
          // The acceptor takes the stream (and a copy of its place in the connection count);
          // this session ends without writing.
          req->connection = self->slot_;
          auto refused = self->server_->ws(*req, self->stream_, self->parser_->get());
          if (refused) resp = ErrorResponse(*refused);
          else handed_over = true;
          if (handed_over) self->handed_over_.store(true);
        } else {
          resp = route->handler(*req);
        }
      } catch (const std::exception&) {
        resp = ErrorResponse(500, "internal_error", "the server failed to answer this request");
      }
      if (handed_over) return;
      if (req->method == "HEAD") resp.body.clear();
      asio::post(self->executor_, [self, resp = std::move(resp), version, keep_alive, origin]() mutable {
        self->in_handler_ = false;
        self->Write(std::move(resp), version, keep_alive, origin);
      });
    });
  }

  // The caller's identity for a route that needs one (sets req.user_id); the error otherwise.
  // Any thread (the verifier is thread-safe).
  std::optional<ApiError> Authenticate(ApiRequest& req, const Route& route) const {
    if (!route.auth) return std::nullopt;
    std::string_view token = BearerToken(req.authorization);
    if (token.empty() && route.kind == RouteKind::kWebSocket) {
      if (auto it = req.query.find("access_token"); it != req.query.end()) token = it->second;
    }
    if (token.empty()) return ApiError{401, "unauthorized", "a bearer token is required", ""};
    auto who = server_->verify(token);
    if (std::holds_alternative<ApiError>(who)) return std::get<ApiError>(who);
    req.user_id = std::get<std::int64_t>(who);
    return std::nullopt;
  }

  // The response head is written by hand (status line, headers, Content-Length) and sent with
  // the body as two buffers: the same bytes Beast's serializer writes, for a fraction of its
  // cost on small answers. Header values with CR or LF are dropped (no header injection).
  void Write(ApiResponse r, unsigned version, bool keep_alive, const std::string& origin) {
    struct Outgoing {
      std::string head, body;
    };
    auto out = std::make_shared<Outgoing>();
    std::string& h = out->head;
    h.reserve(512);
    h += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    h += std::to_string(r.status);
    h += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
    h.append(reason.data(), reason.size());
    h += "\r\n";
    auto add = [&h](std::string_view k, std::string_view v) {
      if (v.find_first_of("\r\n") != std::string_view::npos || k.find_first_of("\r\n: ") != std::string_view::npos) return;
      h.append(k.data(), k.size());
      h += ": ";
      h.append(v.data(), v.size());
      h += "\r\n";
    };
    auto given = [&r](std::string_view name) {
      return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& kv) { return EqualsIgnoreCase(kv.first, name); });
    };
    for (const auto& [k, v] : SecurityHeaders()) {
      if (!given(k)) add(k, v);
    }
    for (const auto& [k, v] : r.headers) add(k, v);
    if (!given("Cache-Control")) add("Cache-Control", "no-store");
    const auto& cors = server_->options.cors_origins;
    if (!origin.empty() && std::find(cors.begin(), cors.end(), origin) != cors.end()) {
      add("Access-Control-Allow-Origin", origin);
      add("Vary", "Origin");
    }
    if (!r.content_type.empty()) add("Content-Type", r.content_type);
    const bool close = r.close || !keep_alive || server_->stopping.load();
    if (close && version != 10) add("Connection", "close");
    if (!close && version == 10) add("Connection", "keep-alive");
    // 1xx, 204 and 304 carry no body and no length.
    const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;
    if (!bodiless) add("Content-Length", std::to_string(r.body.size()));
    h += "\r\n";
    if (!bodiless) out->body = std::move(r.body);
    stream_.expires_after(std::chrono::milliseconds(server_->options.limits.request_timeout_ms));
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(out->head), asio::buffer(out->body)};
    asio::async_write(stream_, buffers, [self = shared_from_this(), out, close](beast::error_code ec, std::size_t) {
      if (ec || close) return self->Shutdown();
      self->Read();
    });
  }

  void Shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  asio::any_io_executor executor_;  // the strand (kept: a WebSocket hand-over moves stream_ away)
  std::atomic<bool> handed_over_{false};
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Server::Impl> server_;
  std::shared_ptr<void> slot_;
  bool closing_ = false;
  bool in_handler_ = false;  // a request of this session is on a worker (strand only)
};

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!self->acceptor.is_open() || self->stopping.load()) return;
      // E.g. out of file descriptors: the pending connection stays queued, so an immediate retry
      // fails again at once and spins a core. Wait a little, then keep accepting.
      self->accept_retry.expires_after(std::chrono::milliseconds(50));
      self->accept_retry.async_wait([self](beast::error_code) {
        if (self->acceptor.is_open() && !self->stopping.load()) self->Accept();
      });
      return;
    }
    const int open = self->connections.fetch_add(1) + 1;
    auto session = std::make_shared<Session>(std::move(socket), self);
    {
      std::lock_guard lock(self->mu);
      for (auto it = self->sessions.begin(); it != self->sessions.end();) {
        it = it->expired() ? self->sessions.erase(it) : std::next(it);
      }
      self->sessions.insert(session);
    }
    session->Run(open > self->options.limits.max_connections);
    self->Accept();
  });
}

Server::Server(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options, const Router& router, TokenVerifier verify,
                                               WebSocketAcceptor ws) {
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->router = &router;
  impl->verify = std::move(verify);
  impl->ws = std::move(ws);
  beast::error_code ec;
  auto address = asio::ip::make_address(impl->options.host, ec);
  if (ec) return InvalidArgument("--host " + impl->options.host + ": not an IP address");
  tcp::endpoint ep(address, static_cast<unsigned short>(impl->options.port));
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + impl->options.host + ":" + std::to_string(impl->options.port) + ": " +
                       ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->workers = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(std::max(1, impl->options.workers)));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->port; }
int Server::connections() const { return impl_->connections.load(); }

void Server::Start() {
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([impl = impl_] { impl->ioc.run(); });
  }
}

void Server::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  asio::post(impl_->ioc, [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_retry.cancel();
  });
  {
    std::lock_guard lock(impl_->mu);
    for (auto& w : impl_->sessions) {
      if (auto s = w.lock()) s->Close();
    }
  }
  if (impl_->workers) impl_->workers->join();
  impl_->work.reset();
  // Writes of the last responses finish on the I/O threads; then run() returns. A peer that
  // does not read is cut off after a grace period.
  for (int i = 0; i < 500 && !impl_->ioc.stopped(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace aitrader::api
