// `aitrader run`: headless paper trading of the configured bots, stored in the database,
// resumable after a crash (see engine/runtime.hpp).
#include <csignal>
#include <cstdio>

#include "app/command.hpp"
#include "app/run_common.hpp"
#include "engine/runtime.hpp"
#include "exchange/binance/config.hpp"

namespace aitrader::app {
namespace {

engine::PaperRuntime* g_runtime = nullptr;

void OnSignal(int) {
  if (g_runtime != nullptr) g_runtime->RequestStop();
}

struct Options {
  std::string config_file, data, database, market = "replay";
  double speed = 0;
  int workers = 64;
  bool events = false;
  bool allow_live = false;
  int live_record_days = 7;
};

void Setup(CLI::App& root, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = root.add_subcommand(
      "run", "Run the configured bots on the paper exchange over replayed candles (or Binance's live "
             "market data with --market binance, where bots of mode testnet/live trade on Binance), storing "
             "everything (restart the same command after a crash to resume)");
  cmd->add_option("--config", o->config_file, "Run configuration (JSON, see docs/running.md)")->required();
  cmd->add_option("--data", o->data, "Candle folder (default: the config's, else the bundled data)");
  cmd->add_option("--database", o->database, "Database URL (default: the config's, else sqlite:var/aitrader.db)");
  cmd->add_option("--speed", o->speed, "Replay speed: N times real time; 0 = as fast as possible")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--workers", o->workers, "Threads for LLM calls (each call blocks one while it waits)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--events", o->events, "Print every stored event as a JSON line");
  cmd->add_option("--market", o->market,
                  "Market feed: replay (the candle files, default) or binance (Binance's live market data at "
                  "AITRADER_BINANCE_REST_URL / AITRADER_BINANCE_WS_URL, default fapi.binance.com; runs until "
                  "stopped; see docs/binance.md)")
      ->check(CLI::IsMember({"replay", "binance"}));
  cmd->add_flag("--allow-live", o->allow_live,
                "Let bots of mode live trade real money on Binance (keys BINANCE_API_KEY / BINANCE_API_SECRET; "
                "testnet bots use BINANCE_TESTNET_API_KEY / BINANCE_TESTNET_API_SECRET)");
  cmd->add_option("--live-record-days", o->live_record_days,
                  "Days of paper/testnet trading a bot needs before it may trade live")
      ->capture_default_str()
      ->check(CLI::Range(0, 3650));
  cmd->callback([o, &exit_code] {
    RunFlags f;
    f.config_file = o->config_file;
    f.data = o->data;
    f.single_bot = false;
    auto cfg = BuildRunConfig(f);
    if (!cfg.ok()) {
      std::fprintf(stderr, "error: %s\n", cfg.status().message().c_str());
      exit_code = 2;
      return;
    }
    if (!o->database.empty()) cfg->database = o->database;
    engine::RuntimeOptions ro;
    ro.config = std::move(*cfg);
    ro.speed = o->speed;
    ro.publish_events = o->events;
    ro.decision_workers = o->workers;
    ro.allow_live = o->allow_live;
    ro.live_min_record_days = o->live_record_days;
    if (o->market == "binance") {
      auto bn = exchange::binance::LoadBinanceConfig("", exchange::binance::ProcessEnv());
      if (!bn.ok()) {
        std::fprintf(stderr, "error: %s\n", bn.status().message().c_str());
        exit_code = 2;
        return;
      }
      engine::LiveFeedOptions live;
      live.rest_url = bn->rest_url;
      live.ws_url = bn->ws_url;
      ro.live = live;
      ro.binance = *bn;  // testnet / live bots: the AITRADER_BINANCE_TESTNET_* URLs too
    }
    ro.log = [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
    auto rt = engine::PaperRuntime::Open(std::move(ro));
    if (!rt.ok()) {
      std::fprintf(stderr, "error: %s\n", rt.status().message().c_str());
      exit_code = 1;
      return;
    }
    g_runtime = rt->get();
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    auto summary = (*rt)->Run();
    g_runtime = nullptr;
    if (!summary.ok()) {
      std::fprintf(stderr, "error: %s\n", summary.status().message().c_str());
      exit_code = 1;
      return;
    }
    std::printf("%s %lld bars, %lld cycles, %lld missed cycles, last bar closed %s\n",
                summary->resumed ? "resumed:" : "done:", static_cast<long long>(summary->bars),
                static_cast<long long>(summary->cycles), static_cast<long long>(summary->missed_cycles),
                FormatUtc(summary->last_bar).c_str());
  });
}

}  // namespace
AITRADER_REGISTER_COMMAND(run, Setup);
}  // namespace aitrader::app
