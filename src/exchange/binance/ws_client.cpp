#include "exchange/binance/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <mutex>
#include <thread>
#include <variant>

namespace aitrader::exchange::binance {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

bool ParseWsUrl(const std::string& url, ParsedUrl* out) {
  std::string rest;
  if (url.rfind("wss://", 0) == 0) {
    out->tls = true;
    rest = url.substr(6);
  } else if (url.rfind("ws://", 0) == 0) {
    out->tls = false;
    rest = url.substr(5);
  } else {
    return false;
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out->target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos) {
    out->host = authority.substr(0, colon);
    out->port = authority.substr(colon + 1);
  } else {
    out->host = authority;
    out->port = out->tls ? "443" : "80";
  }
  return !out->host.empty() && !out->port.empty();
}

struct WsClient::Impl : std::enable_shared_from_this<WsClient::Impl> {
  using Plain = websocket::stream<beast::tcp_stream>;
  using Tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  WsOptions options;
  WsCallbacks callbacks;
  net::io_context ioc;
  ssl::context tls_ctx{ssl::context::tls_client};
  tcp::resolver resolver{ioc};
  net::steady_timer retry{ioc};
  std::thread thread;
  std::mutex mu;
  std::string url;
  std::atomic<bool> stopping{false};
  std::atomic<bool> is_connected{false};
  std::atomic<std::int64_t> connect_count{0};
  std::int64_t delay_ms = 0;
  std::unique_ptr<Plain> plain;
  std::unique_ptr<Tls> tls;
  beast::flat_buffer buffer;
  ParsedUrl target;
  std::uint64_t generation = 0;  // bumps on every new attempt; stale handlers see a different one

  std::string CurrentUrl() {
    std::lock_guard<std::mutex> lock(mu);
    return url;
  }

  void Connect() {
    if (stopping) return;
    ++generation;
    const std::uint64_t gen = generation;
    if (!ParseWsUrl(CurrentUrl(), &target)) {
      Lost(gen, "malformed URL");
      return;
    }
    plain.reset();
    tls.reset();
    if (target.tls) {
      tls = std::make_unique<Tls>(ioc, tls_ctx);
    } else {
      plain = std::make_unique<Plain>(ioc);
    }
    auto self = shared_from_this();
    resolver.async_resolve(target.host, target.port, [self, gen](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec || gen != self->generation) return self->Lost(gen, "resolve: " + ec.message());
      auto& layer = self->tls ? beast::get_lowest_layer(*self->tls) : beast::get_lowest_layer(*self->plain);
      layer.expires_after(std::chrono::milliseconds(self->options.connect_timeout_ms));
      layer.async_connect(results, [self, gen](beast::error_code ec2, tcp::endpoint) {
        if (ec2 || gen != self->generation) return self->Lost(gen, "connect: " + ec2.message());
        if (self->tls) {
          if (!SSL_set_tlsext_host_name(self->tls->next_layer().native_handle(), self->target.host.c_str())) {
            return self->Lost(gen, "TLS SNI failed");
          }
          self->tls->next_layer().set_verify_callback(ssl::host_name_verification(self->target.host));
          self->tls->next_layer().async_handshake(ssl::stream_base::client, [self, gen](beast::error_code ec3) {
            if (ec3 || gen != self->generation) return self->Lost(gen, "TLS handshake: " + ec3.message());
            self->Handshake(gen);
          });
        } else {
          self->Handshake(gen);
        }
      });
    });
  }

  template <class Ws>
  void Configure(Ws& ws) {
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout t;
    t.handshake_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
    t.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
    t.keep_alive_pings = true;
    ws.set_option(t);
    ws.read_message_max(options.max_message_bytes);
  }

  void Handshake(std::uint64_t gen) {
    auto self = shared_from_this();
    auto done = [self, gen](beast::error_code ec) {
      if (ec || gen != self->generation) return self->Lost(gen, "WebSocket handshake: " + ec.message());
      self->is_connected = true;
      self->delay_ms = 0;
      ++self->connect_count;
      if (self->callbacks.on_open) self->callbacks.on_open();
      self->Read(gen);
    };
    const std::string host = target.host + ":" + target.port;
    if (tls) {
      Configure(*tls);
      tls->async_handshake(host, target.target, done);
    } else {
      Configure(*plain);
      plain->async_handshake(host, target.target, done);
    }
  }

  void Read(std::uint64_t gen) {
    auto self = shared_from_this();
    auto on_read = [self, gen](beast::error_code ec, std::size_t) {
      if (gen != self->generation) return;
      if (ec) return self->Lost(gen, "read: " + ec.message());
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (self->callbacks.on_message) self->callbacks.on_message(text);
      self->Read(gen);
    };
    if (tls) tls->async_read(buffer, on_read);
    else plain->async_read(buffer, on_read);
  }

  void Lost(std::uint64_t gen, const std::string& why) {
    if (gen != generation) return;
    ++generation;  // handlers of this connection are stale from now on
    const bool was = is_connected.exchange(false);
    if (was && callbacks.on_close) callbacks.on_close(why);
    CloseStreams();
    if (stopping) return;
    delay_ms = delay_ms == 0 ? options.reconnect_delay_ms : std::min(delay_ms * 2, options.max_reconnect_delay_ms);
    retry.expires_after(std::chrono::milliseconds(delay_ms));
    auto self = shared_from_this();
    retry.async_wait([self](beast::error_code ec) {
      if (!ec) self->Connect();
    });
  }

  void CloseStreams() {
    beast::error_code ec;
    if (tls) beast::get_lowest_layer(*tls).socket().close(ec);
    if (plain) beast::get_lowest_layer(*plain).socket().close(ec);
  }
};

WsClient::WsClient(std::string url, WsOptions options, WsCallbacks callbacks) : impl_(std::make_shared<Impl>()) {
  impl_->url = std::move(url);
  impl_->options = std::move(options);
  impl_->callbacks = std::move(callbacks);
  impl_->tls_ctx.set_default_verify_paths();
  if (!impl_->options.ca_file.empty()) impl_->tls_ctx.load_verify_file(impl_->options.ca_file);
  impl_->tls_ctx.set_verify_mode(ssl::verify_peer);
}

WsClient::~WsClient() { Stop(); }

Status WsClient::Start() {
  ParsedUrl p;
  if (!ParseWsUrl(impl_->CurrentUrl(), &p)) return InvalidArgument("WebSocket URL must start with ws:// or wss://");
  if (impl_->thread.joinable()) return Status::Ok();
  auto impl = impl_;
  net::post(impl->ioc, [impl] { impl->Connect(); });
  impl->thread = std::thread([impl] {
    auto guard = net::make_work_guard(impl->ioc);
    impl->ioc.run();
  });
  return Status::Ok();
}

void WsClient::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  auto impl = impl_;
  net::post(impl->ioc, [impl] {
    ++impl->generation;
    impl->retry.cancel();
    impl->CloseStreams();
    impl->ioc.stop();
  });
  impl_->thread.join();
  impl_->is_connected = false;
}

void WsClient::SetUrl(std::string url, bool reconnect_now) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->url = std::move(url);
  }
  if (reconnect_now && impl_->thread.joinable()) {
    auto impl = impl_;
    net::post(impl->ioc, [impl] {
      const std::uint64_t gen = impl->generation;
      impl->Lost(gen, "reconnecting to a new URL");
    });
  }
}

bool WsClient::connected() const { return impl_->is_connected; }
std::int64_t WsClient::connects() const { return impl_->connect_count; }

}  // namespace aitrader::exchange::binance
