// `aitrader backtest`: one bot (or a config's bots) over historical candles, with a report.
#include <unistd.h>

#include <cstdio>

#include "app/command.hpp"
#include "app/run_common.hpp"
#include "core/io.hpp"
#include "core/strings.hpp"
#include "engine/backtest.hpp"

namespace aitrader::app {
namespace {

struct Options {
  std::string config_file, data, symbols = "BTC,ETH,SOL,BNB,XRP,DOGE", interval = "5m", from, to, capital = "10000",
                               model = "baseline", report, svg;
  bool yes = false, no_timing = false, quiet = false;
};

void Setup(CLI::App& root, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("backtest", "Replay historical candles through the trading engine and report");
  cmd->add_option("--config", o->config_file, "Run configuration (JSON, see docs/backtesting.md); flags override it");
  cmd->add_option("--data", o->data, "Candle folder: <interval>/<SYMBOL>.csv[.gz] (default: the bundled data)");
  cmd->add_option("--symbols", o->symbols, "Comma-separated coins")->capture_default_str();
  cmd->add_option("--interval", o->interval, "Intraday candle interval")->capture_default_str();
  cmd->add_option("--from", o->from, "Start (UTC date or time; default: data start + 10 days)");
  cmd->add_option("--to", o->to, "End, exclusive (default: end of data)");
  cmd->add_option("--capital", o->capital, "Starting capital in USDT")->capture_default_str();
  cmd->add_option("--model", o->model,
                  "baseline | replay:FILE | PROVIDER:MODEL (anthropic, openai, deepseek, gemini, or "
                  "openai-compatible@BASE_URL:MODEL)")
      ->capture_default_str();
  cmd->add_option("--report", o->report, "Write the JSON report here");
  cmd->add_option("--svg", o->svg, "Write an SVG equity plot here");
  cmd->add_flag("--yes", o->yes, "Run a paid model without asking after the cost estimate");
  cmd->add_flag("--no-timing", o->no_timing, "Leave elapsed time out of the report (byte-identical re-runs)");
  cmd->add_flag("--quiet", o->quiet, "No progress bar or summary");
  cmd->callback([o, &exit_code] {
    RunFlags f;
    f.config_file = o->config_file;
    f.data = o->data;
    f.symbols = o->symbols;
    f.interval = o->interval;
    f.from = o->from;
    f.to = o->to;
    f.capital = o->capital;
    f.model = o->model;
    f.single_bot = o->config_file.empty();
    auto cfg = BuildRunConfig(f);
    if (!cfg.ok()) {
      std::fprintf(stderr, "error: %s\n", cfg.status().message().c_str());
      exit_code = 2;
      return;
    }
    exit_code = RunAndReport(*cfg, o->report, o->svg, o->yes, o->no_timing, o->quiet, /*leaderboard=*/false);
  });
}

}  // namespace
AITRADER_REGISTER_COMMAND(backtest, Setup);
}  // namespace aitrader::app
