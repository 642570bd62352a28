#include "engine/cost_estimate.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace aitrader::engine {

llm::Usage TypicalCallUsage(std::size_t coins) {
  const auto n = static_cast<std::int64_t>(coins);
  llm::Usage u;
  u.input_tokens = 1200 + 600 * n;
  u.output_tokens = 150 + 80 * n;
  return u;
}

bool IsLoopbackUrl(std::string_view url) {
  std::string_view rest;
  if (StartsWith(ToLower(url.substr(0, 7)), "http://")) {
    rest = url.substr(7);
  } else if (StartsWith(ToLower(url.substr(0, 8)), "https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  if (auto at = rest.find_first_of("/?#"); at != std::string_view::npos) rest = rest.substr(0, at);  // the authority
  if (rest.find('@') != std::string_view::npos) return false;  // user info: not an endpoint we call as is
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
  }
  if (!rest.empty()) {  // ":PORT"
    if (rest.front() != ':') return false;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  const std::string h = ToLower(host);
  return h == "127.0.0.1" || h == "localhost" || h == "[::1]";
}

std::string LlmCostEstimate::Detail() const {
  std::string out;
  for (const auto& b : bots) {
    out += "  " + b.bot + ": " + std::to_string(b.calls) + " calls × ~" + std::to_string(b.per_call.input_tokens) +
           " in / " + std::to_string(b.per_call.output_tokens) + " out tokens ≈ $" + b.cost.ToString(2) + "\n";
  }
  return out;
}

Result<LlmCostEstimate> EstimateLlmCost(const RunConfig& run, const llm::PriceTable& prices) {
  LlmCostEstimate est;
  for (const auto& b : run.bots) {
    if (b.model != ModelKind::kLlm || !b.llm || b.llm->provider == "replay") continue;
    if (IsLoopbackUrl(b.llm->base_url)) continue;
    BotCostEstimate e;
    e.bot = b.name;
    e.per_call = TypicalCallUsage(b.symbols.size());
    if (run.from && run.to && *run.to > *run.from && b.cadence > 0) {
      e.calls = (*run.to - *run.from) / b.cadence * std::max(run.runs, 1);
    }
    const auto price = prices.Find(b.llm->provider, b.llm->model);
    e.priced = price.has_value();
    if (price) {
      auto cost = llm::PriceTable::Cost(*price, e.per_call).CheckedMul(e.calls);
      if (!cost.ok()) return OutOfRange("the LLM cost estimate of bot " + b.name + " is out of range");
      e.cost = *cost;
    }
    auto total = est.total.CheckedAdd(e.cost);
    if (!total.ok()) return OutOfRange("the LLM cost estimate of the run is out of range");
    est.total = *total;
    est.bots.push_back(std::move(e));
  }
  return est;
}

Result<LlmCostEstimate> EstimateLlmCost(const RunConfig& run) {
  static const Result<llm::PriceTable> prices = llm::PriceTable::LoadDefault();
  if (!prices.ok()) return prices.status().WithContext("the LLM price table");
  return EstimateLlmCost(run, *prices);
}

}  // namespace aitrader::engine
