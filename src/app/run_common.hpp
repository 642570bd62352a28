// Shared plumbing of `backtest` and `arena`: building a RunConfig from a file and flags,
// the LLM cost estimate before a run (engine::EstimateLlmCost, --yes), the progress bar, and
// writing the reports.
#pragma once

#include <string>

#include "core/status.hpp"
#include "engine/config.hpp"

namespace aitrader::app {

struct RunFlags {
  std::string config_file;
  std::string data, symbols, interval, from, to, capital, model;
  bool single_bot = true;  // build one bot from the flags when there is no config file
};

// The config file (if any) with the flags applied on top. Flags left empty keep the file's
// values. Errors name the flag or the config path.
Result<engine::RunConfig> BuildRunConfig(const RunFlags& flags);

// Runs, prints progress (on a terminal) and the summary or leaderboard, writes the JSON report
// and the SVG. Returns the process exit code.
int RunAndReport(const engine::RunConfig& cfg, const std::string& report_path, const std::string& svg_path,
                 bool yes, bool no_timing, bool quiet, bool leaderboard);

}  // namespace aitrader::app
