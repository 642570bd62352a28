#include "api/stream.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>

#include "api/server.hpp"
#include "core/strings.hpp"
#include "store/api_repository.hpp"

namespace aitrader::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;

std::string StreamMessage(std::int64_t seq, std::string_view type, std::int64_t bot_id, UnixMs at,
                          std::string_view data_json) {
  std::string out;
  out.reserve(64 + type.size() + data_json.size());
  out += "{\"seq\":";
  out += std::to_string(seq);
  out += ",\"type\":";
  AppendJsonString(out, type);
  out += ",\"bot_id\":";
  out += bot_id > 0 ? std::to_string(bot_id) : std::string("null");  // null: not a bot's event (a backtest)
  out += ",\"at\":";
  out += std::to_string(at);
  out += ",\"data\":";
  out += data_json.empty() ? std::string_view("{}") : data_json;
  out += "}";
  return out;
}

namespace {
constexpr int kSendBufferBytes = 64 * 1024;
constexpr std::size_t kReplayMax = 100'000;  // events of one replay
constexpr int kReplayPage = 1000;

asio::thread_pool& ReplayPool() {
  static asio::thread_pool pool(2);
  return pool;
}
}  // namespace

class StreamSession : public std::enable_shared_from_this<StreamSession> {
 public:
  StreamSession(beast::tcp_stream&& stream, StreamHub& hub, std::int64_t user_id, std::vector<std::int64_t> bots,
                std::shared_ptr<void> connection)
      : ws_(std::move(stream)), hub_(hub), user_id_(user_id), bots_(std::move(bots)), connection_(std::move(connection)) {}

  ~StreamSession() { hub_.Remove(this); }

  // Immutable after construction: safe to read from the publishing thread.
  bool Wants(const engine::ServiceEvent& e) const {
    if (bots_.empty()) return e.user_id == user_id_;
    return std::find(bots_.begin(), bots_.end(), e.bot_id) != bots_.end();
  }

  void Start(http::request<http::string_body> upgrade, std::optional<std::int64_t> since) {
    auto self = shared_from_this();
    asio::dispatch(ws_.get_executor(), [self, upgrade = std::move(upgrade), since]() mutable {
      self->ws_.read_message_max(self->hub_.limits().ws_message_bytes);
      websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
      t.idle_timeout = std::chrono::milliseconds(self->hub_.limits().idle_timeout_ms);
      t.keep_alive_pings = true;
      self->ws_.set_option(t);
      self->ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.erase(http::field::server);
        for (const auto& [k, v] : SecurityHeaders()) res.set(k, v);
      }));
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).socket().set_option(asio::socket_base::send_buffer_size(kSendBufferBytes), ec);
      beast::get_lowest_layer(self->ws_).expires_never();
      if (since) self->replaying_ = true;  // hold live events until the replay is sent
      self->ws_.async_accept(upgrade, [self, since](beast::error_code ec) {
        if (ec) {
          self->closing_ = true;
          return;
        }
        self->accepted_ = true;
        self->Read();
        if (since) return self->Replay(*since, std::nullopt);
        auto held = std::move(self->held_);
        self->held_.clear();
        for (const auto& h : held) self->Live(h.msg, h.bot_id, h.seq);
      });
    });
  }

  void Deliver(std::shared_ptr<const std::string> msg, std::int64_t bot_id, std::int64_t seq) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg), bot_id, seq] {
      if (self->closing_) return;
      if (self->replaying_ || !self->accepted_) {
        self->held_.push_back({msg, bot_id, seq});
        if (self->held_.size() + self->live_queued_ > self->hub_.limits().ws_queue_messages) self->Close(websocket::close_code::policy_error);
        return;
      }
      self->Live(msg, bot_id, seq);
    });
  }

  void Close(websocket::close_code code) {
    if (closing_) return;
    closing_ = true;
    held_.clear();
    if (!accepted_) return;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  void CloseFromAnyThread(websocket::close_code code) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code] { self->Close(code); });
  }

 private:
  struct Held {
    std::shared_ptr<const std::string> msg;
    std::int64_t bot_id;
    std::int64_t seq;
  };
  struct Out {
    std::shared_ptr<const std::string> msg;
    bool live;
  };

  void Live(const std::shared_ptr<const std::string>& msg, std::int64_t bot_id, std::int64_t seq) {
    if (seq > 0) {  // seq 0: a transient event (backtest progress), never stored or replayed
      auto& last = last_seq_[bot_id];
      if (seq <= last) return;  // sent by the replay already
      last = seq;
    }
    ++live_queued_;
    if (live_queued_ > hub_.limits().ws_queue_messages) return Close(websocket::close_code::policy_error);
    Enqueue({msg, true});
  }

  void Enqueue(Out o) {
    out_.push_back(std::move(o));
    if (!writing_) Write();
  }

  void Write() {
    if (out_.empty() || closing_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*out_.front().msg), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closing_ = true;
        return;
      }
      if (self->out_.front().live) --self->live_queued_;
      self->out_.pop_front();
      self->Write();
    });
  }

  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closing_ = true;
        return;
      }
      std::string text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      self->OnMessage(text);
      if (!self->closing_) self->Read();
    });
  }

  void SendControl(std::string text) { Enqueue({std::make_shared<const std::string>(std::move(text)), false}); }

  void OnMessage(const std::string& text) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 4;
    json::value v = json::parse(text, ec, {}, opts);
    const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (type == nullptr || !type->is_string()) {
      return SendControl(R"({"type":"error","data":{"code":"bad_message","message":"expected {\"type\": \"resume\"|\"ping\"}"}})");
    }
    if (type->as_string() == "ping") return SendControl(R"({"type":"pong"})");
    if (type->as_string() == "resume") {
      const json::value* since = o->if_contains("since");
      if (since == nullptr || !since->is_int64() || since->as_int64() < 0) {
        return SendControl(R"({"type":"error","data":{"code":"bad_message","message":"resume needs since: an integer >= 0"}})");
      }
      std::optional<std::int64_t> bot;
      if (const json::value* b = o->if_contains("bot_id")) {
        if (!b->is_int64() || !Owns(b->as_int64())) {
          return SendControl(R"({"type":"error","data":{"code":"not_found","message":"bot not found"}})");
        }
        bot = b->as_int64();
      }
      if (replaying_) {
        return SendControl(R"({"type":"error","data":{"code":"busy","message":"a replay is in progress"}})");
      }
      replaying_ = true;
      return Replay(since->as_int64(), bot);
    }
    SendControl(R"({"type":"error","data":{"code":"bad_message","message":"unknown message type"}})");
  }

  bool Owns(std::int64_t bot_id) const {
    if (!bots_.empty()) return std::find(bots_.begin(), bots_.end(), bot_id) != bots_.end();
    return known_bots_.count(bot_id) > 0 || last_seq_.count(bot_id) > 0;
  }

  // Loads the stored events above `since` (of `only`, or of every bot of the stream) on a
  // replay thread, then sends them on the strand and releases the held live events.
  void Replay(std::int64_t since, std::optional<std::int64_t> only) {
    auto self = shared_from_this();
    std::vector<std::int64_t> bots = only ? std::vector<std::int64_t>{*only} : bots_;
    for (auto b : bots) last_seq_[b] = since;
    asio::post(ReplayPool(), [self, since, only, bots]() mutable {
      std::vector<store::EventRecord> events;
      bool ok = true;
      {
        auto lease = self->hub_.db().Acquire();
        store::ApiRepository repo(lease->db());
        if (bots.empty()) {  // every bot of the user
          std::int64_t after = 0;
          while (true) {
            auto page = repo.ListUserBots(self->user_id_, after, 1000);
            if (!page.ok()) {
              ok = false;
              break;
            }
            for (const auto& b : *page) bots.push_back(b.id);
            if (page->size() < 1000) break;
            after = page->back().id;
          }
        }
        for (auto b : bots) {
          std::int64_t from = since;
          while (ok && events.size() < kReplayMax) {
            auto page = repo.ListEvents(b, from, kReplayPage);
            if (!page.ok()) {
              ok = false;
              break;
            }
            for (auto& e : *page) events.push_back(std::move(e));
            if (page->size() < static_cast<std::size_t>(kReplayPage)) break;
            from = events.back().seq;
          }
        }
      }
      std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a.at != b.at ? a.at < b.at : (a.bot_id != b.bot_id ? a.bot_id < b.bot_id : a.seq < b.seq);
      });
      asio::post(self->ws_.get_executor(), [self, events = std::move(events), bots, since, ok, only] {
        if (self->closing_) return;
        if (!ok || events.size() >= kReplayMax) return self->Close(websocket::close_code::policy_error);
        for (auto b : bots) {
          self->known_bots_.insert(b);
          if (!only) self->last_seq_[b] = std::max(self->last_seq_[b], since);
        }
        for (const auto& e : events) {
          auto& last = self->last_seq_[e.bot_id];
          if (e.seq <= last) continue;
          last = e.seq;
          self->Enqueue({std::make_shared<const std::string>(StreamMessage(e.seq, e.type, e.bot_id, e.at, e.data)), false});
        }
        self->replaying_ = false;
        auto held = std::move(self->held_);
        self->held_.clear();
        for (const auto& h : held) self->Live(h.msg, h.bot_id, h.seq);
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  StreamHub& hub_;
  const std::int64_t user_id_;
  const std::vector<std::int64_t> bots_;  // empty: every bot of the user
  const std::shared_ptr<void> connection_;  // the place in limits.max_connections, held to the end
  // strand state
  std::set<std::int64_t> known_bots_;
  std::map<std::int64_t, std::int64_t> last_seq_;
  bool replaying_ = false;
  bool accepted_ = false;
  bool closing_ = false;
  bool writing_ = false;
  std::deque<Held> held_;
  std::deque<Out> out_;
  std::size_t live_queued_ = 0;
  beast::flat_buffer in_;
};

std::optional<ApiError> StreamHub::Accept(ApiRequest& req, beast::tcp_stream& stream,
                                          http::request<http::string_body>& upgrade) {
  std::vector<std::int64_t> bots;
  auto parse_id = [](std::string_view s) -> std::optional<std::int64_t> {
    std::int64_t x = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || p != s.data() + s.size() || x <= 0) return std::nullopt;
    return x;
  };
  if (auto it = req.params.find("id"); it != req.params.end()) {
    auto id = parse_id(it->second);
    if (!id) return ApiError{404, "not_found", "bot not found", ""};
    bots.push_back(*id);
  } else if (auto q = req.query.find("bot"); q != req.query.end() && !q->second.empty()) {
    for (auto part : Split(q->second, ',')) {
      auto id = parse_id(Trim(part));
      if (!id) return ApiError{400, "invalid_type", "bot must be a comma-separated list of ids", "bot"};
      if (std::find(bots.begin(), bots.end(), *id) == bots.end()) bots.push_back(*id);
      if (bots.size() > 1000) return ApiError{422, "invalid_value", "at most 1000 bots per stream", "bot"};
    }
  }
  std::optional<std::int64_t> since;
  if (auto s = req.query.find("since"); s != req.query.end() && !s->second.empty()) {
    std::int64_t x = 0;
    auto [p, ec] = std::from_chars(s->second.data(), s->second.data() + s->second.size(), x);
    if (ec != std::errc() || p != s->second.data() + s->second.size() || x < 0) {
      return ApiError{400, "invalid_type", "since must be an integer >= 0", "since"};
    }
    since = x;
  }
  {
    auto lease = db_.Acquire();
    store::ApiRepository repo(lease->db());
    for (auto id : bots) {
      auto r = repo.GetUserBot(req.user_id, id);
      if (!r.ok()) {
        if (r.status().code() == StatusCode::kNotFound) return ApiError{404, "not_found", "bot not found", ""};
        return ApiError{500, "internal_error", "the server failed to answer this request", ""};
      }
    }
  }
  auto session =
      std::make_shared<StreamSession>(std::move(stream), *this, req.user_id, std::move(bots), std::move(req.connection));
  {
    std::lock_guard lock(mu_);
    if (closed_) return ApiError{503, "not_ready", "the server is shutting down", ""};
    sessions_.push_back(session);
  }
  session->Start(std::move(upgrade), since);
  return std::nullopt;
}

void StreamHub::Publish(const std::vector<engine::ServiceEvent>& events) {
  std::vector<std::shared_ptr<StreamSession>> live;
  {
    std::lock_guard lock(mu_);
    live.reserve(sessions_.size());
    for (const auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  // No lock held while handing messages to the sessions' strands.
  for (const auto& e : events) {
    std::shared_ptr<const std::string> msg;
    for (const auto& s : live) {
      if (!s->Wants(e)) continue;
      if (!msg) msg = std::make_shared<const std::string>(StreamMessage(e.seq, e.type, e.bot_id, e.at, e.data));
      s->Deliver(msg, e.bot_id, e.seq);
    }
  }
}

void StreamHub::Remove(const StreamSession* /*s*/) {
  // Called by a session's destructor, when its own entry has expired already: drop the expired
  // entries. Never lock() one here: the copy could turn out to be another session's last
  // owner, and that session's destructor would then call Remove under mu_ on this thread.
  std::lock_guard lock(mu_);
  sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                 [](const std::weak_ptr<StreamSession>& w) { return w.expired(); }),
                  sessions_.end());
}

void StreamHub::CloseAll() {
  std::vector<std::shared_ptr<StreamSession>> live;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (const auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->CloseFromAnyThread(websocket::close_code::going_away);
}

std::size_t StreamHub::sessions() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace aitrader::api
