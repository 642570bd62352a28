// ws_fanout: a load client for the WebSocket streams of `aitrader serve`, used by
// bench/api/run_ws_bench.sh and bench/api/run_memory_bench.sh. One io_context on one thread,
// everything asynchronous (C++20 coroutines over Asio/Beast); it connects to 127.0.0.1 only.
//
//   ws_fanout fanout --port P --token T --bot ID [--clients 1000] [--events 100] [--gap-ms 20]
//       Opens CLIENTS streams GET /api/bots/ID/stream (bearer token in the Authorization
//       header), then sends POST /api/bots/ID/pause and /resume alternately over one keep-alive
//       HTTP connection, one command at a time: the steady-clock time just before each POST is
//       the event's send time; each status event a client receives is matched to its command
//       (by seq, and its data must be the status the command produces), and its latency is the
//       client's steady-clock time when the message was read minus that send time (same process,
//       same clock: an end-to-end upper bound that includes the command's trip through the
//       runtime and the database commit). The next command goes out once every client has the
//       event (or after --deadline-ms) and --gap-ms. Prints deliveries, missing ones, latency
//       percentiles and the connection setup time. The bot must be running.
//   ws_fanout hold --port P --token T --bots 1-1000 [--clients 1000] [--seconds 0]
//       Opens CLIENTS streams spread round-robin over the bots (A-B or a comma list), prints
//       "connected N/N" once all are up, reads until --seconds pass (0: until SIGINT/SIGTERM),
//       then prints what was received.
//   ws_fanout create --port P --token T [--count 1000] [--parallel 4] [--start] [--ids FILE]
//       Creates COUNT baseline bots (POST /api/bots) over PARALLEL keep-alive connections,
//       then with --start starts them all (POST /api/bots/{id}/start); prints the times and
//       writes the ids (one a line) to FILE.
//   ws_fanout start --port P --token T --ids FILE [--parallel 4]
//       Starts the bots listed in FILE (as written by create).
//
// Exit status: 0 when everything asked for happened (fanout: no delivery missing, no
// mismatch), 1 otherwise, 2 for bad arguments.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

// Percentile of sorted values (nearest rank).
std::int64_t Pct(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void PrintDistribution(const char* what, std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) {
    std::printf("%s: none\n", what);
    return;
  }
  std::printf("%s: n=%zu p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", what, v.size(), Ms(Pct(v, 50)),
              Ms(Pct(v, 90)), Ms(Pct(v, 99)), Ms(v.back()));
}

struct Args {
  std::string mode;
  int port = 0;
  std::string token;
  std::int64_t bot = 0;
  std::vector<std::int64_t> bots;
  int clients = 1000;
  int events = 100;
  int gap_ms = 20;
  int deadline_ms = 10'000;
  int connect_parallel = 100;
  int seconds = 0;
  int count = 1000;
  int parallel = 4;
  bool start = false;
  std::string ids_file;
  std::string prefix = "bench";
  int server_pid = 0;  // fanout: the server's CPU time during the commands is read from /proc
};

std::optional<std::vector<std::int64_t>> ParseBots(const std::string& s) {
  std::vector<std::int64_t> out;
  if (auto dash = s.find('-'); dash != std::string::npos && s.find(',') == std::string::npos) {
    char* end = nullptr;
    long long a = std::strtoll(s.c_str(), &end, 10);
    if (end != s.c_str() + dash) return std::nullopt;
    long long b = std::strtoll(s.c_str() + dash + 1, &end, 10);
    if (*end != '\0' || a <= 0 || b < a || b - a > 1'000'000) return std::nullopt;
    for (long long x = a; x <= b; ++x) out.push_back(x);
    return out;
  }
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t next = s.find(',', pos);
    std::string part = s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    char* end = nullptr;
    long long x = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || x <= 0) return std::nullopt;
    out.push_back(x);
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

std::optional<Args> ParseArgs(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Args a;
  a.mode = argv[1];
  if (a.mode != "fanout" && a.mode != "hold" && a.mode != "create" && a.mode != "start") return std::nullopt;
  auto int_arg = [](const char* v, int lo, int hi, int* out) {
    char* end = nullptr;
    long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi) return false;
    *out = static_cast<int>(x);
    return true;
  };
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--start") {
      a.start = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "error: %s needs a value\n", k.c_str());
      return std::nullopt;
    }
    const char* v = argv[++i];
    bool ok = true;
    if (k == "--port") ok = int_arg(v, 1, 65535, &a.port);
    else if (k == "--token") a.token = v;
    else if (k == "--bot") {
      int b = 0;
      ok = int_arg(v, 1, 1 << 30, &b);
      a.bot = b;
    } else if (k == "--bots") {
      auto b = ParseBots(v);
      ok = b.has_value();
      if (ok) a.bots = std::move(*b);
    } else if (k == "--clients") ok = int_arg(v, 1, 100'000, &a.clients);
    else if (k == "--events") ok = int_arg(v, 1, 1'000'000, &a.events);
    else if (k == "--gap-ms") ok = int_arg(v, 0, 60'000, &a.gap_ms);
    else if (k == "--deadline-ms") ok = int_arg(v, 1, 600'000, &a.deadline_ms);
    else if (k == "--connect-parallel") ok = int_arg(v, 1, 100'000, &a.connect_parallel);
    else if (k == "--seconds") ok = int_arg(v, 0, 86'400, &a.seconds);
    else if (k == "--count") ok = int_arg(v, 1, 1'000'000, &a.count);
    else if (k == "--parallel") ok = int_arg(v, 1, 1024, &a.parallel);
    else if (k == "--ids") a.ids_file = v;
    else if (k == "--prefix") a.prefix = v;
    else if (k == "--server-pid") ok = int_arg(v, 1, 1 << 30, &a.server_pid);
    else {
      std::fprintf(stderr, "error: unknown option %s\n", k.c_str());
      return std::nullopt;
    }
    if (!ok) {
      std::fprintf(stderr, "error: %s %s: bad value\n", k.c_str(), v);
      return std::nullopt;
    }
  }
  if (a.port == 0 || a.token.empty()) {
    std::fprintf(stderr, "error: --port and --token are required\n");
    return std::nullopt;
  }
  if (a.mode == "fanout" && a.bot == 0) {
    std::fprintf(stderr, "error: fanout needs --bot\n");
    return std::nullopt;
  }
  if (a.mode == "start" && a.ids_file.empty()) {
    std::fprintf(stderr, "error: start needs --ids FILE\n");
    return std::nullopt;
  }
  if (a.mode == "hold" && a.bots.empty()) {
    if (a.bot == 0) {
      std::fprintf(stderr, "error: hold needs --bots or --bot\n");
      return std::nullopt;
    }
    a.bots.push_back(a.bot);
  }
  return a;
}

// Lets this process hold a few thousand sockets (the soft limit up to the hard one).
void RaiseFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  rlim_t want = std::min<rlim_t>(r.rlim_max, 65536);
  if (r.rlim_cur < want) {
    r.rlim_cur = want;
    (void)setrlimit(RLIMIT_NOFILE, &r);
  }
}

// CPU seconds (user + system) of a process, from /proc/PID/stat; -1 when unreadable.
double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::size_t pos = close + 2;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    fields.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (fields.size() < 13) return -1;  // fields[11], [12]: utime, stime (fields 14 and 15 of stat)
  const double ticks = std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

tcp::endpoint Loopback(int port) { return {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}; }

// One keep-alive HTTP/1.1 connection.
class HttpConn {
 public:
  struct Reply {
    int status = 0;  // 0: transport error
    std::string body;
    std::string error;
  };
  HttpConn(asio::any_io_executor ex, int port, std::string token) : stream_(ex), port_(port), token_(std::move(token)) {}

  awaitable<Reply> Request(http::verb verb, std::string target, std::string body) {
    Reply out;
    if (!connected_) {
      stream_.expires_after(std::chrono::seconds(30));
      auto [ec] = co_await stream_.async_connect(Loopback(port_), kNoThrow);
      if (ec) {
        out.error = "connect: " + ec.message();
        co_return out;
      }
      connected_ = true;
    }
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token_);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(stream_, req, kNoThrow);
    (void)wn;
    if (wec) {
      connected_ = false;
      out.error = "write: " + wec.message();
      co_return out;
    }
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream_, buf_, res, kNoThrow);
    (void)rn;
    if (rec) {
      connected_ = false;
      out.error = "read: " + rec.message();
      co_return out;
    }
    if (!res.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      connected_ = false;
    }
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    co_return out;
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  int port_;
  std::string token_;
  bool connected_ = false;
};

// Waits until a condition is signalled or a deadline passes (cancel() signals).
class Waiter {
 public:
  explicit Waiter(asio::any_io_executor ex) : timer_(ex) {}
  awaitable<void> WaitFor(std::chrono::milliseconds d) {
    timer_.expires_after(d);
    (void)co_await timer_.async_wait(kNoThrow);
  }
  void Signal() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

awaitable<void> Sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  (void)co_await t.async_wait(kNoThrow);
}

// One stream client.
struct Client {
  explicit Client(asio::any_io_executor ex) : ws(ex) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  int index = 0;
  std::int64_t bot = 0;
  bool connected = false;
  bool closed = false;
  int refused_status = 0;
  std::string error;
  int close_code = 0;
  std::int64_t connect_ns = 0;  // connect + handshake
  std::int64_t messages = 0;
  std::int64_t last_seq = 0;
};

// The fan-out run's shared state (one thread: no locks).
struct Fanout {
  int clients = 0;
  int events = 0;
  std::vector<std::int64_t> send_ns;            // per command, steady clock before the POST
  std::vector<std::int64_t> latency_ns;          // [event * clients + client], -1: not received
  std::vector<int> delivered;                    // per event
  std::map<std::int64_t, int> event_of_seq;      // seq of a status event → command index
  std::vector<std::int64_t> seq_of_event;
  int next_event = 0;                            // commands whose event some client has seen
  int sent = 0;                                  // commands sent
  int connected = 0;
  std::int64_t mismatched = 0;                   // data or order not what the command produces
  std::int64_t unexpected = 0;                   // status events with no command behind them
  std::int64_t other = 0;                        // other event types (bars)
  std::int64_t duplicates = 0;
  std::unique_ptr<Waiter> waiter;
  int waiting_for = -1;
  static const char* Expected(int k) { return k % 2 == 0 ? "paused" : "running"; }
};

awaitable<bool> ConnectStream(Client& c, int port, const std::string& token) {
  const std::int64_t t0 = NowNs();
  auto& tcp_layer = beast::get_lowest_layer(c.ws);
  tcp_layer.expires_after(std::chrono::seconds(60));
  auto [ec] = co_await tcp_layer.async_connect(Loopback(port), kNoThrow);
  if (ec) {
    c.error = "connect: " + ec.message();
    co_return false;
  }
  c.ws.set_option(websocket::stream_base::decorator([auth = "Bearer " + token](websocket::request_type& req) {
    req.set(http::field::authorization, auth);
  }));
  websocket::response_type res;
  const std::string target = "/api/bots/" + std::to_string(c.bot) + "/stream";
  auto [hec] = co_await c.ws.async_handshake(res, "127.0.0.1", target, kNoThrow);
  if (hec) {
    c.refused_status = static_cast<int>(res.result_int());
    c.error = "handshake: " + hec.message();
    co_return false;
  }
  tcp_layer.expires_never();
  websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::client);
  c.ws.set_option(t);
  c.connect_ns = NowNs() - t0;
  c.connected = true;
  co_return true;
}

// Reads until the stream ends; each text message goes to on_message(client, text, arrival).
// The coroutine owns a reference to its client (the client outlives the run's vectors).
template <class OnMessage>
awaitable<void> ReadLoop(std::shared_ptr<Client> client, OnMessage on_message) {
  Client& c = *client;
  while (true) {
    auto [ec, n] = co_await c.ws.async_read(c.buf, kNoThrow);
    (void)n;
    const std::int64_t at = NowNs();
    if (ec) {
      if (ec == websocket::error::closed) c.close_code = c.ws.reason().code;
      c.closed = true;
      co_return;
    }
    ++c.messages;
    on_message(c, beast::buffers_to_string(c.buf.data()), at);
    c.buf.consume(c.buf.size());
  }
}

// Closes the open streams (normal closure) and gives the handshakes a moment to finish.
awaitable<void> CloseAll(const std::vector<std::shared_ptr<Client>>& clients) {
  auto ex = co_await asio::this_coro::executor;
  for (const auto& c : clients) {
    if (!c->connected || c->closed) continue;
    asio::co_spawn(
        ex, [c]() -> awaitable<void> { (void)co_await c->ws.async_close(websocket::close_code::normal, kNoThrow); },
        asio::detached);
  }
  for (int i = 0; i < 200; ++i) {
    bool all = true;
    for (const auto& c : clients) all = all && (!c->connected || c->closed);
    if (all) break;
    co_await Sleep(std::chrono::milliseconds(10));
  }
}

// Opens every client with at most `parallel` handshakes in flight; returns the wall time.
awaitable<std::int64_t> ConnectAll(std::vector<std::shared_ptr<Client>>& clients, int port, const std::string& token,
                                   int parallel) {
  auto ex = co_await asio::this_coro::executor;
  const std::int64_t t0 = NowNs();
  std::size_t next = 0;
  int running = 0;
  Waiter done(ex);
  auto worker = [&]() -> awaitable<void> {
    while (next < clients.size()) {
      Client& c = *clients[next++];
      (void)co_await ConnectStream(c, port, token);
    }
    if (--running == 0) done.Signal();
  };
  running = std::min<int>(parallel, static_cast<int>(clients.size()));
  const int workers = running;
  for (int i = 0; i < workers; ++i) asio::co_spawn(ex, worker(), asio::detached);
  while (running > 0) co_await done.WaitFor(std::chrono::hours(1));
  co_return NowNs() - t0;
}

void ReportConnections(const std::vector<std::shared_ptr<Client>>& clients, std::int64_t wall_ns) {
  std::vector<std::int64_t> setup;
  int failed = 0;
  std::map<std::string, int> errors;
  for (const auto& c : clients) {
    if (c->connected) setup.push_back(c->connect_ns);
    else {
      ++failed;
      errors[c->error + (c->refused_status ? " (HTTP " + std::to_string(c->refused_status) + ")" : "")]++;
    }
  }
  std::printf("connected %zu/%zu streams in %.1f ms (%d failed)\n", setup.size(), clients.size(), Ms(wall_ns), failed);
  for (const auto& [e, n] : errors) std::printf("  failed: %d × %s\n", n, e.c_str());
  PrintDistribution("  per-connection setup (TCP connect + upgrade)", setup);
  std::fflush(stdout);
}

awaitable<int> RunFanout(const Args& a) {
  auto ex = co_await asio::this_coro::executor;
  Fanout f;
  f.clients = a.clients;
  f.events = a.events;
  f.send_ns.assign(static_cast<std::size_t>(a.events), 0);
  f.latency_ns.assign(static_cast<std::size_t>(a.events) * static_cast<std::size_t>(a.clients), -1);
  f.delivered.assign(static_cast<std::size_t>(a.events), 0);
  f.waiter = std::make_unique<Waiter>(ex);
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < a.clients; ++i) {
    clients.push_back(std::make_shared<Client>(ex));
    clients.back()->bot = a.bot;
    clients.back()->index = i;
  }

  const std::int64_t wall = co_await ConnectAll(clients, a.port, a.token, a.connect_parallel);
  ReportConnections(clients, wall);
  for (const auto& c : clients) f.connected += c->connected ? 1 : 0;
  if (f.connected == 0) co_return 1;

  auto on_message = [&f](Client& c, const std::string& text, std::int64_t at) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
    const json::value* type = o ? o->if_contains("type") : nullptr;
    const json::value* seq = o ? o->if_contains("seq") : nullptr;
    if (type == nullptr || !type->is_string() || seq == nullptr || !seq->is_int64()) {
      ++f.other;
      return;
    }
    const std::int64_t s = seq->as_int64();
    if (s <= c.last_seq) ++f.mismatched;  // seq must increase per stream
    c.last_seq = s;
    if (type->as_string() != "status") {
      ++f.other;
      return;
    }
    int k = -1;
    if (auto it = f.event_of_seq.find(s); it != f.event_of_seq.end()) {
      k = it->second;
    } else if (f.next_event < f.sent) {
      k = f.next_event++;  // commands go out one at a time: the first new seq is the next command's
      f.event_of_seq[s] = k;
      f.seq_of_event.push_back(s);
    } else {
      ++f.unexpected;
      return;
    }
    const json::value* data = o->if_contains("data");
    const json::value* status = data && data->is_object() ? data->as_object().if_contains("status") : nullptr;
    if (status == nullptr || !status->is_string() || status->as_string() != Fanout::Expected(k)) {
      ++f.mismatched;
      return;
    }
    auto& slot = f.latency_ns[static_cast<std::size_t>(k) * static_cast<std::size_t>(f.clients) +
                              static_cast<std::size_t>(c.index)];
    if (slot >= 0) {
      ++f.duplicates;
      return;
    }
    slot = at - f.send_ns[static_cast<std::size_t>(k)];
    if (++f.delivered[static_cast<std::size_t>(k)] >= f.connected && f.waiting_for == k) f.waiter->Signal();
  };
  for (auto& c : clients) {
    if (c->connected) asio::co_spawn(ex, ReadLoop(c, on_message), asio::detached);
  }
  // Let the handshakes' last frames settle; nothing should arrive (the bot's stream is live-only).
  co_await Sleep(std::chrono::milliseconds(300));

  HttpConn cmd(ex, a.port, a.token);
  std::vector<std::int64_t> rtt;
  std::vector<std::int64_t> last_delivery;  // per event: the slowest client
  int failed_commands = 0;
  const double server_cpu0 = a.server_pid > 0 ? ProcessCpuSeconds(a.server_pid) : -1;
  const double self_cpu0 = SelfCpuSeconds();
  const std::int64_t commands_t0 = NowNs();
  for (int k = 0; k < a.events; ++k) {
    const std::string target = "/api/bots/" + std::to_string(a.bot) + (k % 2 == 0 ? "/pause" : "/resume");
    f.waiting_for = k;
    f.sent = k + 1;
    f.send_ns[static_cast<std::size_t>(k)] = NowNs();
    auto r = co_await cmd.Request(http::verb::post, target, "");
    rtt.push_back(NowNs() - f.send_ns[static_cast<std::size_t>(k)]);
    if (r.status != 202) {
      ++failed_commands;
      std::fprintf(stderr, "POST %s: %d %s%s\n", target.c_str(), r.status, r.error.c_str(), r.body.c_str());
      if (failed_commands > 3) break;
      continue;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(a.deadline_ms);
    while (f.delivered[static_cast<std::size_t>(k)] < f.connected && std::chrono::steady_clock::now() < until) {
      co_await f.waiter->WaitFor(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
    }
    f.waiting_for = -1;
    std::int64_t slowest = 0;
    for (int i = 0; i < f.clients; ++i) {
      slowest = std::max(slowest, f.latency_ns[static_cast<std::size_t>(k) * static_cast<std::size_t>(f.clients) +
                                               static_cast<std::size_t>(i)]);
    }
    last_delivery.push_back(slowest);
    if (a.gap_ms > 0) co_await Sleep(std::chrono::milliseconds(a.gap_ms));
  }
  const std::int64_t commands_ns = NowNs() - commands_t0;
  const double server_cpu = a.server_pid > 0 ? ProcessCpuSeconds(a.server_pid) - server_cpu0 : -1;
  const double self_cpu = SelfCpuSeconds() - self_cpu0;
  // Stragglers.
  co_await Sleep(std::chrono::milliseconds(500));

  std::vector<std::int64_t> lat;
  lat.reserve(f.latency_ns.size());
  std::int64_t missing = 0;
  for (int k = 0; k < f.sent; ++k) {
    for (int i = 0; i < f.clients; ++i) {
      if (!clients[static_cast<std::size_t>(i)]->connected) continue;
      const auto v = f.latency_ns[static_cast<std::size_t>(k) * static_cast<std::size_t>(f.clients) +
                                  static_cast<std::size_t>(i)];
      if (v >= 0) lat.push_back(v);
      else ++missing;
    }
  }
  int closed = 0;
  std::map<int, int> close_codes;
  for (const auto& c : clients) {
    if (c->connected && c->closed) {
      ++closed;
      close_codes[c->close_code]++;
    }
  }
  std::printf("events: %d commands sent (%d failed), %d × %d clients expected = %lld deliveries\n", f.sent,
              failed_commands, f.sent, f.connected, static_cast<long long>(f.sent) * f.connected);
  std::printf("delivered %zu, missing %lld, mismatched %lld, duplicates %lld, unexpected status %lld, other %lld\n",
              lat.size(), static_cast<long long>(missing), static_cast<long long>(f.mismatched),
              static_cast<long long>(f.duplicates), static_cast<long long>(f.unexpected),
              static_cast<long long>(f.other));
  if (closed > 0) {
    std::printf("streams closed by the server during the run: %d", closed);
    for (const auto& [code, n] : close_codes) std::printf(" (%d × code %d)", n, code);
    std::printf("\n");
  }
  PrintDistribution("delivery latency (POST sent -> client read the event)", lat);
  PrintDistribution("per event, the slowest client", last_delivery);
  PrintDistribution("command round trip (POST -> 202)", rtt);
  const double per_delivery = static_cast<double>(std::max<std::size_t>(1, lat.size()));
  std::printf("commands phase: %.2f s wall; ws_fanout CPU %.2f s (%.1f us per delivery)", Ms(commands_ns) / 1000.0,
              self_cpu, self_cpu * 1e6 / per_delivery);
  if (server_cpu >= 0) {
    std::printf("; server CPU %.2f s (%.1f us per delivery)", server_cpu, server_cpu * 1e6 / per_delivery);
  }
  std::printf("\n");
  std::sort(lat.begin(), lat.end());
  const bool ok = missing == 0 && f.mismatched == 0 && f.duplicates == 0 && failed_commands == 0 && !lat.empty();
  std::printf("target p99 < 50 ms: %s (p99 %.2f ms)\n", Pct(lat, 99) < 50'000'000 ? "met" : "missed", Ms(Pct(lat, 99)));
  std::fflush(stdout);
  co_await CloseAll(clients);
  co_return ok ? 0 : 1;
}

awaitable<int> RunHold(const Args& a) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < a.clients; ++i) {
    clients.push_back(std::make_shared<Client>(ex));
    clients.back()->bot = a.bots[static_cast<std::size_t>(i) % a.bots.size()];
    clients.back()->index = i;
  }
  const std::int64_t wall = co_await ConnectAll(clients, a.port, a.token, a.connect_parallel);
  ReportConnections(clients, wall);
  int up = 0;
  for (auto& c : clients) {
    if (!c->connected) continue;
    ++up;
    asio::co_spawn(ex, ReadLoop(c, [](Client&, const std::string&, std::int64_t) {}), asio::detached);
  }
  std::printf("holding %d streams\n", up);
  std::fflush(stdout);
  asio::signal_set signals(ex, SIGINT, SIGTERM);
  asio::steady_timer timer(ex);
  signals.async_wait([&](const boost::system::error_code&, int) { timer.cancel(); });
  const std::int64_t t0 = NowNs();
  if (a.seconds > 0) timer.expires_after(std::chrono::seconds(a.seconds));
  else timer.expires_after(std::chrono::hours(24 * 365));
  (void)co_await timer.async_wait(kNoThrow);
  signals.cancel();
  std::int64_t messages = 0;
  int closed = 0;
  std::map<int, int> close_codes;
  for (const auto& c : clients) {
    messages += c->messages;
    if (c->connected && c->closed) {
      ++closed;
      close_codes[c->close_code]++;
    }
  }
  std::printf("held %d streams for %.1f s: %lld messages received, %d closed by the server", up,
              Ms(NowNs() - t0) / 1000.0, static_cast<long long>(messages), closed);
  for (const auto& [code, n] : close_codes) std::printf(" (%d × code %d)", n, code);
  std::printf("\n");
  std::fflush(stdout);
  co_await CloseAll(clients);
  co_return (up == a.clients && closed == 0) ? 0 : 1;
}

// Runs `count` requests over `parallel` connections; request(i) makes the target and body;
// on_reply(i, reply) checks it (false: a failure). Returns the wall time and each latency.
template <class MakeRequest, class OnReply>
awaitable<std::int64_t> RunRequests(const Args& a, int count, MakeRequest make, OnReply on_reply,
                                    std::vector<std::int64_t>& latencies, int& failures) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<std::unique_ptr<HttpConn>> conns;
  for (int i = 0; i < a.parallel; ++i) conns.push_back(std::make_unique<HttpConn>(ex, a.port, a.token));
  int next = 0;
  int running = static_cast<int>(conns.size());
  Waiter done(ex);
  const std::int64_t t0 = NowNs();
  auto worker = [&](HttpConn& conn) -> awaitable<void> {
    while (next < count) {
      const int i = next++;
      auto [verb, target, body] = make(i);
      const std::int64_t s = NowNs();
      auto r = co_await conn.Request(verb, target, body);
      latencies.push_back(NowNs() - s);
      if (!on_reply(i, r)) {
        if (++failures <= 5) std::fprintf(stderr, "%s: %d %s%s\n", target.c_str(), r.status, r.error.c_str(), r.body.c_str());
      }
    }
    if (--running == 0) done.Signal();
  };
  for (auto& c : conns) asio::co_spawn(ex, worker(*c), asio::detached);
  while (running > 0) co_await done.WaitFor(std::chrono::hours(1));
  co_return NowNs() - t0;
}

// POST /api/bots/{id}/start for every id; *wall_ns is the time it took.
awaitable<int> StartBots(const Args& a, const std::vector<std::int64_t>& ids, std::int64_t* wall_ns) {
  std::vector<std::int64_t> lat;
  int failures = 0;
  *wall_ns = co_await RunRequests(
      a, static_cast<int>(ids.size()),
      [&](int i) {
        return std::tuple{http::verb::post, "/api/bots/" + std::to_string(ids[static_cast<std::size_t>(i)]) + "/start",
                          std::string()};
      },
      [&](int, const HttpConn::Reply& r) { return r.status == 202; }, lat, failures);
  std::printf("started %zu bots in %.1f ms over %d connections (%d failed)\n", ids.size() - static_cast<std::size_t>(failures),
              Ms(*wall_ns), a.parallel, failures);
  PrintDistribution("  POST /api/bots/{id}/start", lat);
  std::fflush(stdout);
  co_return failures == 0 ? 0 : 1;
}

awaitable<int> RunStart(const Args& a) {
  std::vector<std::int64_t> ids;
  std::ifstream in(a.ids_file);
  for (std::int64_t id = 0; in >> id;) ids.push_back(id);
  if (ids.empty()) {
    std::fprintf(stderr, "error: --ids %s: no bot ids\n", a.ids_file.c_str());
    co_return 2;
  }
  std::int64_t wall = 0;
  co_return co_await StartBots(a, ids, &wall);
}

awaitable<int> RunCreate(const Args& a) {
  std::vector<std::int64_t> ids(static_cast<std::size_t>(a.count), 0);
  std::vector<std::int64_t> lat;
  int failures = 0;
  const std::int64_t create_ns = co_await RunRequests(
      a, a.count,
      [&](int i) {
        json::object body;
        body["name"] = a.prefix + "-" + std::to_string(i + 1);
        return std::tuple{http::verb::post, std::string("/api/bots"), json::serialize(body)};
      },
      [&](int i, const HttpConn::Reply& r) {
        if (r.status != 201) return false;
        boost::system::error_code ec;
        json::value v = json::parse(r.body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("id") || !v.as_object().at("id").is_int64()) return false;
        ids[static_cast<std::size_t>(i)] = v.as_object().at("id").as_int64();
        return true;
      },
      lat, failures);
  std::printf("created %d bots in %.1f ms over %d connections (%d failed)\n", a.count - failures, Ms(create_ns),
              a.parallel, failures);
  PrintDistribution("  POST /api/bots", lat);
  if (a.start && failures == 0) {
    std::int64_t start_ns = 0;
    if (co_await StartBots(a, ids, &start_ns) != 0) failures = 1;
    std::printf("create + start: %.1f ms\n", Ms(create_ns + start_ns));
  }
  if (!a.ids_file.empty()) {
    std::ofstream out(a.ids_file);
    for (auto id : ids) {
      if (id > 0) out << id << "\n";
    }
  }
  std::fflush(stdout);
  co_return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  if (!args) {
    std::fprintf(stderr,
                 "usage: ws_fanout fanout --port P --token T --bot ID [--clients N] [--events E] [--gap-ms G]\n"
                 "                        [--deadline-ms D] [--connect-parallel C]\n"
                 "       ws_fanout hold   --port P --token T --bots A-B|ID,ID… [--clients N] [--seconds S]\n"
                 "       ws_fanout create --port P --token T [--count N] [--parallel P] [--start] [--ids FILE]\n"
                 "                        [--prefix NAME]\n"
                 "       ws_fanout start  --port P --token T --ids FILE [--parallel P]\n");
    return 2;
  }
  RaiseFileLimit();
  asio::io_context ioc(1);
  int rc = 1;
  auto body = [&]() -> awaitable<void> {
    if (args->mode == "fanout") rc = co_await RunFanout(*args);
    else if (args->mode == "hold") rc = co_await RunHold(*args);
    else if (args->mode == "create") rc = co_await RunCreate(*args);
    else rc = co_await RunStart(*args);
  };
  // When the run is over, whatever is still pending (a stream the server did not close) is
  // abandoned: its coroutine frame, and the client it holds, go with the io_context.
  asio::co_spawn(ioc, body(), [&ioc](std::exception_ptr e) {
    ioc.stop();
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "error: %s\n", ex.what());
    }
  });
  ioc.run();
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    std::printf("ws_fanout CPU: user %.2f s, system %.2f s; max RSS %ld kB\n",
                static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
                static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss);
  }
  return rc;
}
