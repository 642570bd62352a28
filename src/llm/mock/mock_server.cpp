// The mock server's networking: Boost.Beast, asynchronous, a session per connection on its own
// strand, N io threads; slow answers wait on a steady_timer so they block nobody.
#include "llm/mock/mock_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "core/strings.hpp"

namespace aitrader::llm::mock {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

struct MockServer::Impl {
  MockServerOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  bool started = false;
  std::uint16_t port = 0;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  Responder responder;
  std::deque<Fault> faults;
  std::vector<RecordedRequest> requests;
  std::int64_t sequence = 0;
  std::mt19937_64 rng{12345};

  struct Answer {
    http::response<http::string_body> response;
    std::int64_t delay_ms = 0;
  };

  void Accept();
  Answer Handle(const http::request<http::string_body>& req);
  Answer Control(const http::request<http::string_body>& req);
};

namespace {

http::response<http::string_body> Plain(int status, std::string body, unsigned version, bool keep_alive,
                                        std::string_view type = "application/json") {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "aitrader-mock-llm");
  res.set(http::field::content_type, type);
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, MockServer::Impl* server)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(server) {}

  void Run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      answer_.response = Plain(413, R"({"error":{"message":"request body too large"}})", 11, false);
      return Write();
    }
    if (ec) return Close();
    answer_ = server_->Handle(parser_->get());
    if (answer_.delay_ms > 0) {
      stream_.expires_never();
      timer_.expires_after(std::chrono::milliseconds(answer_.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->Write();
      });
      return;
    }
    Write();
  }

  void Write() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, answer_.response, beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    if (!answer_.response.keep_alive()) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  MockServer::Impl::Answer answer_;
  MockServer::Impl* server_;
};

std::string PresentedKey(const http::request<http::string_body>& req) {
  for (auto field : {"x-api-key", "x-goog-api-key"}) {
    auto it = req.find(field);
    if (it != req.end()) return std::string(it->value());
  }
  auto it = req.find(http::field::authorization);
  if (it != req.end()) {
    std::string_view v = it->value();
    if (StartsWith(v, "Bearer ")) v.remove_prefix(7);
    return std::string(v);
  }
  return "";
}

}  // namespace

void MockServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    } else {
      std::make_shared<Session>(std::move(socket), this)->Run();
    }
    Accept();
  });
}

MockServer::Impl::Answer MockServer::Impl::Control(const http::request<http::string_body>& req) {
  const std::string target(req.target());
  const unsigned v = req.version();
  const bool ka = req.keep_alive();
  if (target == "/health") return {Plain(200, "ok\n", v, ka, "text/plain"), 0};
  if (target == "/mock/requests" && req.method() == http::verb::get) {
    json::array out;
    std::lock_guard lock(mu);
    for (const auto& r : requests) {
      json::object headers;
      for (const auto& [name, value] : r.headers) headers[name] = value;
      out.push_back(json::object{{"method", r.method},
                                 {"target", r.target},
                                 {"vendor", VendorName(r.vendor)},
                                 {"model", r.model},
                                 {"status", r.status},
                                 {"headers", std::move(headers)},
                                 {"body", r.body}});
    }
    return {Plain(200, json::serialize(out), v, ka), 0};
  }
  if (target == "/mock/faults" && req.method() == http::verb::post) {
    auto parsed = ParseFaultScript(req.body());
    if (!parsed.ok()) return {Plain(400, json::serialize(json::object{{"error", parsed.status().message()}}), v, ka), 0};
    std::lock_guard lock(mu);
    faults.insert(faults.end(), parsed->begin(), parsed->end());
    return {Plain(200, json::serialize(json::object{{"queued", parsed->size()}}), v, ka), 0};
  }
  if (target == "/mock/reset" && req.method() == http::verb::post) {
    std::lock_guard lock(mu);
    faults.clear();
    requests.clear();
    sequence = 0;
    return {Plain(200, "{}", v, ka), 0};
  }
  return {Plain(404, R"({"error":{"message":"no such endpoint"}})", v, ka), 0};
}

MockServer::Impl::Answer MockServer::Impl::Handle(const http::request<http::string_body>& req) {
  const std::string target(req.target());
  auto route = RouteVendor(target);
  if (!route) return Control(req);
  const unsigned v = req.version();
  const bool ka = req.keep_alive();
  if (req.method() != http::verb::post) return {Plain(405, R"({"error":{"message":"use POST"}})", v, ka), 0};

  RecordedRequest record;
  record.method = std::string(req.method_string());
  record.target = target;
  for (const auto& field : req) record.headers[ToLower(field.name_string())] = std::string(field.value());
  record.body = req.body();
  record.vendor = route->first;

  auto parsed = ParseVendorRequest(route->first, route->second, req.body(), options.strictness);
  Fault fault;
  Responder respond;
  std::int64_t latency = 0;
  std::size_t index = 0;
  {
    std::lock_guard lock(mu);
    if (!faults.empty()) {
      fault = faults.front();
      faults.pop_front();
    }
    respond = responder;
    ++sequence;
    if (parsed.ok()) parsed->sequence = sequence;
    if (options.latency_max_ms > 0) {
      latency = std::uniform_int_distribution<std::int64_t>(options.latency_min_ms, options.latency_max_ms)(rng);
    }
    record.model = parsed.ok() ? parsed->model : route->second;
    if (requests.size() >= options.max_recorded) requests.erase(requests.begin());
    requests.push_back(record);
    index = requests.size() - 1;
  }
  cv.notify_all();

  Answer answer;
  if (!parsed.ok()) {
    answer.response = Plain(400, json::serialize(json::object{{"error", json::object{{"type", "invalid_request_error"},
                                                                                    {"message", parsed.status().message()}}}}),
                            v, ka);
  } else {
    std::string text;
    try {
      text = respond ? respond(*parsed) : DefaultHoldResponder(*parsed);
    } catch (const std::exception&) {
      text.clear();
      fault.kind = FaultKind::kServerError;
    }
    MockReply reply = BuildVendorReply(*parsed, text, fault, PresentedKey(req));
    answer.response = Plain(reply.status, std::move(reply.body), v, ka);
    for (const auto& [name, value] : reply.headers) answer.response.set(name, value);
    answer.response.prepare_payload();
  }
  answer.delay_ms = fault.delay_ms + latency;
  // Held: the answer waits a day (in practice: until Stop(), which drops pending answers).
  if (fault.kind == FaultKind::kHold) answer.delay_ms = 24 * 3600 * 1000;
  {
    std::lock_guard lock(mu);
    if (index < requests.size() && requests[index].target == target) requests[index].status = answer.response.result_int();
  }
  return answer;
}

MockServer::MockServer(MockServerOptions options, Responder responder) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->responder = std::move(responder);
}

MockServer::~MockServer() { Stop(); }

Status MockServer::Start() {
  if (impl_->started) return FailedPrecondition("mock server already started");
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return InvalidArgument("mock server: bad address " + impl_->options.address);
  const tcp::endpoint endpoint{address, impl_->options.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return IoError("mock server: cannot listen on " + impl_->options.address + ":" +
                   std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->started = true;
  impl_->ioc.restart();  // after a Stop()
  impl_->Accept();
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return Status::Ok();
}

void MockServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);  // no thread runs the context now: safe to touch directly
  impl_->started = false;
}

std::uint16_t MockServer::port() const { return impl_->port; }
std::string MockServer::BaseUrl() const { return "http://" + impl_->options.address + ":" + std::to_string(impl_->port); }

void MockServer::SetResponder(Responder responder) {
  std::lock_guard lock(impl_->mu);
  impl_->responder = std::move(responder);
}

void MockServer::PushFault(Fault fault) {
  std::lock_guard lock(impl_->mu);
  impl_->faults.push_back(std::move(fault));
}

void MockServer::PushFaults(const std::vector<Fault>& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults.insert(impl_->faults.end(), faults.begin(), faults.end());
}

void MockServer::ClearFaults() {
  std::lock_guard lock(impl_->mu);
  impl_->faults.clear();
}

std::size_t MockServer::PendingFaults() const {
  std::lock_guard lock(impl_->mu);
  return impl_->faults.size();
}

std::vector<RecordedRequest> MockServer::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

std::size_t MockServer::RequestCount() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests.size();
}

void MockServer::ClearRequests() {
  std::lock_guard lock(impl_->mu);
  impl_->requests.clear();
}

bool MockServer::WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->requests.size() >= n; });
}

}  // namespace aitrader::llm::mock
