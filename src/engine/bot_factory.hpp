// The parts every driver (backtest, arena, paper runtime) assembles a Bot from, built one way:
// the risk engine (the bot's limits, the run's taker fee), the decision source (baseline, or an
// LLM client with the decision schema and retries) and the bot options (prompt builder with the
// versioned system prompt — or the owner's prompt template, BotConfig::prompt_template — the
// daily LLM budget on the wall clock).
// Thread safety: pure construction.
#pragma once

#include <functional>
#include <memory>

#include "engine/bot.hpp"
#include "engine/config.hpp"

namespace aitrader::engine {

struct BotParts {
  std::unique_ptr<DecisionSource> source;
  BotOptions options;
  std::optional<risk::RiskEngine> risk;
};

using ClientFactory = std::function<Result<std::unique_ptr<llm::Client>>(const BotConfig&)>;

// keep_raw: the baseline also renders its JSON answer for the record. make_client: overrides
// llm::MakeClient (tests, benchmarks). wall_clock: the system clock of the daily LLM budget and
// of the calls' timestamps (null: the real one; tests inject their own). Errors name the bot
// (bad limits, client configuration, unknown prompt version).
Result<BotParts> MakeBotParts(const BotConfig& bot, const RunConfig& run, const InstrumentTable& instruments,
                              bool keep_raw, const ClientFactory& make_client = nullptr,
                              const Clock* wall_clock = nullptr);

// The process's system clock (a static SystemClock).
const Clock& DefaultWallClock();

}  // namespace aitrader::engine
