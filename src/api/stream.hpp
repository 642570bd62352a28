// Streams: the WebSocket side of the API. GET /api/bots/{id}/stream and GET /api/stream
// (?bot=ID[,ID…]; all of the caller's bots when absent) deliver the runtime's stored events
// as {"seq", "type", "bot_id", "at", "data"} text messages, seq increasing per bot.
//
// Replay then live, exactly once: a session subscribes to the hub first (live events are
// held), then reads the stored events with seq > since from the database, sends them, and
// then the held and later live events — each bot's events only with a seq above the last one
// sent, so nothing is lost or repeated across the switch. ?since=N on connect or a
// {"type":"resume","since":N[,"bot_id":ID]} message start such a replay (since applies to
// each of the stream's bots unless bot_id names one). Without since the stream is live only.
//
// Limits: incoming messages up to limits.ws_message_bytes (else the socket closes with 1009);
// at most limits.ws_queue_messages live messages queued for a client — a client that does not
// keep up is closed with 1008 (policy violation) instead of growing the server's memory; a
// bounded socket send buffer (64 KiB); WebSocket pings when the connection is idle, closed
// after limits.idle_timeout_ms without an answer; {"type":"ping"} is answered {"type":"pong"}.
// A stream counts toward limits.max_connections until it ends (the request's connection slot).
// Thread safety: Publish and CloseAll from any thread; sessions live on their strands.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/db_pool.hpp"
#include "api/http_types.hpp"
#include "api/server_config.hpp"
#include "engine/service.hpp"

namespace aitrader::api {

class StreamSession;

class StreamHub {
 public:
  StreamHub(DbPool& db, ServerLimits limits) : db_(db), limits_(limits) {}

  // Takes over an authenticated upgrade (see WebSocketAcceptor in server.hpp): checks the
  // bots (404 for any that is not the caller's), subscribes, starts the replay.
  std::optional<ApiError> Accept(ApiRequest& req, boost::beast::tcp_stream& stream,
                                 boost::beast::http::request<boost::beast::http::string_body>& upgrade);
  // Events just committed by the runtime.
  void Publish(const std::vector<engine::ServiceEvent>& events);
  // Closes every stream with 1001 (going away).
  void CloseAll();
  std::size_t sessions() const;

  DbPool& db() { return db_; }
  const ServerLimits& limits() const { return limits_; }
  // From a session's destructor: forgets the sessions that have ended.
  void Remove(const StreamSession* s);

 private:
  DbPool& db_;
  ServerLimits limits_;
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<StreamSession>> sessions_;
  bool closed_ = false;
};

// The JSON text of one stream message.
std::string StreamMessage(std::int64_t seq, std::string_view type, std::int64_t bot_id, UnixMs at,
                          std::string_view data_json);

}  // namespace aitrader::api
