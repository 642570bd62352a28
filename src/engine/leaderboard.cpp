#include "engine/leaderboard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/strings.hpp"

namespace aitrader::engine {
namespace {

// Rounded to 6 decimals, as in the report (stable, readable, no "-0").
void Num(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  double r = std::round(v * 1e6) / 1e6;
  if (r == 0) r = 0;
  AppendDouble(out, r);
}

void SpreadJson(std::string& out, std::string_view key, const Spread& s) {
  out += ',';
  AppendJsonString(out, key);
  out += ':';
  if (!s.has_value()) {
    out += "null";
    return;
  }
  out += "{\"mean\":";
  Num(out, s.mean);
  out += ",\"min\":";
  Num(out, s.min);
  out += ",\"max\":";
  Num(out, s.max);
  out += ",\"n\":" + std::to_string(s.n) + "}";
}

// The mean with `decimals` digits (and a suffix), or "n/a".
std::string Cell(const Spread& s, int decimals, const char* suffix = "") {
  if (!s.has_value()) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%s", decimals, s.mean, suffix);
  return buf;
}

// "min..max" for the spread line under a row.
std::string RangeCell(const Spread& s, int decimals) {
  if (!s.has_value()) return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.*f..%.*f", decimals, s.min, decimals, s.max);
  return buf;
}

void Pad(std::string& line, const std::string& cell, std::size_t width, bool left) {
  // Width in characters (cells are ASCII).
  if (cell.size() >= width) {
    line += cell;
  } else if (left) {
    line += cell;
    line.append(width - cell.size(), ' ');
  } else {
    line.append(width - cell.size(), ' ');
    line += cell;
  }
}

}  // namespace

void Spread::Add(double v) {
  if (!std::isfinite(v)) return;
  if (n == 0) {
    min = max = v;
  } else {
    min = std::min(min, v);
    max = std::max(max, v);
  }
  ++n;
  sum_ += v;
  mean = sum_ / n;
}

double ParseFailureRate(const BotReport& b) {
  return b.stats.cycles > 0 ? static_cast<double>(b.stats.parse_failures) / static_cast<double>(b.stats.cycles) : 0.0;
}

std::optional<double> AverageConfidence(const BotReport& b) {
  if (b.trades.empty()) return std::nullopt;
  double sum = 0;
  for (const auto& t : b.trades) sum += t.confidence;
  return sum / static_cast<double>(b.trades.size());
}

std::optional<double> HitRate(const BotReport& b) {
  if (b.trades.empty()) return std::nullopt;
  std::int64_t wins = 0;
  for (const auto& t : b.trades) wins += t.net().IsPositive() ? 1 : 0;
  return static_cast<double>(wins) / static_cast<double>(b.trades.size());
}

std::vector<LeaderboardRow> ComputeLeaderboard(const RunReport& report) {
  std::vector<LeaderboardRow> rows;
  std::map<std::string, std::size_t> index;  // by bot name
  for (const auto& b : report.bots) {
    auto [it, inserted] = index.emplace(b.name, rows.size());
    if (inserted) {
      LeaderboardRow row;
      row.name = b.name;
      row.label = b.label.empty() ? b.name : b.label;
      row.provider = b.provider;
      row.model = b.model;
      row.prompt_version = b.prompt_version;
      rows.push_back(std::move(row));
    }
    LeaderboardRow& row = rows[it->second];
    const Metrics& m = b.metrics;
    ++row.runs;
    row.total_return_pct.Add(m.total_return_pct);
    if (m.sharpe) row.sharpe.Add(*m.sharpe);
    row.max_drawdown_pct.Add(m.max_drawdown_pct);
    row.trades.Add(static_cast<double>(m.trades));
    if (m.win_rate) row.win_rate.Add(*m.win_rate);
    row.fees_paid.Add(m.fees_paid.ToDouble());
    row.llm_cost_usd.Add(b.stats.llm_cost.ToDouble());
    row.pnl_net_of_llm_cost.Add((m.net_pnl - b.stats.llm_cost).ToDouble());
    row.parse_failure_rate.Add(ParseFailureRate(b));
    if (auto c = AverageConfidence(b)) row.average_confidence.Add(*c);
    if (auto h = HitRate(b)) row.hit_rate.Add(*h);
    if (b.ledger_check != "ok") row.ledger_problems.push_back("run " + std::to_string(b.run) + ": " + b.ledger_check);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const LeaderboardRow& a, const LeaderboardRow& b) {
    if (a.total_return_pct.mean != b.total_return_pct.mean) return a.total_return_pct.mean > b.total_return_pct.mean;
    return a.name < b.name;
  });
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int>(i + 1);
  return rows;
}

std::string LeaderboardTable(const std::vector<LeaderboardRow>& rows) {
  bool spread = false;
  for (const auto& r : rows) spread = spread || r.runs > 1;
  struct Column {
    const char* title;
    std::size_t width;
    int decimals;
  };
  const std::size_t w = spread ? 14 : 10;
  const std::vector<Column> cols = {
      {"#", 3, 0},          {"bot", 18, 0},        {"model", 22, 0},      {"runs", 4, 0},
      {"return", w, 2},     {"sharpe", w, 2},      {"max dd", w, 2},      {"trades", w, 1},
      {"win rate", w, 2},   {"fees $", w, 2},      {"llm cost $", w, 2},  {"net-llm $", w, 2},
      {"parse fail", w, 3}, {"confidence", w, 2},  {"hit rate", w, 2}};
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) out += ' ';
      std::string cell = c < cells.size() ? cells[c] : "";
      const bool left = c == 1 || c == 2;
      if (left && cell.size() > cols[c].width) cell = cell.substr(0, cols[c].width - 1) + "~";
      Pad(out, cell, cols[c].width, left);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> titles;
  for (const auto& c : cols) titles.push_back(c.title);
  std::string out = line(titles);
  for (const auto& r : rows) {
    const std::vector<const Spread*> values = {&r.total_return_pct, &r.sharpe,        &r.max_drawdown_pct,
                                               &r.trades,           &r.win_rate,      &r.fees_paid,
                                               &r.llm_cost_usd,     &r.pnl_net_of_llm_cost,
                                               &r.parse_failure_rate, &r.average_confidence, &r.hit_rate};
    std::vector<std::string> cells = {std::to_string(r.rank), r.label,
                                      r.provider == "baseline" ? r.model : r.provider + ":" + r.model,
                                      std::to_string(r.runs)};
    for (std::size_t i = 0; i < values.size(); ++i) {
      const bool pct = i == 0 || i == 2;
      cells.push_back(Cell(*values[i], cols[4 + i].decimals, pct ? "%" : ""));
    }
    out += line(cells);
    if (r.runs > 1) {
      std::vector<std::string> range = {"", "  min..max", "", ""};
      for (std::size_t i = 0; i < values.size(); ++i) range.push_back(RangeCell(*values[i], cols[4 + i].decimals));
      out += line(range);
    }
    for (const auto& p : r.ledger_problems) out += "    LEDGER CHECK FAILED " + p + "\n";
  }
  return out;
}

std::string LeaderboardToJson(const std::vector<LeaderboardRow>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const LeaderboardRow& r = rows[i];
    if (i) out += ',';
    out += "{\"rank\":" + std::to_string(r.rank) + ",\"name\":";
    AppendJsonString(out, r.name);
    out += ",\"label\":";
    AppendJsonString(out, r.label);
    out += ",\"provider\":";
    AppendJsonString(out, r.provider);
    out += ",\"model\":";
    AppendJsonString(out, r.model);
    out += ",\"prompt_version\":";
    AppendJsonString(out, r.prompt_version);
    out += ",\"runs\":" + std::to_string(r.runs);
    SpreadJson(out, "total_return_pct", r.total_return_pct);
    SpreadJson(out, "sharpe", r.sharpe);
    SpreadJson(out, "max_drawdown_pct", r.max_drawdown_pct);
    SpreadJson(out, "trades", r.trades);
    SpreadJson(out, "win_rate", r.win_rate);
    SpreadJson(out, "fees_paid", r.fees_paid);
    SpreadJson(out, "llm_cost_usd", r.llm_cost_usd);
    SpreadJson(out, "pnl_net_of_llm_cost", r.pnl_net_of_llm_cost);
    SpreadJson(out, "parse_failure_rate", r.parse_failure_rate);
    SpreadJson(out, "average_confidence", r.average_confidence);
    SpreadJson(out, "hit_rate", r.hit_rate);
    out += ",\"ledger_ok\":";
    out += r.ledger_problems.empty() ? "true" : "false";
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace aitrader::engine
