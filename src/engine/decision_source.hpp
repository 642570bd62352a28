// DecisionSource: where a bot's decisions come from — the rule-based baseline (structured,
// no prompt needed) or an LLM behind llm::Client (prompt → answer → parse/validate, with the
// retry protocol). Decide() may run on a worker thread: it reads only its input and its own
// members, never the bot's state.
// Thread safety: one Decide() at a time per source (a bot never overlaps its cycles).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/baseline.hpp"
#include "agent/decision.hpp"
#include "agent/prompt.hpp"
#include "core/clock.hpp"
#include "llm/client.hpp"

namespace aitrader::engine {

// Asked before every LLM call of a decision (retries included) and told each call's cost:
// the engine's daily budget (engine/llm_budget.hpp). A refusal ends the decision (hold).
class CallBudget {
 public:
  virtual ~CallBudget() = default;
  // OK to make the call, or an error saying why not (kFailedPrecondition: budget exhausted).
  virtual Status BeforeCall() = 0;
  virtual void AfterCall(Money cost) = 0;
};

struct DecisionInput {
  std::span<const agent::MarketSnapshot> coins;
  const agent::AccountState* account = nullptr;
  std::span<const agent::PositionInfo> positions;
  const agent::BuiltPrompt* prompt = nullptr;  // set when needs_prompt()
  const agent::ValidationContext* context = nullptr;
  CallBudget* budget = nullptr;       // null: unlimited
  const Clock* wall_clock = nullptr;  // stamps each call (CallUsage::called_at); null: 0
};

// One LLM call (an attempt of a decision): one llm_usage row.
struct CallUsage {
  UnixMs called_at = 0;  // wall clock
  std::string model;
  llm::Usage usage;
  Money cost_usd;
  bool ok = false;       // the vendor answered
};

// Token usage and cost of one cycle's LLM calls (all attempts), in total and per call.
struct CycleUsage {
  llm::Usage usage;
  Money cost_usd;
  int calls = 0;
  std::string model;
  std::vector<CallUsage> per_call;
  bool budget_refused = false;  // a call was refused by the daily budget
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
