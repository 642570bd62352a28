// Run configuration: the bots to run and everything around them, from one JSON file shared
// by `aitrader run`, `backtest` and `arena`. Top-level keys set defaults that each bot may
// override:
// {
//   "database": "sqlite:var/aitrader.db",          // or postgresql://…
//   "data": "data/binance-usdm",                   // candle folder (<interval>/<SYMBOL>.csv[.gz])
//   "symbols": ["BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"],
//   "interval": "5m",                              // intraday candle interval
//   "cadence": "5m",                               // how often a bot decides (multiple of interval)
//   "capital": "10000",
//   "from": "2025-10-17", "to": "2025-11-03",      // backtests and arenas
//   "fees": {"maker": "0.0002", "taker": "0.0005"},
//   "slippage_bps": 2, "slippage_jitter_bps": 0,    // jitter: seeded random extra slippage
//   "runs": 1, "seed": 1,                          // arena: runs per bot, seed of run k = seed + k
//   "risk": {"max_leverage": 10, "max_open_positions": 6, "min_reward_risk": "1.5", …},
//   "bots": [
//     {"name": "baseline", "model": "baseline", "mode": "paper"},
//     {"name": "claude", "model": "llm", "llm": {"provider": "anthropic", "model": "claude-sonnet-4-5"},
//      "prompt_version": "aa-v1", "daily_budget_usd": "5", "training_cutoff": "2025-07-31"}
//   ]
// }
// Unknown keys are errors (a typo must not fall back to a default silently); every error names
// the JSON path ("bots[1].risk.max_leverage: must be an integer in 1..10").
// Thread safety: plain values and pure functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "llm/config.hpp"
#include "risk/risk_engine.hpp"

namespace aitrader::agent {
struct SystemPromptTemplate;
}

namespace aitrader::engine {

enum class ModelKind { kBaseline, kLlm };

struct BotConfig {
  std::string name;
  ModelKind model = ModelKind::kBaseline;
  std::optional<llm::ProviderConfig> llm;  // set when model == kLlm
  std::string prompt_version;              // empty = the default system prompt
  std::vector<std::string> symbols;        // venue symbols, "BTCUSDT"
  UnixMs interval = 5 * kMinuteMs;
  UnixMs cadence = 5 * kMinuteMs;
  Money capital = Money::FromUnits(10000);
  risk::RiskLimits risk;
  int max_decision_retries = 1;            // follow-ups after a refused answer, then hold
  bool close_on_stop = true;               // stop: close positions (else leave them to SL/TP)
  std::optional<Money> daily_budget_usd;   // LLM spend per UTC day; exhausted → hold + alert
  std::optional<UnixMs> training_cutoff;   // the model's knowledge cut-off, for backtest warnings
  std::string label;                       // shown on leaderboards; default: name
  TradingMode mode = TradingMode::kPaper;  // "paper" | "testnet" | "live" (only paper runs today)
  // The system prompt when prompt_version names a prompt template of the bot's owner
  // ("user:<id>"): resolved from the store by engine::ResolvePromptTemplate
  // (engine/user_prompts.hpp), never read from JSON. MakeBotParts prompts with it in place of
  // data/prompts/<prompt_version>.txt.
  std::shared_ptr<const agent::SystemPromptTemplate> prompt_template;
};

struct RunConfig {
  std::string database = "sqlite:var/aitrader.db";
  std::string data_dir;                    // empty: the bundled data
  std::optional<UnixMs> from;
  std::optional<UnixMs> to;
  Ratio maker_fee = *Ratio::Parse("0.0002");
  Ratio taker_fee = *Ratio::Parse("0.0005");
  int slippage_bps = 2;
  int slippage_jitter_bps = 0;             // > 0: each fill pays slippage_bps + jitter × U[0,1) (seeded)
  int runs = 1;                            // arena: runs per bot with different seeds
  std::uint64_t seed = 1;
  std::vector<BotConfig> bots;
};

Result<RunConfig> ParseRunConfig(std::string_view json_text, std::string_view source_name);

// The defaults of a bot before any key is applied (the six Alpha Arena coins, 5m, 10000…).
BotConfig DefaultBotConfig();
// One bot object on its own — the API's bot spec — with exactly the keys, defaults and checks
// of a bot in the run config (the run config's bots are parsed by the same code). Errors read
// "source_name: path: what"; *error_path (when given) receives the path ("risk.max_leverage",
// "(top)" when the text is not an object).
Result<BotConfig> ParseBotConfig(std::string_view json_text, const BotConfig& defaults, std::string_view source_name,
                                 std::string* error_path = nullptr);
Result<RunConfig> LoadRunConfig(const std::string& path);

// "BTC" or "btcusdt" → "BTCUSDT" for the bundled instruments; errors for unknown coins.
Result<std::string> ResolveSymbol(std::string_view coin_or_symbol);

}  // namespace aitrader::engine
