#include "api/serve_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <filesystem>
#include <fstream>
#include <random>

extern char** environ;

namespace aitrader::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::vector<std::string> Environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view s(*e);
    if (s.rfind("AITRADER_", 0) == 0) continue;  // the test decides every AITRADER_* variable
    env.emplace_back(s);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

int Spawn(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
          int* out_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  std::vector<std::string> env_store = Environment(env);
  std::vector<char*> envp;
  for (auto& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = {AITRADER_BINARY};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, AITRADER_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return -1;
  }
  *out_fd = fds[0];
  return pid;
}

}  // namespace

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Kill();
  if (out_fd_ >= 0) close(out_fd_);
  if (owns_dir_ && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void ServeProcess::ReadAvailable(int timeout_ms) {
  if (out_fd_ < 0) return;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return;
  char buf[4096];
  ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n > 0) output_.append(buf, static_cast<std::size_t>(n));
  if (n == 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

std::string ServeProcess::Output() {
  ReadAvailable(0);
  return output_;
}

bool ServeProcess::WaitForOutput(const std::string& needle, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (output_.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > until || out_fd_ < 0) return output_.find(needle) != std::string::npos;
    ReadAvailable(50);
  }
  return true;
}

bool ServeProcess::Start(const Options& o, std::string* why, std::chrono::seconds deadline) {
  if (o.keep_dir && !o.dir.empty()) {
    dir_ = o.dir;
  } else {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("aitrader_api_" + std::to_string(::getpid()) + "_" + std::to_string(rd())))
               .string();
    std::filesystem::create_directories(dir_);
    owns_dir_ = !o.keep_dir;
  }
  database_ = o.database.empty() ? "sqlite:" + dir_ + "/aitrader.db" : o.database;
  std::vector<std::string> args = {"serve", "--port", "0", "--database", database_};
  std::string cfg_path = dir_ + "/server.json";
  std::string cfg = o.config_json;
  if (cfg.empty()) {
    cfg = "{\"jwt_secret_file\": \"" + dir_ + "/jwt.secret\", \"master_key_file\": \"" + dir_ + "/master.key\"}";
  }
  std::ofstream(cfg_path) << cfg;
  args.push_back("--config");
  args.push_back(cfg_path);
  args.insert(args.end(), o.args.begin(), o.args.end());
  output_.clear();
  pid_ = Spawn(args, o.env, &out_fd_);
  if (pid_ < 0) {
    *why = "cannot start " AITRADER_BINARY;
    return false;
  }
  const std::string marker = "listening on http://127.0.0.1:";
  if (!WaitForOutput(marker, deadline)) {
    *why = "no 'listening on' line before the deadline; output:\n" + output_;
    return false;
  }
  // The port follows the marker up to the end of the line.
  auto pos = output_.find(marker) + marker.size();
  while (output_.find('\n', pos) == std::string::npos && out_fd_ >= 0) ReadAvailable(50);
  port_ = std::atoi(output_.c_str() + pos);
  if (port_ <= 0) {
    *why = "cannot read the port from: " + output_;
    return false;
  }
  return true;
}

bool ServeProcess::StartCommand(const std::vector<std::string>& args, const std::string& marker, std::string* why,
                                std::chrono::seconds deadline,
                                const std::vector<std::pair<std::string, std::string>>& env) {
  output_.clear();
  pid_ = Spawn(args, env, &out_fd_);
  if (pid_ < 0) {
    *why = "cannot start " AITRADER_BINARY;
    return false;
  }
  if (!WaitForOutput(marker, deadline)) {
    *why = "no '" + marker + "' before the deadline; output:\n" + output_;
    return false;
  }
  return true;
}

int ServeProcess::Stop(std::chrono::seconds deadline) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > until) {
      Kill();
      return -1;
    }
    ReadAvailable(20);
  }
  pid_ = -1;
  while (out_fd_ >= 0) ReadAvailable(100);
  return status;
}

void ServeProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServeProcess::RunToExit(const std::vector<std::string>& args, std::string* output,
                            const std::vector<std::pair<std::string, std::string>>& env) {
  int fd = -1;
  int pid = Spawn(args, env, &fd);
  if (pid < 0) return -1;
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    output->append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string HttpResult::error_code() const {
  if (!json.is_object()) return "";
  auto* e = json.as_object().if_contains("error");
  if (e == nullptr || !e->is_object()) return "";
  auto* c = e->as_object().if_contains("code");
  return c && c->is_string() ? std::string(c->as_string()) : "";
}

std::string HttpResult::error_field() const {
  if (!json.is_object()) return "";
  auto* e = json.as_object().if_contains("error");
  if (e == nullptr || !e->is_object()) return "";
  auto* c = e->as_object().if_contains("field");
  return c && c->is_string() ? std::string(c->as_string()) : "";
}

HttpClient::HttpClient(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}
HttpClient::~HttpClient() {
  if (stream_) {
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

bool HttpClient::Connect() {
  stream_.reset();
  ioc_ = std::make_unique<asio::io_context>();
  stream_ = std::make_unique<beast::tcp_stream>(*ioc_);
  buffer_.clear();
  beast::error_code ec;
  stream_->expires_after(timeout_);
  stream_->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)),
                         [&](beast::error_code e) { ec = e; });
  ioc_->run();
  connected_ = !ec;
  return connected_;
}

HttpResult HttpClient::ReadResponse() {
  HttpResult out;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code ec;
  stream_->expires_after(timeout_);
  ioc_->restart();
  http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_->run();
  if (ec) {
    out.error = ec.message();
    connected_ = false;
    return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  if (!res.keep_alive()) connected_ = false;
  boost::system::error_code jec;
  out.json = json::parse(out.body, jec);
  if (jec) out.json = nullptr;
  return out;
}

HttpResult HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  if (!connected_ && !Connect()) {
    HttpResult r;
    r.error = "cannot connect";
    return r;
  }
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
  beast::error_code ec;
  stream_->expires_after(timeout_);
  ioc_->restart();
  http::async_write(*stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_->run();
  if (ec) {
    connected_ = false;
    HttpResult r;
    r.error = ec.message();
    return r;
  }
  return ReadResponse();
}

HttpResult HttpClient::Get(const std::string& target, const std::string& token) {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return Request("GET", target, "", h);
}

HttpResult HttpClient::Send(const std::string& method, const std::string& target, const json::value& body,
                            const std::string& token) {
  std::map<std::string, std::string> h = {{"Content-Type", "application/json"}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return Request(method, target, body.is_null() ? "" : json::serialize(body), h);
}

HttpResult HttpClient::Post(const std::string& target, const json::value& body, const std::string& token) {
  return Send("POST", target, body, token);
}

HttpResult HttpClient::Delete(const std::string& target, const std::string& token) {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return Request("DELETE", target, "", h);
}

HttpResult HttpClient::Raw(const std::string& bytes) {
  if (!connected_ && !Connect()) {
    HttpResult r;
    r.error = "cannot connect";
    return r;
  }
  beast::error_code ec;
  stream_->expires_after(timeout_);
  ioc_->restart();
  asio::async_write(*stream_, asio::buffer(bytes), [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_->run();
  if (ec) {
    HttpResult r;
    r.error = ec.message();
    return r;
  }
  return ReadResponse();
}

bool HttpClient::WaitForClose(std::chrono::milliseconds deadline) {
  if (!connected_ && !Connect()) return false;
  char byte = 0;
  beast::error_code ec;
  stream_->expires_after(deadline);
  ioc_->restart();
  stream_->async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_->run();
  connected_ = false;
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

WsClient::WsClient(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}
WsClient::~WsClient() = default;

bool WsClient::Connect(const std::string& target, const std::map<std::string, std::string>& headers,
                       HttpResult* refused) {
  ws_.reset();  // before the io_context it was made with
  ioc_ = std::make_unique<asio::io_context>();
  ws_ = std::make_unique<beast::websocket::stream<beast::tcp_stream>>(*ioc_);
  beast::error_code ec;
  auto& tcp_layer = beast::get_lowest_layer(*ws_);
  if (rcvbuf_ > 0) {
    tcp_layer.socket().open(tcp::v4());
    tcp_layer.socket().set_option(asio::socket_base::receive_buffer_size(rcvbuf_));
  }
  tcp_layer.expires_after(timeout_);
  tcp_layer.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)),
                          [&](beast::error_code e) { ec = e; });
  ioc_->run();
  if (ec) return false;
  ws_->set_option(beast::websocket::stream_base::decorator([headers](beast::websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  beast::websocket::response_type res;
  ioc_->restart();
  ws_->async_handshake(res, "127.0.0.1", target, [&](beast::error_code e) { ec = e; });
  ioc_->run();
  if (ec) {
    if (refused != nullptr) {
      refused->status = static_cast<int>(res.result_int());
      refused->body = res.body();
      boost::system::error_code jec;
      refused->json = json::parse(refused->body, jec);
      if (jec) refused->json = nullptr;
    }
    return false;
  }
  tcp_layer.expires_never();
  return true;
}

std::optional<std::string> WsClient::Read(std::chrono::milliseconds timeout) {
  buffer_.clear();
  beast::error_code ec;
  bool done = false;
  ioc_->restart();
  ws_->async_read(buffer_, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  ioc_->run_for(timeout);
  if (!done) {
    beast::get_lowest_layer(*ws_).cancel();
    ioc_->restart();
    ioc_->run();
    return std::nullopt;
  }
  if (ec) {
    if (ec == beast::websocket::error::closed) close_code_ = ws_->reason().code;
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer_.data());
}

bool WsClient::Write(const std::string& text) {
  beast::error_code ec;
  ioc_->restart();
  ws_->async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) { ec = e; });
  ioc_->run_for(timeout_);
  return !ec;
}

void WsClient::Close() {
  if (!ws_ || !ws_->is_open()) return;
  beast::error_code ec;
  ioc_->restart();
  ws_->async_close(beast::websocket::close_code::normal, [&](beast::error_code e) { ec = e; });
  ioc_->run_for(timeout_);
}

}  // namespace aitrader::testing
