// FakeBinance implementation: Boost.Beast on one io thread; the venue state behind one mutex
// (the io thread handles requests, the test thread pushes candles and inspects).
#include "support/fake_binance.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "exchange/binance/signing.hpp"

namespace aitrader::testing {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using exchange::binance::DecodeParams;
using exchange::binance::HmacSha256Hex;

namespace {

struct Answer {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;
};

Answer Err(int http_status, int code, const std::string& msg) {
  json::object o;
  o["code"] = code;
  o["msg"] = msg;
  return Answer{http_status, json::serialize(o), {}, 0};
}
Answer Ok(const json::value& v) { return Answer{200, json::serialize(v), {}, 0}; }

std::string S(Price p) { return p.ToString(); }
std::string S(Quantity q) { return q.ToString(); }
std::string S(Money m) { return m.ToString(); }
std::string S(Ratio r) { return r.ToString(); }

int Decimals(std::int64_t raw) {
  int d = 9;
  while (d > 0 && raw % 10 == 0) {
    raw /= 10;
    --d;
  }
  return d;
}
// Decimals written in the text ("0.1000" → 4; trailing zeros count, as Binance checks text).
int TextDecimals(const std::string& s) {
  auto dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}
int TrimmedDecimals(const std::string& s) {
  auto dot = s.find('.');
  if (dot == std::string::npos) return 0;
  std::size_t end = s.size();
  while (end > dot + 1 && s[end - 1] == '0') --end;
  return static_cast<int>(end - dot - 1);
}

// Strict base64 (RFC 4648 alphabet, '=' padding, no whitespace): a signature that lost its
// percent-encoding ('+' decoded to ' ') fails here, as it does at Binance.
bool DecodeBase64(const std::string& in, std::string* out) {
  out->clear();
  if (in.empty() || in.size() % 4 != 0) return false;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=' && i + 4 == in.size() && j >= 2) {
        v[j] = 0;
        ++pad;
      } else {
        if (pad > 0) return false;  // data after padding
        v[j] = value(c);
        if (v[j] < 0) return false;
      }
    }
    const std::uint32_t n = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out->push_back(static_cast<char>((n >> 16) & 0xFF));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xFF));
  }
  return true;
}

// Binance's check for an asymmetric key: RSASSA-PKCS1-v1_5 / SHA-256 or Ed25519 over the payload.
bool VerifyAsymmetric(EVP_PKEY* pub, const std::string& payload, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const bool rsa = EVP_PKEY_is_a(pub, "RSA");
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, rsa ? EVP_sha256() : nullptr, nullptr, pub) == 1;
  if (ok && rsa) ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  if (ok) {
    ok = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
  }
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

}  // namespace

struct FakeBinance::Impl {
  const Clock& clock;
  FakeBinanceOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::uint16_t port = 0;
  bool running = false;

  struct Ord {
    bool algo = false;
    std::int64_t id = 0;
    std::string cid, symbol, side, type, status = "NEW", tif = "GTC", working_type = "CONTRACT_PRICE";
    Quantity qty, filled;
    Price price, trigger, avg;
    Money cum_quote;
    bool ro = false, cp = false;
    UnixMs time = 0, update = 0, trigger_time = 0;
    std::int64_t actual_order_id = 0;
    bool open() const { return status == "NEW" || status == "PARTIALLY_FILLED"; }
  };
  struct TradeRow {  // one fill, as GET /fapi/v1/userTrades lists it
    std::int64_t id = 0, order_id = 0;
    std::string symbol, side;
    Price price;
    Quantity qty;
    Money quote, fee, realized;
    bool maker = false;
    UnixMs time = 0;
  };
  struct Pos {
    Quantity qty;
    Price entry;
    int leverage = 20;
    bool isolated = false;
    Money realized;
  };
  struct Sym {
    FakeSymbolSpec spec;
    Price mark;
    std::vector<market::Candle> candles;
    Pos pos;
  };
  struct Key {
    UnixMs expires = 0;
    bool valid = true;
  };

  mutable std::mutex mu;
  std::map<std::string, Sym> symbols;
  std::vector<Ord> orders;  // regular and algo, creation order
  std::int64_t next_order_id = 1000, next_algo_id = 5000, next_trade_id = 1;
  std::vector<TradeRow> trades;
  Money wallet;
  bool dual = false;
  Quantity limit_fill_cap;  // > 0: a resting LIMIT fills at most this much per crossing
  bool refuse_ws = false;
  std::int64_t skew_ms = 0;
  std::deque<FakeFaultSpec> faults;
  std::map<std::string, Key> keys;
  std::int64_t keys_created = 0;
  // API keys registered with a public key (RSA or Ed25519), besides options.api_key (HMAC).
  std::map<std::string, std::shared_ptr<EVP_PKEY>> public_keys;
  // limits
  UnixMs weight_window = -1, order10_window = -1, order1m_window = -1;
  std::int64_t used_weight = 0, orders10 = 0, orders1m = 0;
  UnixMs ban_until = 0, rate_limited_until = 0;
  // stats
  std::int64_t connections = 0, request_count = 0;
  std::map<std::string, std::int64_t> per_path;

  class WsSession;
  std::vector<std::weak_ptr<WsSession>> sessions;

  Impl(const Clock& c, FakeBinanceOptions o) : clock(c), options(std::move(o)) {
    wallet = options.wallet;
    for (const auto& s : options.symbols) {
      Sym sym;
      sym.spec = s;
      sym.mark = s.initial_mark;
      symbols[s.symbol] = sym;
    }
  }

  UnixMs Now() const { return clock.NowMs() + skew_ms; }

  // ---------------------------------------------------------------- websocket sessions
  class WsSession : public std::enable_shared_from_this<WsSession> {
   public:
    WsSession(tcp::socket s, Impl* impl, bool user, std::string key, std::set<std::string> streams)
        : ws_(std::move(s)), impl_(impl), user_(user), key_(std::move(key)), streams_(std::move(streams)) {}
    bool user() const { return user_; }
    const std::string& key() const { return key_; }
    bool Wants(const std::string& stream) const { return streams_.count(stream) > 0; }
    bool open() const { return open_.load(); }

    void Start(http::request<http::string_body> req) {
      ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      open_ = true;
      ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          self->open_ = false;
          return;
        }
        self->Read();
        self->Flush();
      });
    }
    // Any thread.
    void Send(std::string text) {
      net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
        self->outbox_.push_back(std::move(t));
        self->Flush();
      });
    }
    void Drop() {
      net::post(ws_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->open_ = false;
        beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(self->ws_).socket().close(ec);
      });
    }

   private:
    void Read() {
      ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
          self->open_ = false;
          return;
        }
        self->buffer_.consume(self->buffer_.size());
        self->Read();
      });
    }
    void Flush() {
      if (writing_ || outbox_.empty() || !open_) return;
      writing_ = true;
      ws_.text(true);
      ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        self->outbox_.pop_front();
        if (ec) {
          self->open_ = false;
          return;
        }
        self->Flush();
      });
    }

    websocket::stream<beast::tcp_stream> ws_;
    Impl* impl_;
    bool user_;
    std::string key_;
    std::set<std::string> streams_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    bool writing_ = false;
    std::atomic<bool> open_{false};
  };

  // Under mu.
  void PushUser(const json::value& event) {
    const std::string text = json::serialize(event);
    for (auto& w : sessions) {
      if (auto s = w.lock(); s && s->user() && s->open()) {
        auto k = keys.find(s->key());
        if (k != keys.end() && k->second.valid) s->Send(text);
      }
    }
  }
  void PushMarket(const std::string& stream, const json::value& event) {
    json::object env;
    env["stream"] = stream;
    env["data"] = event;
    const std::string wrapped = json::serialize(env);
    for (auto& w : sessions) {
      if (auto s = w.lock(); s && !s->user() && s->open() && s->Wants(stream)) s->Send(wrapped);
    }
  }

  // ---------------------------------------------------------------- http sessions
  class HttpSession : public std::enable_shared_from_this<HttpSession> {
   public:
    HttpSession(tcp::socket s, Impl* impl) : stream_(std::move(s)), timer_(stream_.get_executor()), impl_(impl) {}
    void Run() { Read(); }

   private:
    void Read() {
      req_ = {};
      stream_.expires_after(std::chrono::seconds(60));
      http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->OnRequest();
      });
    }
    void OnRequest() {
      if (websocket::is_upgrade(req_)) {
        impl_->Upgrade(stream_.release_socket(), std::move(req_));
        return;
      }
      Answer a = impl_->Handle(req_);
      auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(a.status), req_.version());
      res->set(http::field::content_type, "application/json");
      for (const auto& [k, v] : a.headers) res->set(k, v);
      res->keep_alive(req_.keep_alive());
      res->body() = std::move(a.body);
      res->prepare_payload();
      auto write = [self = shared_from_this(), res] {
        http::async_write(self->stream_, *res, [self, res](beast::error_code ec, std::size_t) {
          if (ec || !res->keep_alive()) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
          }
          self->Read();
        });
      };
      if (a.delay_ms > 0) {
        timer_.expires_after(std::chrono::milliseconds(a.delay_ms));
        timer_.async_wait([write](beast::error_code) { write(); });
      } else {
        write();
      }
    }

    beast::tcp_stream stream_;
    net::steady_timer timer_;
    Impl* impl_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
  };

  void Accept() {
    acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        ++connections;
      }
      std::make_shared<HttpSession>(std::move(socket), this)->Run();
      Accept();
    });
  }

  static std::string Target(const http::request<http::string_body>& req, std::string* query) {
    const std::string target(req.target());
    const auto q = target.find('?');
    *query = q == std::string::npos ? std::string() : target.substr(q + 1);
    return target.substr(0, q);
  }

  void Upgrade(tcp::socket socket, http::request<http::string_body> req) {
    std::string query;
    const std::string path = Target(req, &query);
    std::vector<std::pair<std::string, std::string>> params;
    DecodeParams(query, &params);
    auto param = [&](const std::string& k) {
      for (auto& [pk, pv] : params) {
        if (pk == k) return pv;
      }
      return std::string();
    };
    std::lock_guard<std::mutex> lock(mu);
    if (refuse_ws) {
      beast::error_code ec;
      socket.close(ec);
      return;
    }
    std::shared_ptr<WsSession> session;
    if (path == "/private/ws" || path.rfind("/ws/", 0) == 0) {
      std::string key = path == "/private/ws" ? param("listenKey") : path.substr(4);
      auto it = keys.find(key);
      if (it == keys.end() || !it->second.valid || it->second.expires < Now()) {
        beast::error_code ec;
        socket.close(ec);  // refused: unknown or expired listen key
        return;
      }
      session = std::make_shared<WsSession>(std::move(socket), this, true, key, std::set<std::string>{});
    } else {
      std::set<std::string> streams;
      if (path == "/market/stream" || path == "/stream") {
        std::string list = param("streams");
        std::size_t pos = 0;
        while (pos <= list.size()) {
          auto slash = list.find('/', pos);
          if (slash == std::string::npos) slash = list.size();
          if (slash > pos) streams.insert(list.substr(pos, slash - pos));
          pos = slash + 1;
        }
      } else if (path.rfind("/market/ws/", 0) == 0) {
        streams.insert(path.substr(11));
      } else {
        beast::error_code ec;
        socket.close(ec);
        return;
      }
      session = std::make_shared<WsSession>(std::move(socket), this, false, "", std::move(streams));
    }
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(), [](auto& w) { return w.expired(); }),
                   sessions.end());
    sessions.push_back(session);
    session->Start(std::move(req));
  }

  // ---------------------------------------------------------------- REST
  struct Req {
    std::string method, path, query, body;
    std::map<std::string, std::string> p;  // query wins over body
    std::string api_key;
    bool Has(const std::string& k) const { return p.count(k) > 0; }
    std::string Get(const std::string& k) const {
      auto it = p.find(k);
      return it == p.end() ? std::string() : it->second;
    }
  };
  enum class Sec { kNone, kKey, kSigned };
  struct Route {
    Sec sec;
    int weight;
    bool order;
    Answer (Impl::*fn)(const Req&);
  };

  Answer Handle(const http::request<http::string_body>& hreq) {
    Req r;
    r.method = std::string(hreq.method_string());
    r.path = Target(hreq, &r.query);
    r.body = hreq.body();
    r.api_key = std::string(hreq["X-MBX-APIKEY"]);
    std::vector<std::pair<std::string, std::string>> qp, bp;
    if (!DecodeParams(r.query, &qp) || !DecodeParams(r.body, &bp)) return Err(400, -1100, "Illegal characters found in a parameter.");
    for (auto& [k, v] : bp) r.p[k] = v;
    for (auto& [k, v] : qp) r.p[k] = v;

    std::lock_guard<std::mutex> lock(mu);
    ++request_count;
    ++per_path[r.method + " " + r.path];
    const UnixMs now = Now();
    if (ban_until > now) {
      Answer a = Err(418, -1003, "Way too many requests; IP banned until " + std::to_string(ban_until) + ".");
      a.headers.emplace_back("Retry-After", std::to_string((ban_until - now + 999) / 1000));
      return a;
    }
    if (rate_limited_until > now) {  // kept sending after a 429: ban (Binance's 418)
      ban_until = now + 120'000;
      rate_limited_until = 0;
      Answer a = Err(418, -1003, "Way too many requests; IP banned until " + std::to_string(ban_until) + ".");
      a.headers.emplace_back("Retry-After", "120");
      return a;
    }
    static const std::map<std::string, Route> routes = {
        {"GET /fapi/v1/time", {Sec::kNone, 1, false, &Impl::Time}},
        {"GET /fapi/v1/ping", {Sec::kNone, 1, false, &Impl::Ping}},
        {"GET /fapi/v1/exchangeInfo", {Sec::kNone, 1, false, &Impl::ExchangeInfo}},
        {"GET /fapi/v1/klines", {Sec::kNone, 0, false, &Impl::Klines}},
        {"GET /fapi/v1/premiumIndex", {Sec::kNone, 1, false, &Impl::PremiumIndex}},
        {"GET /fapi/v1/fundingRate", {Sec::kNone, 1, false, &Impl::FundingRate}},
        {"GET /fapi/v1/openInterest", {Sec::kNone, 1, false, &Impl::OpenInterest}},
        {"GET /fapi/v1/leverageBracket", {Sec::kSigned, 1, false, &Impl::LeverageBracket}},
        {"GET /fapi/v1/positionSide/dual", {Sec::kSigned, 30, false, &Impl::GetDual}},
        {"POST /fapi/v1/positionSide/dual", {Sec::kSigned, 1, false, &Impl::PostDual}},
        {"POST /fapi/v1/leverage", {Sec::kSigned, 1, false, &Impl::PostLeverage}},
        {"POST /fapi/v1/marginType", {Sec::kSigned, 1, false, &Impl::PostMarginType}},
        {"POST /fapi/v1/order", {Sec::kSigned, 0, true, &Impl::NewOrder}},
        {"GET /fapi/v1/order", {Sec::kSigned, 1, false, &Impl::GetOrder}},
        {"DELETE /fapi/v1/order", {Sec::kSigned, 1, false, &Impl::CancelOrder}},
        {"GET /fapi/v1/openOrders", {Sec::kSigned, 1, false, &Impl::OpenOrders}},
        {"DELETE /fapi/v1/allOpenOrders", {Sec::kSigned, 1, false, &Impl::CancelAll}},
        {"POST /fapi/v1/algoOrder", {Sec::kSigned, 0, true, &Impl::NewAlgo}},
        {"GET /fapi/v1/algoOrder", {Sec::kSigned, 1, false, &Impl::GetAlgo}},
        {"DELETE /fapi/v1/algoOrder", {Sec::kSigned, 1, false, &Impl::CancelAlgo}},
        {"GET /fapi/v1/openAlgoOrders", {Sec::kSigned, 1, false, &Impl::OpenAlgos}},
        {"DELETE /fapi/v1/algoOpenOrders", {Sec::kSigned, 1, false, &Impl::CancelAllAlgos}},
        {"GET /fapi/v1/userTrades", {Sec::kSigned, 5, false, &Impl::UserTrades}},
        {"GET /fapi/v2/account", {Sec::kSigned, 5, false, &Impl::Account}},
        {"GET /fapi/v3/account", {Sec::kSigned, 5, false, &Impl::Account}},
        {"GET /fapi/v2/positionRisk", {Sec::kSigned, 5, false, &Impl::PositionRiskV2}},
        {"GET /fapi/v3/positionRisk", {Sec::kSigned, 5, false, &Impl::PositionRiskV3}},
        {"POST /fapi/v1/listenKey", {Sec::kKey, 1, false, &Impl::NewKey}},
        {"PUT /fapi/v1/listenKey", {Sec::kKey, 1, false, &Impl::KeepKey}},
        {"DELETE /fapi/v1/listenKey", {Sec::kKey, 1, false, &Impl::DeleteKey}},
    };
    auto rit = routes.find(r.method + " " + r.path);
    if (rit == routes.end()) return Err(404, -5000, "Path " + r.path + ", Method " + r.method + " is invalid");
    const Route& route = rit->second;

    // Weight and order limits (fixed windows of server time).
    if (now / 60'000 != weight_window) {
      weight_window = now / 60'000;
      used_weight = 0;
    }
    if (now / 10'000 != order10_window) {
      order10_window = now / 10'000;
      orders10 = 0;
    }
    if (now / 60'000 != order1m_window) {
      order1m_window = now / 60'000;
      orders1m = 0;
    }
    int weight = route.weight;
    if (r.path == "/fapi/v1/klines") {
      const long limit = r.Has("limit") ? std::atol(r.Get("limit").c_str()) : 500;
      weight = limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    }
    if (r.path == "/fapi/v1/openOrders" && !r.Has("symbol")) weight = 40;
    used_weight += weight;
    auto with_headers = [&](Answer a) {
      a.headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(used_weight));
      if (route.order) {
        a.headers.emplace_back("X-MBX-ORDER-COUNT-10S", std::to_string(orders10));
        a.headers.emplace_back("X-MBX-ORDER-COUNT-1M", std::to_string(orders1m));
      }
      return a;
    };
    if (used_weight > options.weight_limit_1m) {
      rate_limited_until = (weight_window + 1) * 60'000;
      Answer a = Err(429, -1003, "Too many requests; current limit is " + std::to_string(options.weight_limit_1m) +
                                     " requests per minute. Please use the websocket for live updates to avoid polling the API.");
      a.headers.emplace_back("Retry-After", std::to_string((rate_limited_until - now + 999) / 1000));
      return with_headers(a);
    }
    if (route.order) {
      ++orders10;
      ++orders1m;
      if (orders10 > options.order_limit_10s || orders1m > options.order_limit_1m) {
        const bool ten = orders10 > options.order_limit_10s;
        rate_limited_until = ten ? (order10_window + 1) * 10'000 : (order1m_window + 1) * 60'000;
        Answer a = Err(429, -1015, "Too many new orders; current limit is " +
                                       std::to_string(ten ? options.order_limit_10s : options.order_limit_1m) +
                                       " orders per " + (ten ? "10 SECOND." : "MINUTE."));
        a.headers.emplace_back("Retry-After", std::to_string((rate_limited_until - now + 999) / 1000));
        return with_headers(a);
      }
    }

    // Authentication, exactly as Binance orders it: key, then timestamp, then signature.
    if (route.sec != Sec::kNone) {
      if (r.api_key.empty()) return with_headers(Err(401, -2014, "API-key format invalid."));
      if (r.api_key != options.api_key && public_keys.count(r.api_key) == 0) {
        return with_headers(Err(401, -2015, "Invalid API-key, IP, or permissions for action."));
      }
    }
    if (route.sec == Sec::kSigned) {
      if (!r.Has("timestamp")) return with_headers(Err(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."));
      if (!r.Has("signature")) return with_headers(Err(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."));
      const std::int64_t ts = std::atoll(r.Get("timestamp").c_str());
      const std::int64_t window = r.Has("recvWindow") ? std::atoll(r.Get("recvWindow").c_str()) : 5000;
      if (window <= 0 || window > 60'000) return with_headers(Err(400, -1131, "recvWindow must be less than 60000"));
      if (!(ts < now + 1000 && now - ts <= window)) {
        return with_headers(Err(400, -1021, ts >= now + 1000 ? "Timestamp for this request was 1000ms ahead of the server's time."
                                                              : "Timestamp for this request is outside of the recvWindow."));
      }
      // totalParams = query ‖ body, without the signature parameter (the last one of its part).
      auto strip = [](const std::string& part) {
        auto pos = part.find("signature=");
        if (pos == std::string::npos) return part;
        std::string out = part.substr(0, pos);
        if (!out.empty() && out.back() == '&') out.pop_back();
        return out;
      };
      const std::string total = strip(r.query) + strip(r.body);
      std::string got = r.Get("signature");
      bool valid = false;
      if (auto pk = public_keys.find(r.api_key); pk != public_keys.end()) {
        // RSA / Ed25519: base64 of the signature (already percent-decoded with the parameters).
        std::string raw;
        valid = DecodeBase64(got, &raw) && VerifyAsymmetric(pk->second.get(), total, raw);
      } else {
        for (char& c : got) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // hex: not case sensitive
        valid = HmacSha256Hex(options.api_secret, total) == got;
      }
      if (!valid) return with_headers(Err(400, -1022, "Signature for this request is not valid."));
    }

    // Faults consumed by this request.
    std::optional<FakeFaultSpec> fault;
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->method == r.method && it->path == r.path) {
        fault = *it;
        faults.erase(it);
        break;
      }
    }
    if (fault) {
      switch (fault->kind) {
        case FakeFault::k1021:
          return with_headers(Err(400, -1021, "Timestamp for this request is outside of the recvWindow."));
        case FakeFault::k429: {
          rate_limited_until = now + fault->retry_after_s * 1000;
          Answer a = Err(429, -1003, "Too many requests; current limit is " + std::to_string(options.weight_limit_1m) + " requests per minute.");
          a.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_s));
          return with_headers(a);
        }
        case FakeFault::k418: {
          ban_until = now + fault->retry_after_s * 1000;
          Answer a = Err(418, -1003, "Way too many requests; IP banned until " + std::to_string(ban_until) + ".");
          a.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_s));
          return with_headers(a);
        }
        case FakeFault::k503Unavailable:
          return with_headers(Err(503, -1001, "Service Unavailable."));
        case FakeFault::kSlowNotAccepted: {
          Answer a = Err(503, -1001, "Service Unavailable.");
          a.delay_ms = fault->delay_ms;
          return a;
        }
        default:
          break;
      }
    }
    Answer a = (this->*route.fn)(r);
    if (fault) {
      if (fault->kind == FakeFault::kUnknown503AfterAccept) {
        return with_headers(Err(503, -1000, "Unknown error, please check your request or try again later."));
      }
      if (fault->kind == FakeFault::k1007AfterAccept) {
        return with_headers(Err(408, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown."));
      }
      if (fault->kind == FakeFault::kSlowAfterAccept) a.delay_ms = fault->delay_ms;
    }
    return with_headers(a);
  }

  // ---------------------------------------------------------------- helpers (under mu)
  Sym* FindSym(const std::string& s) {
    auto it = symbols.find(s);
    return it == symbols.end() ? nullptr : &it->second;
  }

  template <class F>
  bool ParseDec(const Req& r, const std::string& k, F* out, Answer* err) {
    auto v = F::Parse(r.Get(k));
    if (!v.ok()) {
      *err = Err(400, -1102, "Mandatory parameter '" + k + "' was not sent, was empty/null, or malformed.");
      return false;
    }
    *out = *v;
    return true;
  }

  Money UnrealizedPnl() const {
    Money total;
    for (const auto& [name, s] : symbols) {
      if (s.pos.qty.IsZero()) continue;
      total += Notional(s.mark, s.pos.qty) - Notional(s.pos.entry, s.pos.qty);
    }
    return total;
  }
  Money InitialMargin() const {
    Money total;
    for (const auto& [name, s] : symbols) {
      if (!s.pos.qty.IsZero()) total += Notional(s.mark, s.pos.qty.Abs()).DivInt(s.pos.leverage, Rounding::kCeil);
    }
    for (const auto& o : orders) {
      if (!o.algo && o.open() && o.type == "LIMIT" && !o.ro) {
        total += Notional(o.price, o.qty - o.filled).DivInt(symbols.at(o.symbol).pos.leverage, Rounding::kCeil);
      }
    }
    return total;
  }
  Money Available() const { return wallet + UnrealizedPnl() - InitialMargin(); }

  json::object OrderJson(const Ord& o) const {
    json::object j;
    j["orderId"] = o.id;
    j["symbol"] = o.symbol;
    j["status"] = o.status;
    j["clientOrderId"] = o.cid;
    j["price"] = S(o.price);
    j["avgPrice"] = S(o.avg);
    j["origQty"] = S(o.qty);
    j["executedQty"] = S(o.filled);
    j["cumQty"] = S(o.filled);
    j["cumQuote"] = S(o.cum_quote);
    j["timeInForce"] = o.tif;
    j["type"] = o.type;
    j["origType"] = o.type;
    j["reduceOnly"] = o.ro;
    j["closePosition"] = o.cp;
    j["side"] = o.side;
    j["positionSide"] = "BOTH";
    j["stopPrice"] = "0";
    j["workingType"] = o.working_type;
    j["priceProtect"] = false;
    j["priceMatch"] = "NONE";
    j["selfTradePreventionMode"] = "EXPIRE_MAKER";
    j["goodTillDate"] = 0;
    j["time"] = o.time;
    j["updateTime"] = o.update;
    return j;
  }
  json::object AlgoJson(const Ord& o) const {
    json::object j;
    j["algoId"] = o.id;
    j["clientAlgoId"] = o.cid;
    j["algoType"] = "CONDITIONAL";
    j["orderType"] = o.type;
    j["symbol"] = o.symbol;
    j["side"] = o.side;
    j["positionSide"] = "BOTH";
    j["timeInForce"] = o.tif;
    j["quantity"] = S(o.qty);
    j["algoStatus"] = o.status;
    j["actualOrderId"] = o.actual_order_id == 0 ? std::string() : std::to_string(o.actual_order_id);
    j["triggerPrice"] = S(o.trigger);
    j["price"] = "0";
    j["workingType"] = o.working_type;
    j["priceMatch"] = "NONE";
    j["closePosition"] = o.cp;
    j["priceProtect"] = false;
    j["reduceOnly"] = o.ro;
    j["createTime"] = o.time;
    j["updateTime"] = o.update;
    j["triggerTime"] = o.trigger_time;
    j["goodTillDate"] = 0;
    return j;
  }

  void PushOrderUpdate(const Ord& o, const std::string& exec, Quantity last_qty, Price last_price, Money fee,
                       Money realized, bool maker, std::int64_t trade_id) {
    json::object x;
    x["s"] = o.symbol;
    x["c"] = o.cid;
    x["S"] = o.side;
    x["o"] = o.algo ? "MARKET" : o.type;
    x["f"] = o.tif;
    x["q"] = S(o.qty);
    x["p"] = S(o.price);
    x["ap"] = S(o.avg);
    x["sp"] = o.algo ? S(o.trigger) : "0";
    x["x"] = exec;
    x["X"] = o.algo ? (o.filled == o.qty ? "FILLED" : "NEW") : o.status;
    x["i"] = o.algo ? o.actual_order_id : o.id;
    x["l"] = S(last_qty);
    x["z"] = S(o.filled);
    x["L"] = S(last_price);
    x["N"] = "USDT";
    x["n"] = S(fee);
    x["T"] = Now();
    x["t"] = trade_id;
    x["m"] = maker;
    x["R"] = o.ro;
    x["wt"] = o.working_type;
    x["ot"] = o.type;
    x["ps"] = "BOTH";
    x["cp"] = o.cp;
    x["rp"] = S(realized);
    json::object e;
    e["e"] = "ORDER_TRADE_UPDATE";
    e["E"] = Now();
    e["T"] = Now();
    e["o"] = x;
    PushUser(e);
  }
  void PushAlgoUpdate(const Ord& o, const std::string& reason = "") {
    json::object x;
    x["caid"] = o.cid;
    x["aid"] = o.id;
    x["at"] = "CONDITIONAL";
    x["o"] = o.type;
    x["s"] = o.symbol;
    x["S"] = o.side;
    x["ps"] = "BOTH";
    x["f"] = o.tif;
    x["q"] = S(o.qty);
    x["X"] = o.status;
    x["ai"] = o.actual_order_id == 0 ? std::string() : std::to_string(o.actual_order_id);
    x["ap"] = S(o.avg);
    x["aq"] = S(o.filled);
    x["tp"] = S(o.trigger);
    x["p"] = "0";
    x["wt"] = o.working_type;
    x["cp"] = o.cp;
    x["R"] = o.ro;
    x["rm"] = reason;
    json::object e;
    e["e"] = "ALGO_UPDATE";
    e["E"] = Now();
    e["T"] = Now();
    e["o"] = x;
    PushUser(e);
  }
  void PushAccountUpdate(const std::string& symbol, const std::string& reason) {
    const Sym& s = symbols.at(symbol);
    json::object b;
    b["a"] = "USDT";
    b["wb"] = S(wallet);
    b["cw"] = S(wallet);
    b["bc"] = "0";
    json::object p;
    p["s"] = symbol;
    p["pa"] = S(s.pos.qty);
    p["ep"] = S(s.pos.entry);
    p["bep"] = S(s.pos.entry);
    p["cr"] = S(s.pos.realized);
    p["up"] = S(s.pos.qty.IsZero() ? Money() : Notional(s.mark, s.pos.qty) - Notional(s.pos.entry, s.pos.qty));
    p["mt"] = s.pos.isolated ? "isolated" : "cross";
    p["iw"] = "0";
    p["ps"] = "BOTH";
    json::object a;
    a["m"] = reason;
    a["B"] = json::array{b};
    a["P"] = json::array{p};
    json::object e;
    e["e"] = "ACCOUNT_UPDATE";
    e["E"] = Now();
    e["T"] = Now();
    e["a"] = a;
    PushUser(e);
  }

  // Applies a fill to the position and the wallet; returns the realized PnL.
  Money ApplyFill(Sym& s, const std::string& side, Quantity q, Price price, Money fee) {
    const Quantity signed_q = side == "BUY" ? q : -q;
    Pos& p = s.pos;
    Money realized;
    if (p.qty.IsZero() || (p.qty.IsPositive() == signed_q.IsPositive())) {
      const Quantity total = p.qty + signed_q;
      const Money cost = Notional(p.entry, p.qty.Abs()) + Notional(price, q);
      p.entry = Price::FromRaw(fixed_detail::MulDiv(cost.raw(), kFixedScale, total.Abs().raw(), Rounding::kHalfEven));
      p.qty = total;
    } else {
      const Quantity closing = std::min(q, p.qty.Abs());
      const Money diff = Notional(price, closing) - Notional(p.entry, closing);
      realized = p.qty.IsPositive() ? diff : -diff;
      const Quantity remaining = q - closing;
      p.qty = p.qty + (side == "BUY" ? closing : -closing);
      if (p.qty.IsZero()) p.entry = Price();
      if (remaining.IsPositive()) {
        p.qty = side == "BUY" ? remaining : -remaining;
        p.entry = price;
      }
    }
    p.realized += realized;
    wallet += realized - fee;
    return realized;
  }

  void FillOrder(Ord& o, Quantity q, Price price, bool maker) {
    Sym& s = symbols.at(o.symbol);
    const Money fee = ApplyRatio(Notional(price, q), maker ? options.maker_fee : options.taker_fee, Rounding::kCeil);
    const Money realized = ApplyFill(s, o.side, q, price, fee);
    const Money quote_before = o.cum_quote;
    o.filled += q;
    o.cum_quote = quote_before + Notional(price, q);
    o.avg = Price::FromRaw(fixed_detail::MulDiv(o.cum_quote.raw(), kFixedScale, o.filled.raw(), Rounding::kHalfEven));
    o.update = Now();
    if (!o.algo) o.status = o.filled == o.qty ? "FILLED" : "PARTIALLY_FILLED";
    trades.push_back(TradeRow{next_trade_id, o.algo ? o.actual_order_id : o.id, o.symbol, o.side, price, q,
                              Notional(price, q), fee, realized, maker, Now()});
    PushOrderUpdate(o, "TRADE", q, price, fee, realized, maker, next_trade_id++);
    PushAccountUpdate(o.symbol, "ORDER");
  }

  // The quantity a reduce-only / close-position order may still trade (0: nothing to reduce).
  Quantity Reducible(const Sym& s, const std::string& side) const {
    if (s.pos.qty.IsZero()) return Quantity();
    if (side == "SELL" && s.pos.qty.IsPositive()) return s.pos.qty;
    if (side == "BUY" && s.pos.qty.IsNegative()) return -s.pos.qty;
    return Quantity();
  }

  // Walks the mark from `from` to `to`, filling limits and triggering conditionals.
  void Walk(Sym& s, Price from, Price to) {
    const Price lo = std::min(from, to), hi = std::max(from, to);
    for (std::size_t i = 0; i < orders.size(); ++i) {
      Ord& o = orders[i];
      if (o.symbol != s.spec.symbol || !o.open()) continue;
      if (!o.algo && o.type == "LIMIT") {
        const bool cross = o.side == "BUY" ? lo <= o.price : hi >= o.price;
        if (!cross) continue;
        Quantity q = o.qty - o.filled;
        if (limit_fill_cap.IsPositive()) q = std::min(q, limit_fill_cap);
        if (o.ro) {
          q = std::min(q, Reducible(s, o.side));
          if (q.IsZero()) {
            o.status = "EXPIRED";
            o.update = Now();
            PushOrderUpdate(o, "EXPIRED", Quantity(), Price(), Money(), Money(), false, 0);
            continue;
          }
        }
        FillOrder(o, q, o.price, true);
        continue;
      }
      if (!o.algo) continue;
      bool hit = false;
      const bool stop = o.type == "STOP_MARKET";
      if ((stop && o.side == "SELL") || (!stop && o.side == "BUY")) hit = lo <= o.trigger;
      else hit = hi >= o.trigger;
      if (!hit) continue;
      o.status = "TRIGGERING";
      o.trigger_time = Now();
      o.update = Now();
      PushAlgoUpdate(o);
      Quantity q = o.cp ? Reducible(s, o.side) : o.qty;
      if (o.ro) q = std::min(q, Reducible(s, o.side));
      o.actual_order_id = next_order_id++;
      if (q.IsZero()) {
        o.status = "EXPIRED";
        o.update = Now();
        PushAlgoUpdate(o, "ReduceOnly Order is rejected.");
        continue;
      }
      o.status = "TRIGGERED";
      PushAlgoUpdate(o);
      if (o.cp) o.qty = q;
      FillOrder(o, q, o.trigger, false);
      o.status = "FINISHED";
      o.update = Now();
      PushAlgoUpdate(o);
    }
  }

  void Close(const std::string& symbol, const market::Candle& c, bool push) {
    std::lock_guard<std::mutex> lock(mu);
    Sym* s = FindSym(symbol);
    if (s == nullptr) return;
    Walk(*s, s->mark, c.open);
    if (c.close >= c.open) {
      Walk(*s, c.open, c.low);
      Walk(*s, c.low, c.high);
      Walk(*s, c.high, c.close);
    } else {
      Walk(*s, c.open, c.high);
      Walk(*s, c.high, c.low);
      Walk(*s, c.low, c.close);
    }
    s->mark = c.close;
    s->candles.push_back(c);
    if (!push) return;
    std::string lower = symbol;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::string interval = options.kline_interval_ms == 60'000 ? "1m" : options.kline_interval_ms == 300'000 ? "5m" : "1h";
    json::object k;
    k["t"] = c.open_time;
    k["T"] = c.open_time + options.kline_interval_ms - 1;
    k["s"] = symbol;
    k["i"] = interval;
    k["o"] = S(c.open);
    k["c"] = S(c.close);
    k["h"] = S(c.high);
    k["l"] = S(c.low);
    k["v"] = FormatVolume(c.volume);
    k["n"] = 1;
    k["x"] = true;
    json::object e;
    e["e"] = "kline";
    e["E"] = Now();
    e["s"] = symbol;
    e["k"] = k;
    PushMarket(lower + "@kline_" + interval, e);
    json::object m;
    m["e"] = "markPriceUpdate";
    m["E"] = Now();
    m["s"] = symbol;
    m["p"] = S(s->mark);
    m["i"] = S(s->mark);
    m["r"] = S(s->spec.funding_rate);
    m["T"] = NextFunding();
    PushMarket(lower + "@markPrice", m);
  }
  static std::string FormatVolume(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
  }
  UnixMs NextFunding() const { return (Now() / 28'800'000 + 1) * 28'800'000; }

  // ---------------------------------------------------------------- endpoints
  Answer Ping(const Req&) { return Ok(json::object{}); }
  Answer Time(const Req&) { return Ok(json::object{{"serverTime", Now()}}); }

  Answer ExchangeInfo(const Req&) {
    json::array syms;
    for (const auto& [name, s] : symbols) {
      const auto& sp = s.spec;
      json::array filters;
      filters.push_back(json::object{{"filterType", "PRICE_FILTER"}, {"tickSize", S(sp.tick_size)}, {"minPrice", S(sp.tick_size)}, {"maxPrice", "9000000"}});
      filters.push_back(json::object{{"filterType", "LOT_SIZE"}, {"stepSize", S(sp.step_size)}, {"minQty", S(sp.min_qty)}, {"maxQty", S(sp.max_qty)}});
      filters.push_back(json::object{{"filterType", "MARKET_LOT_SIZE"}, {"stepSize", S(sp.step_size)}, {"minQty", S(sp.min_qty)}, {"maxQty", S(sp.max_qty)}});
      filters.push_back(json::object{{"filterType", "MAX_NUM_ORDERS"}, {"limit", 200}});
      filters.push_back(json::object{{"filterType", "MAX_NUM_ALGO_ORDERS"}, {"limit", sp.max_algo_orders}});
      filters.push_back(json::object{{"filterType", "MIN_NOTIONAL"}, {"notional", S(sp.min_notional)}});
      filters.push_back(json::object{{"filterType", "PERCENT_PRICE"}, {"multiplierUp", S(sp.multiplier_up)}, {"multiplierDown", S(sp.multiplier_down)}, {"multiplierDecimal", "4"}});
      syms.push_back(json::object{{"symbol", name}, {"pair", name}, {"contractType", "PERPETUAL"}, {"status", "TRADING"},
                                  {"baseAsset", sp.base}, {"quoteAsset", "USDT"}, {"marginAsset", "USDT"},
                                  {"pricePrecision", Decimals(sp.tick_size.raw())}, {"quantityPrecision", Decimals(sp.step_size.raw())},
                                  {"maintMarginPercent", "2.5000"}, {"requiredMarginPercent", "5.0000"}, {"liquidationFee", "0.012500"},
                                  {"marketTakeBound", "0.05"}, {"filters", filters},
                                  {"orderTypes", json::array{"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}}});
    }
    json::array limits{
        json::object{{"rateLimitType", "REQUEST_WEIGHT"}, {"interval", "MINUTE"}, {"intervalNum", 1}, {"limit", options.weight_limit_1m}},
        json::object{{"rateLimitType", "ORDERS"}, {"interval", "MINUTE"}, {"intervalNum", 1}, {"limit", options.order_limit_1m}},
        json::object{{"rateLimitType", "ORDERS"}, {"interval", "SECOND"}, {"intervalNum", 10}, {"limit", options.order_limit_10s}}};
    return Ok(json::object{{"timezone", "UTC"}, {"serverTime", Now()}, {"futuresType", "U_MARGINED"}, {"rateLimits", limits},
                           {"exchangeFilters", json::array{}}, {"symbols", syms}});
  }

  Answer Klines(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    const std::int64_t limit = r.Has("limit") ? std::atoll(r.Get("limit").c_str()) : 500;
    if (limit <= 0 || limit > 1500) return Err(400, -1130, "Data sent for parameter 'limit' is not valid.");
    const UnixMs start = r.Has("startTime") ? std::atoll(r.Get("startTime").c_str()) : INT64_MIN;
    const UnixMs end = r.Has("endTime") ? std::atoll(r.Get("endTime").c_str()) : INT64_MAX;
    // Every interval that is a multiple of the fake's own is served, aggregated from its
    // candles as Binance's are (complete buckets only); "interval" is mandatory, as there.
    if (!r.Has("interval")) return Err(400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
    auto iv = ParseInterval(r.Get("interval"));
    if (!iv.ok() || *iv < options.kline_interval_ms || *iv % options.kline_interval_ms != 0) {
      return Err(400, -1120, "Invalid interval.");
    }
    const UnixMs interval = *iv;
    const std::size_t per = static_cast<std::size_t>(interval / options.kline_interval_ms);
    std::vector<market::Candle> sel;
    for (std::size_t i = 0; i < s->candles.size();) {
      const market::Candle& c = s->candles[i];
      if (c.open_time % interval != 0 || i + per > s->candles.size() ||
          s->candles[i + per - 1].open_time != c.open_time + interval - options.kline_interval_ms) {
        ++i;  // not the start of a complete bucket
        continue;
      }
      market::Candle b = c;
      for (std::size_t k = 1; k < per; ++k) {
        const market::Candle& x = s->candles[i + k];
        b.high = std::max(b.high, x.high);
        b.low = std::min(b.low, x.low);
        b.close = x.close;
        b.volume += x.volume;
      }
      if (b.open_time >= start && b.open_time <= end) sel.push_back(b);
      i += per;
    }
    if (static_cast<std::int64_t>(sel.size()) > limit) {
      if (r.Has("startTime")) sel.resize(limit);
      else sel.erase(sel.begin(), sel.end() - limit);
    }
    json::array out;
    for (const auto& c : sel) {
      out.push_back(json::array{c.open_time, S(c.open), S(c.high), S(c.low), S(c.close), FormatVolume(c.volume),
                                c.open_time + interval - 1, "0", 1, "0", "0", "0"});
    }
    return Ok(out);
  }

  Answer PremiumIndex(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    return Ok(json::object{{"symbol", s->spec.symbol}, {"markPrice", S(s->mark)}, {"indexPrice", S(s->mark)},
                           {"estimatedSettlePrice", S(s->mark)}, {"lastFundingRate", S(s->spec.funding_rate)},
                           {"interestRate", "0.00010000"}, {"nextFundingTime", NextFunding()}, {"time", Now()}});
  }
  Answer FundingRate(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    return Ok(json::array{json::object{{"symbol", s->spec.symbol}, {"fundingRate", S(s->spec.funding_rate)},
                                       {"fundingTime", NextFunding() - 28'800'000}, {"markPrice", S(s->mark)}}});
  }
  Answer OpenInterest(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    return Ok(json::object{{"symbol", s->spec.symbol}, {"openInterest", "12345.678"}, {"time", Now()}});
  }
  Answer LeverageBracket(const Req& r) {
    json::array out;
    for (const auto& [name, s] : symbols) {
      if (r.Has("symbol") && r.Get("symbol") != name) continue;
      json::array tiers{json::object{{"bracket", 1}, {"initialLeverage", 125}, {"notionalCap", 50000}, {"notionalFloor", 0}, {"maintMarginRatio", 0.004}, {"cum", 0.0}},
                        json::object{{"bracket", 2}, {"initialLeverage", 100}, {"notionalCap", 600000}, {"notionalFloor", 50000}, {"maintMarginRatio", 0.005}, {"cum", 50.0}}};
      out.push_back(json::object{{"symbol", name}, {"brackets", tiers}});
    }
    if (out.empty()) return Err(400, -1121, "Invalid symbol.");
    if (r.Has("symbol")) return Ok(out[0]);
    return Ok(out);
  }
  Answer GetDual(const Req&) { return Ok(json::object{{"dualSidePosition", dual}}); }
  Answer PostDual(const Req& r) {
    const bool want = r.Get("dualSidePosition") == "true";
    if (want == dual) return Err(400, -4059, "No need to change position side.");
    dual = want;
    return Ok(json::object{{"code", 200}, {"msg", "success"}});
  }
  Answer PostLeverage(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    const long lev = std::atol(r.Get("leverage").c_str());
    if (lev < 1 || lev > 125) return Err(400, -4028, "Leverage " + r.Get("leverage") + " is not valid");
    s->pos.leverage = static_cast<int>(lev);
    return Ok(json::object{{"leverage", lev}, {"maxNotionalValue", "1000000"}, {"symbol", s->spec.symbol}});
  }
  Answer PostMarginType(const Req& r) {
    Sym* s = FindSym(r.Get("symbol"));
    if (s == nullptr) return Err(400, -1121, "Invalid symbol.");
    const std::string t = r.Get("marginType");
    if (t != "ISOLATED" && t != "CROSSED") return Err(400, -1102, "Mandatory parameter 'marginType' was not sent, was empty/null, or malformed.");
    const bool iso = t == "ISOLATED";
    if (iso == s->pos.isolated) return Err(400, -4046, "No need to change margin type.");
    if (!s->pos.qty.IsZero()) return Err(400, -4048, "Margin type cannot be changed if there exists position.");
    for (const auto& o : orders) {
      if (o.symbol == s->spec.symbol && o.open()) return Err(400, -4047, "Margin type cannot be changed if there exists open orders.");
    }
    s->pos.isolated = iso;
    return Ok(json::object{{"code", 200}, {"msg", "success"}});
  }

  bool ValidClientId(const std::string& id) const {
    if (id.empty() || id.size() > 36) return false;
    for (char c : id) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '/' || c == '_' || c == '-')) return false;
    }
    return true;
  }

  // Shared checks of quantity (text precision, step, bounds).
  bool CheckQuantity(const Req& r, const Sym& s, Quantity* q, Answer* err) {
    const std::string text = r.Get("quantity");
    if (!ParseDec(r, "quantity", q, err)) return false;
    if (TrimmedDecimals(text) > Decimals(s.spec.step_size.raw()) || TextDecimals(text) > 9) {
      *err = Err(400, -1111, "Precision is over the maximum defined for this asset.");
      return false;
    }
    if (!q->IsPositive()) {
      *err = Err(400, -4003, "Quantity less than or equal to zero.");
      return false;
    }
    if (!q->IsMultipleOf(s.spec.step_size)) {
      *err = Err(400, -4023, "Qty not increased by step size.");
      return false;
    }
    if (*q < s.spec.min_qty) {
      *err = Err(400, -4004, "Quantity less than min quantity.");
      return false;
    }
    if (*q > s.spec.max_qty) {
      *err = Err(400, -4005, "Quantity greater than max quantity.");
      return false;
    }
    return true;
  }
  bool CheckPrice(const Req& r, const std::string& key, const Sym& s, Price* p, Answer* err) {
    const std::string text = r.Get(key);
    if (!ParseDec(r, key, p, err)) return false;
    if (TrimmedDecimals(text) > Decimals(s.spec.tick_size.raw())) {
      *err = Err(400, -1111, "Precision is over the maximum defined for this asset.");
      return false;
    }
    if (!p->IsPositive()) {
      *err = Err(400, -4001, "Price less than 0.");
      return false;
    }
    if (!p->IsMultipleOf(s.spec.tick_size)) {
      *err = Err(400, -4014, "Price not increased by tick size.");
      return false;
    }
    return true;
  }
  std::optional<Answer> CheckCommon(const Req& r, Sym** sym) {
    *sym = FindSym(r.Get("symbol"));
    if (*sym == nullptr) return Err(400, -1121, "Invalid symbol.");
    const std::string side = r.Get("side");
    if (side != "BUY" && side != "SELL") return Err(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    const std::string ps = r.Has("positionSide") ? r.Get("positionSide") : "BOTH";
    if (!dual && ps != "BOTH") return Err(400, -4061, "Order's position side does not match user's setting.");
    if (dual && ps == "BOTH") return Err(400, -4061, "Order's position side does not match user's setting.");
    if (dual && r.Has("reduceOnly")) return Err(400, -1106, "Parameter 'reduceOnly' sent when not required.");
    return std::nullopt;
  }

  Answer NewOrder(const Req& r) {
    Sym* s = nullptr;
    if (auto e = CheckCommon(r, &s)) return *e;
    const std::string type = r.Get("type");
    if (type == "STOP_MARKET" || type == "TAKE_PROFIT_MARKET" || type == "STOP" || type == "TAKE_PROFIT" || type == "TRAILING_STOP_MARKET") {
      return Err(400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.");
    }
    if (type != "MARKET" && type != "LIMIT") return Err(400, -1116, "Invalid orderType.");
    const std::string cid = r.Has("newClientOrderId") ? r.Get("newClientOrderId") : "web_" + std::to_string(next_order_id);
    if (!ValidClientId(cid)) return Err(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    for (const auto& o : orders) {
      if (!o.algo && o.open() && o.cid == cid) return Err(400, -4116, "ClientOrderId is duplicated.");
    }
    Answer err;
    Quantity q;
    if (!CheckQuantity(r, *s, &q, &err)) return err;
    Price price;
    const bool ro = r.Get("reduceOnly") == "true";
    std::string tif = "GTC";
    if (type == "LIMIT") {
      if (!r.Has("timeInForce")) return Err(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
      tif = r.Get("timeInForce");
      if (!CheckPrice(r, "price", *s, &price, &err)) return err;
      const Price up = ApplyRatio(s->mark, s->spec.multiplier_up, Rounding::kFloor);
      const Price down = ApplyRatio(s->mark, s->spec.multiplier_down, Rounding::kCeil);
      if (price > up) return Err(400, -4016, "Limit price can't be higher than " + S(up) + ".");
      if (price < down) return Err(400, -4024, "Limit price can't be lower than " + S(down) + ".");
    } else if (r.Has("price")) {
      return Err(400, -1106, "Parameter 'price' sent when not required.");
    }
    const Price ref = type == "LIMIT" ? price : s->mark;
    if (ro) {
      const Quantity reducible = Reducible(*s, r.Get("side"));
      if (reducible.IsZero()) return Err(400, -2022, "ReduceOnly Order is rejected.");
    } else {
      if (Notional(ref, q) < s->spec.min_notional) {
        return Err(400, -4164, "Order's notional must be no smaller than " + S(s->spec.min_notional) + " (unless you choose reduce only).");
      }
      const Money need = Notional(ref, q).DivInt(s->pos.leverage, Rounding::kCeil) + ApplyRatio(Notional(ref, q), options.taker_fee, Rounding::kCeil);
      // Only the part that opens exposure needs margin.
      if (Reducible(*s, r.Get("side")).IsZero() && need > Available()) return Err(400, -2019, "Margin is insufficient.");
    }
    Ord o;
    o.id = next_order_id++;
    o.cid = cid;
    o.symbol = s->spec.symbol;
    o.side = r.Get("side");
    o.type = type;
    o.tif = tif;
    o.qty = q;
    o.price = price;
    o.ro = ro;
    o.time = o.update = Now();
    const bool crosses = type == "MARKET" || (o.side == "BUY" ? price >= s->mark : price <= s->mark);
    if (type == "LIMIT" && tif == "GTX" && crosses) {
      return Err(400, -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected.");
    }
    orders.push_back(o);
    Ord& placed = orders.back();
    PushOrderUpdate(placed, "NEW", Quantity(), Price(), Money(), Money(), false, 0);
    if (crosses) {
      Quantity fill = q;
      if (ro) fill = std::min(fill, Reducible(*s, placed.side));
      FillOrder(placed, fill, type == "MARKET" ? s->mark : s->mark, false);
      if (placed.filled < placed.qty && ro) {
        placed.status = "EXPIRED";
        PushOrderUpdate(placed, "EXPIRED", Quantity(), Price(), Money(), Money(), false, 0);
      }
    }
    return Ok(OrderJson(placed));
  }

  Ord* FindOrder(const Req& r, bool algo) {
    const std::string sym = r.Get("symbol");
    for (auto& o : orders) {
      if (o.algo != algo) continue;
      if (!sym.empty() && o.symbol != sym) continue;
      if (algo) {
        if (r.Has("algoId") && std::to_string(o.id) == r.Get("algoId")) return &o;
        if (r.Has("clientAlgoId") && o.cid == r.Get("clientAlgoId")) return &o;
      } else {
        if (r.Has("orderId") && std::to_string(o.id) == r.Get("orderId")) return &o;
        if (r.Has("origClientOrderId") && o.cid == r.Get("origClientOrderId")) return &o;
      }
    }
    return nullptr;
  }

  Answer GetOrder(const Req& r) {
    if (FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    if (!r.Has("orderId") && !r.Has("origClientOrderId")) return Err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    Ord* o = FindOrder(r, false);
    if (o == nullptr) return Err(400, -2013, "Order does not exist.");
    return Ok(OrderJson(*o));
  }
  Answer CancelOrder(const Req& r) {
    if (FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    Ord* o = FindOrder(r, false);
    if (o == nullptr || !o->open()) return Err(400, -2011, "Unknown order sent.");
    o->status = "CANCELED";
    o->update = Now();
    PushOrderUpdate(*o, "CANCELED", Quantity(), Price(), Money(), Money(), false, 0);
    return Ok(OrderJson(*o));
  }
  Answer OpenOrders(const Req& r) {
    if (r.Has("symbol") && FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    json::array out;
    for (const auto& o : orders) {
      if (!o.algo && o.open() && (!r.Has("symbol") || o.symbol == r.Get("symbol"))) out.push_back(OrderJson(o));
    }
    return Ok(out);
  }
  Answer CancelAll(const Req& r) {
    if (FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    for (auto& o : orders) {
      if (!o.algo && o.open() && o.symbol == r.Get("symbol")) {
        o.status = "CANCELED";
        o.update = Now();
        PushOrderUpdate(o, "CANCELED", Quantity(), Price(), Money(), Money(), false, 0);
      }
    }
    return Ok(json::object{{"code", 200}, {"msg", "The operation of cancel all open order is done."}});
  }

  Answer NewAlgo(const Req& r) {
    if (r.Get("algoType") != "CONDITIONAL") return Err(400, -1102, "Mandatory parameter 'algoType' was not sent, was empty/null, or malformed.");
    Sym* s = nullptr;
    if (auto e = CheckCommon(r, &s)) return *e;
    const std::string type = r.Get("type");
    if (type != "STOP_MARKET" && type != "TAKE_PROFIT_MARKET") return Err(400, -1116, "Invalid orderType.");
    const std::string cid = r.Has("clientAlgoId") ? r.Get("clientAlgoId") : "algo_" + std::to_string(next_algo_id);
    if (!ValidClientId(cid)) return Err(400, -1100, "Illegal characters found in parameter 'clientAlgoId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    int open_algos = 0;
    for (const auto& o : orders) {
      if (o.algo && o.open() && o.cid == cid) return Err(400, -4116, "ClientOrderId is duplicated.");
      if (o.algo && o.open() && o.symbol == s->spec.symbol) ++open_algos;
    }
    if (open_algos >= s->spec.max_algo_orders) return Err(400, -4045, "Reach max stop order limit.");
    const bool cp = r.Get("closePosition") == "true";
    const bool ro = r.Get("reduceOnly") == "true";
    if (cp && r.Has("reduceOnly")) return Err(400, -1106, "Parameter 'reduceOnly' sent when not required.");
    if (cp && r.Has("quantity")) return Err(400, -1106, "Parameter 'quantity' sent when not required.");
    Answer err;
    Quantity q;
    if (!cp && !CheckQuantity(r, *s, &q, &err)) return err;
    Price trigger;
    if (!CheckPrice(r, "triggerPrice", *s, &trigger, &err)) return err;
    const std::string side = r.Get("side");
    const bool stop = type == "STOP_MARKET";
    const bool immediate = ((stop && side == "SELL") || (!stop && side == "BUY")) ? s->mark <= trigger : s->mark >= trigger;
    if (immediate) return Err(400, -2021, "Order would immediately trigger.");
    if (ro && Reducible(*s, side).IsZero()) return Err(400, -2022, "ReduceOnly Order is rejected.");
    Ord o;
    o.algo = true;
    o.id = next_algo_id++;
    o.cid = cid;
    o.symbol = s->spec.symbol;
    o.side = side;
    o.type = type;
    o.qty = q;
    o.trigger = trigger;
    o.cp = cp;
    o.ro = ro;
    o.working_type = r.Has("workingType") ? r.Get("workingType") : "CONTRACT_PRICE";
    o.time = o.update = Now();
    orders.push_back(o);
    PushAlgoUpdate(orders.back());
    return Ok(AlgoJson(orders.back()));
  }
  Answer GetAlgo(const Req& r) {
    if (!r.Has("algoId") && !r.Has("clientAlgoId")) return Err(400, -1102, "Param 'clientAlgoId' or 'algoId' must be sent, but both were empty/null!");
    Ord* o = FindOrder(r, true);
    if (o == nullptr) return Err(400, -2013, "Order does not exist.");
    return Ok(AlgoJson(*o));
  }
  Answer CancelAlgo(const Req& r) {
    Ord* o = FindOrder(r, true);
    if (o == nullptr || !o->open()) return Err(400, -2011, "Unknown order sent.");
    o->status = "CANCELED";
    o->update = Now();
    PushAlgoUpdate(*o);
    return Ok(json::object{{"algoId", o->id}, {"clientAlgoId", o->cid}, {"code", "200"}, {"msg", "success"}});
  }
  Answer OpenAlgos(const Req& r) {
    json::array out;
    for (const auto& o : orders) {
      if (o.algo && o.open() && (!r.Has("symbol") || o.symbol == r.Get("symbol"))) {
        json::object j = AlgoJson(o);
        j.erase("orderType");
        j["type"] = o.type;  // openAlgoOrders spells it "type"
        out.push_back(j);
      }
    }
    return Ok(out);
  }
  Answer CancelAllAlgos(const Req& r) {
    if (FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    for (auto& o : orders) {
      if (o.algo && o.open() && o.symbol == r.Get("symbol")) {
        o.status = "CANCELED";
        o.update = Now();
        PushAlgoUpdate(o);
      }
    }
    return Ok(json::object{{"code", 200}, {"msg", "The operation of cancel all open order is done."}});
  }

  // Account Trade List: symbol mandatory; orderId, startTime/endTime (at most 7 days apart;
  // neither: the last 7 days), fromId (not with a time), limit (default 500, max 1000: the
  // most recent `limit` unless fromId).
  Answer UserTrades(const Req& r) {
    if (!r.Has("symbol")) return Err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (FindSym(r.Get("symbol")) == nullptr) return Err(400, -1121, "Invalid symbol.");
    const bool from_id = r.Has("fromId");
    if (from_id && (r.Has("startTime") || r.Has("endTime"))) return Err(400, -1128, "Combination of optional parameters invalid.");
    const long limit = r.Has("limit") ? std::atol(r.Get("limit").c_str()) : 500;
    if (limit < 1 || limit > 1000) return Err(400, -1130, "Data sent for parameter 'limit' is not valid.");
    constexpr UnixMs kWeek = 7 * 24 * 3'600'000LL;
    UnixMs start = r.Has("startTime") ? std::atoll(r.Get("startTime").c_str()) : -1;
    UnixMs end = r.Has("endTime") ? std::atoll(r.Get("endTime").c_str()) : -1;
    if (start >= 0 && end >= 0 && end - start > kWeek) return Err(400, -1127, "More than 168 hours between startTime and endTime.");
    if (!from_id) {
      if (start < 0 && end < 0) end = Now();
      if (start < 0) start = end - kWeek;
      if (end < 0) end = start + kWeek;
    }
    const std::int64_t order_id = r.Has("orderId") ? std::atoll(r.Get("orderId").c_str()) : 0;
    const std::int64_t first_id = from_id ? std::atoll(r.Get("fromId").c_str()) : 0;
    std::vector<const TradeRow*> hit;
    for (const auto& t : trades) {
      if (t.symbol != r.Get("symbol") || (order_id != 0 && t.order_id != order_id)) continue;
      if (from_id ? t.id < first_id : (t.time < start || t.time > end)) continue;
      hit.push_back(&t);
    }
    const std::size_t n = static_cast<std::size_t>(limit);
    if (hit.size() > n) {
      if (from_id) hit.resize(n);
      else hit.erase(hit.begin(), hit.end() - static_cast<std::ptrdiff_t>(n));
    }
    json::array out;
    for (const TradeRow* t : hit) {
      json::object j;
      j["buyer"] = t->side == "BUY";
      j["commission"] = S(t->fee);
      j["commissionAsset"] = "USDT";
      j["id"] = t->id;
      j["maker"] = t->maker;
      j["orderId"] = t->order_id;
      j["price"] = S(t->price);
      j["qty"] = S(t->qty);
      j["quoteQty"] = S(t->quote);
      j["realizedPnl"] = S(t->realized);
      j["side"] = t->side;
      j["positionSide"] = "BOTH";
      j["symbol"] = t->symbol;
      j["time"] = t->time;
      out.push_back(j);
    }
    return Ok(out);
  }

  Answer Account(const Req&) {
    const Money upnl = UnrealizedPnl(), im = InitialMargin();
    json::array positions;
    for (const auto& [name, s] : symbols) {
      positions.push_back(json::object{{"symbol", name}, {"positionAmt", S(s.pos.qty)}, {"entryPrice", S(s.pos.entry)},
                                       {"unrealizedProfit", "0"}, {"leverage", std::to_string(s.pos.leverage)},
                                       {"isolated", s.pos.isolated}, {"positionSide", "BOTH"}, {"updateTime", Now()}});
    }
    json::object usdt{{"asset", "USDT"}, {"walletBalance", S(wallet)}, {"unrealizedProfit", S(upnl)},
                      {"marginBalance", S(wallet + upnl)}, {"maintMargin", "0"}, {"initialMargin", S(im)},
                      {"availableBalance", S(Available())}, {"updateTime", Now()}};
    return Ok(json::object{{"totalInitialMargin", S(im)}, {"totalMaintMargin", "0"}, {"totalWalletBalance", S(wallet)},
                           {"totalUnrealizedProfit", S(upnl)}, {"totalMarginBalance", S(wallet + upnl)},
                           {"totalCrossWalletBalance", S(wallet)}, {"availableBalance", S(Available())},
                           {"maxWithdrawAmount", S(Available())}, {"assets", json::array{usdt}}, {"positions", positions}});
  }
  json::object PositionJson(const std::string& name, const Sym& s, bool v2) const {
    const Money notional = Notional(s.mark, s.pos.qty);
    json::object j{{"symbol", name}, {"positionSide", "BOTH"}, {"positionAmt", S(s.pos.qty)}, {"entryPrice", S(s.pos.entry)},
                   {"breakEvenPrice", S(s.pos.entry)}, {"markPrice", S(s.mark)},
                   {"unRealizedProfit", S(s.pos.qty.IsZero() ? Money() : notional - Notional(s.pos.entry, s.pos.qty))},
                   {"liquidationPrice", "0"}, {"isolatedMargin", "0"}, {"notional", S(notional)}, {"isolatedWallet", "0"},
                   {"updateTime", Now()}};
    if (v2) {
      j["leverage"] = std::to_string(s.pos.leverage);
      j["marginType"] = s.pos.isolated ? "isolated" : "cross";
      j["maxNotionalValue"] = "1000000";
      j["isAutoAddMargin"] = "false";
    } else {
      j["initialMargin"] = S(notional.Abs().DivInt(s.pos.leverage, Rounding::kCeil));
      j["maintMargin"] = "0";
      j["marginAsset"] = "USDT";
    }
    return j;
  }
  Answer PositionRiskV2(const Req& r) {
    json::array out;
    for (const auto& [name, s] : symbols) {
      if (!r.Has("symbol") || r.Get("symbol") == name) out.push_back(PositionJson(name, s, true));
    }
    return Ok(out);
  }
  Answer PositionRiskV3(const Req& r) {
    json::array out;
    for (const auto& [name, s] : symbols) {
      bool has_orders = false;
      for (const auto& o : orders) has_orders = has_orders || (o.symbol == name && o.open());
      if ((s.pos.qty.IsZero() && !has_orders) || (r.Has("symbol") && r.Get("symbol") != name)) continue;
      out.push_back(PositionJson(name, s, false));
    }
    return Ok(out);
  }

  Answer NewKey(const Req&) {
    // Binance returns the account's current key while it is valid.
    for (auto& [k, v] : keys) {
      if (v.valid && v.expires > Now()) {
        v.expires = Now() + 3'600'000;
        return Ok(json::object{{"listenKey", k}});
      }
    }
    const std::string key = "fakeListenKey" + std::to_string(++keys_created) + "x" + std::to_string(Now());
    keys[key] = Key{Now() + 3'600'000, true};
    return Ok(json::object{{"listenKey", key}});
  }
  Answer KeepKey(const Req& r) {
    for (auto& [k, v] : keys) {
      if (v.valid && v.expires > Now() && (!r.Has("listenKey") || r.Get("listenKey") == k)) {
        v.expires = Now() + 3'600'000;
        return Ok(json::object{{"listenKey", k}});
      }
    }
    return Err(400, -1125, "This listenKey does not exist.");
  }
  Answer DeleteKey(const Req&) {
    for (auto& [k, v] : keys) v.valid = false;
    return Ok(json::object{});
  }
};

FakeBinance::FakeBinance(const Clock& clock, FakeBinanceOptions options)
    : impl_(std::make_unique<Impl>(clock, std::move(options))) {}

FakeBinance::~FakeBinance() { Stop(); }

Status FakeBinance::Start() {
  beast::error_code ec;
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), impl_->options.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("fake binance: listen: " + ec.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->running = true;
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
  return Status::Ok();
}

void FakeBinance::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeBinance::rest_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::string FakeBinance::ws_url() const { return "ws://127.0.0.1:" + std::to_string(impl_->port); }
const FakeBinanceOptions& FakeBinance::options() const { return impl_->options; }

void FakeBinance::AddHistory(const std::string& symbol, const std::vector<market::Candle>& candles) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto* s = impl_->FindSym(symbol);
  if (s == nullptr) return;
  for (const auto& c : candles) s->candles.push_back(c);
  if (!candles.empty()) s->mark = candles.back().close;
}
void FakeBinance::CloseCandle(const std::string& symbol, const market::Candle& candle) { impl_->Close(symbol, candle, true); }
void FakeBinance::CloseCandleSilently(const std::string& symbol, const market::Candle& candle) {
  impl_->Close(symbol, candle, false);
}
Status FakeBinance::RegisterApiKey(const std::string& api_key, const std::string& public_key_pem) {
  if (api_key.empty() || api_key == impl_->options.api_key) return InvalidArgument("RegisterApiKey: a new, non-empty API key");
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size()));
  EVP_PKEY* raw = bio != nullptr ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  ERR_clear_error();
  std::shared_ptr<EVP_PKEY> key(raw, PkeyFree{});
  if (key == nullptr) return InvalidArgument("RegisterApiKey: not a PEM public key (\"BEGIN PUBLIC KEY\")");
  if (!EVP_PKEY_is_a(key.get(), "RSA") && !EVP_PKEY_is_a(key.get(), "ED25519")) {
    return InvalidArgument("RegisterApiKey: Binance takes RSA or Ed25519 public keys");
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->public_keys[api_key] = std::move(key);
  return Status::Ok();
}

void FakeBinance::PushFault(const FakeFaultSpec& fault) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults.push_back(fault);
}
void FakeBinance::SetServerSkewMs(std::int64_t skew_ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->skew_ms = skew_ms;
}
void FakeBinance::SetDualSidePosition(bool dual) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->dual = dual;
}
void FakeBinance::SetLimitFillCap(Quantity cap) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->limit_fill_cap = cap;
}
void FakeBinance::DropWebSockets() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& w : impl_->sessions) {
    if (auto s = w.lock()) s->Drop();
  }
}
void FakeBinance::PushUserEvent(const std::string& raw_json) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& w : impl_->sessions) {
    if (auto s = w.lock(); s && s->user() && s->open()) s->Send(raw_json);
  }
}
void FakeBinance::RefuseWebSockets(bool refuse) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->refuse_ws = refuse;
}
void FakeBinance::ExpireListenKeys() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& [k, v] : impl_->keys) {
    if (!v.valid) continue;
    impl_->PushUser(json::object{{"e", "listenKeyExpired"}, {"E", std::to_string(impl_->Now())}, {"listenKey", k}});
    v.valid = false;
  }
}

std::vector<FakeOrderView> FakeBinance::Orders() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<FakeOrderView> out;
  for (const auto& o : impl_->orders) {
    out.push_back(FakeOrderView{o.algo, o.id, o.cid, o.symbol, o.side, o.type, o.status, o.qty, o.filled, o.price,
                                o.trigger, o.avg, o.ro, o.cp});
  }
  return out;
}
int FakeBinance::OrdersWithClientId(const std::string& client_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int n = 0;
  for (const auto& o : impl_->orders) n += o.cid == client_id ? 1 : 0;
  return n;
}
Quantity FakeBinance::PositionAmt(const std::string& symbol) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->symbols.find(symbol);
  return it == impl_->symbols.end() ? Quantity() : it->second.pos.qty;
}
Money FakeBinance::WalletBalance() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->wallet;
}
int FakeBinance::Leverage(const std::string& symbol) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->symbols.find(symbol);
  return it == impl_->symbols.end() ? 0 : it->second.pos.leverage;
}
std::int64_t FakeBinance::connections_accepted() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->connections;
}
std::int64_t FakeBinance::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->request_count;
}
std::int64_t FakeBinance::requests_on(const std::string& method, const std::string& path) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->per_path.find(method + " " + path);
  return it == impl_->per_path.end() ? 0 : it->second;
}
int FakeBinance::user_streams_open() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int n = 0;
  for (auto& w : impl_->sessions) {
    if (auto s = w.lock(); s && s->user() && s->open()) ++n;
  }
  return n;
}
int FakeBinance::market_streams_open() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int n = 0;
  for (auto& w : impl_->sessions) {
    if (auto s = w.lock(); s && !s->user() && s->open()) ++n;
  }
  return n;
}
std::int64_t FakeBinance::listen_keys_created() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->keys_created;
}

}  // namespace aitrader::testing
