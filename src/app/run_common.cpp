#include "app/run_common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "engine/backtest.hpp"
#include "engine/cost_estimate.hpp"
#include "engine/leaderboard.hpp"

namespace aitrader::app {

Result<engine::RunConfig> BuildRunConfig(const RunFlags& f) {
  engine::RunConfig cfg;
  if (!f.config_file.empty()) {
    auto c = engine::LoadRunConfig(f.config_file);
    if (!c.ok()) return c.status();
    cfg = std::move(*c);
  } else {
    engine::BotConfig b;
    b.name = f.model.empty() ? "baseline" : f.model;
    b.label = b.name;
    if (f.model.empty() || f.model == "baseline") {
      b.model = engine::ModelKind::kBaseline;
    } else {
      b.model = engine::ModelKind::kLlm;
      llm::ProviderConfig pc;
      if (StartsWith(f.model, "replay:")) {
        pc.provider = "replay";
        pc.replay_file = f.model.substr(7);
        pc.model = "replay";
      } else {
        auto colon = f.model.rfind(':');
        if (colon == std::string::npos) {
          return InvalidArgument("--model '" + f.model + "': expected baseline, replay:FILE or PROVIDER:MODEL");
        }
        std::string provider = f.model.substr(0, colon);
        pc.model = f.model.substr(colon + 1);
        if (auto at = provider.find('@'); at != std::string::npos) {
          pc.base_url = provider.substr(at + 1);
          provider = provider.substr(0, at);
        }
        pc.provider = provider;
        if (auto kind = llm::ParseProviderKind(provider); !kind.ok()) {
          return InvalidArgument("--model: " + kind.status().message());
        }
      }
      b.llm = pc;
    }
    cfg.bots.push_back(b);
  }
  for (auto& b : cfg.bots) {
    if (!f.symbols.empty() && (f.single_bot || f.config_file.empty())) {
      b.symbols.clear();
      for (auto coin : Split(f.symbols, ',')) {
        auto s = engine::ResolveSymbol(coin);
        if (!s.ok()) return InvalidArgument("--symbols: " + s.status().message());
        b.symbols.push_back(*s);
      }
    }
    if (!f.interval.empty() && f.config_file.empty()) {
      auto i = ParseInterval(f.interval);
      if (!i.ok()) return InvalidArgument("--interval: " + i.status().message());
      b.interval = b.cadence = *i;
    }
    if (!f.capital.empty() && f.config_file.empty()) {
      auto c = Money::Parse(f.capital);
      if (!c.ok() || !c->IsPositive()) return InvalidArgument("--capital '" + f.capital + "' must be a positive amount");
      b.capital = *c;
    }
  }
  if (!f.data.empty()) cfg.data_dir = f.data;
  if (!f.from.empty()) {
    auto t = ParseUtc(f.from);
    if (!t.ok()) return InvalidArgument("--from: " + t.status().message());
    cfg.from = *t;
  }
  if (!f.to.empty()) {
    auto t = ParseUtc(f.to);
    if (!t.ok()) return InvalidArgument("--to: " + t.status().message());
    cfg.to = *t;
  }
  if (cfg.from && cfg.to && *cfg.to <= *cfg.from) return InvalidArgument("--to must be after --from");
  return cfg;
}

int RunAndReport(const engine::RunConfig& cfg, const std::string& report_path, const std::string& svg_path, bool yes,
                 bool no_timing, bool quiet, bool leaderboard) {
  auto estimate = engine::EstimateLlmCost(cfg);
  if (!estimate.ok()) {
    std::fprintf(stderr, "error: %s\n", estimate.status().message().c_str());
    return 1;
  }
  if (estimate->total.IsPositive()) {
    std::fprintf(stderr, "Estimated LLM cost of this run: $%s\n%s", estimate->total.ToString(2).c_str(),
                 estimate->Detail().c_str());
    if (!yes) {
      std::fprintf(stderr, "Re-run with --yes to spend it (cached answers are free: set llm.cache_dir).\n");
      return 3;
    }
  }
  // Without a period there is nothing to count: the run covers the data's whole span, so a paid
  // model is not started unasked.
  const bool open_period = !cfg.from || !cfg.to;
  const bool paid = std::any_of(estimate->bots.begin(), estimate->bots.end(), [](const auto& b) { return b.priced; });
  if (open_period && paid && !yes) {
    std::fprintf(stderr,
                 "This run calls a paid model over the data's whole span (no --from/--to), which the cost estimate "
                 "does not count.\nGive --from and --to for an estimate, or re-run with --yes to spend it.\n");
    return 3;
  }
  engine::BacktestOptions opts;
  opts.config = cfg;
  opts.timing = !no_timing;
  const bool tty = ::isatty(STDERR_FILENO) != 0 && !quiet;
  if (tty) {
    opts.progress = [](double f) {
      int width = 40, filled = static_cast<int>(f * width);
      std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%", filled, "########################################", width - filled, "",
                   f * 100);
      if (f >= 1.0) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    };
  }
  auto report = engine::RunBacktest(opts);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().message().c_str());
    return 1;
  }
  if (!quiet) {
    if (leaderboard) {
      std::printf("%s", engine::ReportHeadline(*report).c_str());
      std::printf("\nLeaderboard (%d run%s per bot%s)\n%s", cfg.runs, cfg.runs > 1 ? "s" : "",
                  cfg.runs > 1 ? ": means, and min..max over the runs below each bot" : "",
                  engine::LeaderboardTable(engine::ComputeLeaderboard(*report)).c_str());
      for (const auto& b : report->bots) {
        if (b.run != 0) continue;
        for (const auto& w : b.warnings) std::printf("  warning (%s): %s\n", b.label.c_str(), w.c_str());
      }
    } else {
      std::printf("%s", engine::ReportSummary(*report).c_str());
    }
  }
  if (!report_path.empty()) {
    Status s = WriteFileAtomic(report_path, engine::ReportToJson(*report));
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      return 1;
    }
    if (!quiet) std::printf("report: %s\n", report_path.c_str());
  }
  if (!svg_path.empty()) {
    Status s = WriteFileAtomic(svg_path, engine::EquitySvg(*report));
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      return 1;
    }
  }
  for (const auto& b : report->bots) {
    if (b.ledger_check != "ok") return 4;
  }
  return 0;
}

}  // namespace aitrader::app
