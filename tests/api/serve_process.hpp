// ServeProcess: runs the real `aitrader serve` binary for a test — a temporary folder with a
// fresh SQLite file, --port 0 (the server picks a free loopback port and prints it), and
// waits (with a deadline) for the "listening on http://HOST:PORT" line. Stop() sends SIGTERM
// and waits for a clean exit; Kill() sends SIGKILL. Also a small blocking HTTP/WebSocket
// client over Beast with a timeout on every call.
// Thread safety: one test thread.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aitrader::testing {

class ServeProcess {
 public:
  struct Options {
    std::vector<std::string> args;                     // extra arguments
    std::vector<std::pair<std::string, std::string>> env;  // extra environment
    std::string config_json;                           // written to a file and passed as --config
    std::string database;                              // default: sqlite:<dir>/aitrader.db
    bool keep_dir = false;                             // reuse dir() (restart tests)
    std::string dir;                                   // with keep_dir: the folder to use
  };
  ServeProcess() = default;
  ~ServeProcess();
  // Starts and waits for "listening on" (up to `deadline`). Returns false with *why on failure.
  bool Start(const Options& options, std::string* why, std::chrono::seconds deadline = std::chrono::seconds(60));
  // SIGTERM, then waits for exit; returns the exit status (-1 when it did not exit in time).
  int Stop(std::chrono::seconds deadline = std::chrono::seconds(30));
  void Kill();
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& database() const { return database_; }
  // Everything the process printed so far (stdout and stderr).
  std::string Output();
  // Waits until the output contains `needle` (deadline); true when it does.
  bool WaitForOutput(const std::string& needle, std::chrono::seconds deadline);

  // Runs another subcommand in the background (e.g. mock-llm) and waits for `marker` in its
  // output; Stop/Kill/Output work as for the server.
  bool StartCommand(const std::vector<std::string>& args, const std::string& marker, std::string* why,
                    std::chrono::seconds deadline = std::chrono::seconds(30),
                    const std::vector<std::pair<std::string, std::string>>& env = {});
  // Runs the binary to completion with `args` (no server): exit status and output.
  static int RunToExit(const std::vector<std::string>& args, std::string* output,
                       const std::vector<std::pair<std::string, std::string>>& env = {});

 private:
  void ReadAvailable(int timeout_ms);
  int pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string database_;
  std::string output_;
  bool owns_dir_ = false;
};

struct HttpResult {
  int status = 0;            // 0: no response (connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  boost::json::value json;   // parsed body when it is JSON
  std::string error;         // transport error
  bool has(const std::string& h) const { return headers.count(h) > 0; }
  std::string header(const std::string& h) const {
    auto it = headers.find(h);
    return it == headers.end() ? "" : it->second;
  }
  // json.error.code, or "".
  std::string error_code() const;
  std::string error_field() const;
};

// One keep-alive connection to 127.0.0.1:port.
class HttpClient {
 public:
  explicit HttpClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~HttpClient();
  HttpResult Request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult Get(const std::string& target, const std::string& token = "");
  HttpResult Post(const std::string& target, const boost::json::value& body, const std::string& token = "");
  HttpResult Send(const std::string& method, const std::string& target, const boost::json::value& body,
                  const std::string& token = "");
  HttpResult Delete(const std::string& target, const std::string& token = "");
  // Sends raw bytes and reads one response (for malformed requests).
  HttpResult Raw(const std::string& bytes);
  // True when the server closed the connection (reads EOF before the deadline).
  bool WaitForClose(std::chrono::milliseconds deadline);
  bool connected() const { return connected_; }

 private:
  bool Connect();
  HttpResult ReadResponse();
  int port_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

// A WebSocket client.
class WsClient {
 public:
  explicit WsClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~WsClient();
  // Handshake on target with headers; on an HTTP refusal, *refused is its status and body.
  bool Connect(const std::string& target, const std::map<std::string, std::string>& headers, HttpResult* refused);
  // Next text message, or nullopt on close/timeout (close_code set when closed by the server).
  std::optional<std::string> Read(std::chrono::milliseconds timeout);
  bool Write(const std::string& text);
  int close_code() const { return close_code_; }
  void Close();
  // A small socket receive buffer (set before Connect) makes a client that does not read
  // stall the server quickly.
  void set_receive_buffer(int bytes) { rcvbuf_ = bytes; }
  // Stops reading (lets the server's queue fill up).
  boost::beast::websocket::stream<boost::beast::tcp_stream>& raw() { return *ws_; }

 private:
  int port_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::unique_ptr<boost::beast::websocket::stream<boost::beast::tcp_stream>> ws_;
  boost::beast::flat_buffer buffer_;
  int close_code_ = 0;
  int rcvbuf_ = 0;
};

}  // namespace aitrader::testing
