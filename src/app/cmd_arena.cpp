// `aitrader arena`: the bots of a config file, each with its own model (and prompt version),
// the same capital, coins and period, side by side on the same candles in one process; prints
// the leaderboard (engine/leaderboard.hpp) and writes the JSON report. The engine does the
// work (engine::RunBacktest); this command only reads flags.
#include <cstdio>

#include "app/command.hpp"
#include "app/run_common.hpp"

namespace aitrader::app {
namespace {

struct ArenaOptions {
  std::string config_file, data, from, to, report, svg;
  int runs = 0;
  bool yes = false, no_timing = false, quiet = false;
};

void Setup(CLI::App& root, int& exit_code) {
  auto o = std::make_shared<ArenaOptions>();
  auto* cmd = root.add_subcommand("arena", "Run several bots side by side on the same candles and print a leaderboard");
  cmd->add_option("--config", o->config_file, "Arena configuration (JSON, e.g. configs/arena-season1.json)")->required();
  cmd->add_option("--data", o->data, "Candle folder (overrides the config's \"data\")");
  cmd->add_option("--from", o->from, "Start, UTC date or time (overrides the config)");
  cmd->add_option("--to", o->to, "End, exclusive (overrides the config)");
  cmd->add_option("--runs", o->runs, "Runs per bot with seeds seed..seed+N-1 (overrides the config)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--report", o->report, "Write the JSON report (every bot and run, and the leaderboard) here");
  cmd->add_option("--svg", o->svg, "Write an SVG plot of every equity curve here");
  cmd->add_flag("--yes", o->yes, "Run paid models without asking after the cost estimate");
  cmd->add_flag("--no-timing", o->no_timing, "Leave elapsed time out of the report (byte-identical re-runs)");
  cmd->add_flag("--quiet", o->quiet, "No progress bar or leaderboard");
  cmd->callback([o, &exit_code] {
    RunFlags f;
    f.config_file = o->config_file;
    f.data = o->data;
    f.from = o->from;
    f.to = o->to;
    f.single_bot = false;
    auto cfg = BuildRunConfig(f);
    if (!cfg.ok()) {
      std::fprintf(stderr, "error: %s\n", cfg.status().message().c_str());
      exit_code = 2;
      return;
    }
    if (o->runs > 0) cfg->runs = o->runs;
    exit_code = RunAndReport(*cfg, o->report, o->svg, o->yes, o->no_timing, o->quiet, /*leaderboard=*/true);
  });
}

}  // namespace
AITRADER_REGISTER_COMMAND(arena, Setup);
}  // namespace aitrader::app
