// `aitrader serve`: the API, the WebSocket hub and the paper runtime in one process (see
// src/api/server.hpp, docs/api-reference.md). Settings: the JSON server config (--config),
// then AITRADER_* environment variables, then these flags. Prints "listening on
// http://HOST:PORT" once it accepts connections; SIGINT/SIGTERM stop it gracefully.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "api/api.hpp"
#include "api/server.hpp"
#include "api/stream.hpp"
#include "app/command.hpp"
#include "core/time.hpp"
#include "engine/service.hpp"

namespace aitrader::app {
namespace {

struct Options {
  std::string config_file, host, database, data, from, web, market;
  int port = 8080;
  double speed = 60;
};

int Serve(const Options& o, const CLI::App& cmd) {
  api::ServerConfig cfg;
  if (!o.config_file.empty()) {
    auto loaded = api::LoadServerConfig(o.config_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
      return 2;
    }
    cfg = std::move(*loaded);
  }
  if (Status s = api::ApplyEnvironment(cfg, nullptr); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 2;
  }
  if (cmd.count("--host") > 0) cfg.host = o.host;
  if (cmd.count("--port") > 0) cfg.port = o.port;
  if (cmd.count("--database") > 0) cfg.database = o.database;
  if (cmd.count("--data") > 0) cfg.data_dir = o.data;
  if (cmd.count("--speed") > 0) cfg.speed = o.speed;
  if (cmd.count("--web") > 0) cfg.web_dir = o.web;
  if (cmd.count("--market") > 0) cfg.market = o.market;
  if (cmd.count("--from") > 0) {
    auto t = ParseUtc(o.from);
    if (!t.ok()) {
      std::fprintf(stderr, "error: --from: %s\n", t.status().message().c_str());
      return 2;
    }
    cfg.from = *t;
  }

  // SIGINT/SIGTERM are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The runtime first: it migrates the schema and owns its own connection. Its events reach
  // the stream hub once the API exists (and no longer once it is going away).
  static std::atomic<api::StreamHub*> hub{nullptr};
  engine::ServiceOptions svc;
  svc.on_events = [](const std::vector<engine::ServiceEvent>& events) {
    if (api::StreamHub* h = hub.load()) h->Publish(events);
  };
  svc.database = cfg.database;
  svc.data_dir = cfg.data_dir;
  svc.from = cfg.from;
  svc.speed = cfg.speed;
  svc.binance = cfg.binance;
  svc.allow_live = cfg.allow_live;
  svc.live_min_record_days = cfg.live_min_record_days;
  if (cfg.market == "binance") {
    engine::LiveFeedOptions live;
    live.name = "binance";
    live.rest_url = cfg.binance.rest_url;
    live.ws_url = cfg.binance.ws_url;
    svc.live = live;
  }
  svc.log = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  if (cfg.database.rfind("sqlite:", 0) == 0) {
    std::filesystem::path p(cfg.database.substr(7));
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  }
  auto service = engine::Service::Start(std::move(svc));
  if (!service.ok()) {
    std::fprintf(stderr, "error: %s\n", service.status().message().c_str());
    return 1;
  }
  engine::Service* runtime = service->get();
  api::ApiHooks hooks;
  hooks.service = runtime;
  hooks.feed_interval = runtime->interval();
  hooks.market_time = [runtime]() -> std::optional<std::int64_t> { return runtime->market_time(); };
  hooks.runtime_ready = [runtime] { return runtime->ready(); };
  auto api = api::Api::Create(cfg, AITRADER_VERSION, hooks);
  if (!api.ok()) {
    std::fprintf(stderr, "error: %s\n", api.status().message().c_str());
    (*service)->Stop();
    return 1;
  }
  // Bots the database holds come back (a restart or a kill -9), resolved as a start through
  // the API resolves them; then the bars flow.
  {
    api::Api* a = api->get();
    Status recovered = runtime->Recover([a](const store::BotRecord& r) { return a->StoredBotSpec(r); });
    if (!recovered.ok()) {
      std::fprintf(stderr, "error: recovering the bots: %s\n", recovered.message().c_str());
      (*service)->Stop();
      return 1;
    }
  }
  api::ServerOptions so;
  so.host = cfg.host;
  so.port = cfg.port;
  so.limits = cfg.limits;
  so.threads = cfg.threads;
  so.workers = cfg.workers;
  so.cors_origins = cfg.cors_origins;
  if (!cfg.web_dir.empty()) {
    auto web = api::StaticFiles::Open(cfg.web_dir);
    if (!web.ok()) {
      std::fprintf(stderr, "error: %s\n", web.status().message().c_str());
      (*service)->Stop();
      return 2;
    }
    so.web = std::move(*web);
  }
  api::Api* a = api->get();
  auto server = api::Server::Create(
      so, a->router(), [a](std::string_view token) { return a->VerifyAccessToken(token); },
      [a](api::ApiRequest& req, boost::beast::tcp_stream& stream,
          boost::beast::http::request<boost::beast::http::string_body>& upgrade) {
        return a->streams().Accept(req, stream, upgrade);
      });
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", server.status().message().c_str());
    (*service)->Stop();
    return 1;
  }
  hub.store(&a->streams());
  (*server)->Start();
  std::printf("listening on http://%s:%d\n", cfg.host.c_str(), (*server)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  std::printf("shutting down (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  a->streams().CloseAll();
  // Dry runs wait for a model that may take minutes (or never answer): cancelled first, so the
  // server's wait for its requests in flight is short; each is answered 503.
  runtime->CancelDryRuns();
  (*server)->Stop();
  hub.store(nullptr);
  (*service)->Stop();
  std::printf("stopped\n");
  std::fflush(stdout);
  return 0;
}

void Setup(CLI::App& root, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = root.add_subcommand(
      "serve", "Run the HTTP API, the WebSocket streams and the paper runtime in one process; a restart "
               "(also after kill -9) resumes the database's bots and market run where they stopped "
               "(see docs/api-reference.md)");
  cmd->add_option("--config", o->config_file, "Server configuration (JSON, see docs/api-reference.md)");
  cmd->add_option("--host", o->host, "Address to listen on (default 127.0.0.1; env AITRADER_HOST)");
  cmd->add_option("--port", o->port, "Port to listen on; 0 = any free port (default 8080; env AITRADER_PORT)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--database", o->database,
                  "Database URL, sqlite:FILE or postgresql://… (default sqlite:var/aitrader.db; env AITRADER_DATABASE_URL)");
  cmd->add_option("--data", o->data, "Candle folder for the market feed (default: the bundled data)");
  cmd->add_option("--speed", o->speed, "Replay speed of the market feed: N times real time (default 60)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--from", o->from, "Market time the replay starts at (UTC, e.g. 2025-10-27); a new database only — "
                  "an existing one continues its market run");
  cmd->add_option("--web", o->web, "Dashboard build folder served as static files (e.g. web/dist)");
  cmd->add_option("--market", o->market,
                  "Market feed: replay (the candle files, default) or binance (Binance's live market data at "
                  "exchange.binance.rest_url / ws_url; paper bots trade on it, testnet and live bots on Binance; "
                  "env AITRADER_MARKET; see docs/binance.md)")
      ->check(CLI::IsMember({"replay", "binance"}));
  cmd->callback([o, cmd, &exit_code] { exit_code = Serve(*o, *cmd); });
}

}  // namespace
AITRADER_REGISTER_COMMAND(serve, Setup);
}  // namespace aitrader::app
