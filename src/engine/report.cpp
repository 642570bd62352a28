#include "engine/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/strings.hpp"
#include "engine/leaderboard.hpp"
#include "engine/sharpe.hpp"

namespace aitrader::engine {
namespace {

// A JSON number rounded to 6 significant decimals for ratios (stable and readable).
void Num(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  double r = std::round(v * 1e6) / 1e6;
  if (r == 0) r = 0;  // no "-0"
  AppendDouble(out, r);
}

void OptNum(std::string& out, const std::optional<double>& v) {
  if (v) Num(out, *v);
  else out += "null";
}

class Obj {
 public:
  explicit Obj(std::string& out) : out_(out) { out_ += '{'; }
  ~Obj() { out_ += '}'; }
  std::string& Key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendJsonString(out_, k);
    out_ += ':';
    return out_;
  }
  void Str(std::string_view k, std::string_view v) { AppendJsonString(Key(k), v); }
  void Dec(std::string_view k, const std::string& decimal) { AppendJsonString(Key(k), decimal); }
  void Int(std::string_view k, std::int64_t v) { Key(k) += std::to_string(v); }
  void Double(std::string_view k, double v) { Num(Key(k), v); }
  void OptDouble(std::string_view k, const std::optional<double>& v) { OptNum(Key(k), v); }

 private:
  std::string& out_;
  bool first_ = true;
};

double Pct(Money a, Money b) { return b.IsZero() ? 0.0 : (a.ToDouble() / b.ToDouble() - 1.0) * 100.0; }

}  // namespace

Metrics ComputeMetrics(Money initial, const std::vector<std::pair<UnixMs, Money>>& curve,
                       const std::vector<ClosedTrade>& trades, UnixMs point_interval) {
  Metrics m;
  m.initial_equity = initial;
  m.final_equity = curve.empty() ? initial : curve.back().second;
  m.total_return_pct = Pct(m.final_equity, initial);
  // Returns from the initial equity through every point.
  std::vector<double> r;
  r.reserve(curve.size());
  double prev = initial.ToDouble();
  double peak = prev;
  for (const auto& [t, eq] : curve) {
    double e = eq.ToDouble();
    if (prev > 0) r.push_back(e / prev - 1.0);
    prev = e;
    peak = std::max(peak, e);
    if (peak > 0) m.max_drawdown_pct = std::max(m.max_drawdown_pct, (peak - e) / peak * 100.0);
  }
  const double per_year = point_interval > 0 ? 365.0 * static_cast<double>(kDayMs) / static_cast<double>(point_interval) : 0;
  if (r.size() >= 2 && per_year > 0) {
    double mean = 0;
    for (double x : r) mean += x;
    mean /= static_cast<double>(r.size());
    double down = 0;
    for (double x : r) {
      if (x < 0) down += x * x;
    }
    m.sharpe = AnnualisedSharpe(r, point_interval);  // the prompt's definition too (engine/sharpe.hpp)
    double dd = std::sqrt(down / static_cast<double>(r.size()));
    if (dd > 0) m.sortino = mean / dd * std::sqrt(per_year);
  }
  Money wins, losses;
  std::int64_t n_wins = 0;
  for (const auto& t : trades) {
    Money net = t.net();
    m.net_pnl += net;
    m.fees_paid += t.fees;
    m.funding_paid -= t.funding;
    if (net.IsPositive()) {
      wins += net;
      ++n_wins;
    } else if (net.IsNegative()) {
      losses -= net;
    }
  }
  m.trades = static_cast<std::int64_t>(trades.size());
  if (m.trades > 0) m.win_rate = static_cast<double>(n_wins) / static_cast<double>(m.trades);
  if (losses.IsPositive()) m.profit_factor = wins.ToDouble() / losses.ToDouble();
  return m;
}

std::string ReportToJson(const RunReport& r, std::size_t equity_points_max) {
  std::string out;
  out.reserve(1 << 16);
  {
    Obj top(out);
    top.Str("from", FormatUtc(r.from));
    top.Str("to", FormatUtc(r.to));
    top.Str("interval", FormatInterval(r.interval));
    {
      std::string& o = top.Key("symbols");
      o += '[';
      for (std::size_t i = 0; i < r.symbols.size(); ++i) {
        if (i) o += ',';
        AppendJsonString(o, r.symbols[i]);
      }
      o += ']';
    }
    top.Int("candles_processed", r.candles_processed);
    top.Int("cycles", r.cycles);
    if (r.elapsed_seconds) top.Double("elapsed_seconds", *r.elapsed_seconds);
    std::string& bots = top.Key("bots");
    bots += '[';
    for (std::size_t b = 0; b < r.bots.size(); ++b) {
      const BotReport& br = r.bots[b];
      const Metrics& m = br.metrics;
      if (b) bots += ',';
      Obj o(bots);
      o.Str("name", br.name);
      o.Str("label", br.label);
      o.Str("provider", br.provider);
      o.Str("model", br.model);
      o.Str("prompt_version", br.prompt_version);
      o.Int("run", br.run);
      o.Int("seed", static_cast<std::int64_t>(br.seed));
      if (br.training_cutoff) o.Str("training_cutoff", FormatUtc(*br.training_cutoff));
      o.Int("candles_processed", br.candles_processed);
      o.Int("cycles", br.stats.cycles);
      o.Dec("initial_equity", m.initial_equity.ToString());
      o.Dec("final_equity", m.final_equity.ToString());
      o.Double("total_return_pct", m.total_return_pct);
      o.OptDouble("sharpe", m.sharpe);
      o.OptDouble("sortino", m.sortino);
      o.Double("max_drawdown_pct", m.max_drawdown_pct);
      o.Int("trade_count", m.trades);
      o.OptDouble("win_rate", m.win_rate);
      o.OptDouble("profit_factor", m.profit_factor);
      o.Dec("net_pnl", m.net_pnl.ToString());
      o.Dec("fees_paid", m.fees_paid.ToString());
      o.Dec("funding_paid", m.funding_paid.ToString());
      o.Int("llm_calls", br.stats.llm_calls);
      o.Dec("llm_cost_usd", br.stats.llm_cost.ToString());
      o.Dec("pnl_net_of_llm_cost", (m.net_pnl - br.stats.llm_cost).ToString());
      o.Int("parse_failures", br.stats.parse_failures);
      o.Int("truncated_answers", br.stats.truncated_answers);
      o.Int("risk_denials", br.stats.risk_denials);
      o.Int("invalidations", br.stats.invalidations);
      o.OptDouble("average_confidence", br.stats.entries > 0 ? std::optional<double>(br.stats.confidence_sum /
                                                                                     static_cast<double>(br.stats.entries))
                                                             : std::nullopt);
      o.Str("ledger_check", br.ledger_check);
      {
        std::string& w = o.Key("warnings");
        w += '[';
        for (std::size_t i = 0; i < br.warnings.size(); ++i) {
          if (i) w += ',';
          AppendJsonString(w, br.warnings[i]);
        }
        w += ']';
      }
      {
        std::string& e = o.Key("equity_curve");
        e += '[';
        const auto& c = br.equity_curve;
        std::size_t step = 1;
        if (equity_points_max > 0 && c.size() > equity_points_max) step = (c.size() + equity_points_max - 1) / equity_points_max;
        bool first = true;
        for (std::size_t i = 0; i < c.size(); i += step) {
          std::size_t k = (i + step >= c.size()) ? c.size() - 1 : i;  // always end on the last point
          if (!first) e += ',';
          first = false;
          e += '[';
          AppendJsonString(e, FormatUtc(c[k].first));
          e += ',';
          AppendJsonString(e, c[k].second.ToString());
          e += ']';
          if (k == c.size() - 1) break;
        }
        e += ']';
      }
      {
        std::string& t = o.Key("trades");
        t += '[';
        for (std::size_t i = 0; i < br.trades.size(); ++i) {
          const ClosedTrade& tr = br.trades[i];
          if (i) t += ',';
          Obj x(t);
          x.Str("symbol", tr.symbol);
          x.Str("side", tr.side == Side::kBuy ? "long" : "short");
          x.Dec("quantity", tr.quantity.ToString());
          x.Int("leverage", tr.leverage);
          x.Str("entry_time", FormatUtc(tr.entry_time));
          x.Dec("entry_price", tr.entry_price.ToString());
          x.Str("exit_time", FormatUtc(tr.exit_time));
          x.Dec("exit_price", tr.exit_price.ToString());
          x.Str("exit_reason", ToString(tr.exit_reason));
          x.Dec("realized_pnl", tr.realized_pnl.ToString());
          x.Dec("fees", tr.fees.ToString());
          x.Dec("funding", tr.funding.ToString());
          x.Dec("net_pnl", tr.net().ToString());
          x.Double("confidence", tr.confidence);
        }
        t += ']';
      }
    }
    bots += ']';
    top.Key("leaderboard") += LeaderboardToJson(ComputeLeaderboard(r));
  }
  out += '\n';
  return out;
}

std::string ReportHeadline(const RunReport& r) {
  std::string s;
  char line[512];
  std::snprintf(line, sizeof line, "Period %s → %s, %s candles, %zu symbols, %lld candles processed, %lld cycles",
                FormatUtc(r.from).c_str(), FormatUtc(r.to).c_str(), FormatInterval(r.interval).c_str(),
                r.symbols.size(), static_cast<long long>(r.candles_processed), static_cast<long long>(r.cycles));
  s += line;
  if (r.elapsed_seconds) {
    std::snprintf(line, sizeof line, " in %.2f s (%.0f candles/s)", *r.elapsed_seconds,
                  *r.elapsed_seconds > 0 ? static_cast<double>(r.candles_processed) / *r.elapsed_seconds : 0.0);
    s += line;
  }
  s += "\n";
  return s;
}

std::string ReportSummary(const RunReport& r) {
  std::string s = ReportHeadline(r);
  char line[512];
  s += "\n";
  std::snprintf(line, sizeof line, "%-22s %12s %9s %7s %8s %7s %6s %10s %10s %9s\n", "bot", "final equity", "return",
                "sharpe", "max dd", "trades", "win%", "fees", "llm cost", "failures");
  s += line;
  for (const auto& b : r.bots) {
    const Metrics& m = b.metrics;
    std::string name = b.label + (b.run > 0 ? "#" + std::to_string(b.run) : "");
    std::snprintf(line, sizeof line, "%-22.22s %12s %8.2f%% %7s %7.2f%% %7lld %6s %10s %10s %9lld\n", name.c_str(),
                  m.final_equity.ToString(2).c_str(), m.total_return_pct,
                  m.sharpe ? FormatDouble(std::round(*m.sharpe * 100) / 100).c_str() : "n/a", m.max_drawdown_pct,
                  static_cast<long long>(m.trades),
                  m.win_rate ? FormatDouble(std::round(*m.win_rate * 1000) / 10).c_str() : "n/a",
                  m.fees_paid.ToString(2).c_str(), b.stats.llm_cost.ToString(4).c_str(),
                  static_cast<long long>(b.stats.parse_failures));
    s += line;
    for (const auto& w : b.warnings) s += "  warning: " + w + "\n";
    if (b.ledger_check != "ok") s += "  LEDGER CHECK FAILED: " + b.ledger_check + "\n";
  }
  return s;
}

std::string EquitySvg(const RunReport& r, int width, int height) {
  static constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                            "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  double lo = 1e300, hi = -1e300;
  UnixMs t0 = r.from, t1 = r.to;
  for (const auto& b : r.bots) {
    for (const auto& [t, e] : b.equity_curve) {
      lo = std::min(lo, e.ToDouble());
      hi = std::max(hi, e.ToDouble());
    }
  }
  if (lo > hi) lo = 0, hi = 1;
  if (hi - lo < 1e-9) hi = lo + 1;
  const double pad = 50;
  auto x = [&](UnixMs t) { return pad + (width - 2 * pad) * static_cast<double>(t - t0) / static_cast<double>(std::max<UnixMs>(1, t1 - t0)); };
  auto y = [&](double e) { return height - pad - (height - 2 * pad) * (e - lo) / (hi - lo); };
  std::string s;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                width, height);
  s += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"20\">Equity %s → %s</text>\n", pad, FormatUtc(r.from).c_str(),
                FormatUtc(r.to).c_str());
  s += buf;
  for (int i = 0; i <= 4; ++i) {
    double e = lo + (hi - lo) * i / 4.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"2\" y=\"%.1f\">%.0f</text>\n",
                  pad, y(e), width - pad, y(e), y(e) + 4, e);
    s += buf;
  }
  for (std::size_t b = 0; b < r.bots.size(); ++b) {
    const auto& c = r.bots[b].equity_curve;
    const char* color = kColors[b % 10];
    s += "<polyline fill=\"none\" stroke=\"";
    s += color;
    s += "\" stroke-width=\"1.5\" points=\"";
    std::size_t step = std::max<std::size_t>(1, c.size() / 1500);
    for (std::size_t i = 0; i < c.size(); i += step) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x(c[i].first), y(c[i].second.ToDouble()));
      s += buf;
    }
    s += "\"/>\n";
    std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"%d\" fill=\"%s\">", pad + 160.0 * static_cast<double>(b % 5),
                  height - 12 - 14 * static_cast<int>(b / 5), color);
    s += buf;
    std::string label = r.bots[b].label + (r.bots[b].run > 0 ? "#" + std::to_string(r.bots[b].run) : "");
    for (char ch : label) {
      if (ch == '<') s += "&lt;";
      else if (ch == '&') s += "&amp;";
      else s += ch;
    }
    s += "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace aitrader::engine
