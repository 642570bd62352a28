#include "engine/bot_factory.hpp"

#include "agent/baseline.hpp"
#include "llm/factory.hpp"

namespace aitrader::engine {

const Clock& DefaultWallClock() {
  static const SystemClock clock;
  return clock;
}

Result<BotParts> MakeBotParts(const BotConfig& b, const RunConfig& run, const InstrumentTable& instruments,
                              bool keep_raw, const ClientFactory& make_client, const Clock* wall_clock) {
  BotParts parts;
  risk::RiskLimits limits = b.risk;
  limits.taker_fee_rate = run.taker_fee;
  auto brackets = MarginBracketTable::LoadDefault();  // the stop-before-liquidation rule's tiers
  if (!brackets.ok()) return brackets.status().WithContext("bot " + b.name);
  auto risk = risk::RiskEngine::Create(limits, instruments, std::move(*brackets));
  if (!risk.ok()) return risk.status().WithContext("bot " + b.name);
  parts.risk = std::move(*risk);
  const Clock& wall = wall_clock != nullptr ? *wall_clock : DefaultWallClock();
  parts.options.wall_clock = &wall;
  if (b.daily_budget_usd && b.daily_budget_usd->IsPositive()) {
    parts.options.budget = std::make_shared<DailyLlmBudget>(*b.daily_budget_usd, wall);
  }
  if (b.model == ModelKind::kBaseline) {
    agent::BaselineConfig bc;
    bc.max_leverage = b.risk.max_leverage;
    bc.taker_fee = run.taker_fee;
    parts.source = MakeBaselineSource(agent::BaselinePolicy(bc, instruments), keep_raw);
    return parts;
  }
  auto client = make_client ? make_client(b) : llm::MakeClient(*b.llm);
  if (!client.ok()) return client.status().WithContext("bot " + b.name);
  parts.source = MakeLlmSource(std::shared_ptr<llm::Client>(std::move(*client)), b.llm->model,
                               b.llm->max_tokens.value_or(4096), b.llm->temperature, b.max_decision_retries);
  // A prompt template of the bot's owner (resolved by the caller), else a bundled version.
  auto tmpl = b.prompt_template ? Result<agent::SystemPromptTemplate>(*b.prompt_template)
                                : agent::SystemPromptTemplate::LoadDefault(
                                      b.prompt_version.empty() ? agent::kDefaultPromptVersion
                                                               : std::string_view(b.prompt_version));
  if (!tmpl.ok()) return tmpl.status().WithContext("bot " + b.name);
  agent::PromptConfig pc;
  pc.coins.clear();
  for (const auto& s : b.symbols) pc.coins.push_back(instruments.Find(s)->base);
  pc.max_leverage = b.risk.max_leverage;
  pc.maker_fee = run.maker_fee;
  pc.taker_fee = run.taker_fee;
  pc.interval = b.interval;
  auto builder = agent::PromptBuilder::Create(pc, *tmpl);
  if (!builder.ok()) return builder.status().WithContext("bot " + b.name);
  parts.options.prompt_builder = std::move(*builder);
  return parts;
}

}  // namespace aitrader::engine
