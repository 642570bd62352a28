// The estimated cost of a run's LLM calls before it starts: what `aitrader backtest` and
// `aitrader arena` print and refuse to spend without --yes, and what POST /api/backtests
// refuses to spend without "confirm_cost": true. One estimate for both.
//
// Per bot, over [from, to) and `runs` runs: calls = ⌊(to − from) / cadence⌋ × runs, each a
// typical prompt and answer for the bot's coin count (TypicalCallUsage: a six-coin Alpha Arena
// prompt is ~14k characters, ~3.5k tokens, plus the system prompt; answers ~600 tokens), priced
// by llm::PriceTable::Cost (the list price, exact fixed-point, no cached tokens assumed).
// What counts as free, and is left out of `bots`:
//  - the baseline (no model), and replays (provider "replay": answers from a file);
//  - a loopback endpoint (llm.base_url on 127.0.0.1, localhost or [::1], http or https: the mock
//    vendor server, Ollama, vLLM…) — the host itself, not a prefix ("localhost.example.com" is
//    not loopback).
// A model the price table does not know is estimated at $0 — the table's rule (unknown models
// are local ones) — but is listed, with priced = false, so callers can say so; a run on it
// needs no confirmation. A RunConfig without from or to has no period to count: every bot is
// estimated at 0 calls (RunBacktest then picks the period from the data, which this estimate
// does not load; the API always gives both).
// Thread safety: pure functions; the bundled price table is loaded once (thread-safe static).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"
#include "engine/config.hpp"
#include "llm/client.hpp"
#include "llm/pricing.hpp"

namespace aitrader::engine {

// The tokens one decision call of a bot trading `coins` coins is assumed to use:
// 1200 + 600 × coins in, 150 + 80 × coins out.
llm::Usage TypicalCallUsage(std::size_t coins);

struct BotCostEstimate {
  std::string bot;          // the bot's name
  std::int64_t calls = 0;   // cycles over the period × runs
  llm::Usage per_call;      // TypicalCallUsage of its coins
  bool priced = false;      // the price table knows its model (false: counted at $0)
  Money cost;               // calls × the price of per_call
};

struct LlmCostEstimate {
  Money total;                         // the sum of bots[].cost
  std::vector<BotCostEstimate> bots;   // the bots that call a paid endpoint, in config order
  // One line per bot, as the CLI prints it under the total:
  // "  NAME: CALLS calls × ~IN in / OUT out tokens ≈ $COST\n".
  std::string Detail() const;
};

// Errors: OutOfRange when the estimate exceeds Money's range (never an abort).
Result<LlmCostEstimate> EstimateLlmCost(const RunConfig& run, const llm::PriceTable& prices);
// The same with the bundled price table (data/llm_prices.csv), loaded once; its load error
// when it does not load.
Result<LlmCostEstimate> EstimateLlmCost(const RunConfig& run);

// True for a base URL whose host is loopback (see above); false for anything else, "" included.
bool IsLoopbackUrl(std::string_view url);

}  // namespace aitrader::engine
