#include "app/run_common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "engine/backtest.hpp"
#include "engine/leaderboard.hpp"
#include "llm/pricing.hpp"

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

Money EstimateLlmCost(const engine::RunConfig& cfg, std::string* detail) {
  auto prices = llm::PriceTable::LoadDefault();
  Money total;
  if (!prices.ok()) return total;
  for (const auto& b : cfg.bots) {
    if (b.model != engine::ModelKind::kLlm || !b.llm || b.llm->provider == "replay") continue;
    // A local endpoint (the mock vendor server, Ollama, vLLM…) costs nothing to call.
    const std::string& url = b.llm->base_url;
    if (StartsWith(url, "http://127.0.0.1") || StartsWith(url, "http://localhost") || StartsWith(url, "http://[::1]")) {
      continue;
    }
    if (!cfg.from || !cfg.to) continue;
    const std::int64_t cycles = (*cfg.to - *cfg.from) / b.cadence * cfg.runs;
    llm::Usage per_call;
    // A six-coin Alpha Arena prompt is ~14k characters (~3.5k tokens) plus the system prompt;
    // answers ~600 tokens. Scaled by the coins traded.
    per_call.input_tokens = 1200 + 600 * static_cast<std::int64_t>(b.symbols.size());
    per_call.output_tokens = 150 + 80 * static_cast<std::int64_t>(b.symbols.size());
    Money one = prices->Cost(b.llm->provider, b.llm->model, per_call);
    Money bot_total = one * cycles;
    total += bot_total;
    if (detail) {
      *detail += "  " + b.name + ": " + std::to_string(cycles) + " calls × ~" + std::to_string(per_call.input_tokens) +
                 " in / " + std::to_string(per_call.output_tokens) + " out tokens ≈ $" + bot_total.ToString(2) + "\n";
    }
  }
  return total;
}

int RunAndReport(const engine::RunConfig& cfg, const std::string& report_path, const std::string& svg_path, bool yes,
                 bool no_timing, bool quiet, bool leaderboard) {
  std::string detail;
  Money cost = EstimateLlmCost(cfg, &detail);
  if (cost.IsPositive()) {
    std::fprintf(stderr, "Estimated LLM cost of this run: $%s\n%s", cost.ToString(2).c_str(), detail.c_str());
    if (!yes) {
      std::fprintf(stderr, "Re-run with --yes to spend it (cached answers are free: set llm.cache_dir).\n");
      return 3;
    }
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
