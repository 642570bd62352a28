// DecisionSource: where a bot's decisions come from — the rule-based baseline (structured,
// no prompt needed) or an LLM behind llm::Client (prompt → answer → parse/validate, with the
// retry protocol). Decide() may run on a worker thread: it reads only its input and its own
// members, never the bot's state.
// Thread safety: one Decide() at a time per source (a bot never overlaps its cycles).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "agent/baseline.hpp"
#include "agent/decision.hpp"
#include "agent/prompt.hpp"
#include "llm/client.hpp"

namespace aitrader::engine {

struct DecisionInput {
  std::span<const agent::MarketSnapshot> coins;
  const agent::AccountState* account = nullptr;
  std::span<const agent::PositionInfo> positions;
  const agent::BuiltPrompt* prompt = nullptr;  // set when needs_prompt()
  const agent::ValidationContext* context = nullptr;
};

// Token usage and cost of one cycle's LLM calls (all attempts).
struct CycleUsage {
  llm::Usage usage;
  Money cost_usd;
  int calls = 0;
  std::string model;
};

class DecisionSource {
 public:
  virtual ~DecisionSource() = default;
  virtual std::string provider() const = 0;   // "baseline", "anthropic", …
  virtual std::string model() const = 0;
  virtual bool needs_prompt() const = 0;
  virtual agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage& usage,
                                        const llm::CancelToken* cancel) = 0;
  // Hands a finished cycle's outcome back so its buffers (decision strings) can be reused by
  // the next Decide(); optional.
  virtual void Recycle(agent::DecisionOutcome&& /*old*/) {}
};

// The baseline straight from snapshots (no text round trip): the fast path for backtests.
// keep_raw: also render the JSON answer for the record (costs a few µs per cycle).
std::unique_ptr<DecisionSource> MakeBaselineSource(agent::BaselinePolicy policy, bool keep_raw);

// An LLM (or anything speaking llm::Client, e.g. agent::BaselineClient or a replay) with the
// decision schema as structured output and `retries` follow-ups on refused answers.
std::unique_ptr<DecisionSource> MakeLlmSource(std::shared_ptr<llm::Client> client, std::string model,
                                              int max_tokens, std::optional<double> temperature, int retries);

}  // namespace aitrader::engine
